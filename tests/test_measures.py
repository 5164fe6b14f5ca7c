"""Headline measures against hand-computed values (data contract, section 3).

Every expected number is worked out by hand in a comment from the CSV text
written in the test, or — for intervals and tests — by a direct call to
statsmodels/scipy on the hand-listed counts. No expected value comes from
calling opgang-eval a second way.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

import opgang_eval as oe
from handbuilt import evaluate, load, write_extract
from opgang_eval.measures.intervals import bootstrap_ratio_change, wilson

SAMPLE = Path(__file__).parents[1] / "data" / "sample"


# -- status shares in month E --------------------------------------------------------------

# Three intervention families (F2 left the programme in January 2022) and one
# control family. Statuses in the last two months; the latest month in the
# file is 2023-08, so that is E by default.
SHARES_FAMILIES = """
    F1,intervention,2021-03-15,Gellerup,,
    F2,intervention,2021-06-01,Gellerup,,2022-01-31
    F3,intervention,2021-09-10,Viby,,
    F4,control,2021-04-01,Viby,,
    F5,control,2021-05-01,Viby,,
"""
SHARES_PARENTS = """
    P1,F1,1985,F
    P2,F1,1983,M
    P3,F2,1990,F
    P4,F3,1970,M
    P5,F3,1972,F
    P6,F4,1980,F
    P7,F5,1979,M
"""
SHARES_STATUS = """
    P1,2023-07,cash_benefit
    P1,2023-08,job
    P2,2023-07,flexjob
    P2,2023-08,flexjob
    P3,2023-07,job
    P3,2023-08,education
    P4,2023-07,early_retirement
    P4,2023-08,early_retirement
    P5,2023-07,flexjob
    P6,2023-07,job
    P6,2023-08,job
    P7,2023-08,job
