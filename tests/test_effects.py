"""Effects against a control arm, checked against hand-computed differences
and direct statsmodels fits written out in the test (formula API).

The hand-built trial: five intervention and five control families, E = 2023-08.
All families enrolled between 2021-02 and 2021-05, so every child's baseline
school year is 2019/20 and the follow-up school year is 2022/23.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from handbuilt import evaluate, write_extract

# family, arm, enrolled_on, site, stratum
FAMILY_ROWS = [
    ("F1", "intervention", "2021-03-15", "Gellerup", "A"),
    ("F2", "intervention", "2021-04-20", "Gellerup", "A"),
    ("F3", "intervention", "2021-02-01", "Gellerup", "A"),
    ("F4", "intervention", "2021-05-05", "Viby", "B"),
    ("F5", "intervention", "2021-03-01", "Viby", "B"),
    ("F6", "control", "2021-03-10", "Gellerup", "A"),
    ("F7", "control", "2021-04-12", "Gellerup", "A"),
    ("F8", "control", "2021-05-20", "Viby", "B"),
    ("F9", "control", "2021-02-15", "Viby", "B"),
    ("F10", "control", "2021-03-25", "Viby", "B"),
]

# parent, family, status in E = 2023-08 (None: no row in E; P7 has one in 2023-07 only)
PARENT_ROWS = [
    ("P1", "F1", "job"),
    ("P2", "F1", "cash_benefit"),
    ("P3", "F2", "flexjob"),
    ("P4", "F3", "education"),
    ("P5", "F3", "early_retirement"),
    ("P6", "F4", "job"),
    ("P7", "F4", None),
    ("P8", "F5", "early_retirement"),
    ("P9", "F6", "cash_benefit"),
    ("P10", "F6", "job"),
    ("P11", "F7", "sickness_benefit"),
    ("P12", "F8", "flexjob"),
    ("P13", "F8", "early_retirement"),
    ("P14", "F9", "cash_benefit"),
    ("P15", "F10", "job"),
]

CHILDREN = """
    K1,F1,2007,F
    K2,F2,2008,M
    K3,F4,2006,F
    K4,F5,2012,M
    K9,F3,2005,M
    K5,F6,2007,M
    K6,F7,2006,F
    K7,F8,2008,F
    K8,F10,2013,M
    K10,F9,2009,F
"""

# child, family, days absent / school days in 2019/20 (pre) and 2022/23 (post)
ABSENCE_ROWS = [
    ("K1", "F1", 20, 200, 10, 200),
    ("K2", "F2", 30, 190, 12, 180),
    ("K3", "F4", 16, 160, 14, 200),
    ("K4", "F5", 12, 150, 9, 150),
    ("K5", "F6", 18, 200, 16, 200),
    ("K6", "F7", 25, 180, 27, 190),
    ("K7", "F8", 10, 170, 12, 160),
    ("K8", "F10", 15, 200, 14, 200),
]

YOUTH_JOBS = """
    K1,2020-06,1000
    K1,2023-02,1000
    K2,2022-11,800
    K3,2023-04,900
    K9,2020-10,700
    K5,2020-08,600
    K5,2023-05,600
    K7,2023-01,500
    K10,2020-07,400
