"""The observational design end to end: pseudo-enrolment, covariates, matching, effects, event study.

Small hand-built extracts whose expected numbers are worked out in the
comments, direct statsmodels fits of the same regressions, and the
generator's comparison pool, whose true effect is known.
"""

from __future__ import annotations

import math
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import opgang_eval as oe
from handbuilt import load, spell, write_extract
from opgang_eval.comparison.covariates import family_covariates
from opgang_eval.comparison.event_study import event_study_from_rows
from opgang_eval.config import COVARIATES, Config
from opgang_eval.measures.frames import build_frames, pseudo_enrolment
from opgang_eval.synthetic import Scenario, simulate, write_extracts

CLUSTER = {"use_correction": True, "df_correction": True}

# -- a tiny matched design -------------------------------------------------------------------
#
# Everyone enrols (or is pseudo-enrolled) in 2021-03, so m_f − 1 = 2021-02; E = 2022-12.
# One parent per family; the propensity model uses parent_age only, so the logit is linear in
# age and the nearest neighbour on the logit is the nearest in age (2021 − birth year):
#   I1 40 → C1 41,  I2 50 → C2 51,  I3 60 → C3 59 (each gap 1; C6 45 is 5 from I1).
# C4 (30) and C5 (70) lie outside the intervention families' age range (common support).
# Status in 2020-12 (k = −3), 2021-02 (k = −1), 2021-06 (k = 3), 2022-12 (k = 21); 1 = work/education:
#   I1 cash cash edu job → 0 0 1 1      C1 job cash cash cash → 1 0 0 0
#   I2 cash ×4           → 0 0 0 0      C2 job job job cash   → 1 1 1 0
#   I3 job job cash job  → 1 1 0 1      C3 cash cash job job  → 0 0 1 1
#   C4 job ×4, C5 cash ×4, C6 job ×4 (unmatched)
MONTHS = ("2020-12", "2021-02", "2021-06", "2022-12")
CASH, JOB, EDU = "cash_benefit", "job", "education"
PEOPLE = [
    ("PI1", "I1", "intervention", 1981, (CASH, CASH, EDU, JOB)),
    ("PI2", "I2", "intervention", 1971, (CASH, CASH, CASH, CASH)),
    ("PI3", "I3", "intervention", 1961, (JOB, JOB, CASH, JOB)),
    ("PC1", "C1", "comparison", 1980, (JOB, CASH, CASH, CASH)),
    ("PC2", "C2", "comparison", 1970, (JOB, JOB, JOB, CASH)),
    ("PC3", "C3", "comparison", 1962, (CASH, CASH, JOB, JOB)),
    ("PC4", "C4", "comparison", 1991, (JOB, JOB, JOB, JOB)),
    ("PC5", "C5", "comparison", 1951, (CASH, CASH, CASH, CASH)),
    ("PC6", "C6", "comparison", 1976, (JOB, JOB, JOB, JOB)),
]
# A control family (only for the design-choice tests): age 45, cash → job.
CONTROL = ("PK1", "K1", "control", 1976, (CASH, CASH, CASH, JOB))

SMALL = {
    "end": "2022-12",
    "bootstrap_replicates": 50,
    "comparison": {"covariates": ["parent_age"], "pseudo_enrolment": "2021-03"},
}


def _write_small(folder, people=PEOPLE):
    families = [f"{f},{arm},{'2021-03-15' if arm != 'comparison' else ''},Tilst,," for _, f, arm, _, _ in people]
    parents = [f"{p},{f},{born},F" for p, f, _, born, _ in people]
    status = [f"{p},{m},{s}" for p, _, _, _, states in people for m, s in zip(MONTHS, states, strict=True)]
    return write_extract(folder, families=families, parents=parents, status=status)


def _evaluate(folder, **changes):
    settings = {**SMALL, **changes}
    if "comparison" in changes:
        settings["comparison"] = {**SMALL["comparison"], **changes["comparison"]}
    return oe.evaluate(load(folder), settings)


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory):
    return _write_small(tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="module")
def small(small_folder):
    return _evaluate(small_folder)


def test_small_design_is_matched(small):
    assert small.design == "matched"
    od = small.observational
    assert od.available and od.kind == "matched"
    for measure, r in small.effects.items():
        assert r.design == "matched", measure
    assert (od.counts.treated, od.counts.comparison, od.counts.treated_used, od.counts.comparison_used) == (3, 6, 3, 3)
    assert od.matching.dropped == {}
    assert "observational" in od.description