"""


@pytest.fixture(scope="module")
def shares_folder(tmp_path_factory):
    return write_extract(
        tmp_path_factory.mktemp("shares"), families=SHARES_FAMILIES, parents=SHARES_PARENTS, status=SHARES_STATUS
    )


def test_shares_in_the_default_end_month(shares_folder):
    ev = evaluate(shares_folder)
    assert str(ev.end) == "2023-08"  # latest month in parent_status
    m = ev.measures
    # Intervention parents with a status in E = 2023-08:
    #   P1 job, P2 flexjob, P3 education (family exited: still counted), P4 early_retirement;
    #   P5 has no row in 2023-08 → not in the denominator.
    # work or education: P1, P2, P3 → 3/4
    work = m["parents_in_work_or_education"]
    assert (work.parts["numerator"], work.parts["denominator"]) == (3, 4)
    assert work.estimate == pytest.approx(3 / 4)
    assert work.n == 4
    assert work.n_families == 3  # F1 (P1, P2), F2 (P3), F3 (P4)
    assert work.reason is None
    # flexjob among those 3: P2 → 1/3
    flex = m["flexjob_share_of_work_or_education"]
    assert (flex.parts["numerator"], flex.parts["denominator"]) == (1, 3)
    assert flex.estimate == pytest.approx(1 / 3)
    assert flex.n == 3
    # early retirement, same denominator as the first: P4 → 1/4
    retired = m["early_retirement_share"]
    assert (retired.parts["numerator"], retired.parts["denominator"]) == (1, 4)
    assert retired.estimate == pytest.approx(1 / 4)
    # control arm: P6 job, P7 job → 2/2
    ctl = ev.arms["control"]["parents_in_work_or_education"]
    assert (ctl.parts["numerator"], ctl.parts["denominator"]) == (2, 2)


def test_exited_family_still_counts_intention_to_treat(shares_folder):
    ev = evaluate(shares_folder, end="2023-08")
    work = ev.measures["parents_in_work_or_education"]
    # Without P3 (family F2 exited 2022-01-31) it would be 2/3; with ITT it is 3/4.
    assert work.estimate == pytest.approx(3 / 4)
    assert work.estimate != pytest.approx(2 / 3)


def test_an_earlier_end_month_moves_e(shares_folder):
    ev = evaluate(shares_folder, end="2023-07")
    assert str(ev.end) == "2023-07"
    m = ev.measures
    # E = 2023-07: P1 cash_benefit, P2 flexjob, P3 job, P4 early_retirement, P5 flexjob → 5 parents
    # work or education: P2, P3, P5 → 3/5; flexjob among them: P2, P5 → 2/3; early retirement: P4 → 1/5
    assert m["parents_in_work_or_education"].estimate == pytest.approx(3 / 5)
    assert m["parents_in_work_or_education"].n == 5
    assert m["flexjob_share_of_work_or_education"].estimate == pytest.approx(2 / 3)
    assert m["early_retirement_share"].estimate == pytest.approx(1 / 5)


def test_config_work_or_education_changes_the_set(shares_folder):
    ev = evaluate(shares_folder, end="2023-08", work_or_education=["job"])
    m = ev.measures
    # Only "job" counts: of P1 job, P2 flexjob, P3 education, P4 early_retirement → P1 → 1/4
    assert m["parents_in_work_or_education"].estimate == pytest.approx(1 / 4)
    # flexjob among {P1}: none → 0/1
    flex = m["flexjob_share_of_work_or_education"]
    assert (flex.parts["numerator"], flex.parts["denominator"]) == (0, 1)
    assert flex.estimate == 0
    # early retirement does not depend on the set: 1/4
    assert m["early_retirement_share"].estimate == pytest.approx(1 / 4)


def test_share_interval_is_wilson(shares_folder):
    m = evaluate(shares_folder, end="2023-08").measures
    for measure, (k, n) in {
        "parents_in_work_or_education": (3, 4),
        "flexjob_share_of_work_or_education": (1, 3),
        "early_retirement_share": (1, 4),
    }.items():
        low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert (m[measure].ci_low, m[measure].ci_high) == pytest.approx((low, high), abs=1e-12)
        assert m[measure].level == 0.95


def test_no_parent_with_a_status_in_e_gives_a_reason(tmp_path):
    # Only parent has a row in 2023-07, but E is set to 2023-08.
    folder = write_extract(
        tmp_path,
        families="F1,intervention,2021-03-15,,,",
        parents="P1,F1,1985,F",
        status="P1,2023-07,job",
    )
    m = evaluate(folder, end="2023-08").measures
    for measure in ("parents_in_work_or_education", "early_retirement_share", "flexjob_share_of_work_or_education"):
        assert math.isnan(m[measure].estimate)
        assert "2023-08" in m[measure].reason


@pytest.mark.parametrize(
    ("k", "n"),
    [(0, 1), (1, 1), (0, 5), (5, 5), (3, 4), (1, 3), (49, 94), (17, 200), (199, 200)],
)
def test_wilson_matches_statsmodels(k, n):
    expected = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert wilson(k, n) == pytest.approx(expected, abs=1e-12)


def test_wilson_at_another_level():
    expected = proportion_confint(7, 20, alpha=0.10, method="wilson")
    assert wilson(7, 20, level=0.90) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("n", [1, 3, 10, 20, 94])
def test_wilson_interval_contains_a_share_of_0_or_1(n):
    # k = 0: lower bound (p + z²/2n − z·sqrt(z²/4n²)) / (1 + z²/n) = 0 exactly;
    # k = n: upper bound (1 + z²/2n + z²/2n) / (1 + z²/n) = 1 exactly — so the
    # interval contains the estimate 0 or 1 (statsmodels returns exactly 0 and 1 too).
    assert wilson(0, n)[0] == 0.0
    assert wilson(n, n)[1] == 1.0


# -- school absence ---------------------------------------------------------------------

# Baseline school year = the last school year (1 Aug – 31 Jul) that ended before enrolled_on:
#   F1 enrolled 2020-07-31: 2019/20 ends *on* 31 Jul 2020, not before → baseline 2018/19
#   F2 enrolled 2020-08-01: 2019/20 ended the day before → baseline 2019/20
#   F3 enrolled 2021-03-10 (spring): 2020/21 still running → baseline 2019/20
# Rows marked "decoy" would be picked by an off-by-one year rule.
ABSENCE_FAMILIES = """
    F1,intervention,2020-07-31,,,
    F2,intervention,2020-08-01,,,
    F3,intervention,2021-03-10,,,