"""

# Youth-windows (child, family, treat, post, job), worked out by hand:
# post window 2022-09 … 2023-08 ends in 2023 → youths born 2006–2010;
# every baseline window ends in 2021 (m_f − 1 is 2021-01 … 2021-04) → born 2004–2008.
#   K1 (2007) pre: 2020-06 in F1's 2020-03 … 2021-02 → job;   post: 2023-02 → job
#   K2 (2008) pre: none → no;                                post: 2022-11 → job
#   K3 (2006) pre: none → no;                                post: 2023-04 → job
#   K9 (2005) pre: 2020-10 → job;                            post: 18 → not a youth
#   K4 (2012), K8 (2013): never youths
#   K5 (2007) pre: 2020-08 → job;                            post: 2023-05 → job
#   K6 (2006) pre: no;                                       post: no
#   K7 (2008) pre: no;                                       post: 2023-01 → job
#   K10 (2009) pre: 12 → not a youth (its 2020-07 job is ignored); post: 14, no job
YOUTH_WINDOWS = [
    ("K1", "F1", 1, 0, 1),
    ("K2", "F2", 1, 0, 0),
    ("K3", "F4", 1, 0, 0),
    ("K9", "F3", 1, 0, 1),
    ("K1", "F1", 1, 1, 1),
    ("K2", "F2", 1, 1, 1),
    ("K3", "F4", 1, 1, 1),
    ("K5", "F6", 0, 0, 1),
    ("K6", "F7", 0, 0, 0),
    ("K7", "F8", 0, 0, 0),
    ("K5", "F6", 0, 1, 1),
    ("K6", "F7", 0, 1, 0),
    ("K7", "F8", 0, 1, 1),
    ("K10", "F9", 0, 1, 0),
]

CLUSTER = {"use_correction": True, "df_correction": True}


def _families(strata: bool, single_site: str | None = None, arms: tuple[str, ...] = ("intervention", "control")):
    return [
        f"{fam},{arm},{day},{single_site or site},{stratum if strata else ''},"
        for fam, arm, day, site, stratum in FAMILY_ROWS
        if arm in arms
    ]


def _write(folder, strata=False, single_site=None, arms=("intervention", "control")):
    kept = {row[0] for row in FAMILY_ROWS if row[1] in arms}
    parents = [f"{p},{f},1980,F" for p, f, _ in PARENT_ROWS if f in kept]
    status = [f"{p},2023-08,{s}" if s else f"{p},2023-07,job" for p, f, s in PARENT_ROWS if f in kept]
    children = [line for line in CHILDREN.split() if line.split(",")[1] in kept]
    absence = []
    for kid, fam, d0, s0, d1, s1 in ABSENCE_ROWS:
        if fam in kept:
            absence += [f"{kid},2019/20,{d0},{s0}", f"{kid},2022/23,{d1},{s1}"]
    if "F1" in kept:
        absence.append("K1,2020/21,99,200")  # neither baseline nor follow-up: ignored
    jobs = [line for line in YOUTH_JOBS.split() if line.split(",")[0] in {c.split(",")[0] for c in children}]
    return write_extract(
        folder,
        families=_families(strata, single_site, arms),
        parents=parents,
        status=status,
        children=children,
        school_absence=absence,
        youth_jobs=jobs,
    )


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    return evaluate(_write(tmp_path_factory.mktemp("trial")), end="2023-08")


@pytest.fixture(scope="module")
def trial_strata(tmp_path_factory):
    return evaluate(_write(tmp_path_factory.mktemp("strata"), strata=True), end="2023-08")


def _parents_frame() -> pd.DataFrame:
    """The parents with a status in E, typed from PARENT_ROWS (P7 has none)."""
    stratum = {fam: s for fam, _, _, _, s in FAMILY_ROWS}
    arm = {fam: a for fam, a, _, _, _ in FAMILY_ROWS}
    rows = [
        {
            "person": p,
            "family": f,
            "treat": float(arm[f] == "intervention"),
            "stratum": stratum[f],
            "work": float(s in {"job", "flexjob", "education"}),
            "flexjob": float(s == "flexjob"),
            "retired": float(s == "early_retirement"),
        }
        for p, f, s in PARENT_ROWS
        if s is not None
    ]
    return pd.DataFrame(rows)


def _direct(formula: str, data: pd.DataFrame, weights=None):
    model = smf.ols(formula, data) if weights is None else smf.wls(formula, data, weights=weights)
    groups = pd.factorize(data["family"])[0]
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups, **CLUSTER}, use_t=True)


# -- shares ----------------------------------------------------------------------------------


def test_share_effects_equal_the_hand_computed_differences(trial):
    e = trial.effects
    # Intervention with a status in E: P1 job, P2 cash, P3 flexjob, P4 education, P5 early_ret,
    #   P6 job, P8 early_ret → 7 parents; work: P1, P3, P4, P6 = 4/7; flexjob among them 1/4; ER 2/7.
    # Control: P9 cash, P10 job, P11 sickness, P12 flexjob, P13 early_ret, P14 cash, P15 job
    #   → 7 parents; work: P10, P12, P15 = 3/7; flexjob among them 1/3; ER 1/7.
    assert e["parents_in_work_or_education"].estimate == pytest.approx(4 / 7 - 3 / 7)
    assert e["flexjob_share_of_work_or_education"].estimate == pytest.approx(1 / 4 - 1 / 3)
    assert e["early_retirement_share"].estimate == pytest.approx(2 / 7 - 1 / 7)
    assert trial.arms["control"]["parents_in_work_or_education"].estimate == pytest.approx(3 / 7)
    work = e["parents_in_work_or_education"]
    assert work.n == 14
    assert work.n_families == 10  # every family has a parent with a status in E
    assert work.parts.intervention == pytest.approx(4 / 7)
    assert work.parts.reference == pytest.approx(3 / 7)
    assert work.parts["relative"] == pytest.approx((1 / 7) / (3 / 7))
    assert work.scale == "percentage_points"
    flex = e["flexjob_share_of_work_or_education"]
    assert flex.n == 7  # P1, P3, P4, P6, P10, P12, P15
    assert flex.n_families == 7  # F1, F2, F3, F4, F6, F8, F10


@pytest.mark.parametrize(
    ("measure", "outcome", "subset"),
    [
        ("parents_in_work_or_education", "work", None),
        ("flexjob_share_of_work_or_education", "flexjob", "work"),
        ("early_retirement_share", "retired", None),
    ],
)
def test_share_effect_inference_equals_a_direct_clustered_ols(trial, measure, outcome, subset):
    data = _parents_frame()
    if subset:
        data = data[data[subset] == 1].reset_index(drop=True)
    fit = _direct(f"{outcome} ~ treat", data)
    r = trial.effects[measure]
    assert r.estimate == pytest.approx(fit.params["treat"], abs=1e-12)
    assert r.std_error == pytest.approx(fit.bse["treat"], rel=1e-9)
    low, high = fit.conf_int(alpha=0.05).loc["treat"]
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high), rel=1e-9)
    assert r.p_value == pytest.approx(fit.pvalues["treat"], rel=1e-9)
    assert r.level == 0.95


@pytest.mark.parametrize(
    ("measure", "outcome", "subset"),
    [
        ("parents_in_work_or_education", "work", None),
        ("flexjob_share_of_work_or_education", "flexjob", "work"),
        ("early_retirement_share", "retired", None),
    ],
)
def test_share_effect_with_strata_equals_ols_with_stratum_fixed_effects(trial_strata, measure, outcome, subset):
    data = _parents_frame()
    if subset:
        data = data[data[subset] == 1].reset_index(drop=True)
    fit = _direct(f"{outcome} ~ treat + C(stratum)", data)
    r = trial_strata.effects[measure]
    assert r.estimate == pytest.approx(fit.params["treat"], abs=1e-12)
    assert r.std_error == pytest.approx(fit.bse["treat"], rel=1e-9)
    low, high = fit.conf_int(alpha=0.05).loc["treat"]
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high), rel=1e-9)


def test_strata_change_the_work_effect(trial, trial_strata):
    # Hand check that the fixed effects matter: within stratum A the work shares are
    # I 3/5 (P1, P3, P4 of P1–P5) vs C 1/3 (P10 of P9–P11); within B I 1/2 (P6 of P6, P8)
    # vs C 2/4 (P12, P15 of P12–P15). The OLS coefficient with stratum dummies is the
    # average of the within-stratum differences +4/15 and 0 weighted by n·p·(1 − p) of
    # the treatment share p: A 8·(5/8)·(3/8) = 15/8, B 6·(2/6)·(4/6) = 4/3
    # → (15/8 · 4/15) / (15/8 + 4/3) = (1/2) / (77/24) = 12/77 ≈ 0.1558, not 1/7.
    assert trial_strata.effects["parents_in_work_or_education"].estimate == pytest.approx(12 / 77)
    assert trial.effects["parents_in_work_or_education"].estimate == pytest.approx(1 / 7)


# -- difference-in-differences ---------------------------------------------------------------


def test_absence_did_equals_the_difference_of_pooled_rate_changes(trial):
    # Intervention (K1–K4): pre (20 + 30 + 16 + 12) / (200 + 190 + 160 + 150) = 78/700
    #                       post (10 + 12 + 14 + 9) / (200 + 180 + 200 + 150) = 45/730
    # Control (K5–K8):      pre (18 + 25 + 10 + 15) / (200 + 180 + 170 + 200) = 68/750
    #                       post (16 + 27 + 12 + 14) / (200 + 190 + 160 + 200) = 69/750
    # K1's 2020/21 row is neither year and is ignored.
    did = (45 / 730 - 78 / 700) - (69 / 750 - 68 / 750)  # ≈ −0.051118
    r = trial.effects["school_absence_change"]
    assert r.estimate == pytest.approx(did, abs=1e-12)
    assert r.estimate == pytest.approx(-0.051118, abs=1e-6)
    assert r.scale == "rate_difference"
    assert r.n == 8  # children
    assert r.n_families == 8  # F1, F2, F4, F5, F6, F7, F8, F10
    itv = trial.measures["school_absence_change"]
    ctl = trial.arms["control"]["school_absence_change"]
    assert itv.estimate == pytest.approx((45 / 730) / (78 / 700) - 1)
    assert ctl.estimate == pytest.approx((69 / 750) / (68 / 750) - 1)  # = 1/68


def test_absence_did_inference_equals_a_direct_weighted_fit(trial):
    rows = []
    for kid, fam, d0, s0, d1, s1 in ABSENCE_ROWS:
        treat = float(fam in {"F1", "F2", "F3", "F4", "F5"})
        rows.append({"child": kid, "family": fam, "treat": treat, "post": 0.0, "rate": d0 / s0, "days": s0})
        rows.append({"child": kid, "family": fam, "treat": treat, "post": 1.0, "rate": d1 / s1, "days": s1})
    data = pd.DataFrame(rows)
    fit = _direct("rate ~ treat * post", data, weights=data["days"])
    r = trial.effects["school_absence_change"]
    assert r.estimate == pytest.approx(fit.params["treat:post"], abs=1e-12)
    assert r.std_error == pytest.approx(fit.bse["treat:post"], rel=1e-9)
    low, high = fit.conf_int(alpha=0.05).loc["treat:post"]
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high), rel=1e-9)


def test_youth_did_equals_the_difference_of_rate_changes(trial):
    # Intervention: pre K1 ✓, K2 ✗, K3 ✗, K9 ✓ → 2/4; post K1 ✓, K2 ✓, K3 ✓ → 3/3
    # Control:      pre K5 ✓, K6 ✗, K7 ✗ → 1/3;       post K5 ✓, K6 ✗, K7 ✓, K10 ✗ → 2/4
    # DiD = (1 − 1/2) − (1/2 − 1/3) = 1/3
    r = trial.effects["youth_job_rate_change"]
    assert r.estimate == pytest.approx(1 / 3, abs=1e-12)
    assert r.n == 8  # K1, K2, K3, K9, K5, K6, K7, K10
    assert trial.measures["youth_job_rate_change"].estimate == pytest.approx(1 / (1 / 2) - 1)
    assert trial.arms["control"]["youth_job_rate_change"].estimate == pytest.approx((2 / 4) / (1 / 3) - 1)
    data = pd.DataFrame(YOUTH_WINDOWS, columns=["child", "family", "treat", "post", "job"])
    fit = _direct("job ~ treat * post", data)
    assert r.estimate == pytest.approx(fit.params["treat:post"], abs=1e-12)
    assert r.std_error == pytest.approx(fit.bse["treat:post"], rel=1e-9)


def test_absence_did_with_strata_equals_a_direct_fit_with_fixed_effects(trial_strata):
    stratum = {fam: s for fam, _, _, _, s in FAMILY_ROWS}
    rows = []
    for _kid, fam, d0, s0, d1, s1 in ABSENCE_ROWS:
        treat = float(fam in {"F1", "F2", "F3", "F4", "F5"})
        for post, d, s in ((0.0, d0, s0), (1.0, d1, s1)):
            rows.append({"family": fam, "stratum": stratum[fam], "treat": treat, "post": post, "rate": d / s, "w": s})
    data = pd.DataFrame(rows)
    fit = _direct("rate ~ treat * post + C(stratum)", data, weights=data["w"])
    r = trial_strata.effects["school_absence_change"]
    assert r.estimate == pytest.approx(fit.params["treat:post"], abs=1e-12)
    assert r.std_error == pytest.approx(fit.bse["treat:post"], rel=1e-9)


def test_to_frame_holds_measures_and_effects(trial):
    f = trial.to_frame()
    work = f[f["measure"] == "parents_in_work_or_education"].set_index("arm")
    assert work.loc["intervention", "estimate"] == pytest.approx(4 / 7)
    assert work.loc["control", "estimate"] == pytest.approx(3 / 7)
    assert work.loc["effect", "estimate"] == pytest.approx(1 / 7)
    assert work.loc["intervention", "numerator"] == 4
    assert work.loc["intervention", "denominator"] == 7


# -- arms, sites ------------------------------------------------------------------------------


def test_no_control_arm_gives_every_effect_a_reason(tmp_path):
    ev = evaluate(_write(tmp_path, arms=("intervention",)), end="2023-08")
    assert not ev.has_control
    assert set(ev.arms) == {"intervention"}
    # the intervention measures are still there: work 4/7
    assert ev.measures["parents_in_work_or_education"].estimate == pytest.approx(4 / 7)
    assert len(ev.effects) >= 5
    for measure, r in ev.effects.items():
        assert math.isnan(r.estimate), measure
        assert math.isnan(r.ci_low) and math.isnan(r.ci_high), measure
        assert r.reason, measure


def test_control_arm_only_does_not_crash(tmp_path):
    ev = evaluate(_write(tmp_path, arms=("control",)), end="2023-08")
    assert set(ev.arms) == {"control"}
    assert ev.arms["control"]["parents_in_work_or_education"].estimate == pytest.approx(3 / 7)
    assert len(ev.measures) == 0
    for measure in ("parents_in_work_or_education", "school_absence_change", "youth_job_rate_change"):
        assert math.isnan(ev.effects[measure].estimate)
        assert ev.effects[measure].reason


def test_a_single_site_works(tmp_path):
    ev = evaluate(_write(tmp_path, single_site="Tilst"), end="2023-08")
    # same hand values as the two-site trial
    assert ev.effects["parents_in_work_or_education"].estimate == pytest.approx(1 / 7)
    assert ev.effects["youth_job_rate_change"].estimate == pytest.approx(1 / 3)
    by_site = ev.tables["by_site"]
    assert set(by_site["site"]) == {"Tilst"}
    row = by_site[(by_site["measure"] == "parents_in_work_or_education") & (by_site["arm"] == "intervention")]
    assert row["estimate"].tolist() == pytest.approx([4 / 7])


def test_by_site_table(trial):
    t = trial.tables["by_site"]

    def share(site, arm):
        row = t[(t["site"] == site) & (t["arm"] == arm) & (t["measure"] == "parents_in_work_or_education")]
        assert len(row) == 1
        return float(row["estimate"].iloc[0]), int(row["n"].iloc[0])

    # Gellerup intervention (F1–F3): P1 job, P2 cash, P3 flexjob, P4 education, P5 ER → 3/5
    assert share("Gellerup", "intervention") == (pytest.approx(3 / 5), 5)
    # Viby intervention (F4, F5): P6 job, P8 ER (P7 no row in E) → 1/2
    assert share("Viby", "intervention") == (pytest.approx(1 / 2), 2)
    # Gellerup control (F6, F7): P9 cash, P10 job, P11 sickness → 1/3
    assert share("Gellerup", "control") == (pytest.approx(1 / 3), 3)
    # Viby control (F8–F10): P12 flexjob, P13 ER, P14 cash, P15 job → 2/4
    assert share("Viby", "control") == (pytest.approx(2 / 4), 4)


def test_rates_table(trial):
    t = trial.tables["rates"].set_index(["measure", "arm", "period"])
    expected = {
        # absence: persons, Σ days absent, Σ school days (see the DiD test)
        ("school_absence", "intervention", "pre"): (4, 78, 700),
        ("school_absence", "intervention", "post"): (4, 45, 730),
        ("school_absence", "control", "pre"): (4, 68, 750),
        ("school_absence", "control", "post"): (4, 69, 750),
        # youth jobs: youths, with a job, youths
        ("youth_jobs", "intervention", "pre"): (4, 2, 4),
        ("youth_jobs", "intervention", "post"): (3, 3, 3),
        ("youth_jobs", "control", "pre"): (3, 1, 3),
        ("youth_jobs", "control", "post"): (4, 2, 4),
    }
    assert len(t) == len(expected)
    for key, (persons, num, den) in expected.items():
        row = t.loc[key]
        assert (row["persons"], row["numerator"], row["denominator"]) == (persons, num, den), key
        assert row["rate"] == pytest.approx(num / den), key
        # No two of these children share a family (ABSENCE_ROWS, YOUTH_WINDOWS), so families = persons.
        assert row["families"] == persons, key


def test_thin_share_sample_gives_a_reason_not_a_crash(tmp_path):
    # One parent per arm in work or education (P1 job in F1, P2 job in F2): the flexjob
    # share regression has 2 observations and 2 coefficients — nothing left to
    # estimate a standard error from. The effect must be "not available", not an error.
    folder = write_extract(
        tmp_path,
        families="""
            F1,intervention,2021-03-15,,,
            F2,control,2021-03-15,,,
        """,
        parents="""
            P1,F1,1980,F
            P2,F2,1980,F
            P3,F2,1981,M
        """,
        status="""
            P1,2023-08,job
            P2,2023-08,job
            P3,2023-08,cash_benefit
        """,
    )
    ev = evaluate(folder, end="2023-08")
    flex = ev.effects["flexjob_share_of_work_or_education"]
    assert math.isnan(flex.estimate)
    assert flex.reason
    # shares themselves: intervention 1/1, control 1/2
    assert ev.measures["parents_in_work_or_education"].estimate == 1.0
    assert ev.arms["control"]["parents_in_work_or_education"].estimate == pytest.approx(1 / 2)


def test_direct_fit_helper_reproduces_a_difference_of_means():
    # Guard on the test's own reference: OLS of y on a treatment dummy gives the
    # difference of the two group means.
    data = pd.DataFrame(
        {"y": [1.0, 0.0, 1.0, 0.0, 0.0], "treat": [1.0, 1.0, 0.0, 0.0, 0.0], "family": ["a", "b", "c", "d", "e"]}
    )
    fit = _direct("y ~ treat", data)
    assert fit.params["treat"] == pytest.approx(1 / 2 - 1 / 3)
    assert np.isfinite(fit.bse["treat"])
