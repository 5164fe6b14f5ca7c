"""The report, one part at a time, against strings worked out by hand.

The hand-built extract of ``report_helpers`` (12 + 12 families, end
2023-08) is evaluated with a fixed config; each test then checks one part
of the report context (headline, flow table, one measure table, survey,
appendix) against expected text computed in the test, in the manner of
great_tables' render tests. Then the rendered files: PDF text in both
languages, no external requests, injection, byte-for-byte determinism,
atomic output and the ``report`` command.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import statistics
import zipfile
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

import opgang_eval as oe
from handbuilt import load
from opgang_eval import __version__
from opgang_eval.cli import main
from opgang_eval.presentation import figures
from opgang_eval.presentation.context import build_context
from report_helpers import (
    CONFIG,
    CTL_PARENTS,
    EPOCH,
    ITV_PARENTS,
    SURVEY_ITV,
    build_extract,
    html_tables,
    input_ids,
    leaked_ids,
    pdf_text,
    report_files,
    xlsx_tables,
)

SAMPLE = Path(__file__).parents[1] / "data" / "sample"
TODAY = dt.date(2024, 1, 15)  # the date of EPOCH
NB = "\u00a0"  # no-break space
WORK = {"job", "flexjob", "education"}


def da_number(x: float, decimals: int) -> str:
    """Hand formatting for the expected strings: Danish decimal comma, true minus."""
    text = f"{abs(x):.{decimals}f}".replace(".", ",")
    return ("−" if round(x, decimals) < 0 else "") + text


def da_signed(x: float, decimals: int) -> str:
    text = da_number(x, decimals)
    return text if text.startswith("−") or round(x, decimals) == 0 else "+" + text


def cr1_difference(y: np.ndarray, treat: np.ndarray, clusters: list[str]) -> tuple[float, float, float]:
    """Difference in means with a CR1 cluster-robust 95 % interval (Stata's vce(cluster)), by hand.

    V = (X'X)⁻¹ (Σ_g X_g'e_g e_g'X_g) (X'X)⁻¹ · G/(G−1) · (N−1)/(N−K); t with G−1 degrees of freedom.
    """
    x = np.column_stack([np.ones(len(y)), treat])
    bread = np.linalg.inv(x.T @ x)
    beta = bread @ x.T @ y
    resid = y - x @ beta
    groups = sorted(set(clusters))
    meat = np.zeros((2, 2))
    for g in groups:
        rows = [i for i, c in enumerate(clusters) if c == g]
        score = x[rows].T @ resid[rows]
        meat += np.outer(score, score)
    n, k, g = len(y), 2, len(groups)
    cov = bread @ meat @ bread * g / (g - 1) * (n - 1) / (n - k)
    se = float(np.sqrt(cov[1, 1]))
    t = stats.t.ppf(0.975, g - 1)
    return float(beta[1]), float(beta[1] - t * se), float(beta[1] + t * se)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return build_extract(tmp_path_factory.mktemp("report") / "extract")


@pytest.fixture(scope="module")
def ev(folder) -> oe.Evaluation:
    return oe.evaluate(load(folder), config=CONFIG)


@pytest.fixture(scope="module")
def ctx_da(ev):
    return build_context(ev, "da", today=TODAY)


@pytest.fixture(scope="module")
def ctx_en(ev):
    return build_context(ev, "en", today=TODAY)


def table(ctx, table_id: str):
    return next(t for t in ctx.tables() if t.id == table_id)


def rows_by_label(ctx, table_id: str) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in table(ctx, table_id).rows}


# -- the effect in the headline, by hand ------------------------------------------------------------


@pytest.fixture(scope="module")
def work_effect() -> tuple[float, float, float]:
    # Parents in work or education in 2023-08: intervention 10 of 17, control 5 of 14; clustered by family
    # (five intervention and two control families have two parents).
    everyone = {**ITV_PARENTS, **CTL_PARENTS}
    y = np.array([float(end in WORK) for (_, _, _, end) in everyone.values()])
    treat = np.array([1.0] * len(ITV_PARENTS) + [0.0] * len(CTL_PARENTS))
    families = [p[:3] for p in everyone]
    assert y[: len(ITV_PARENTS)].sum() == 10 and y[len(ITV_PARENTS) :].sum() == 5
    return cr1_difference(y, treat, families)


def test_the_hand_computed_effect(work_effect):
    b, low, high = work_effect
    assert b == pytest.approx(10 / 17 - 5 / 14)  # 0.2311 → 23,1 points
    # the rounded bounds the expected sentences below print
    assert (round(b * 100, 1), round(low * 100, 1), round(high * 100, 1)) == (23.1, -11.6, 57.9)


# -- headline -------------------------------------------------------------------------------------------

# 1. work or education: 10 of 17 intervention parents (4 job, 5 flexjob, 1 education) = 58.8 % → 59 %;
#    flexjob among them 5 of 10 = exactly one half → "halvdelen".
# 2. early retirement: 5 of 17 = 29.4 % → 29 %, but not printed: the 17 parents with a status in August 2023
#    are 10 in work or education, 5 on early retirement and 2 on benefits, and the work share (10 of 17) and the
#    status figure are published, so printing 5 of 17 would give the 2 on benefits away (17 − 10 − 5). The
#    release hides the early-retirement share (of the three, all headline numbers, the smallest).
# 3. absence: 12 children × 20 of 200 days before = 10.0 %, 12 × 15 of 200 after = 7.5 %; 7.5/10 − 1 = −25 %.
# 4. youth jobs: 5 of 12 youths before, 7 of 12 after: 7/5 − 1 = +40 %.
# 5. savings: every control family costs 40.000 kr., every intervention family 10.000 kr. → 30.000 kr.;
#    every resample gives the same means, so the interval is [30.000; 30.000]. Programme 300.000 kr. / 12
#    families = 25.000 kr.; net 30.000 − 25.000 = +5.000 kr.
# 6. effect: see test_the_hand_computed_effect.
HEADLINE_DA = [
    f"59{NB}% af forældrene er kommet i uddannelse eller beskæftigelse, heraf halvdelen i fleksjob (august 2023).",
    f"Børnenes skolefravær er faldet 25{NB}% (10,0{NB}% → 7,5{NB}% af skoledagene).",
    f"Andelen af unge med fritidsjob er steget 40{NB}%.",
    f"De offentlige udgifter var 30.000{NB}kr. lavere pr. familie (95{NB}%-KI 30.000{NB}kr. til 30.000{NB}kr.); "
    f"med en programudgift på 25.000{NB}kr. pr. familie er nettoresultatet +5.000{NB}kr. pr. familie.",
    f"Sammenlignet med kontrolgruppen er andelen i beskæftigelse eller uddannelse 23,1{NB}pct.-point højere "
    f"(95{NB}%-KI −11,6{NB}pct.-point til +57,9{NB}pct.-point).",
]
HEADLINE_EN = [
    "59% of the parents are in work or education, half of them in flexjob (August 2023).",
    "Children's school absence fell by 25% (10.0% → 7.5% of school days).",
    "The share of youths with an after-school job rose by 40%.",
    f"Public costs were DKK{NB}30,000 lower per family (95% CI DKK{NB}30,000 to DKK{NB}30,000); against a "
    f"programme cost of DKK{NB}25,000 per family the net result is DKK{NB}+5,000 per family.",
    f"Compared with the control group the share in work or education is 23.1{NB}pp higher "
    f"(95% CI −11.6{NB}pp to +57.9{NB}pp).",
]


def _primary_p(ev) -> float:
    """The primary outcome's randomisation p-value (its value is tested against enumeration in test_inference.py)."""
    return ev.effects["parents_in_work_or_education"].inference.loc["randomisation", "p_value"]


def test_headline_danish(ctx_da, ev):
    p = f"{_primary_p(ev):.3f}".replace(".", ",")
    primary = (
        "Primært udfald: Forældre i beskæftigelse eller uddannelse. Randomiseringstesten, der trækker forsøgets egen "
        f"lodtrækning af familier om, giver p = {p}."
    )
    assert ctx_da.headline == [*HEADLINE_DA, primary]


def test_headline_english(ctx_en, ev):
    primary = (
        "Primary outcome: Parents in work or education. The randomisation test, which re-draws the trial's own "
        f"assignment of families, gives p = {_primary_p(ev):.3f}."
    )
    assert ctx_en.headline == [*HEADLINE_EN, primary]


def test_title_subtitle_and_date(ctx_da, ctx_en):
    assert ctx_da.title == "Evaluering af familierettet beskæftigelsesindsats"
    assert ctx_da.subtitle == "Resultater til og med august 2023"
    assert ctx_da.generated == f"Udarbejdet 15. januar 2024 med opgang-eval {__version__}"
    assert ctx_en.subtitle == "Results up to and including August 2023"
    assert ctx_en.generated == f"Produced 15 January 2024 with opgang-eval {__version__}"


# -- flow ------------------------------------------------------------------------------------------------


def test_flow_table_danish(ctx_da):
    flow = table(ctx_da, "flow")
    assert flow.header == ["Trin", "Indsats", "Kontrol"]
    assert flow.rows == [
        ["Familier", "12", "12"],
        ["Forældre", "17", "14"],  # five intervention and two control families with two parents
        ["Børn", "12", "12"],
        ["Familier, der stoppede før slut", "<5", "0"],  # FX-I12 only
        ["Forældre med status i august 2023", "17", "14"],
        ["Indgår i: Forældre i beskæftigelse eller uddannelse", "17", "14"],
        ["Indgår i: Heraf i fleksjob", "10", "5"],  # parents in work or education
        ["Indgår i: Forældre i fleksjob", "17", "14"],
        ["Indgår i: Forældre på førtidspension", "17", "14"],
        ["Indgår i: Ændring i børnenes skolefravær", "12", "<5"],  # three control children
        ["Indgår i: Ændring i andelen af unge med fritidsjob", "12", "12"],
        ["Indgår i: Besparelse pr. familie", "12", "12"],
    ]
    assert flow.note == (
        "Celler med færre end 5 personer er skjult (vist som «<5») af hensyn til diskretionen; "
        "celler, som de kunne regnes ud fra, er skjult som «skjult»."
    )
    # the spreadsheet version holds numbers, and the marker where hidden
    assert flow.values[3] == ["Familier, der stoppede før slut", "<5", 0]
    assert flow.values[1] == ["Forældre", 17, 14]


def test_flow_table_english(ctx_en):
    flow = table(ctx_en, "flow")
    assert flow.header == ["Step", "Intervention", "Control"]
    assert flow.rows[3] == ["Families who left before the end", "<5", "0"]
    assert flow.rows[4] == ["Parents with a status in August 2023", "17", "14"]
    assert flow.rows[9] == ["Analysed: Change in children's school absence", "12", "<5"]


# -- baseline ---------------------------------------------------------------------------------------------


def smd(a: list[float], b: list[float]) -> float:
    var = (statistics.variance(a) + statistics.variance(b)) / 2
    return (statistics.mean(a) - statistics.mean(b)) / var**0.5


def test_baseline_table(ctx_da):
    # Ages in 2021 (the enrolment year) from the birth years in report_helpers:
    itv_age = [36, 38, 31, 33, 42, 44, 29, 51, 35, 49, 40, 53, 46, 47, 37, 32, 34]
    ctl_age = [37, 39, 41, 43, 30, 35, 45, 48, 38, 34, 42, 36, 33, 40]
    assert statistics.mean(itv_age) == pytest.approx(677 / 17)  # 39.82
    assert statistics.mean(ctl_age) == pytest.approx(541 / 14)  # 38.64
    # Women: intervention 10 of 17, control 8 of 14.
    p1, p2 = 10 / 17, 8 / 14
    female_smd = (p1 - p2) / ((p1 * (1 - p1) + p2 * (1 - p2)) / 2) ** 0.5
    # Months on benefits in 2018-03 … 2021-02: I01a and I02a from 2019-03 (24), everyone else 36.
    itv_months = [24, 24] + [36] * 15
    # Parents per family: five intervention families with two parents, two control families.
    itv_adults, ctl_adults = [2] * 5 + [1] * 7, [2] * 2 + [1] * 10
    rows = rows_by_label(ctx_da, "baseline")
    assert table(ctx_da, "baseline").header == ["Forhold", "Indsats", "Kontrol", "SMD"]
    assert rows["Alder (år)"] == ["39,8", "38,6", da_number(smd(itv_age, ctl_age), 2)]
    assert rows["Alder (år)"][2] == "0,19"
    assert rows["Kvinder"] == [f"59{NB}%", f"57{NB}%", da_number(female_smd, 2)]
    months_smd = (statistics.mean(itv_months) - 36) / ((statistics.variance(itv_months) + 0) / 2) ** 0.5
    assert rows["Måneder på ydelse, 36 mdr. før start"] == ["34,6", "36,0", da_number(months_smd, 2)]
    assert rows["Måneder på ydelse, 36 mdr. før start"][2] == "−0,50"
    # I10a (sickness benefit) and I12a (resource course) are alone in their status: hidden; no control parent: 0 %
    assert rows["Status før start: Sygedagpenge"] == ["<5", f"0{NB}%", "<5"]
    assert rows["Status før start: Ressourceforløb"] == ["<5", f"0{NB}%", "<5"]
    assert rows["Børn pr. familie"] == ["1,0", "1,0", "0,00"]
    assert rows["Forældre pr. familie"] == ["1,4", "1,2", da_number(smd(itv_adults, ctl_adults), 2)]
    # only statuses someone had appear
    assert [r for r in rows if r.startswith("Status før start")] == [
        "Status før start: Kontanthjælp m.fl.",
        "Status før start: Sygedagpenge",
        "Status før start: Ressourceforløb",
    ]


# -- measure tables -----------------------------------------------------------------------------------------


def wilson_da(k: int, n: int) -> str:
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    return f"[{round(low * 100)}{NB}%; {round(high * 100)}{NB}%]"


def test_work_or_education_table(ctx_da, work_effect):
    b, low, high = work_effect
    t = table(ctx_da, "parents_in_work_or_education")
    assert t.caption == "Forældre i beskæftigelse eller uddannelse"
    assert t.header == ["Gruppe", "Estimat", "95 %-konfidensinterval", "Antal"]
    assert wilson_da(10, 17) == f"[36{NB}%; 78{NB}%]"
    assert wilson_da(5, 14) == f"[16{NB}%; 61{NB}%]"
    assert t.rows == [
        ["Indsats", f"59{NB}%", wilson_da(10, 17), "17"],
        ["Kontrol", f"36{NB}%", wilson_da(5, 14), "14"],
        [
            "Forskel",
            f"{da_signed(b * 100, 1)}{NB}pct.-point",
            f"[{da_signed(low * 100, 1)}{NB}pct.-point; {da_signed(high * 100, 1)}{NB}pct.-point]",
            "31",
        ],
    ]
    # the spreadsheet row holds the unrounded estimate
    # at the printed precision (whole percent: 10/17 = 58.8 % → 0.59); the interval as two numbers, then n
    low, high = proportion_confint(10, 17, method="wilson")  # 0.3601, 0.7839
    assert t.values[0][1:] == [0.59, round(low, 2), round(high, 2), 17]


def test_shares_with_a_small_part_are_hidden(ctx_da):
    # flexjob among those in work: intervention 5 of 10 (shown), control 1 of 5 (hidden; n = 5 itself is fine)
    flex = rows_by_label(ctx_da, "flexjob_share_of_work_or_education")
    assert flex["Indsats"] == [f"50{NB}%", wilson_da(5, 10), "10"]
    assert flex["Kontrol"] == ["<5", "<5", "5"]
    assert flex["Forskel (beskrivende)"][:2] == ["<5", "<5"]  # an effect needs both arms shown
    # early retirement: control 2 of 14 → hidden; intervention 5 of 17 is withheld as well, since with the
    # work share (10 of 17) it gives the 2 parents on benefits away (see the headline above)
    retired = rows_by_label(ctx_da, "early_retirement_share")
    assert retired["Indsats"] == ["skjult", "skjult", "17"]
    assert retired["Kontrol"] == ["<5", "<5", "14"]
    assert retired["Forskel"][:2] == ["<5", "<5"]


def test_school_absence_table(ctx_da):
    t = table(ctx_da, "school_absence_change")
    assert t.header == ["Gruppe", "Før", "Efter", "Ændring", "95 %-konfidensinterval", "Antal"]
    rows = rows_by_label(ctx_da, "school_absence_change")
    # every child has the same 20 → 15 days of 200, so every bootstrap resample gives −25 %
    assert rows["Indsats"] == [f"10,0{NB}%", f"7,5{NB}%", f"−25{NB}%", f"[−25{NB}%; −25{NB}%]", "12"]
    assert rows["Kontrol"] == ["<5"] * 5  # three children
    assert rows["Forskel"][:4] == ["<5"] * 4


def test_youth_job_table(ctx_da, ev):
    rows = rows_by_label(ctx_da, "youth_job_rate_change")
    # intervention 5 → 7 of 12 youths: 41.7 % → 58.3 %, +40 %; control 5 → 5 of 12: 0 % (no sign on zero)
    itv = ev.measures["youth_job_rate_change"]
    ctl = ev.arms["control"]["youth_job_rate_change"]

    def interval(r) -> str:
        return f"[{da_signed(r.ci_low * 100, 0)}{NB}%; {da_signed(r.ci_high * 100, 0)}{NB}%]"

    assert rows["Indsats"] == [f"41,7{NB}%", f"58,3{NB}%", f"+40{NB}%", interval(itv), "12"]
    assert rows["Kontrol"] == [f"41,7{NB}%", f"41,7{NB}%", f"0{NB}%", interval(ctl), "12"]
    # difference-in-differences: (7/12 − 5/12) − (5/12 − 5/12) = 2/12 = 16.7 points; 24 youths
    assert rows["Forskel"][:3] == ["", "", f"+16,7{NB}pct.-point"]
    assert rows["Forskel"][4] == "24"


# -- survey -------------------------------------------------------------------------------------------------


def test_survey_table(ctx_da):
    before = np.array([b for b, _ in SURVEY_ITV.values()], dtype=float)
    after = np.array([a for _, a in SURVEY_ITV.values()], dtype=float)
    diff = after - before
    assert (before.sum(), after.sum(), diff.sum()) == (25, 38, 13)
    t = table(ctx_da, "survey")
    assert t.header == [
        "Spørgsmål",
        "Gruppe",
        "Før",
        "Efter",
        "Ændring",
        "95 %-konfidensinterval",
        "p-værdi",
        "Antal",
    ]
    # 12 intervention parents: 10 rose and 2 (I03a, I07a) stayed. Whole-number scores of fewer than 20 parents:
    # the mean change (13/12), its t interval and the signed-rank p-value solve to 7 rising by one and 3 by two
    # (and the 2 who stayed), so a group with 1–4 parents rising, falling or staying is hidden.
    assert ((diff > 0).sum(), (diff < 0).sum(), (diff == 0).sum()) == (10, 0, 2)
    assert t.rows == [
        ["Overskud", "Indsats", "<5", "<5", "<5", "<5", "<5", "12"],
        # three control parents answered both waves (four more only the baseline): all hidden
        ["Overskud", "Kontrol", "<5", "<5", "<5", "<5", "<5", "<5"],
    ]


def test_survey_row_of_the_sample_by_hand():
    # The sample's intervention arm, "Overskud": paired scores computed here with pandas and scipy directly.
    import pandas as pd

    survey = pd.read_csv(SAMPLE / "survey.csv")
    parents = pd.read_csv(SAMPLE / "parents.csv").merge(pd.read_csv(SAMPLE / "families.csv"), on="family_id")
    mine = survey[survey.person_id.isin(parents[parents.arm == "intervention"].person_id) & (survey.item == "surplus")]
    wide = mine.pivot(index="person_id", columns="wave", values="score").dropna()
    diff = (wide["followup"] - wide["baseline"]).to_numpy(dtype=float)
    n = len(diff)
    assert n >= 20  # a group large enough that its changes cannot be solved for
    half = stats.t.ppf(0.975, n - 1) * diff.std(ddof=1) / np.sqrt(n)
    p = stats.wilcoxon(diff).pvalue
    ev = oe.evaluate(oe.load(SAMPLE), config={"bootstrap_replicates": 50}, progress=False)
    rows = next(r for r in build_context(ev, "da", today=TODAY).tables() if r.id == "survey").rows
    row = next(r for r in rows if r[:2] == ["Overskud", "Indsats"])
    mean = diff.mean()
    p_text = "<0,001" if p < 0.001 else da_number(p, 3)
    assert row == [
        "Overskud",
        "Indsats",
        da_number(wide["baseline"].mean(), 2),
        da_number(wide["followup"].mean(), 2),
        da_signed(mean, 2),
        f"[{da_signed(mean - half, 2)}; {da_signed(mean + half, 2)}]",
        p_text,
        str(n),
    ]


# -- savings, sites, appendix ---------------------------------------------------------------------------------


def test_cost_account(ctx_da):
    rows = rows_by_label(ctx_da, "cost_account")
    assert rows["Besparelse pr. familie (brutto)"] == [f"30.000{NB}kr."]
    assert rows["95 %-konfidensinterval"] == [f"[30.000{NB}kr.; 30.000{NB}kr.]"]
    assert rows["Programudgift i alt"] == [f"300.000{NB}kr."]
    assert rows["Programudgift pr. familie"] == [f"25.000{NB}kr."]
    assert rows["Nettoresultat pr. familie"] == [f"+5.000{NB}kr."]
    assert rows["Nettoresultat i alt"] == [f"+60.000{NB}kr."]  # 12 × 5.000
    assert rows["Gevinst pr. investeret krone"] == ["1,20"]  # 30.000 / 25.000
    assert rows["Prisniveau"] == ["2023"]
    assert rows["Diskonteringsrente pr. år"] == [f"0,0{NB}%"]
    assert rows["Gennemsnitlig opfølgning (måneder)"] == ["30,0"]  # 2021-03 … 2023-08


def test_by_site_table_header_and_tiny_site(ctx_da):
    t = table(ctx_da, "by_site")
    # Tilst has 4 families (2 per arm), fewer than min_cell: its name is not printed.
    assert t.header == ["Forhold", "Gellerup", "Øvrige områder"]
    assert "Øvrige områder" in t.note and "5" in t.note
    # Tilst: two intervention families, one parent and one child each → every share hidden;
    # neither youth had a job before, so the relative change cannot be computed ("–").
    assert [row[2] for row in t.rows] == ["<5", "<5", "<5", "<5", "<5", "–"]


def test_appendix_inputs_cite_every_file_with_its_sha256(ctx_da, folder):
    t = table(ctx_da, "inputs")
    assert t.header == ["Tabel", "Fil", "Format", "Rækker", "SHA-256"]
    rows = {row[0]: row[1:] for row in t.rows}
    # rows written by report_helpers.build_extract; only the families, parents and children files' are printed:
    # the others divide into hidden counts (school_absence: 12 × 2 + 3 × 2 = 30 rows gives the 3 control children)
    counts = {
        "children": "24",
        "expenditure": "skjult",  # 24
        "families": "24",
        "parent_status": "skjult",  # 29 parents × 66 months (2018-03 … 2023-08) + 2 × 54 (from 2019-03)
        "parents": "31",
        "school_absence": "skjult",  # 12 × 2 + 3 × 2
        "survey": "skjult",  # 12 × 2 + 3 × 2 + 4
        "youth_jobs": "skjult",  # 10 before + 12 after
    }
    assert sorted(rows) == sorted(counts)
    for name, n in counts.items():
        path = folder / f"{name}.csv"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert rows[name] == [f"{name}.csv", "csv", n, digest]


def test_configuration_table_lists_the_settings_used(ctx_da):
    rows = rows_by_label(ctx_da, "configuration")
    assert rows["end"] == ["2023-08"]
    assert rows["bootstrap_replicates"] == ["200"]
    assert rows["seed"] == ["7"]
    assert rows["min_cell"] == ["5"]


def test_danish_figure_axes_use_the_danish_number_format(ev, monkeypatch):
    # Figures are drawn from the context; capture them to read their tick formatters.
    captured = {}
    for name in ("grouped_bars", "tornado", "trajectory"):
        original = getattr(figures, name)

        def keep(*args, _original=original, _name=name, **kwargs):
            fig = _original(*args, **kwargs)
            captured.setdefault(_name, fig)
            return fig

        monkeypatch.setattr(figures, name, keep)
    build_context(ev, "da", today=TODAY)
    # kroner axes (cost by domain, sensitivity): "40.000", not "40,000" (which reads as forty in Danish)
    assert captured["grouped_bars"].axes[0].yaxis.get_major_formatter()(40000, 0) == "40.000"
    assert captured["tornado"].axes[0].xaxis.get_major_formatter()(-25000, 0) == "−25.000"
    # share axes as in the tables: "50 %"
    assert captured["trajectory"].axes[0].yaxis.get_major_formatter()(0.5, 0) == f"50{NB}%"


def test_data_quality_without_warnings(ctx_da):
    section = next(s for s in ctx_da.sections if s.id == "data_quality")
    assert section.paragraphs == ["Valideringen gav ingen advarsler."]
    assert section.tables == []


def test_data_quality_warning_about_one_parent_hides_the_count(tmp_path):
    folder = build_extract(tmp_path / "gap")
    lines = (folder / "parent_status.csv").read_text(encoding="utf-8").splitlines()
    lines.remove("PX-I06a,2022-05,flexjob")  # one month missing inside one parent's history
    (folder / "parent_status.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ctx = build_context(oe.evaluate(load(folder), config=CONFIG), "da", today=TODAY)
    quality = table(ctx, "data_quality")
    assert quality.header == ["Tabel", "Advarsel", "Antal", "Betydning"]
    assert quality.rows == [
        [
            "parent_status",
            "status_gap",
            "<5",  # one parent
            "Some parents have months missing inside their status history; in a month without a row the parent "
            "has no status.",
        ]
    ]
    assert "PX-I06a" not in str(quality.rows) + str(quality.values)


# -- rendered files -------------------------------------------------------------------------------------------


def render(ev: oe.Evaluation, out: Path, lang: str, formats=("html", "pdf", "xlsx")) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        oe.render_report(ev, out, formats=formats, lang=lang)
    return out


@pytest.fixture(scope="module")
def rendered(ev, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("rendered")
    return {lang: render(ev, root / lang, lang) for lang in ("da", "en")}


def test_render_writes_the_three_files_and_figures(rendered):
    out = rendered["da"]
    # the hidden version folder, pointer and lock: tests/test_publish.py
    shown = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert shown == ["figures", "report.html", "report.pdf", "tables.xlsx"]
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert "trajectory.svg" in figures and "forest.svg" in figures
    assert all(p.read_text(encoding="utf-8").startswith("<svg") for p in (out / "figures").iterdir())


@pytest.mark.parametrize(("lang", "expected"), [("da", HEADLINE_DA), ("en", HEADLINE_EN)])
def test_pdf_text_holds_the_headline_sentences(rendered, lang, expected):
    text = pdf_text(rendered[lang] / "report.pdf")
    for sentence in expected:
        assert sentence in text
    if lang == "da":
        for word in ("forældrene", "førtidspension", "Børnenes skolefravær", "Udgangspunkt", "Økonomi", "Bilag"):
            assert word in text
        assert "Udarbejdet 15. januar 2024" in text


def test_html_holds_the_headline_and_date(rendered):
    html = (rendered["da"] / "report.html").read_text(encoding="utf-8")
    assert '<html lang="da">' in html
    items = re.findall(r"<li>(.*?)</li>", re.search(r'<section class="headline".*?</section>', html, re.S).group(0))
    assert [i.replace("&#39;", "'") for i in items][:-1] == HEADLINE_DA
    assert items[-1].startswith("Primært udfald: Forældre i beskæftigelse eller uddannelse.")
    assert f"Udarbejdet 15. januar 2024 med opgang-eval {__version__}" in html


def test_spreadsheet_holds_every_table(rendered, ctx_da):
    sheets = xlsx_tables(rendered["da"] / "tables.xlsx")
    # one sheet per table in reading order; Excel allows 31 characters, the renderer keeps 28
    assert list(sheets) == [
        "flow",
        "baseline",
        "parents_in_work_or_education",
        "flexjob_share_of_work_or_edu",
        "parents_in_flexjob",
        "early_retirement_share",
        "school_absence_change",
        "youth_job_rate_change",
        "multiplicity",
        "lee_bounds",
        "robustness_summary_index",
        "robustness_parents_in_work_o",
        "robustness_flexjob_share_of_",
        "robustness_parents_in_flexjo",
        "robustness_early_retirement_",
        "robustness_school_absence_ch",
        "robustness_youth_job_rate_ch",
        "survey",
        "cost_account",
        "savings_by_domain",
        "savings_by_year",
        "savings_sensitivity",
        "by_site",
        "configuration",
        "inputs",
    ]
    assert len(sheets) == len(ctx_da.tables())
    flow = sheets["flow"]
    assert flow["caption"] == "Deltagere"
    assert flow["header"] == ["Trin", "Indsats", "Kontrol"]
    assert flow["rows"][0] == ["Familier", 12, 12]
    assert flow["rows"][3] == ["Familier, der stoppede før slut", "<5", 0]
    assert flow["note"].startswith("Celler med færre end 5 personer er skjult")


def _external_references(html: str) -> list[str]:
    found = []
    for attr, value in re.findall(r"\b(src|href)\s*=\s*[\"']([^\"']*)[\"']", html, re.I):
        if re.match(r"\s*(https?:)?//", value, re.I):
            found.append(f"{attr}={value}")
    for css in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S | re.I) + re.findall(
        r"style\s*=\s*\"([^\"]*)\"", html, re.I
    ):
        found += re.findall(r"@import[^;]*", css)
        found += [u for u in re.findall(r"url\(\s*['\"]?([^)'\"]*)", css) if not u.startswith("#")]
    return found


def test_the_external_reference_scan_catches_external_references():
    assert _external_references('<img src="https://x.org/a.png">') == ["src=https://x.org/a.png"]
    assert _external_references('<a href="//cdn.org/x">') == ["href=//cdn.org/x"]
    assert _external_references("<style>@import 'x.css'; b{background:url(a.png)}</style>") == [
        "@import 'x.css'",
        "a.png",
    ]


@pytest.fixture(scope="module")
def sample_cli_report(tmp_path_factory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("cli") / "sample-en"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        code = main(
            ["report", str(SAMPLE), "--out", str(out), "--lang", "en", "--format", "html,pdf,xlsx", "--no-ledger"]
        )
    return code, out


@pytest.mark.parametrize("which", ["handbuilt", "sample"])
def test_html_makes_no_external_requests(rendered, sample_cli_report, which):
    out = rendered["da"] if which == "handbuilt" else sample_cli_report[1]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert _external_references(html) == []
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert "<iframe" not in html.lower() and "<img" not in html.lower()
    assert html.count("<svg") >= 5  # figures are inline


# -- injection ------------------------------------------------------------------------------------------------

INJECT = "<script>alert(1)</script> #set $x$ *bold*"
STRATA = ('#let a = "1", *s* $y$ <b>x</b>', "plain, stratum")


@pytest.fixture(scope="module")
def injected(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("inject")
    folder = build_extract(root / "extract", big_site=INJECT, strata=STRATA)
    ev = oe.evaluate(load(folder), config=CONFIG)
    return folder, render(ev, root / "out", "da")


def test_injected_names_are_quoted_in_the_csv_and_loaded_literally(injected):
    folder, _ = injected
    text = (folder / "families.csv").read_text(encoding="utf-8")
    assert f'"{INJECT}"' in text
    assert '"#let a = ""1"", *s* $y$ <b>x</b>"' in text
    families = load(folder).families
    assert INJECT in set(families["site"].astype(str))
    assert set(families["stratum"].astype(str)) == set(STRATA)


def test_injected_site_is_escaped_in_html(injected):
    _, out = injected
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; #set $x$ *bold*" in html
    assert "<script" not in html.lower()
    assert "<b>x</b>" not in html
    by_site = next(t for t in html_tables(html) if t["caption"] == "Resultater pr. område")
    assert by_site["header"] == ["Forhold", INJECT, "Øvrige områder"]


def test_injected_site_is_literal_in_pdf_and_spreadsheet(injected):
    _, out = injected
    assert INJECT in pdf_text(out / "report.pdf")
    sheets = xlsx_tables(out / "tables.xlsx")
    # each site's result and its n in columns of their own
    assert sheets["by_site"]["header"] == ["Forhold", INJECT, f"{INJECT}, n", "Øvrige områder", "Øvrige områder, n"]


# -- determinism ------------------------------------------------------------------------------------------------


def test_rendering_is_byte_for_byte_reproducible(folder, tmp_path):
    first = render(oe.evaluate(load(folder), config=CONFIG), tmp_path / "one", "da")
    second = render(oe.evaluate(load(folder), config=CONFIG), tmp_path / "two", "da")
    a, b = report_files(first), report_files(second)
    assert sorted(a) == sorted(b)
    assert {"report.html", "report.pdf", "tables.xlsx", "figures/trajectory.svg"} <= set(a)
    differing = [name for name in a if a[name] != b[name]]
    assert differing == []


def test_spreadsheet_properties_carry_the_source_date_epoch_date(rendered):
    # created *and* modified are the report date (2024-01-15), not the wall-clock time of rendering:
    # a timestamp of "now" makes two renders differ whenever they straddle a second.
    with zipfile.ZipFile(rendered["da"] / "tables.xlsx") as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
        stamps = {info.date_time for info in archive.infolist()}
    assert re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core) == [
        ("created", "2024-01-15T00:00:00Z"),
        ("modified", "2024-01-15T00:00:00Z"),
    ]
    assert stamps == {(2024, 1, 15, 0, 0, 0)}


def test_the_date_follows_source_date_epoch(ev, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13 UTC
    oe.render_report(ev, tmp_path / "out", formats=["html"], lang="en")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Produced 14 November 2023 with opgang-eval" in html


def test_a_malformed_source_date_epoch_is_a_config_error(ev, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(oe.ConfigError):
        oe.render_report(ev, tmp_path / "out", formats=["html"])
    assert not (tmp_path / "out").exists()


# -- atomic output -------------------------------------------------------------------------------------------------


def test_a_failing_renderer_leaves_the_earlier_report_untouched(ev, tmp_path, monkeypatch):
    out = tmp_path / "report"
    render(ev, out, "da")
    before = report_files(out)
    assert {"report.html", "report.pdf", "tables.xlsx"} <= set(before)

    def broken(*args, **kwargs):
        raise RuntimeError("typst crashed")

    monkeypatch.setattr("opgang_eval.presentation.render.render_pdf", broken)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # a different date: any new file would differ
    with pytest.raises(RuntimeError, match="typst crashed"):
        oe.render_report(ev, out, lang="en")
    assert report_files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no ".report-*" staging folder left


def test_a_failing_renderer_creates_no_output_folder(ev, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("typst crashed")

    monkeypatch.setattr("opgang_eval.presentation.render.render_pdf", broken)
    with pytest.raises(RuntimeError):
        oe.render_report(ev, tmp_path / "new", lang="da")
    assert list(tmp_path.iterdir()) == []


# -- the report command ----------------------------------------------------------------------------------------------


@pytest.fixture
def small_config(tmp_path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text('end = "2023-08"\nbootstrap_replicates = 50\nseed = 7\n', encoding="utf-8")
    return path


def test_cli_report_on_an_invalid_extract_exits_2_and_writes_nothing(tmp_path, capsys, small_config):
    folder = build_extract(tmp_path / "bad")
    families = (folder / "families.csv").read_text(encoding="utf-8")
    (folder / "families.csv").write_text(families.replace("FX-I03,intervention", "FX-I03,treatment"), "utf-8")
    out = tmp_path / "out"
    code = main(["report", str(folder), "--out", str(out), "--config", str(small_config)])
    assert code == 2
    assert not out.exists()
    assert "arm" in capsys.readouterr().err


def test_cli_report_with_an_unknown_format_exits_2(folder, tmp_path, capsys, small_config):
    out = tmp_path / "out"
    code = main(["report", str(folder), "--out", str(out), "--config", str(small_config), "--format", "docx"])
    assert code == 2
    assert not out.exists()
    assert "docx" in capsys.readouterr().err


def test_cli_report_into_an_existing_file_exits_2(folder, tmp_path, small_config):
    out = tmp_path / "out.html"
    out.write_text("keep me", encoding="utf-8")
    code = main(["report", str(folder), "--out", str(out), "--config", str(small_config), "--format", "html"])
    assert code == 2
    assert out.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.html", "small.toml"]


def test_cli_report_on_the_sample_in_english(sample_cli_report):
    code, out = sample_cli_report
    assert code == 0
    assert {"report.html", "report.pdf", "tables.xlsx"} <= {p.name for p in out.iterdir()}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "Produced 15 January 2024" in html
    # sample/evaluation.toml: 62 intervention families, E = 2023-08, 2,000 replicates
    flow = next(t for t in html_tables(html) if t["caption"] == "Participants")
    assert flow["rows"][0] == ["Families", "62", "62"]
    assert "Results up to and including August 2023" in html
    assert "(2,000 replicates, seed 20190901)" in html
    assert "of the parents are in work or education" in pdf_text(out / "report.pdf")
    assert leaked_ids(out, input_ids(SAMPLE)) == {}