"""
ABSENCE_PARENTS = """
    P1,F1,1980,F
    P2,F2,1981,F
    P3,F3,1982,F
"""
ABSENCE_CHILDREN = """
    C1,F1,2010,F
    C2,F2,2011,M
    C3,F3,2012,F
    C4,F3,2013,M
    C5,F1,2014,M
"""
ABSENCE_ROWS = """
    C1,2018/19,10,200
    C1,2019/20,50,200
    C1,2021/22,30,190
    C1,2022/23,8,200
    C2,2018/19,40,200
    C2,2019/20,20,200
    C2,2021/22,12,180
    C2,2022/23,6,190
    C3,2019/20,30,180
    C3,2020/21,44,200
    C3,2021/22,15,200
    C3,2022/23,18,200
    C4,2021/22,100,200
    C4,2022/23,100,200
    C5,2018/19,5,100
    C5,2021/22,9,100
"""
ABSENCE_STATUS = ["P1,2023-08,job", "P2,2023-08,job", "P3,2023-08,job"]


@pytest.fixture(scope="module")
def absence_folder(tmp_path_factory):
    return write_extract(
        tmp_path_factory.mktemp("absence"),
        families=ABSENCE_FAMILIES,
        parents=ABSENCE_PARENTS,
        children=ABSENCE_CHILDREN,
        status=ABSENCE_STATUS,
        school_absence=ABSENCE_ROWS,
    )


def test_absence_change_with_followup_2022_23(absence_folder):
    # E = 2023-07: its last day is 31 Jul 2023, when 2022/23 ends → follow-up 2022/23.
    # C1: pre 2018/19 10/200, post 8/200   (2019/20 is a decoy: F1 enrolled on 31 July)
    # C2: pre 2019/20 20/200, post 6/190   (2018/19 is a decoy)
    # C3: pre 2019/20 30/180, post 18/200  (2020/21 is a decoy)
    # C4: no baseline row → excluded;  C5: no 2022/23 row → excluded
    # pre  = (10 + 20 + 30) / (200 + 200 + 180) = 60/580
    # post = (8 + 6 + 18) / (200 + 190 + 200)   = 32/590
    r = evaluate(absence_folder, end="2023-07").measures["school_absence_change"]
    assert r.parts["pre_rate"] == pytest.approx(60 / 580)
    assert r.parts["post_rate"] == pytest.approx(32 / 590)
    assert r.parts.pre_numerator == 60
    assert r.parts.pre_denominator == 580
    assert r.parts.post_numerator == 32
    assert r.parts.post_denominator == 590
    # (32/590) / (60/580) − 1 = 18560/35400 − 1 ≈ −0.47571
    assert r.estimate == pytest.approx((32 / 590) / (60 / 580) - 1)
    assert r.estimate == pytest.approx(-0.475706, abs=1e-6)
    assert (r.n, r.n_families) == (3, 3)
    assert r.reason is None
    assert r.ci_low <= r.ci_high


def test_absence_change_with_followup_2021_22(absence_folder):
    # E = 2023-06: 2022/23 has not ended by 30 Jun 2023 → follow-up 2021/22.
    # C1: 10/200 → 30/190;  C2: 20/200 → 12/180;  C3: 30/180 → 15/200;  C5: 5/100 → 9/100
    # C4 still has no baseline row → excluded.
    # pre  = (10 + 20 + 30 + 5) / (200 + 200 + 180 + 100) = 65/680
    # post = (30 + 12 + 15 + 9) / (190 + 180 + 200 + 100) = 66/670
    r = evaluate(absence_folder, end="2023-06").measures["school_absence_change"]
    assert r.parts["pre_rate"] == pytest.approx(65 / 680)
    assert r.parts["post_rate"] == pytest.approx(66 / 670)
    # 66·680 / (670·65) − 1 = 44880/43550 − 1 ≈ 0.030540
    assert r.estimate == pytest.approx(44880 / 43550 - 1)
    assert r.n == 4


def test_absence_zero_baseline_rate_has_a_reason(tmp_path):
    # Both children had 0 days absent in their baseline year → relative change undefined.
    folder = write_extract(
        tmp_path,
        families=ABSENCE_FAMILIES,
        parents=ABSENCE_PARENTS,
        children=ABSENCE_CHILDREN,
        status=ABSENCE_STATUS,
        school_absence="""
            C1,2018/19,0,200
            C1,2022/23,8,200
            C2,2019/20,0,200
            C2,2022/23,6,190
        """,
    )
    r = evaluate(folder, end="2023-07").measures["school_absence_change"]
    assert math.isnan(r.estimate)
    assert "zero" in r.reason
    assert r.parts["pre_rate"] == 0
    assert r.parts["post_rate"] == pytest.approx(14 / 390)


def test_absence_not_given(tmp_path):
    folder = write_extract(
        tmp_path, families=ABSENCE_FAMILIES, parents=ABSENCE_PARENTS, children=ABSENCE_CHILDREN, status=ABSENCE_STATUS
    )
    r = evaluate(folder, end="2023-08").measures["school_absence_change"]
    assert math.isnan(r.estimate)
    assert math.isnan(r.ci_low)
    assert "not given" in r.reason


# -- youth jobs ---------------------------------------------------------------------------

# E = 2023-08 → follow-up window 2022-09 … 2023-08, ends in 2023: youths born 2006–2010.
# F1 m_f = 2021-03 → baseline window 2020-03 … 2021-02, ends in 2021: youths born 2004–2008.
# F2 m_f = 2021-01 → baseline window 2020-01 … 2020-12, ends in 2020: youths born 2003–2007.
# F3 m_f = 2022-06 → baseline window 2021-06 … 2022-05, ends in 2022: youths born 2005–2009.
YOUTH_FAMILIES = """
    F1,intervention,2021-03-15,,,
    F2,intervention,2021-01-10,,,
    F3,intervention,2022-06-20,,,
