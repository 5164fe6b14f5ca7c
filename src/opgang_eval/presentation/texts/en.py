"""Every word the report prints, in English: one catalogue, keyed (the same keys as the other language).

A key with a prefix names a thing: ``measure:<id>`` and ``definition:<id>`` (a measure of the registry, with
``{end}``, ``{youth_low}`` and ``{youth_high}``), ``status:<code>``, ``covariate:<name>``, ``step:<step>``, ...
``{placeholders}`` are filled in by the section that prints the text.
"""

WORDS: dict[str, str] = {
    "account:benefit_cost_ratio": "Benefit-cost ratio",
    "account:break_even_years": "Break-even (years after enrolment)",
    "account:ci": "95% confidence interval",
    "account:discount_rate": "Discount rate per year",
    "account:gross": "Gross savings per family",
    "account:mean_window_months": "Mean follow-up (months)",
    "account:net_per_family": "Net result per family",
    "account:net_total": "Net result, total",
    "account:price_year": "Price year",
    "account:programme_per_family": "Programme cost per family",
    "account:programme_total": "Programme cost, total",
    "after": "After",
    "appendix": "Appendix: configuration and inputs",
    "balance": "Balance before and after matching",
    "balance_all_treated": (
        "Fewer than 5 intervention families ({marker}) were left out; to protect them, the after columns compare all "
        "intervention families with the matched comparison group."
    ),
    "balance_note": (
        "SMD: difference in means divided by the pooled standard deviation of the unmatched groups (√((s²₁ + "
        "s²₀)/2)), so the denominator is the same before and after. What Works Clearinghouse: |SMD| ≤ 0.05 balanced, "
        "0.05–0.25 needs statistical adjustment, above 0.25 imbalanced."
    ),
    "balance_weighted": "Balance before and after weighting",
    "baseline": "Baseline characteristics",
    "baseline:age": "Age (years)",
    "baseline:children_per_family": "Children per family",
    "baseline:female": "Women",
    "baseline:months_on_benefits_36m": "Months on benefits, 36 months before",
    "baseline:parents_per_family": "Parents per family",
    "baseline:status": "Status before enrolment: {status}",
    "baseline_intro": (
        "Parents and families at the start. SMD is the standardised mean difference between the groups; values below "
        "0.1 are usually taken as good balance."
    ),
    "baseline_period": "Before",
    "basis:expenditure": "the expenditure table (nominal amounts converted with the consumer price index)",
    "basis:unit_costs": "parents' monthly statuses times unit costs",
    "before": "Before",
    "by_site": "Results by site",
    "by_site_intro": "The intervention group's results in each site.",
    "by_site_small": "Sites with fewer than {min_cell} families are shown together as 'Other sites'.",
    "by_site_withheld": (
        "The results for {sites} are hidden: the site differs by fewer than the minimum number of families from a "
        "site in an earlier report on the same data (the two could be subtracted)."
    ),
    "caliper:none": "no caliper",
    "caliper:sd": "caliper {caliper} SD",
    "change": "Change",
    "ci": "95% confidence interval",
    "ci_words": "95% CI {low} to {high}",
    "common_support": "; common support by the min–max rule",
    "comparison:all_but": "All but {marker}",
    "comparison:compared": ", compared with {compared}families from the pool. ",
    "comparison:left_out": " (left out: {parts})",
    "comparison:left_out_part": "{n} {reason}",
    "comparison:matching": "{description}.",
    "comparison:pool": (
        "The pool holds {pool} register families without the programme. {used} of {treated} intervention families "
        "are included"
    ),
    "comparison:weighting": "{description}.",
    "comparison_after": "Pool, matched",
    "comparison_after_weighted": "Pool, weighted",
    "comparison_all": "Pool, all",
    "comparison_group": "Comparison group",
    "config": "Configuration",
    "contents": "Contents",
    "control": "Control",
    "cost_account": "Cost-benefit account",
    "cost_design:before_after": "before-after run rate (a weaker design: no control group)",
    "cost_design:matched": "difference-in-differences against a matched comparison group (weaker than randomisation)",
    "cost_design:randomised": "comparison with the control group",
    "cost_design:weighted": "difference-in-differences against a weighted comparison group (weaker than randomisation)",
    "cost_limitation:expenditure": (
        "Costs are those recorded and attributed to the families; costs that cannot be attributed to a family, and "
        "tax revenue, are not included."
    ),
    "cost_limitation:unit_costs": (
        "Unit costs are gross transfers to the citizen. They leave out taxes, administration, activation and course "
        "costs, so they are a rough measure of public costs."
    ),
    "covariate:baseline_cash_benefit": "On cash benefit the month before",
    "covariate:baseline_other_benefit": "On another benefit the month before",
    "covariate:baseline_work_or_education": "In work/education the month before",
    "covariate:benefit_months": "Months on benefits (36 months before)",
    "covariate:children": "Number of children",
    "covariate:children_0_5": "Children aged 0–5",
    "covariate:children_13_17": "Children aged 13–17",
    "covariate:distance": "Propensity score (logit)",
    "covariate:female_share": "Share of parents who are women",
    "covariate:parent_age": "Parents' age",
    "covariate:two_parents": "Two parents",
    "covariate:youngest_child_age": "Age of youngest child",
    "covariate_site": "Site: {site}",
    "covariate_small_site": "A site of fewer than {min_cell} families",
    "data_quality": "Data quality",
    "data_quality_none": "Validation raised no warnings.",
    "definition:early_retirement_share": (
        "The share of parents with a status in {end} who in {end} receive early-retirement pension."
    ),
    "definition:flexjob_share_of_work_or_education": (
        "Among the parents in work or education in {end}: the share in flexjob."
    ),
    "definition:parents_in_work_or_education": (
        "The share of parents with a status in {end} who in {end} are in an ordinary job, flexjob or education. "
        "Parents without a status in the end month (e.g. who moved away) are not counted."
    ),
    "definition:savings_per_family": (
        "Public costs per family from the enrolment month to {end}. With a control group the savings are the control "
        "families' mean minus the intervention families' mean; with a matched or weighted comparison group, a "
        "difference-in-differences: each family's costs minus its cost level in the 12 months before enrolment, "
        "continued, as a weighted mean over the comparison families minus the mean over the matched intervention "
        "families; with neither, the family's cost level in the 12 months before enrolment, continued, minus its "
        "actual costs."
    ),
    "definition:school_absence_change": (
        "Children with absence records both in the last school year that ended before their family's enrolment and "
        "in the last school year that ended by {end}. The absence rate is all days absent over all school days; the "
        "change is the rate after over the rate before, minus 1."
    ),
    "definition:youth_job_rate_change": (
        "Youths are children who turn {youth_low}–{youth_high} in the calendar year the window ends. The share with "
        "at least one month of earnings in the 12 months before enrolment is compared with the share in the 12 "
        "months up to {end}; the change is after over before, minus 1."
    ),
    "design_before_after": (
        "There is no control group. The results describe how participants fared and cannot be read as the effect of "
        "the intervention."
    ),
    "design_forced": (
        "The extract has a randomised control arm, but this evaluation was asked (design = observational) to use the "
        "comparison pool instead, e.g. to check the observational design against the experiment. That design is "
        "weaker than randomisation: the difference is the effect of the intervention only if the groups differ in "
        "nothing but what was accounted for."
    ),
    "design_matched": (
        "There was no randomisation here. The intervention families are compared with register families who were not "
        "offered the programme, chosen to resemble the intervention families before enrolment (propensity-score "
        "matching). This design is weaker than randomisation: the difference is the effect of the intervention only "
        "if the groups differ in nothing but what was matched on."
    ),
    "design_randomised": (
        "Families were randomised (within strata) to the intervention or to a control group receiving ordinary "
        "municipal services, so the difference between the groups estimates the effect of the intervention."
    ),
    "design_weighted": (
        "There was no randomisation here. The intervention families are compared with register families who were not "
        "offered the programme, weighted to resemble the intervention families before enrolment (inverse propensity "
        "weights). This design is weaker than randomisation: the difference is the effect of the intervention only "
        "if the groups differ in nothing but what was weighted for."
    ),
    "difference_axis": "Difference (percentage points)",
    "dkk_axis": "DKK per family",
    "domain": "Domain",
    "domain:education": "Education",
    "domain:employment": "Employment",
    "domain:health": "Health",
    "domain:other": "Other",
    "domain:social": "Social services",
    "drop:enrolled_after_end": "enrolled after the end month",
    "drop:no_comparison_in_exact_cell": "none with the same exact values",
    "drop:no_match_within_caliper": "no match within the caliper",
    "drop:outside_common_support": "outside common support",
    "effect": "Difference",
    "effect_observational": "Difference from comparison",
    "end_period": "End",
    "estimate": "Estimate",
    "exact_on": ", exact on {names}",
    "figure_absence": "School absence before and after",
    "figure_domain": "Cost per family by domain",
    "figure_event": (
        "Difference in the share in work or education between the intervention and comparison groups by months "
        "relative to enrolment, against the month before enrolment"
    ),
    "figure_forest": "Difference between intervention and control",
    "figure_forest_observational": "Difference between intervention and comparison group (difference-in-differences)",
    "figure_love": "Absolute standardised mean difference before and after; dotted lines at 0.05 and 0.25",
    "figure_status": "Parents' status before enrolment and at the end",
    "figure_tornado": "Net result per family: sensitivity",
    "figure_trajectory": "Share of parents in work or education by months since enrolment",
    "figure_year": "Savings per family by year",
    "figure_youth": "Youths with an after-school job before and after",
    "file": "File",
    "flow": "Participants",
    "flow_intro": "Families and persons in each group, and how many enter each measure.",
    "format": "Format",
    "generated": "Produced {date} with opgang-eval {version}",
    "group": "Group",
    "group:matched": "matched",
    "group:weighted": "weighted",
    "headline": "Key results",
    "headline:absence_fell": "Children's school absence fell by {size} ({before} → {after} of school days).",
    "headline:absence_rose": "Children's school absence rose by {size} ({before} → {after} of school days).",
    "headline:effect_higher": "Compared with the control group the share in work or education is {size} higher ({ci}).",
    "headline:effect_lower": "Compared with the control group the share in work or education is {size} lower ({ci}).",
    "headline:flexjob": ", {words} of them in flexjob",
    "headline:net": "; against a programme cost of {programme} per family the net result is {net} per family.",
    "headline:observational_less": (
        "Compared with a {group} comparison group (a weaker design than randomisation) the share in work or "
        "education rose by {size} less ({ci})."
    ),
    "headline:observational_more": (
        "Compared with a {group} comparison group (a weaker design than randomisation) the share in work or "
        "education rose by {size} more ({ci})."
    ),
    "headline:retired": "{share} have been granted early-retirement pension.",
    "headline:savings": "Public costs were {amount} lower per family ({ci}){net}",
    "headline:savings_higher": "Public costs were {amount} higher per family ({ci}){net}",
    "headline:work": "{share} of the parents are in work or education{flexjob} ({end}).",
    "headline:youth_fell": "The share of youths with an after-school job fell by {size}.",
    "headline:youth_rose": "The share of youths with an after-school job rose by {size}.",
    "hidden_cell": "hidden",
    "input:discount rate": "Discount rate",
    "input:expenditure": "Expenditure",
    "input:horizon": "Horizon",
    "input:programme cost": "Programme cost",
    "input:unit costs": "Unit costs",
    "inputs": "Inputs",
    "inputs_note": (
        "Row counts are shown for the families, parents and children files. The other files hold a row per person "
        "and month, school year, answer or cost; their row counts could be divided into a hidden count and are "
        "hidden. The SHA-256 identifies each file."
    ),
    "intervention": "Intervention",
    "intervention_after": "Intervention, matched",
    "intervention_change": "Intervention: change from before, mean per family",
    "intervention_cost": "Intervention, mean per family",
    "item": "Item",
    "item:quality_of_life": "Quality of life",
    "item:surplus": "Surplus",
    "item:trust": "Trust in the system",
    "limitations": "Limitations",
    "limitations:clusters": (
        "Parents in one family influence each other; intervals for shares treat them as independent and may be "
        "slightly narrow. Differences from control use cluster-robust standard errors."
    ),
    "limitations:size": (
        "The results rest on {n} parents in the intervention group, so the confidence intervals are wide and small "
        "differences may be chance."
    ),
    "limitations:size_hidden": (
        "The results rest on few parents in the intervention group (the number is hidden to protect "
        "confidentiality), so the confidence intervals are wide and small differences may be chance."
    ),
    "lower": "lower bound",
    "measure:early_retirement_share": "Parents on early-retirement pension",
    "measure:flexjob_share_of_work_or_education": "Of whom in flexjob",
    "measure:parents_in_work_or_education": "Parents in work or education",
    "measure:savings_per_family": "Savings per family",
    "measure:school_absence_change": "Change in children's school absence",
    "measure:youth_job_rate_change": "Change in the share of youths with a job",
    "message": "Meaning",
    "method:bootstrap": "percentile bootstrap over families ({replicates} replicates, seed {seed})",
    "method:effects": (
        "Differences from control are coefficients of linear models (shares: linear probability model; absence and "
        "youth jobs: difference-in-differences, absence weighted by school days){fixed_effects}. Standard errors are "
        "cluster-robust by family (CR1, as Stata's vce(cluster)); intervals use the t distribution with the number "
        "of families minus 1 degrees of freedom."
    ),
    "method:fixed_effects": ", with fixed effects for {strata} strata",
    "method:measure": "{measure}: {definition}",
    "method:observational": (
        "Differences from the comparison group are difference-in-differences on the matched or weighted sample: the "
        "change from the month before enrolment to {end} for the shares, from the school year before enrolment to "
        "the follow-up year for absence and from the year before enrolment to the last year for youth jobs, in the "
        "intervention families minus in the comparison families (weighted least squares with the family's weight). "
        "The flexjob share is compared at the end only. Standard errors are cluster-robust by family (CR1) and treat "
        "the weights as known. Propensity score: logistic regression on the characteristics in the balance table."
    ),
    "method:relative_change": "Interval: {bootstrap}.",
    "method:savings": (
        "Design: {design}. Costs from {basis} in {year} prices, discounted at {rate} a year from the family's "
        "enrolment. Interval: {bootstrap}, stratified by arm.{pre}"
    ),
    "method:share": "Wilson score interval for a proportion (parents treated as independent).",
    "methods": "Methods and definitions",
    "months_relative": "Months relative to enrolment",
    "months_since": "Months since enrolment",
    "n": "N",
    "net_col": "Net result per family",
    "no_intervention": (
        "The extract has no intervention families (arm = intervention in families), so there is nothing to evaluate: "
        "none of the measures can be computed. Check the arm column of families."
    ),
    "not_available": "not available",
    "other_sites": "Other sites",
    "p_value": "p-value",
    "pp_axis": "Percentage points",
    "pre_cost:higher": (
        " In the 12 months before enrolment the comparison group's costs were {size} higher per family and month "
        "than the intervention group's; the savings are a difference-in-differences that takes each family's level "
        "before enrolment out."
    ),
    "pre_cost:lower": (
        " In the 12 months before enrolment the comparison group's costs were {size} lower per family and month than "
        "the intervention group's; the savings are a difference-in-differences that takes each family's level before "
        "enrolment out."
    ),
    "pretrend:df": " ({df_num} and {df_den} degrees of freedom)",
    "pretrend:diverged": "The groups developed differently before enrolment, which weakens the comparison.",
    "pretrend:parallel": "The test shows no sign of different trends before enrolment (but it has limited power).",
    "pretrend:test": "Joint test of the pre-enrolment differences: F = {statistic}{df}, p = {p_value}. {verdict}",
    "pretrend:unavailable": "The test of parallel pre-enrolment trends could not be computed: {reason}.",
    "rate_axis": "Rate",
    "reference_before_after": "Expected without the intervention",
    "reference_matched": "Comparison (matched): change from before, mean per family",
    "reference_randomised": "Control, mean per family",
    "reference_weighted": "Comparison (weighted): change from before, mean per family",
    "replace:no": "without replacement",
    "replace:yes": "with replacement",
    "results": "Results",
    "rows": "Rows",
    "rule": "Warning",
    "savings": "Costs and savings",
    "savings_col": "Savings",
    "savings_hidden": (
        "The savings are not shown: they rest on fewer than {min_cell} families or on costs that two families "
        "account for most of, or they would give away a number hidden elsewhere."
    ),
    "setting": "Setting",
    "setting:horizon_continued": "+{months} months (last year's savings continue)",
    "setting:months": "{months} months",
    "share_axis": "Share",
    "site": "Site",
    "smd": "SMD",
    "smd_after": "SMD after",
    "smd_before": "SMD before",
    "status:cash_benefit": "Cash benefit",
    "status:early_retirement": "Early retirement",
    "status:education": "Education",
    "status:flexjob": "Flexjob",
    "status:flexjob_waiting": "Flexjob waiting",
    "status:job": "Job",
    "status:job_clarification": "Job clarification",
    "status:no_status": "No status",
    "status:other": "Other",
    "status:resource_course": "Resource course",
    "status:sickness_benefit": "Sickness benefit",
    "status:unemployment_benefit": "Unemployment benefit",
    "status_group:benefit": "Other benefits",
    "status_group:none": "No status",
    "status_group:retired": "Early retirement",
    "status_group:work": "Job, flexjob, education",
    "status_hidden": "Hidden ({marker})",
    "step": "Step",
    "step:analysed": "Analysed: {measure}",
    "step:children_enrolled": "Children",
    "step:families_enrolled": "Families",
    "step:families_exited_before_end": "Families who left before the end",
    "step:parents_enrolled": "Parents",
    "step:parents_with_status_in_end": "Parents with a status in {end}",
    "subtitle": "Results up to and including {end}",
    "suppressed_note": (
        "Cells based on fewer than {min_cell} persons are hidden (shown as “{marker}”) to protect confidentiality; "
        "cells from which they could be recovered are shown as “hidden”."
    ),
    "survey": "Families' own assessment",
    "survey_intro": "Parents' answers at the start and at follow-up (scale 1–5) among those who answered both times.",
    "survey_small_items": (
        "{count} items answered by fewer than {min_cell} families are not shown (nor are their names)."
    ),
    "table": "Table",
    "title": "Evaluation of a family-focused employment intervention",
    "tornado_label": "{input}: {setting}",
    "unavailable_note": "{group}: not available – {reason}.",
    "unit": "Unit",
    "upper": "upper bound",
    "value": "Value",
    "variable": "Characteristic",
    "version": "Software version",
    "version_line": "Software version: opgang-eval {version}",
    "wwc": "Verdict",
    "wwc:adjust": "needs adjustment",
    "wwc:fails": "imbalanced",
    "wwc:satisfied": "balanced",
    "year": "Year",
    "measure": "Outcome",
    "draws_short": "draws",
    "family": "Family",
    "family:primary": "primary",
    "family:secondary": "secondary",
    "figure_null": (
        "Randomisation distribution of the effect on {measure}: the difference each re-randomisation of the families "
        "within strata would have given if the intervention had no effect, and the difference observed"
    ),
    "headline:primary": (
        "Primary outcome: {measure}. The randomisation test, which re-draws the trial's own assignment of families, "
        "gives {p}."
    ),
    "headline:primary_observational": "Primary outcome: {measure}. The wild cluster bootstrap gives {p}.",
    "inference:CR1": "Cluster-robust (CR1), t with families − 1 df",
    "inference:CR2": "Bias-reduced cluster-robust (CR2), Satterthwaite df",
    "inference:df": "Degrees of freedom",
    "inference:method": "Method",
    "inference:randomisation": "Randomisation test (re-randomised within strata)",
    "inference:wild_bootstrap": "Wild cluster bootstrap (null imposed)",
    "method:inference": (
        "Each effect is also tested four ways (section “Robustness of the effects”). The headline p-value of the "
        "primary outcome is the {resampling}: {why} Outcomes are grouped into a primary family ({primary}) and a "
        "secondary family; within each, p-values are adjusted for testing several outcomes (Romano–Wolf step-down, "
        "from the same draws) and sharpened q-values (Anderson 2008) are given."
    ),
    "method:why:randomisation": (
        "it re-draws the trial's own random assignment of whole families within strata, so it holds exactly whatever "
        "the number of families, where cluster-robust t tests can be too liberal with few families."
    ),
    "method:why:wild_bootstrap": (
        "randomisation inference does not apply to a comparison group that was not randomised, and the wild cluster "
        "bootstrap with the null imposed holds better than cluster-robust t tests with few families; it takes the "
        "matching or weights as given."
    ),
    "multiplicity": "Several outcomes tested: adjusted p-values and q-values",
    "multiplicity:note": (
        "p-value: the {resampling}. Adjusted p: Romano–Wolf step-down within the family (the probability of any false"
        " finding among its outcomes is at most the level). q-value: Anderson's sharpened q (the expected share of "
        "false findings among those declared)."
    ),
    "null_draws": "Re-randomisations",
    "observed": "Observed effect",
    "p_adjusted": "Adjusted p",
    "q_value": "q-value",
    "resampling:randomisation": "randomisation test",
    "resampling:wild_bootstrap": "wild cluster bootstrap",
    "robustness": "Robustness of the effects",
    "robustness:estimate": "Estimated effect: {estimate}.",
    "robustness:exact": (
        "The trial could be assigned in so few ways that the randomisation test used every one of them."
    ),
    "robustness:intro": (
        "A trial of this size calls for more than one way of judging its effects. Each effect is shown with four "
        "intervals and p-values: cluster-robust (CR1, as the results), the bias-reduced CR2 with Satterthwaite's "
        "small-sample t reference, the wild cluster bootstrap ({draws} draws, Rademacher weights, or Webb's when a "
        "stratum has fewer than 12 families) and, where the families were randomised, the randomisation test "
        "({assignments} re-randomisations of the families within their strata). The bootstrap and randomisation "
        "intervals are the effects the test does not reject. Primary outcome: {primary}."
    ),
    "robustness:monte_carlo": (
        "The randomisation test used random re-randomisations; its p-value is (1 + hits)/(draws + 1)."
    ),
    "robustness:table": "{measure}: the effect by four methods",
    "share_of_draws": "Share of re-randomisations",
    "definition:parents_in_flexjob": (
        "The share of parents with a status in {end} who in {end} are in flexjob. Unlike the share of those in work "
        "who are in flexjob, it compares all parents of both groups, so its difference is an effect that "
        "randomisation protects."
    ),
    "measure:parents_in_flexjob": "Parents in flexjob",
    "effect_descriptive": "Difference (descriptive)",
    "descriptive_note": (
        "The difference conditions on being in work or education in {end}, which the intervention changed: it "
        "describes the groups and is not an effect. Its bounds under selection are in the robustness section; the "
        "effect on flexjob is the one on all parents (Parents in flexjob)."
    ),
    "family:descriptive": "descriptive",
    "lee": "Bounds under selection (Lee 2009)",
    "lee:note": (
        "Each share at the end leaves out the parents without a status then, and the flexjob share among those in "
        "work is of a group the intervention changed. If the intervention moved selection one way only, the effect "
        "for those selected either way lies between the bounds (the arm with more selected trimmed by the extra "
        "share); the interval is a percentile bootstrap of families that covers both bounds."
    ),
    "lee:selection:in_work_or_education": "parents in work or education in {end}",
    "lee:selection:status_in_end": "parents with a status in {end}",
    "lee:selection": "Selected",
    "lee:trimmed": "Trimmed share",
    "lee:bounds": "Bounds",
    "lee:ci": "95% interval of the bounds",
    "inference:ancova": "Adjusted for the status before enrolment (ANCOVA, CR1): {estimate}",
    "measure:summary_index": "Summary index of the families' outcomes",
    "robustness:index": (
        "One pre-declared test of whether the families did better overall (Kling, Liebman & Katz 2007): each family's"
        " share of parents in work or education, its children's change in school absence (sign turned) and its "
        "youths' change in after-school jobs, each standardised by the control families' mean and standard deviation,"
        " averaged over the outcomes the family has. The effect is in control standard deviations."
    ),
    "robustness:all_assignments": "all possible",
    "robustness:unbounded": (
        "{method}: no effect size could be rejected at 5 % on one side, so the interval is open there (–); the test "
        "has too few distinct draws."
    ),
    "headline:primary_cr2": "Primary outcome: {measure}. The bias-reduced cluster-robust test (CR2) gives {p}.",
    "resampling:CR2": "bias-reduced cluster-robust test (CR2; with this many families no draws are made)",
    "method:why:CR2": (
        "with this many families the cluster-robust t is accurate, and draws over every family would take long; the "
        "adjusted p-values are Holm's."
    ),
    "robustness:intro_large": (
        "With this many families the cluster-robust t test is accurate: each effect is shown with its CR1 interval "
        "(as the results) and the bias-reduced CR2 with Satterthwaite's small-sample t reference. The wild cluster "
        "bootstrap and the randomisation test, which matter with few families, are not run. Primary outcome: "
        "{primary}."
    ),
    "multiplicity:note_holm": (
        "p-value: the {resampling}. Adjusted p: Holm's step-down within the family (the probability of any false "
        "finding among its outcomes is at most the level). q-value: Anderson's sharpened q (the expected share of "
        "false findings among those declared)."
    ),
    "lee:selection:both_school_years": "children with both school years",
}