def test_small_matches_are_the_nearest_in_age(small):
    od = small.observational
    fam_ids = sorted(f for _, f, _, _, _ in PEOPLE)  # family codes are the ranks of the ids
    weights = dict(zip(fam_ids, od.weights, strict=True))
    assert weights == {"C1": 1, "C2": 1, "C3": 1, "C4": 0, "C5": 0, "C6": 0, "I1": 1, "I2": 1, "I3": 1}
    cov = od.covariates.assign(family=[fam_ids[fc] for fc in od.covariates["fc"]])
    pairs = {
        cov["family"].iloc[t]: cov["family"].iloc[c]
        for t, c in zip(od.matching.pairs["treated"], od.matching.pairs["control"], strict=True)
    }
    assert pairs == {"I1": "C1", "I2": "C2", "I3": "C3"}


def test_small_did_of_the_work_share_by_hand(small):
    # Intervention: pre (m_f − 1 = 2021-02) I1 0, I2 0, I3 1 → 1/3;  post (E) I1 1, I2 0, I3 1 → 2/3.
    # Matched comparison C1–C3: pre 0, 1, 0 → 1/3;  post 0, 0, 1 → 1/3.
    # DiD = (2/3 − 1/3) − (1/3 − 1/3) = 1/3.
    # (All six comparison families would give pre 2/6, post 4/6 and a DiD of 0: matching matters.)
    r = small.effects["parents_in_work_or_education"]
    assert r.estimate == pytest.approx(1 / 3, abs=1e-12)
    assert r.parts.cell("intervention", "pre").mean == pytest.approx(1 / 3)
    assert r.parts.cell("intervention", "post").mean == pytest.approx(2 / 3)
    assert r.parts.cell("comparison", "pre").mean == pytest.approx(1 / 3)
    assert r.parts.cell("comparison", "post").mean == pytest.approx(1 / 3)
    assert r.parts.families_reference == 3


def test_small_did_inference_equals_a_direct_clustered_ols(small):
    # The 2 × 2 DiD on the matched sample (weights all 1) as a direct OLS, clustered by family.
    rows = []
    for _, f, arm, _, states in PEOPLE[:6]:
        for post, state in ((0.0, states[1]), (1.0, states[3])):
            rows.append({"family": f, "treat": float(arm == "intervention"), "post": post, "y": float(state != CASH)})
    data = pd.DataFrame(rows)
    x = np.column_stack([np.ones(len(data)), data["treat"], data["post"], data["treat"] * data["post"]])
    fit = sm.OLS(data["y"].to_numpy(), x).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["family"])[0], **CLUSTER}, use_t=True
    )
    r = small.effects["parents_in_work_or_education"]
    assert r.estimate == pytest.approx(fit.params[3], abs=1e-12)
    assert r.std_error == pytest.approx(fit.bse[3], rel=1e-9)
    low, high = fit.conf_int()[3]
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high), rel=1e-9)


def test_small_balance_table(small):
    b = small.tables["balance"].set_index("covariate")
    assert list(b.index) == ["distance", "parent_age"]
    age = b.loc["parent_age"]
    # Before: intervention (40 + 50 + 60)/3 = 50; comparison (41 + 51 + 59 + 30 + 70 + 45)/6 = 296/6.
    # After: comparison C1–C3 (41 + 51 + 59)/3 = 151/3.
    assert age["mean_treated"] == pytest.approx(50)
    assert age["mean_comparison"] == pytest.approx(296 / 6)
    assert age["mean_treated_after"] == pytest.approx(50)
    assert age["mean_comparison_after"] == pytest.approx(151 / 3)
    # Pooled SD: var_t = (100 + 0 + 100)/2 = 100; comparison deviations from 296/6 squared / 5.
    comp = np.array([41, 51, 59, 30, 70, 45.0])
    s = math.sqrt((100 + ((comp - comp.mean()) ** 2).sum() / 5) / 2)
    assert age["smd_after"] == pytest.approx((50 - 151 / 3) / s)
    assert (age["n_treated_after"], age["n_comparison_after"]) == (3, 3)