"""
YOUTH_PARENTS = """
    P1,F1,1975,F
    P2,F2,1976,F
    P3,F3,1977,M
"""
YOUTH_CHILDREN = """
    A1,F1,2008,F
    A2,F1,2006,M
    B1,F2,2003,F
    B2,F2,2008,M
    C1,F3,2010,F
    C2,F3,2005,M
    C3,F3,2007,F
"""
YOUTH_STATUS = ["P1,2023-08,job", "P2,2023-08,job", "P3,2023-08,job"]
YOUTH_JOBS = """
    A1,2020-05,1500
    A1,2022-08,2000
    A1,2023-01,0
    A2,2020-02,800
    A2,2021-03,900
    A2,2023-08,1200
    B1,2020-12,500
    B2,2020-06,700
    B2,2022-10,0
    B2,2022-10,300
    C1,2022-01,400
    C1,2023-06,300
    C2,2023-03,600
    C3,2021-06,100
    C3,2022-09,250
"""


@pytest.fixture(scope="module")
def youth_folder(tmp_path_factory):
    return write_extract(
        tmp_path_factory.mktemp("youth"),
        families=YOUTH_FAMILIES,
        parents=YOUTH_PARENTS,
        children=YOUTH_CHILDREN,
        status=YOUTH_STATUS,
        youth_jobs=YOUTH_JOBS,
    )


def test_youth_job_rate_change(youth_folder):
    # Baseline window (age in the year the window ends):
    #   A1 (2021 − 2008 = 13) youth, 2020-05 earnings 1500 → job
    #   A2 (2021 − 2006 = 15) youth, 2020-02 is before and 2021-03 (= m_f) after the window → no job
    #   B1 (2020 − 2003 = 17) youth (18 in the enrolment year 2021 — the window ends in 2020), 2020-12 → job
    #   B2 (2020 − 2008 = 12) not a youth (its 2020-06 job does not count)
    #   C1 (2022 − 2010 = 12) not a youth — ages IN: 13 at follow-up
    #   C2 (2022 − 2005 = 17) youth, no job in 2021-06 … 2022-05 → no job
    #   C3 (2022 − 2007 = 15) youth, 2021-06 (first month of the window) → job
    #   → 5 youths, 3 with a job: 3/5
    # Follow-up window 2022-09 … 2023-08 (age in 2023):
    #   A1 15: 2022-08 is before the window, 2023-01 has earnings 0 → no job
    #   A2 17: 2023-08 → job
    #   B1 20: out;  C2 18: out — ages OUT (its 2023-03 job does not count)
    #   B2 15: 2022-10 has two rows, 0 + 300 → job
    #   C1 13: 2023-06 → job
    #   C3 16: 2022-09 (first month of the window) → job
    #   → 5 youths, 4 with a job: 4/5
    # estimate = (4/5) / (3/5) − 1 = 1/3
    r = evaluate(youth_folder, end="2023-08").measures["youth_job_rate_change"]
    assert r.parts.pre_numerator == 3
    assert r.parts.pre_denominator == 5
    assert r.parts.post_numerator == 4
    assert r.parts.post_denominator == 5
    assert r.parts["pre_rate"] == pytest.approx(3 / 5)
    assert r.parts["post_rate"] == pytest.approx(4 / 5)
    assert r.estimate == pytest.approx(1 / 3)
    # youths in either window: A1, A2, B1, B2, C1, C2, C3 → 7, in 3 families
    assert (r.n, r.n_families) == (7, 3)
    assert r.reason is None


def test_youth_job_zero_baseline_rate_has_a_reason(tmp_path):
    # Same children; the only baseline-window row has earnings 0 (no job), so the
    # baseline rate is 0/5. Follow-up: A2 2023-08 → 1/5.
    folder = write_extract(
        tmp_path,
        families=YOUTH_FAMILIES,
        parents=YOUTH_PARENTS,
        children=YOUTH_CHILDREN,
        status=YOUTH_STATUS,
        youth_jobs="""
            A1,2020-05,0
            A2,2023-08,1200
        """,
    )
    r = evaluate(folder, end="2023-08").measures["youth_job_rate_change"]
    assert math.isnan(r.estimate)
    assert "zero" in r.reason
    assert r.parts["pre_rate"] == 0
    assert r.parts["post_rate"] == pytest.approx(1 / 5)


def test_youth_jobs_not_given(tmp_path):
    folder = write_extract(
        tmp_path, families=YOUTH_FAMILIES, parents=YOUTH_PARENTS, children=YOUTH_CHILDREN, status=YOUTH_STATUS
    )
    r = evaluate(folder, end="2023-08").measures["youth_job_rate_change"]
    assert math.isnan(r.estimate)
    assert "not given" in r.reason


# -- bootstrap ------------------------------------------------------------------------------


def test_bootstrap_is_reproducible_and_seeded(sample_extracts):
    def run(seed):
        ev = oe.evaluate(sample_extracts, config={"bootstrap_replicates": 300, "seed": seed})
        return ev.measures["school_absence_change"], ev.measures["youth_job_rate_change"]

    first, again, other = run(11), run(11), run(12)
    for a, b, c in zip(first, again, other, strict=True):
        assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
        assert (a.ci_low, a.ci_high) != (c.ci_low, c.ci_high)
        # the point estimate does not depend on the seed
        assert a.estimate == c.estimate


def _families(rng, n_families):
    # Known model: a family has 1–3 children with 180–200 school days each and a
    # family-level frailty u ~ Gamma(2, 1/2) (mean 1) shared by both periods;
    # days absent ~ Poisson(u · rate · school days). The population pooled rates
    # are 0.10 before and 0.075 after, so the true relative change is −0.25.
    kids = rng.integers(1, 4, n_families)
    pre_den = np.array([rng.integers(180, 201, k).sum() for k in kids], dtype=float)
    post_den = np.array([rng.integers(180, 201, k).sum() for k in kids], dtype=float)
    u = rng.gamma(2.0, 0.5, n_families)
    pre_num = rng.poisson(u * 0.10 * pre_den).astype(float)
    post_num = rng.poisson(u * 0.075 * post_den).astype(float)
    return post_num, post_den, pre_num, pre_den


def test_bootstrap_percentile_interval_covers_at_the_nominal_rate():
    truth = 0.075 / 0.10 - 1
    rng = np.random.default_rng(20240501)
    covered = 0
    simulations = 400  # percentile intervals from 40 families cover ~92–94 %; SE of the estimate ≈ 1.2 points
    for _ in range(simulations):
        data = _families(rng, 40)
        ci = bootstrap_ratio_change(*data, replicates=300, rng=rng)
        covered += ci.low <= truth <= ci.high
    coverage = covered / simulations
    assert 0.88 <= coverage <= 0.99


def test_bootstrap_same_seed_same_interval_other_seed_other_interval():
    data = _families(np.random.default_rng(5), 40)
    a = bootstrap_ratio_change(*data, replicates=300, rng=np.random.default_rng(1))
    b = bootstrap_ratio_change(*data, replicates=300, rng=np.random.default_rng(1))
    c = bootstrap_ratio_change(*data, replicates=300, rng=np.random.default_rng(2))
    assert (a.low, a.high) == (b.low, b.high)
    assert (a.low, a.high) != (c.low, c.high)
    assert a.replicates == 300


def test_bootstrap_of_identical_families_is_a_point():
    # Five identical families (pre 10/100, post 5/100): every resample has ratio
    # (5/100)/(10/100) − 1 = −0.5, so both percentiles are −0.5.
    five = np.ones(5)
    ci = bootstrap_ratio_change(5 * five, 100 * five, 10 * five, 100 * five, 500, np.random.default_rng(0))
    assert (ci.low, ci.high) == pytest.approx((-0.5, -0.5))
    assert ci.undefined == 0


def test_bootstrap_drops_replicates_with_a_zero_baseline():
    # Two families, one with a zero baseline numerator: a resample that draws it
    # twice (probability 1/4) has a zero baseline rate and is undefined.
    # The others are: both families → (10/200)/(10/200) − 1 = 0, or the second one
    # twice → (5/100)/(10/100) − 1 = −0.5.
    ci = bootstrap_ratio_change(
        np.array([5.0, 5.0]),
        np.array([100.0, 100.0]),
        np.array([0.0, 10.0]),
        np.array([100.0, 100.0]),
        4000,
        np.random.default_rng(3),
    )
    assert 0.22 <= ci.undefined / 4000 <= 0.28
    assert (ci.low, ci.high) == pytest.approx((-0.5, 0.0))


# -- survey -------------------------------------------------------------------------------

SURVEY_FAMILIES = """
    F1,intervention,2021-03-15,,,
    F2,intervention,2021-04-15,,,
    F3,intervention,2021-05-15,,,
    F4,control,2021-03-20,,,
