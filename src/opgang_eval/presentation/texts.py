"""Every word the report prints, in Danish and English: one catalogue, keyed.

A measure's words are keyed by its registry id: ``measure:<id>`` (its
name) and ``definition:<id>`` (what it measures, with ``{end}``,
``{youth_low}`` and ``{youth_high}`` filled in). A measure added through
the registry brings its words with :func:`add_words`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..config import Lang
from ..errors import ConfigError, Failure, Rule

__all__ = ["MEASURE_LABELS", "STATUS_LABELS", "add_words", "missing_words", "t"]

_T: dict[str, tuple[str, str]] = {
    # (da, en)
    "title": (
        "Evaluering af familierettet beskæftigelsesindsats",
        "Evaluation of a family-focused employment intervention",
    ),
    "subtitle": ("Resultater til og med {end}", "Results up to and including {end}"),
    "generated": ("Udarbejdet {date} med opgang-eval {version}", "Produced {date} with opgang-eval {version}"),
    "headline": ("Hovedresultater", "Key results"),
    "design_randomised": (
        "Familierne blev fordelt ved lodtrækning (inden for strata) til indsatsen eller en kontrolgruppe, "
        "der fik de almindelige kommunale tilbud. Forskellen mellem grupperne er derfor et estimat af "
        "indsatsens effekt.",
        "Families were randomised (within strata) to the intervention or to a control group receiving ordinary "
        "municipal services, so the difference between the groups estimates the effect of the intervention.",
    ),
    "design_before_after": (
        "Der er ingen kontrolgruppe. Resultaterne beskriver udviklingen for deltagerne og kan ikke tolkes som "
        "indsatsens effekt.",
        "There is no control group. The results describe how participants fared and cannot be read as the "
        "effect of the intervention.",
    ),
    "design_matched": (
        "Der er ingen lodtrækning her. Indsatsfamilierne sammenlignes med registerfamilier, der ikke fik tilbuddet, "
        "udvalgt så de ligner indsatsfamilierne før start (matchning på propensity score). Det er et svagere design "
        "end lodtrækning: forskellen er kun indsatsens effekt, hvis grupperne ikke adskiller sig på andet end det, "
        "der er matchet på.",
        "There was no randomisation here. The intervention families are compared with register families who were "
        "not offered the programme, chosen to resemble the intervention families before enrolment (propensity-score "
        "matching). This design is weaker than randomisation: the difference is the effect of the intervention only "
        "if the groups differ in nothing but what was matched on.",
    ),
    "design_weighted": (
        "Der er ingen lodtrækning her. Indsatsfamilierne sammenlignes med registerfamilier, der ikke fik tilbuddet, "
        "vægtet så de ligner indsatsfamilierne før start (inverse propensity-vægte). Det er et svagere design end "
        "lodtrækning: forskellen er kun indsatsens effekt, hvis grupperne ikke adskiller sig på andet end det, der "
        "er vægtet for.",
        "There was no randomisation here. The intervention families are compared with register families who were "
        "not offered the programme, weighted to resemble the intervention families before enrolment (inverse "
        "propensity weights). This design is weaker than randomisation: the difference is the effect of the "
        "intervention only if the groups differ in nothing but what was weighted for.",
    ),
    "no_intervention": (
        "Udtrækket har ingen indsatsfamilier (arm = intervention i families), så der er intet at evaluere: "
        "ingen af målene kan beregnes. Tjek kolonnen arm i families.",
        "The extract has no intervention families (arm = intervention in families), so there is nothing to "
        "evaluate: none of the measures can be computed. Check the arm column of families.",
    ),
    "comparison_group": ("Sammenligningsgruppe", "Comparison group"),
    "balance": ("Balance før og efter matchning", "Balance before and after matching"),
    "balance_weighted": ("Balance før og efter vægtning", "Balance before and after weighting"),
    "comparison_all": ("Pulje, alle", "Pool, all"),
    "comparison_after": ("Pulje, matchet", "Pool, matched"),
    "comparison_after_weighted": ("Pulje, vægtet", "Pool, weighted"),
    "intervention_after": ("Indsats, matchet", "Intervention, matched"),
    "smd_before": ("SMD før", "SMD before"),
    "smd_after": ("SMD efter", "SMD after"),
    "wwc": ("Vurdering", "Verdict"),
    "wwc:satisfied": ("god balance", "balanced"),
    "wwc:adjust": ("kræver justering", "needs adjustment"),
    "wwc:fails": ("ubalance", "imbalanced"),
    "balance_note": (
        "SMD: forskel i gennemsnit delt med den samlede standardafvigelse i de umatchede grupper "
        "(√((s²₁ + s²₀)/2)), så nævneren er den samme før og efter. What Works Clearinghouse: |SMD| ≤ 0,05 god "
        "balance, 0,05–0,25 kræver statistisk justering, over 0,25 ubalance.",
        "SMD: difference in means divided by the pooled standard deviation of the unmatched groups "
        "(√((s²₁ + s²₀)/2)), so the denominator is the same before and after. What Works Clearinghouse: |SMD| ≤ 0.05 "
        "balanced, 0.05–0.25 needs statistical adjustment, above 0.25 imbalanced.",
    ),
    "balance_all_treated": (
        "Færre end 5 indsatsfamilier ({marker}) er udeladt; af hensyn til diskretionen viser efter-kolonnerne alle "
        "indsatsfamilier mod den matchede sammenligningsgruppe.",
        "Fewer than 5 intervention families ({marker}) were left out; to protect them, the after columns compare all "
        "intervention families with the matched comparison group.",
    ),
    "design_forced": (
        "Udtrækket har en lodtrukket kontrolgruppe, men denne evaluering bruger efter ønske (design = observational) "
        "sammenligningspuljen i stedet, fx for at holde det observationelle design op mod forsøget. Det er et svagere "
        "design end lodtrækning: forskellen er kun indsatsens effekt, hvis grupperne ikke adskiller sig på andet end "
        "det, der er taget højde for.",
        "The extract has a randomised control arm, but this evaluation was asked (design = observational) to use the "
        "comparison pool instead, e.g. to check the observational design against the experiment. That design is "
        "weaker than randomisation: the difference is the effect of the intervention only if the groups differ in "
        "nothing but what was accounted for.",
    ),
    "figure_love": (
        "Standardiseret forskel (|SMD|) før og efter; stiplede linjer ved 0,05 og 0,25",
        "Absolute standardised mean difference before and after; dotted lines at 0.05 and 0.25",
    ),
    "figure_event": (
        "Forskel i andel i beskæftigelse eller uddannelse mellem indsats- og sammenligningsgruppe efter måneder "
        "i forhold til start, målt mod måneden før start",
        "Difference in the share in work or education between the intervention and comparison groups by months "
        "relative to enrolment, against the month before enrolment",
    ),
    "months_relative": ("Måneder i forhold til start", "Months relative to enrolment"),
    "difference_axis": ("Forskel (procentpoint)", "Difference (percentage points)"),
    "flow": ("Deltagere", "Participants"),
    "flow_intro": (
        "Antal familier og personer i hver gruppe, og hvor mange der indgår i hvert mål.",
        "Families and persons in each group, and how many enter each measure.",
    ),
    "baseline": ("Udgangspunkt", "Baseline characteristics"),
    "baseline_intro": (
        "Forældrenes og familiernes situation ved start. SMD er den standardiserede forskel mellem grupperne; "
        "værdier under 0,1 regnes normalt for god balance.",
        "Parents and families at the start. SMD is the standardised mean difference between the groups; values "
        "below 0.1 are usually taken as good balance.",
    ),
    "results": ("Resultater", "Results"),
    "survey": ("Familiernes egen vurdering", "Families' own assessment"),
    "survey_intro": (
        "Forældrenes svar ved start og ved opfølgning (skala 1–5) blandt dem, der svarede begge gange.",
        "Parents' answers at the start and at follow-up (scale 1–5) among those who answered both times.",
    ),
    "savings": ("Økonomi", "Costs and savings"),
    "by_site": ("Resultater pr. område", "Results by site"),
    "by_site_intro": ("Indsatsgruppens resultater i hvert område.", "The intervention group's results in each site."),
    "hidden_cell": ("skjult", "hidden"),
    "other_sites": ("Øvrige områder", "Other sites"),
    "by_site_small": (
        "Områder med færre end {min_cell} familier vises samlet som »Øvrige områder«.",
        "Sites with fewer than {min_cell} families are shown together as 'Other sites'.",
    ),
    "by_site_withheld": (
        "Resultaterne for {sites} er skjult, fordi området afviger med færre end det mindste antal familier "
        "fra et område i en tidligere rapport på de samme data (de kunne ellers trækkes fra hinanden).",
        "The results for {sites} are hidden: the site differs by fewer than the minimum number of families "
        "from a site in an earlier report on the same data (the two could be subtracted).",
    ),
    "methods": ("Metode og definitioner", "Methods and definitions"),
    "limitations": ("Begrænsninger", "Limitations"),
    "data_quality": ("Datakvalitet", "Data quality"),
    "data_quality_none": ("Valideringen gav ingen advarsler.", "Validation raised no warnings."),
    "appendix": ("Bilag: konfiguration og datagrundlag", "Appendix: configuration and inputs"),
    "intervention": ("Indsats", "Intervention"),
    "control": ("Kontrol", "Control"),
    "effect": ("Forskel", "Difference"),
    "estimate": ("Estimat", "Estimate"),
    "ci": ("95 %-konfidensinterval", "95% confidence interval"),
    "n": ("Antal", "N"),
    "smd": ("SMD", "SMD"),
    "variable": ("Forhold", "Characteristic"),
    "step": ("Trin", "Step"),
    "unit": ("Enhed", "Unit"),
    "group": ("Gruppe", "Group"),
    "before": ("Før", "Before"),
    "after": ("Efter", "After"),
    "change": ("Ændring", "Change"),
    "p_value": ("p-værdi", "p-value"),
    "item": ("Spørgsmål", "Item"),
    "site": ("Område", "Site"),
    "file": ("Fil", "File"),
    "format": ("Format", "Format"),
    "rows": ("Rækker", "Rows"),
    "setting": ("Indstilling", "Setting"),
    "value": ("Værdi", "Value"),
    "domain": ("Område", "Domain"),
    "year": ("År", "Year"),
    "savings_col": ("Besparelse", "Savings"),
    "reference_randomised": ("Kontrol, gns. pr. familie", "Control, mean per family"),
    "reference_before_after": ("Forventet uden indsats", "Expected without the intervention"),
    "reference_matched": (
        "Sammenligning (matchet): ændring mod før, gns. pr. familie",
        "Comparison (matched): change from before, mean per family",
    ),
    "reference_weighted": (
        "Sammenligning (vægtet): ændring mod før, gns. pr. familie",
        "Comparison (weighted): change from before, mean per family",
    ),
    "intervention_change": (
        "Indsats: ændring mod før, gns. pr. familie",
        "Intervention: change from before, mean per family",
    ),
    "effect_observational": ("Forskel mod sammenligning", "Difference from comparison"),
    "intervention_cost": ("Indsats, gns. pr. familie", "Intervention, mean per family"),
    "rule": ("Advarsel", "Warning"),
    "table": ("Tabel", "Table"),
    "message": ("Betydning", "Meaning"),
    "not_available": ("ikke tilgængelig", "not available"),
    "suppressed_note": (
        "Celler med færre end {min_cell} personer er skjult (vist som «{marker}») af hensyn til "
        "diskretionen; celler, som de kunne regnes ud fra, er skjult som «skjult».",
        "Cells based on fewer than {min_cell} persons are hidden (shown as “{marker}”) to protect "
        "confidentiality; cells from which they could be recovered are shown as “hidden”.",
    ),
    "config": ("Konfiguration", "Configuration"),
    "inputs": ("Inddata", "Inputs"),
    "version": ("Programversion", "Software version"),
    "figure_trajectory": (
        "Andel af forældrene i beskæftigelse eller uddannelse efter måneder siden start",
        "Share of parents in work or education by months since enrolment",
    ),
    "figure_status": ("Forældrenes status før start og ved slut", "Parents' status before enrolment and at the end"),
    "figure_absence": ("Skolefravær før og efter", "School absence before and after"),
    "figure_youth": ("Unge med fritidsjob før og efter", "Youths with an after-school job before and after"),
    "figure_forest": ("Forskel mellem indsats og kontrol", "Difference between intervention and control"),
    "figure_forest_observational": (
        "Forskel mellem indsats og sammenligningsgruppe (difference-in-differences)",
        "Difference between intervention and comparison group (difference-in-differences)",
    ),
    "figure_domain": ("Omkostninger pr. familie efter område", "Cost per family by domain"),
    "figure_year": ("Besparelse pr. familie efter år", "Savings per family by year"),
    "figure_tornado": ("Nettoresultat pr. familie: følsomhed", "Net result per family: sensitivity"),
    "months_since": ("Måneder siden start", "Months since enrolment"),
    "share_axis": ("Andel", "Share"),
    "rate_axis": ("Rate", "Rate"),
    "dkk_axis": ("Kroner pr. familie", "DKK per family"),
    "pp_axis": ("Procentpoint", "Percentage points"),
    "status_group:work": ("Job, fleksjob, uddannelse", "Job, flexjob, education"),
    "status_group:retired": ("Førtidspension", "Early retirement"),
    "status_group:benefit": ("Andre ydelser", "Other benefits"),
    "status_group:none": ("Ingen status", "No status"),
    "baseline_period": ("Før start", "Before"),
    "end_period": ("Slut", "End"),
}

MEASURE_LABELS: dict[str, tuple[str, str]] = {
    "parents_in_work_or_education": ("Forældre i beskæftigelse eller uddannelse", "Parents in work or education"),
    "flexjob_share_of_work_or_education": ("Heraf i fleksjob", "Of whom in flexjob"),
    "early_retirement_share": ("Forældre på førtidspension", "Parents on early-retirement pension"),
    "school_absence_change": ("Ændring i børnenes skolefravær", "Change in children's school absence"),
    "youth_job_rate_change": ("Ændring i andelen af unge med fritidsjob", "Change in the share of youths with a job"),
    "savings_per_family": ("Besparelse pr. familie", "Savings per family"),
}

#: Definitions of the measures (``{end}``: the end month; ``{youth_low}``–``{youth_high}``: the youth ages).
DEFINITIONS: dict[str, tuple[str, str]] = {
    "parents_in_work_or_education": (
        "Andelen af forældrene med en status i {end}, som i {end} er i ordinært job, fleksjob eller uddannelse. "
        "Forældre uden status i slutmåneden (fx fraflyttede) indgår ikke.",
        "The share of parents with a status in {end} who in {end} are in an ordinary job, flexjob or education. "
        "Parents without a status in the end month (e.g. who moved away) are not counted.",
    ),
    "flexjob_share_of_work_or_education": (
        "Blandt forældrene i beskæftigelse eller uddannelse i {end}: andelen i fleksjob.",
        "Among the parents in work or education in {end}: the share in flexjob.",
    ),
    "early_retirement_share": (
        "Andelen af forældrene med en status i {end}, som i {end} modtager førtidspension.",
        "The share of parents with a status in {end} who in {end} receive early-retirement pension.",
    ),
    "school_absence_change": (
        "Børn med fraværsoplysninger både i det seneste skoleår afsluttet før familiens start og i det seneste "
        "skoleår afsluttet senest i {end}. Fraværsraten er alle fraværsdage delt med alle skoledage; ændringen er "
        "raten efter delt med raten før minus 1.",
        "Children with absence records both in the last school year that ended before their family's enrolment and "
        "in the last school year that ended by {end}. The absence rate is all days absent over all school days; the "
        "change is the rate after over the rate before, minus 1.",
    ),
    "youth_job_rate_change": (
        "Unge er børn, der fylder {youth_low}–{youth_high} år i det kalenderår, perioden slutter. Andelen med "
        "mindst én måned med lønindkomst i de 12 måneder før start sammenlignes med andelen i de 12 måneder til og "
        "med {end}; ændringen er andelen efter delt med andelen før minus 1.",
        "Youths are children who turn {youth_low}–{youth_high} in the calendar year the window ends. The share with "
        "at least one month of earnings in the 12 months before enrolment is compared with the share in the 12 "
        "months up to {end}; the change is after over before, minus 1.",
    ),
    "savings_per_family": (
        "Offentlige udgifter pr. familie fra startmåneden til og med {end}. Med kontrolgruppe er besparelsen "
        "gennemsnittet for kontrolfamilierne minus gennemsnittet for indsatsfamilierne; med en matchet eller vægtet "
        "sammenligningsgruppe en difference-in-differences: hver families udgifter minus dens udgiftsniveau i de 12 "
        "måneder før start, fremskrevet, vægtet gennemsnit for sammenligningsfamilierne minus gennemsnittet for de "
        "matchede indsatsfamilier; uden nogen af delene familiens udgiftsniveau i de 12 måneder før start, "
        "fremskrevet, minus de faktiske udgifter.",
        "Public costs per family from the enrolment month to {end}. With a control group the savings are the control "
        "families' mean minus the intervention families' mean; with a matched or weighted comparison group, a "
        "difference-in-differences: each family's costs minus its cost level in the 12 months before enrolment, "
        "continued, as a weighted mean over the comparison families minus the mean over the matched intervention "
        "families; with neither, the family's cost level in the 12 months before enrolment, continued, minus its "
        "actual costs.",
    ),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "job": ("Ordinært job", "Job"),
    "flexjob": ("Fleksjob", "Flexjob"),
    "education": ("Uddannelse", "Education"),
    "early_retirement": ("Førtidspension", "Early retirement"),
    "cash_benefit": ("Kontanthjælp m.fl.", "Cash benefit"),
    "unemployment_benefit": ("Dagpenge", "Unemployment benefit"),
    "sickness_benefit": ("Sygedagpenge", "Sickness benefit"),
    "resource_course": ("Ressourceforløb", "Resource course"),
    "job_clarification": ("Jobafklaringsforløb", "Job clarification"),
    "flexjob_waiting": ("Ledighedsydelse", "Flexjob waiting"),
    "other": ("Andet", "Other"),
    "no_status": ("Ingen status", "No status"),
}


_PREFIXED = {"measure": MEASURE_LABELS, "definition": DEFINITIONS, "status": STATUS_LABELS}


def t(key: str, lang: Lang, **values: object) -> str:
    """The text ``key`` in ``lang``, with ``{placeholders}`` filled in."""
    prefix, _, name = key.partition(":")
    da, en = _PREFIXED[prefix][name] if name and prefix in _PREFIXED else _T[key]
    text = da if lang == "da" else en
    return text.format(**values) if values else text


def missing_words(keys: Iterable[str]) -> list[str]:
    """The keys among ``keys`` that the catalogue has no words for."""
    out = []
    for key in keys:
        prefix, _, name = key.partition(":")
        known = name in _PREFIXED[prefix] if name and prefix in _PREFIXED else key in _T
        if not known:
            out.append(key)
    return out


def add_words(words: Mapping[str, tuple[str, str]]) -> None:
    """Add (or replace) catalogue entries: key → (Danish, English).

    A measure registered with :func:`opgang_eval.register_measure` needs
    ``measure:<id>`` (its name in tables, figures and the flow) and
    ``definition:<id>`` (its definition in its section and the methods)::

        oe.add_words({
            "measure:parents_in_job": ("Forældre i ordinært job", "Parents in an ordinary job"),
            "definition:parents_in_job": ("Andelen ... i {end}.", "The share ... in {end}."),
        })

    Raises
    ------
    ConfigError
        When a key has no known prefix or a value is not a (Danish, English) pair.
    """
    problems = []
    for key, pair in words.items():
        prefix, _, name = key.partition(":")
        ok = isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        if prefix not in _PREFIXED or not name or not ok:
            hint = f"Give words as '<{'|'.join(_PREFIXED)}>:<id>' = (Danish, English)."
            problems.append(Failure("config", "words", key, None, "", "", Rule.BAD_CONFIG, hint))
    if problems:
        raise ConfigError.from_failures(problems)
    for key, (da, en) in words.items():
        prefix, _, name = key.partition(":")
        _PREFIXED[prefix][name] = (da, en)