def test_small_event_study_equals_differences_of_cell_means(small):
    # Cell means (matched families only):
    #   k:            −3    −1    3     21
    #   intervention  1/3   1/3   1/3   2/3
    #   comparison    2/3   1/3   2/3   1/3
    # β_k = (m_I,k − m_I,−1) − (m_C,k − m_C,−1):
    #   β_−3 = 0 − 1/3 = −1/3;  β_3 = 0 − 1/3 = −1/3;  β_21 = 1/3 − 0 = 1/3;  β_−1 = 0 (reference).
    es = small.event_study
    assert es.reference == -1
    t = es.table.set_index("period")
    assert t.loc[[-3, -1, 3, 21], "estimate"].tolist() == pytest.approx([-1 / 3, 0, -1 / 3, 1 / 3])
    assert t.loc[[-3, -1, 3, 21], "share_treated"].tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3, 2 / 3])
    assert t.loc[[-3, -1, 3, 21], "share_comparison"].tolist() == pytest.approx([2 / 3, 1 / 3, 2 / 3, 1 / 3])
    assert t.loc[-1, "std_error"] == 0
    assert t.loc[[-3, 3, 21], "persons_comparison"].tolist() == [3, 3, 3]  # C4–C6 have weight 0
    # One parent per family: the families behind each cell are I1–I3 and C1–C3.
    assert t.loc[[-3, 3, 21], "families_treated"].tolist() == [3, 3, 3]
    assert t.loc[[-3, 3, 21], "families_comparison"].tolist() == [3, 3, 3]
    # Months without a status row in the groups are not estimable and not listed.
    assert t.index.tolist() == [-3, -1, 3, 21]
    assert small.tables["event_study"].equals(es.table)


def test_weighting_gives_a_weighted_design_and_the_ipw_did(small_folder):
    ev = _evaluate(small_folder, comparison={"method": "weighting"})
    assert ev.design == "weighted"
    assert all(r.design == "weighted" for r in ev.effects.values())
    # Independently: a Logit of group on age, odds p/(1 − p) for the comparison families inside the
    # intervention age range [40, 60] (C1 41, C2 51, C3 59, C6 45), and the DiD of weighted means.
    age = np.array([2021 - born for _, _, _, born, _ in PEOPLE], dtype=float)
    treat = np.array([arm == "intervention" for _, _, arm, _, _ in PEOPLE])
    fit = sm.Logit(treat.astype(float), sm.add_constant(age)).fit(disp=0)
    p = np.asarray(fit.predict())
    w = np.where(treat, 1.0, p / (1 - p) * ((age >= 40) & (age <= 60)))
    work = np.array([[s != CASH for s in states] for *_, states in PEOPLE], dtype=float)

    def mean(group, col):
        return np.average(work[group, col], weights=w[group])

    did = (mean(treat, 3) - mean(treat, 1)) - (mean(~treat, 3) - mean(~treat, 1))
    assert ev.effects["parents_in_work_or_education"].estimate == pytest.approx(did, abs=1e-6)
    # C4 and C5 (outside the range) weigh 0; the comparison weights sum to 3 intervention families.
    od = ev.observational
    assert (od.counts["treated_used"], od.counts["comparison_used"]) == (3, 4)


def test_a_control_arm_means_randomised_unless_observational_is_forced(tmp_path):
    folder = _write_small(tmp_path, [*PEOPLE, CONTROL])
    ev = _evaluate(folder)
    assert ev.design == "randomised"
    assert ev.observational is None and ev.event_study is None and "balance" not in ev.tables
    # Intervention in E: I1 job, I2 cash, I3 job → 2/3; control K1 job → 1; difference −1/3.
    assert ev.effects["parents_in_work_or_education"].estimate == pytest.approx(2 / 3 - 1)
    assert ev.effects["parents_in_work_or_education"].design == "randomised"
    forced = _evaluate(folder, design="observational")
    assert forced.design == "matched"
    # The control family takes no part: the same DiD of 1/3 as without it.
    assert forced.effects["parents_in_work_or_education"].estimate == pytest.approx(1 / 3, abs=1e-12)
    assert forced.observational.counts["comparison"] == 6


def test_observational_without_comparison_families_says_so(tmp_path):
    folder = _write_small(tmp_path, [row for row in PEOPLE if row[2] == "intervention"])
    ev = _evaluate(folder, design="observational")
    assert ev.design == "matched"
    assert not ev.observational.available
    assert ev.event_study is None
    for measure, r in ev.effects.items():
        assert math.isnan(r.estimate), measure
        assert "no comparison families" in r.reason, measure