"""
SURVEY_PARENTS = """
    P1,F1,1980,F
    P2,F1,1981,M
    P3,F2,1982,F
    P4,F2,1983,M
    P5,F3,1984,F
    P7,F3,1985,M
    P9,F4,1986,F
"""
SURVEY_ROWS = """
    P1,baseline,surplus,2
    P1,followup,surplus,4
    P2,baseline,surplus,3
    P2,followup,surplus,4
    P3,baseline,surplus,4
    P3,followup,surplus,1
    P4,baseline,surplus,5
    P5,baseline,surplus,1
    P5,followup,surplus,5
    P7,followup,surplus,1
    P1,baseline,trust,3
    P2,baseline,trust,4
    P9,baseline,surplus,2
    P9,followup,surplus,3
"""


def test_survey_paired_change_and_wilcoxon(tmp_path):
    folder = write_extract(
        tmp_path,
        families=SURVEY_FAMILIES,
        parents=SURVEY_PARENTS,
        status=[f"P{i},2023-08,job" for i in (1, 2, 3, 4, 5, 7, 9)],
        survey=SURVEY_ROWS,
    )
    ev = evaluate(folder, end="2023-08")
    r = ev.survey["surplus"]
    # Intervention parents answering both waves: P1 2→4, P2 3→4, P3 4→1, P5 1→5.
    # P4 (baseline only) and P7 (follow-up only) are left out.
    diffs = np.array([2.0, 1.0, -3.0, 4.0])
    assert r.n == 4
    assert r.n_families == 3  # F1 (P1, P2), F2 (P3), F3 (P5)
    assert r.parts["mean_baseline"] == pytest.approx((2 + 3 + 4 + 1) / 4)  # 2.5
    assert r.parts["mean_followup"] == pytest.approx((4 + 4 + 1 + 5) / 4)  # 3.5
    assert r.estimate == pytest.approx(1.0)  # (2 + 1 − 3 + 4) / 4
    # Signed ranks of |d| = 2, 1, 3, 4: W− = 3 (only −3). Exact null: subsets of
    # {1, 2, 3, 4} with rank sum ≤ 3 are {}, {1}, {2}, {3}, {1, 2} → 5/16; two-sided 10/16.
    assert r.parts["p_value"] == pytest.approx(stats.wilcoxon(diffs).pvalue)
    assert r.parts["p_value"] == pytest.approx(10 / 16)
    # t interval of the paired differences: sd² = (1 + 0 + 16 + 9) / 3 = 26/3
    half = stats.t.ppf(0.975, 3) * math.sqrt(26 / 3) / 2
    assert (r.ci_low, r.ci_high) == pytest.approx((1.0 - half, 1.0 + half))
    # trust: nobody answered both waves
    assert math.isnan(ev.survey["trust"].estimate)
    assert "both waves" in ev.survey["trust"].reason
    # control arm: P9 2→3 only
    ctl = ev.survey_by_arm["control"]["surplus"]
    assert (ctl.estimate, ctl.n) == (1.0, 1)


# -- the measures layer stays free of presentation libraries ------------------------------------


def test_measures_layer_does_not_import_presentation_libraries():
    code = (
        "import sys, opgang_eval, opgang_eval.evaluation\n"
        "print(','.join(m for m in ('matplotlib', 'jinja2', 'typst') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- the committed sample reproduces the published story -------------------------------------


@pytest.fixture(scope="module")
def sample_extracts():
    return load(SAMPLE)


@pytest.fixture(scope="module")
def sample(sample_extracts):
    return oe.evaluate(sample_extracts)


def test_sample_reproduces_the_published_headlines(sample):
    m = sample.measures
    assert m["parents_in_work_or_education"].estimate == pytest.approx(0.52, abs=0.011)
    assert m["flexjob_share_of_work_or_education"].estimate == pytest.approx(2 / 3, abs=0.015)
    assert m["early_retirement_share"].estimate == pytest.approx(0.21, abs=0.011)
    assert m["school_absence_change"].estimate == pytest.approx(-0.25, abs=0.02)
    assert m["youth_job_rate_change"].estimate == pytest.approx(0.66, abs=0.06)
    for measure in (
        "parents_in_work_or_education",
        "flexjob_share_of_work_or_education",
        "early_retirement_share",
        "school_absence_change",
        "youth_job_rate_change",
    ):
        r = m[measure]
        assert r.ci_low <= r.estimate <= r.ci_high, measure


def test_sample_effects_point_the_published_way(sample):
    e = sample.effects
    for measure in (
        "parents_in_work_or_education",
        "flexjob_share_of_work_or_education",
        "early_retirement_share",
        "youth_job_rate_change",
    ):
        assert e[measure].estimate > 0, measure
        assert e[measure].ci_low <= e[measure].estimate <= e[measure].ci_high, measure
    assert e["school_absence_change"].estimate < 0
    assert e["school_absence_change"].ci_low <= e["school_absence_change"].estimate
    assert e["school_absence_change"].estimate <= e["school_absence_change"].ci_high