def test_no_common_support_makes_every_effect_unavailable(tmp_path):
    # Every intervention parent was on cash benefit in all 36 months before 2021-03, every comparison
    # parent in work: benefit_months (36 against 0) separates the groups completely.
    people = [("PI1", "I1", "intervention"), ("PI2", "I2", "intervention"), ("PI3", "I3", "intervention")]
    people += [("PC1", "C1", "comparison"), ("PC2", "C2", "comparison"), ("PC3", "C3", "comparison")]
    status = []
    for p, _, arm in people:
        status += spell(p, "2018-03", "2021-02", CASH if arm == "intervention" else JOB)
        status += spell(p, "2021-03", "2022-12", JOB if p in ("PI1", "PC1") else CASH)
    folder = write_extract(
        tmp_path,
        families=[f"{f},{arm},{'2021-03-15' if arm == 'intervention' else ''},Tilst,," for _, f, arm in people],
        parents=[f"{p},{f},1980,F" for p, f, _ in people],
        status=status,
    )
    ev = _evaluate(folder, comparison={"covariates": ["benefit_months"]})
    assert ev.design == "matched"
    assert not ev.observational.available
    assert ev.event_study is None
    assert ev.tables["balance"].empty
    assert len(ev.effects) == 7
    for measure, r in ev.effects.items():
        assert math.isnan(r.estimate), measure
        assert "common support" in r.reason, measure


def test_a_caliper_nobody_meets_gives_a_clear_reason(small_folder):
    # Nearest gaps are 1 year of age; a caliper of 1e-6 SD of the logit (SD of age ≈ 12 years) admits none.
    ev = _evaluate(small_folder, comparison={"caliper": 1e-6})
    assert not ev.observational.available
    for measure, r in ev.effects.items():
        assert math.isnan(r.estimate), measure
        assert "caliper" in r.reason, measure


# -- pseudo-enrolment and validation ---------------------------------------------------------


def test_pseudo_enrolment_month_puts_every_comparison_family_there(small_folder):
    ex = load(small_folder)
    fr = build_frames(ex, Config.resolve({"comparison": {"pseudo_enrolment": "2020-03"}}))
    fam = fr.families.set_index("family_id")
    comparison = fam[fam["arm"] == "comparison"]
    assert len(comparison) == 6
    assert (comparison["enrolled_on"] == pd.Timestamp("2020-03-01")).all()
    assert (comparison["m_f"] == pd.Period("2020-03", "M").ordinal).all()
    # Intervention families keep their own date.
    assert (fam.loc[["I1", "I2", "I3"], "enrolled_on"] == pd.Timestamp("2021-03-15")).all()


def _pool(seed: int, order: np.ndarray | None = None) -> pd.DataFrame:
    donors = ["2019-09-03", "2020-01-20", "2020-06-11"]
    ids = [f"I{i}" for i in range(3)] + [f"C{i:02d}" for i in range(40)]
    fam = pd.DataFrame(
        {
            "family_id": ids,
            "arm": ["intervention"] * 3 + ["comparison"] * 40,
            "enrolled_on": pd.to_datetime(donors + [None] * 40),
        }
    )
    if order is not None:
        fam = fam.iloc[order].reset_index(drop=True)
    cfg = Config.resolve({"seed": seed})
    return fam.assign(filled=pseudo_enrolment(fam, cfg)).set_index("family_id")


def test_pseudo_enrolment_calendar_draws_intervention_dates_reproducibly():
    a = _pool(11)
    donors = set(a.loc[["I0", "I1", "I2"], "filled"])
    comparison = a[a["arm"] == "comparison"]["filled"]
    assert comparison.notna().all()
    assert set(comparison) <= donors
    assert len(set(comparison)) == 3  # 40 draws from 3 dates: all of them come up
    assert (a.loc[["I0", "I1", "I2"], "filled"] == a.loc[["I0", "I1", "I2"], "enrolled_on"]).all()
    # The same seed gives the same draw, whatever the order of the rows; another seed another draw.
    shuffled = _pool(11, np.random.default_rng(0).permutation(43))
    assert shuffled.loc[a.index, "filled"].equals(a["filled"])
    assert not _pool(12)["filled"].equals(a["filled"])


def test_pseudo_enrolment_calendar_without_intervention_families_is_a_config_error():
    fam = pd.DataFrame({"family_id": ["C1"], "arm": ["comparison"], "enrolled_on": pd.to_datetime([None])})
    with pytest.raises(oe.ConfigError, match="pseudo_enrolment"):
        pseudo_enrolment(fam, Config())


def test_empty_enrolment_is_an_error_for_intervention_families_only(tmp_path):
    people = PEOPLE[:2] + PEOPLE[3:5]
    families = [
        "I1,intervention,,Tilst,,",  # not allowed
        "I2,intervention,2021-03-15,Tilst,,",
        "C1,comparison,,Tilst,,",  # allowed
        "C2,comparison,,Tilst,,",
    ]
    parents = [f"{p},{f},{born},F" for p, f, _, born, _ in people]
    status = [f"{p},2021-02,job" for p, *_ in people]
    folder = write_extract(tmp_path, families=families, parents=parents, status=status)
    with pytest.raises(oe.ValidationError) as caught:
        load(folder)
    failures = caught.value.failures
    assert len(failures) == 1
    row = failures.iloc[0]
    assert (row["table"], row["column"], row["rule"]) == ("families", "enrolled_on", "missing_value")
    assert (row["key"], row["row"]) == ("family_id=I1", 2)  # the first data line of families.csv
    # With I1's date filled in, the extract loads (comparison families may leave it empty).
    families[0] = "I1,intervention,2021-03-15,Tilst,,"
    ex = load(write_extract(tmp_path, families=families, parents=parents, status=status))
    assert ex.families["enrolled_on"].isna().sum() == 2


# -- family covariates -----------------------------------------------------------------------

# Intervention families enrol in 2021-03 (I1, I2) and 2021-06 (I3); comparison families are
# pseudo-enrolled in 2021-03. Benefit months count m_f − 36 … m_f − 1; the baseline status is m_f − 1.
COV_FAMILIES = [
    "I1,intervention,2021-03-10,Gellerup,,",
    "I2,intervention,2021-03-20,Gellerup,,",
    "I3,intervention,2021-06-01,Viby,,",
    "C1,comparison,,Gellerup,,",
    "C2,comparison,,Viby,,",
    "C3,comparison,,Aarhus Nord,,",
    "C4,comparison,,Gellerup,,",
]
COV_PARENTS = """
    PI1,I1,1980,F
    PI2a,I2,1975,M
    PI2b,I2,1978,F
    PI3,I3,1990,F
    PC1,C1,1985,M
    PC2,C2,1970,F
    PC3a,C3,1982,F
    PC3b,C3,1980,M
    PC4,C4,1979,F
    PC4b,C4,1981,
"""
COV_CHILDREN = """
    KI1,I1,2010,F
    KI2,I2,2017,M
    KI2b,I2,2005,F
    KC1,C1,2016,M
    KC3,C3,2008,F
    KC3b,C3,2003,M
    KI3,I3,2022,F
"""
COV_STATUS = [
    *spell("PI1", "2018-01", "2018-06", "cash_benefit"),  # 2018-03 … 2018-06 in the window: 4
    *spell("PI1", "2018-07", "2020-12", "job"),
    *spell("PI1", "2021-01", "2021-04", "sickness_benefit"),  # 2021-01, 2021-02 in the window: 2
    *spell("PI1", "2021-05", "2022-12", "job"),
    *spell("PI2a", "2019-03", "2022-12", "cash_benefit"),  # 2019-03 … 2021-02: 24
    *spell("PI2b", "2020-01", "2022-12", "education"),  # 0
    *spell("PI3", "2018-05", "2021-05", "unemployment_benefit"),  # window 2018-06 … 2021-05: 36
    *spell("PI3", "2021-06", "2022-12", "job"),
    *spell("PC1", "2018-01", "2022-12", "job"),  # 0
    *spell("PC2", "2015-01", "2022-12", "early_retirement"),  # 36
    *spell("PC3a", "2021-02", "2022-12", "cash_benefit"),  # 1
    *spell("PC3b", "2018-03", "2022-12", "flexjob"),  # 0 (flexjob is work, not a benefit)
    *spell("PC4", "2021-03", "2022-12", "job"),  # no status before m_f: 0, and no baseline status
]

# family: parent_age, female_share, two_parents, children, youngest_child_age, children_0_5,
#         children_13_17, benefit_months, baseline_work_or_education, baseline_cash_benefit,
#         baseline_other_benefit, site: Viby
# Ages are 2021 − birth year (every m_f is in 2021).
#   I1: 41; F; 1 child aged 11; 4 + 2 = 6 months; sickness benefit in 2021-02 → other.
#   I2: (46 + 43)/2; ½ F; children 4 and 16; (24 + 0)/2 = 12; 2021-02 cash and education.
#   I3: 31; no children; 36 months; unemployment benefit in 2021-05 → other; Viby.
#   C1: 36; M; a child aged 5 (0–5 inclusive); 0; job.
#   C2: 51; no children; 36 (early retirement is a benefit); early retirement → other; Viby.
#   C3: (39 + 41)/2; children 13 (13–17 inclusive) and 18; (1 + 0)/2; cash and flexjob.
#   C4: 42; nothing before m_f.
# Sites: Gellerup and Viby are in both groups, Aarhus Nord only in the comparison pool (left out).
# Gellerup (I1, I2, C1, C4: 4 families) is the most common shared site → the reference.
COV_EXPECTED = {
    "I1": (41, 1, 0, 1, 11, 0, 0, 6, 0, 0, 1, 0),
    "I2": (44.5, 0.5, 1, 2, 4, 1, 1, 12, 0.5, 0.5, 0, 0),
    # KI3 is born in 2022, after I3's enrolment (2021-06): not part of the baseline, so still no children.
    "I3": (31, 1, 0, 0, 0, 0, 0, 36, 0, 0, 1, 1),
    "C1": (36, 0, 0, 1, 5, 1, 0, 0, 1, 0, 0, 0),
    "C2": (51, 1, 0, 0, 0, 0, 0, 36, 0, 0, 1, 1),
    "C3": (40, 0.5, 1, 2, 13, 0, 1, 0.5, 0.5, 0.5, 0, 0),
    # PC4b has no recorded sex: the women's share is among PC4 alone; no status rows: 0 benefit months.
    "C4": (41, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0),
}


def test_family_covariates_by_hand(tmp_path):
    folder = write_extract(
        tmp_path, families=COV_FAMILIES, parents=COV_PARENTS, children=COV_CHILDREN, status=COV_STATUS
    )
    cfg = Config.resolve(
        {"end": "2022-12", "comparison": {"pseudo_enrolment": "2021-03", "covariates": list(COVARIATES)}}
    )
    fr = build_frames(load(folder), cfg)
    cov = family_covariates(fr, cfg, ("intervention", "comparison"))
    ids = fr.codes.families["family_id"].to_numpy()
    cov.index = ids[cov["fc"].to_numpy()]
    names = [c for c in COVARIATES if c != "site"] + ["site: Viby"]
    assert list(cov.columns) == ["fc", "treated", *names]
    expected = pd.DataFrame.from_dict(COV_EXPECTED, orient="index", columns=names, dtype=float)
    pd.testing.assert_frame_equal(cov.loc[expected.index, names], expected, check_dtype=False)
    assert cov.loc[["I1", "I2", "I3"], "treated"].all() and not cov.loc[["C1", "C2", "C3", "C4"], "treated"].any()


# -- event study against a direct fit --------------------------------------------------------


def _random_panel(seed: int) -> pd.DataFrame:
    """40 families of 1–2 parents, months −8 … 9 (80 % observed), comparison weights random (some 0)."""
    rng = np.random.default_rng(seed)
    rows = []
    for f in range(40):
        treated = f < 18
        w = 1.0 if treated else (0.0 if f % 7 == 0 else rng.uniform(0.2, 2.0))
        for p in range(1 + f % 2):
            for k in range(-8, 10):
                if rng.random() < 0.8:
                    y = float(rng.random() < 0.3 + 0.02 * k * treated)
                    rows.append((f, treated, k, y, w, 2 * f + p))
    return pd.DataFrame(rows, columns=["family", "treated", "k", "y", "w", "person"])


@pytest.mark.parametrize("bin_months", [1, 3])
def test_event_study_equals_a_direct_clustered_wls(bin_months):
    df = _random_panel(5)
    window = (-6, 8)
    es = event_study_from_rows(
        df["family"].to_numpy(),
        df["treated"].to_numpy(),
        df["k"].to_numpy(),
        df["y"].to_numpy(),
        df["w"].to_numpy(),
        df["person"].to_numpy(),
        window=window,
        bin_months=bin_months,
    )
    # The saturated model with dummies: y ~ 1 + treated + period dummies + treated × period dummies,
    # reference = the period holding month −1, rows in the window with a positive weight.
    use = df[(df["k"] >= window[0]) & (df["k"] <= window[1]) & (df["w"] > 0)]
    period = (use["k"] // bin_months * bin_months).to_numpy()
    ref = -1 // bin_months * bin_months
    others = [p for p in sorted(set(period)) if p != ref]
    t = use["treated"].to_numpy(dtype=float)
    dummies = [(period == p).astype(float) for p in others]
    x = np.column_stack([np.ones(len(use)), t, *dummies, *(t * d for d in dummies)])
    fit = sm.WLS(use["y"].to_numpy(), x, weights=use["w"].to_numpy()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(use["family"])[0], **CLUSTER}, use_t=True
    )
    inter = slice(2 + len(others), None)
    table = es.table.set_index("period").loc[others]
    assert es.reference == ref
    assert table["estimate"].to_numpy() == pytest.approx(fit.params[inter], abs=1e-10)
    assert table["std_error"].to_numpy() == pytest.approx(fit.bse[inter], abs=1e-8)
    ci = fit.conf_int()[inter]
    assert table["ci_low"].to_numpy() == pytest.approx(ci[:, 0], abs=1e-8)
    assert table["ci_high"].to_numpy() == pytest.approx(ci[:, 1], abs=1e-8)
    # Pre-trend: the joint F test of the pre-period interactions.
    pre = [i for i, p in enumerate(others) if p < ref]
    restriction = np.zeros((len(pre), x.shape[1]))
    for row, i in enumerate(pre):
        restriction[row, 2 + len(others) + i] = 1
    f_test = fit.f_test(restriction)
    assert es.pretrend["statistic"] == pytest.approx(float(np.squeeze(f_test.fvalue)), rel=1e-8)
    assert (es.pretrend["df_num"], es.pretrend["df_den"]) == (f_test.df_num, f_test.df_denom)
    assert es.pretrend["p_value"] == pytest.approx(float(f_test.pvalue), rel=1e-8)
    assert es.n_families == use["family"].nunique()  # the weight-0 families are left out


# -- bias removal on the generator's comparison pool ------------------------------------------

POOL = Scenario(intervention_families=300, control_families=0, comparison_families=6000)


@pytest.fixture(scope="module")
def pool(tmp_path_factory):
    sim = simulate(POOL, seed=2)
    folder = tmp_path_factory.mktemp("pool")
    write_extracts(sim.tables, folder, fmt="parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)  # comparison families have no stratum
        ex = oe.load(folder)
    return sim, ex


@pytest.mark.parametrize(("method", "design"), [("nearest", "matched"), ("weighting", "weighted")])
def test_the_design_removes_the_selection_bias(pool, method, design):
    sim, ex = pool
    truth = sim.truth["work_or_education_effect"]
    naive = sim.truth["naive_work_or_education_effect"]
    bias = abs(naive - truth)
    assert bias > 0.15  # type B comparison families reach work without the programme
    ev = oe.evaluate(ex, {"bootstrap_replicates": 50, "comparison": {"method": method}})
    assert ev.design == design
    r = ev.effects["parents_in_work_or_education"]
    assert r.design == design
    # The estimate is a DiD (m_f − 1 to E); the truth compares shares in E. Both are checked.
    assert abs(r.estimate - truth) < 0.3 * bias
    assert abs(r.parts.cell("intervention", "post").mean - r.parts.cell("comparison", "post").mean - truth) < 0.3 * bias
    assert r.ci_low < truth < r.ci_high
    # Every intervention family is used, so its share in E is the generator's.
    assert ev.observational.counts["treated_used"] == 300
    assert r.parts.cell("intervention", "post").mean == pytest.approx(
        sim.truth["intervention_work_or_education"], abs=1e-12
    )
    balance = ev.tables["balance"].set_index("covariate")
    assert balance["smd_after"].abs().max() < balance["smd"].abs().max()
    assert abs(balance.loc["benefit_months", "smd"]) > 1  # badly unbalanced before
    assert abs(balance.loc["benefit_months", "smd_after"]) < 0.1


def test_small_pre_enrolment_cost_difference_by_hand(small):
    # No expenditure table: costs are statuses × the shipped unit costs (their own price year, no conversion).
    # Run rate = the family's cost over m_f − 12 … m_f − 1 (2020-03 … 2021-02) / 12; only 2020-12 and 2021-02
    # have rows. Intervention: I1 cash+cash, I2 cash+cash, I3 job+job; matched C1 job+cash, C2 job+job,
    # C3 cash+cash (weights 1). Difference = (3·job + 3·cash)/36 − (4·cash + 2·job)/36 = (job − cash)/36.
    costs = pd.read_csv(Path(oe.__file__).parent / "data" / "unit_costs.csv", comment="#", index_col="status")[
        "monthly_cost_dkk"
    ]
    expected = (costs["job"] - costs["cash_benefit"]) / 36
    diff = small.measures["savings_per_family"].parts.pre_enrolment_monthly_difference
    assert diff == pytest.approx(expected, rel=1e-12)


def test_exact_matching_must_name_model_covariates_and_not_site():
    for exact, covariates in ((["site"], None), (["two_parents"], ["parent_age", "children"])):
        settings = {"exact": exact} | ({"covariates": covariates} if covariates else {})
        with pytest.raises(oe.ConfigError, match="cannot be matched exactly"):
            oe.Config.from_dict({"comparison": settings})


def test_the_event_study_stops_at_the_evaluation_end(small_folder):
    # End 2021-06 (k = 3 for everybody, all enrolled 2021-03): the 2022-12 rows (k = 21) are after E.
    ev = _evaluate(small_folder, end="2021-06")
    table = ev.event_study.table
    assert table["period"].max() == 3
    assert table.loc[table["period"] == 3, "estimate"].notna().all()


def test_a_partly_separated_pool_still_gives_a_design():
    """Pool families far from every intervention family (p → 0) leave common support; the rest are compared."""
    sim = simulate(Scenario(intervention_families=25, control_families=0, comparison_families=400), seed=20190901)
    with tempfile.TemporaryDirectory() as tmp:
        write_extracts(sim.tables, tmp, "parquet")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", oe.DataQualityWarning)
            ev = oe.evaluate(oe.load(tmp), {"bootstrap_replicates": 20}, progress=False)
    od = ev.observational
    assert od.available, od.reason
    assert od.counts["treated_used"] > 0 and ev.effects["parents_in_work_or_education"].available


def test_a_pseudo_enrolment_after_the_end_is_refused_with_a_reason(small_folder):
    ev = _evaluate(small_folder, comparison={"pseudo_enrolment": "2023-05"})  # E is 2022-12
    assert not ev.observational.available
    assert ev.observational.reason.startswith("every comparison family is (pseudo-)enrolled after the evaluation end")
    assert all(not e.available for e in ev.effects.values())


def test_small_savings_are_a_difference_in_differences_by_hand(small):
    # Window m_f … E = 2021-03 … 2022-12: 22 months; only 2021-06 and 2022-12 have status rows in it.
    # Run rate = (cost in 2020-12 + cost in 2021-02) / 12, continued over the 22 months; no discounting,
    # the unit costs' own price year. Savings = mean over C1–C3 (weights 1) of (actual − continued run rate)
    # minus the same mean over I1–I3.
    u = pd.read_csv(Path(oe.__file__).parent / "data" / "unit_costs.csv", comment="#", index_col="status")[
        "monthly_cost_dkk"
    ]
    cash, job, edu = u["cash_benefit"], u["job"], u["education"]

    def change(pre: tuple[float, float], window: tuple[float, float]) -> float:
        return sum(window) - 22 * sum(pre) / 12

    intervention = [
        change((cash, cash), (edu, job)),
        change((cash, cash), (cash, cash)),
        change((job, job), (cash, job)),
    ]
    comparison = [change((job, cash), (cash, cash)), change((job, job), (job, cash)), change((cash, cash), (job, job))]
    expected = sum(comparison) / 3 - sum(intervention) / 3
    effect = small.effects["savings_per_family"]
    assert effect.design == "matched"
    assert effect.estimate == pytest.approx(expected, rel=1e-12)
    by_month = small.tables["savings_by_month"]
    assert by_month["cumulative_savings"].iloc[-1] == pytest.approx(expected, rel=1e-12)


def test_intervention_families_enrolled_after_the_end_take_no_part(small_folder, tmp_path):
    """A fourth intervention family enrolled after E is counted as left out, matched with nobody."""
    late = ("PI4", "I4", "intervention", 1971, (CASH, CASH, CASH, CASH))
    folder = _write_small(tmp_path / "late", [*PEOPLE, late])
    families = (
        (folder / "families.csv")
        .read_text(encoding="utf-8")
        .replace("I4,intervention,2021-03-15", "I4,intervention,2023-02-01")
    )
    (folder / "families.csv").write_text(families, encoding="utf-8")
    ev = _evaluate(folder)
    od = ev.observational
    assert od.counts["treated"] == 4 and od.counts["treated_used"] == 3
    assert od.matching.dropped == {"enrolled_after_end": 1}
    # The same three pairs as without I4: every estimate rests on them.
    assert ev.effects["parents_in_work_or_education"].estimate == pytest.approx(1 / 3, abs=1e-12)
    assert ev.effects["savings_per_family"].parts.families_intervention == 3
    assert ev.effects["savings_per_family"].parts.families_reference == 3
