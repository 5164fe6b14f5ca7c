"""Descriptive tables (flow, baseline, transitions, trajectory) against hand counts.

Two intervention and two control families, every parent's monthly status
history written out as spells; E = 2023-08. The per-arm rates table and the
by-site table are checked in ``test_effects.py`` on the trial built there.
"""

from __future__ import annotations

import math
import statistics

import pytest

from handbuilt import evaluate, spell, write_extract
from opgang_eval.measures.descriptive import BENEFIT_STATUSES

FAMILIES = """
    F1,intervention,2021-03-15,Gellerup,,2022-06-30
    F2,intervention,2021-06-01,Gellerup,,
    F3,control,2021-04-10,Viby,,2023-09-15
    F4,control,2021-05-01,Viby,,
"""
# Everyone enrolled in 2021, so age = 2021 − birth_year.
PARENTS = """
    P1,F1,1985,F
    P2,F1,1980,M
    P3,F2,1990,K
    P4,F3,1975,F
    P5,F4,1988,M
    P6,F4,1990,
"""
CHILDREN = """
    C1,F1,2012,F
    C2,F1,2015,M
    C3,F2,2014,F
    C4,F4,2016,M
"""
# m_f: F1 2021-03, F2 2021-06, F3 2021-04, F4 2021-05.
STATUS = [
    # P1 (m_f 2021-03; 36-month window 2018-03 … 2021-02)
    *spell("P1", "2018-01", "2019-02", "cash_benefit"),  # 2018-01, 2018-02 outside the window
    *spell("P1", "2019-03", "2020-02", "job"),
    *spell("P1", "2020-03", "2021-02", "sickness_benefit"),
    *spell("P1", "2021-03", "2023-08", "job"),
    # P2 (m_f 2021-03; window 2018-03 … 2021-02); no row in E
    *spell("P2", "2018-03", "2018-12", "other"),
    *spell("P2", "2019-01", "2021-03", "unemployment_benefit"),
    *spell("P2", "2021-04", "2023-07", "education"),
    # P3 (m_f 2021-06; window 2018-06 … 2021-05)
    *spell("P3", "2018-06", "2019-05", "education"),
    *spell("P3", "2019-06", "2021-06", "sickness_benefit"),  # 2021-06 = m_f, outside the window
    *spell("P3", "2021-07", "2023-08", "job"),
    # P4 (m_f 2021-04; window 2018-04 … 2021-03)
    *spell("P4", "2018-04", "2023-08", "early_retirement"),
    # P5 (m_f 2021-05; window 2018-05 … 2021-04)
    *spell("P5", "2020-05", "2023-08", "job"),
    # P6 (m_f 2021-05; window 2018-05 … 2021-04)
    *spell("P6", "2019-05", "2021-04", "job_clarification"),
    *spell("P6", "2021-05", "2023-08", "cash_benefit"),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_extract(
        tmp_path_factory.mktemp("descriptive"), families=FAMILIES, parents=PARENTS, children=CHILDREN, status=STATUS
    )


@pytest.fixture(scope="module")
def ev(folder):
    return evaluate(folder, end="2023-08")


def _smd(a: list[float], b: list[float]) -> float:
    """Standardised mean difference with pooled SD sqrt((var₁ + var₂) / 2), sample variances."""
    return (statistics.mean(a) - statistics.mean(b)) / math.sqrt((statistics.variance(a) + statistics.variance(b)) / 2)


def test_flow_counts(ev):
    flow = ev.tables["flow"].set_index(["arm", "step"])["n"]
    # intervention: F1, F2; P1, P2, P3; C1, C2, C3; F1 exited 2022-06-30 (before the end of E);
    #   status in 2023-08: P1 job, P3 job (P2's last row is 2023-07) → 2
    assert flow["intervention", "families_enrolled"] == 2
    assert flow["intervention", "parents_enrolled"] == 3
    assert flow["intervention", "children_enrolled"] == 3
    assert flow["intervention", "families_exited_before_end"] == 1
    assert flow["intervention", "parents_with_status_in_end"] == 2
    assert flow["intervention", "analysed:parents_in_work_or_education"] == 2
    # control: F3, F4; P4, P5, P6; C4; F3 exits 2023-09-15, after E → 0 exited; status in E: 3
    assert flow["control", "families_enrolled"] == 2
    assert flow["control", "parents_enrolled"] == 3
    assert flow["control", "children_enrolled"] == 1
    assert flow["control", "families_exited_before_end"] == 0
    assert flow["control", "parents_with_status_in_end"] == 3
    assert flow["control", "analysed:parents_in_work_or_education"] == 3


def test_flow_follows_an_earlier_end(folder):
    # E = 2022-05: F1's exit (2022-06-30) is after E → 0 exited; every parent has a row in 2022-05.
    flow = evaluate(folder, end="2022-05").tables["flow"].set_index(["arm", "step"])["n"]
    assert flow["intervention", "families_exited_before_end"] == 0
    assert flow["intervention", "parents_with_status_in_end"] == 3


def test_benefit_statuses_are_the_public_transfers():
    assert set(BENEFIT_STATUSES) == {
        "cash_benefit",
        "unemployment_benefit",
        "sickness_benefit",
        "resource_course",
        "job_clarification",
        "flexjob_waiting",
        "early_retirement",
    }


def test_baseline_age_and_sex(ev):
    t = ev.tables["baseline"].set_index("variable")
    # age in 2021: intervention P1 36, P2 41, P3 31; control P4 46, P5 33, P6 31
    age_i, age_c = [36, 41, 31], [46, 33, 31]
    assert t.loc["age", "intervention"] == pytest.approx(36.0)
    assert t.loc["age", "control"] == pytest.approx(110 / 3)
    # var_I = (0 + 25 + 25)/2 = 25; var_C = 398/6 = 199/3; SMD = (−2/3) / sqrt(137/3) ≈ −0.098653
    assert t.loc["age", "smd"] == pytest.approx(_smd(age_i, age_c))
    assert t.loc["age", "smd"] == pytest.approx(-0.098653, abs=1e-6)
    assert (t.loc["age", "n_intervention"], t.loc["age", "n_control"]) == (3, 3)
    # female among parents with a known sex: intervention P1 F, P2 M, P3 K (Danish "kvinde") → 2/3;
    # control P4 F, P5 M (P6 unknown) → 1/2
    assert t.loc["female", "intervention"] == pytest.approx(2 / 3)
    assert t.loc["female", "control"] == pytest.approx(1 / 2)
    assert (t.loc["female", "n_intervention"], t.loc["female", "n_control"]) == (3, 2)
    assert (t.loc["female", "count_intervention"], t.loc["female", "count_control"]) == (2, 1)
    # binary SMD with p(1 − p) variances: (1/6) / sqrt((2/9 + 1/4) / 2) = (1/6) / sqrt(17/72) ≈ 0.3430
    assert t.loc["female", "smd"] == pytest.approx((1 / 6) / math.sqrt(17 / 72))


def test_baseline_months_on_benefits(ev):
    t = ev.tables["baseline"].set_index("variable")
    # months with a benefit status in m_f − 36 … m_f − 1:
    #   P1: cash 2018-03 … 2019-02 (12) + sickness 2020-03 … 2021-02 (12) = 24 (job and 2018-01/02 not counted)
    #   P2: unemployment 2019-01 … 2021-02 = 26 ("other" 2018-03 … 2018-12 is not a benefit; 2021-03 = m_f)
    #   P3: sickness 2019-06 … 2021-05 = 24 (education not counted; 2021-06 = m_f)
    #   P4: early retirement 2018-04 … 2021-03 = 36
    #   P5: job only → 0
    #   P6: job clarification 2019-05 … 2021-04 = 24
    months_i, months_c = [24, 26, 24], [36, 0, 24]
    assert t.loc["months_on_benefits_36m", "intervention"] == pytest.approx(74 / 3)
    assert t.loc["months_on_benefits_36m", "control"] == pytest.approx(20.0)
    # var_I = 8/3 / 2 = 4/3; var_C = 672 / 2 = 336; SMD = (14/3) / sqrt(506/3) ≈ 0.35933
    assert t.loc["months_on_benefits_36m", "smd"] == pytest.approx(_smd(months_i, months_c))
    assert t.loc["months_on_benefits_36m", "smd"] == pytest.approx(0.35933, abs=1e-5)


def test_baseline_family_composition_and_status(ev):
    t = ev.tables["baseline"].set_index("variable")
    # children per family: I F1 2, F2 1 → 1.5; C F3 0, F4 1 → 0.5
    assert t.loc["children_per_family", "intervention"] == pytest.approx(1.5)
    assert t.loc["children_per_family", "control"] == pytest.approx(0.5)
    # parents per family: I 2, 1; C 1, 2 → both 1.5, SMD 0
    assert t.loc["parents_per_family", "intervention"] == pytest.approx(1.5)
    assert t.loc["parents_per_family", "smd"] == pytest.approx(0.0)
    # status in m_f − 1: I P1 sickness, P2 unemployment, P3 sickness; C P4 ER, P5 job, P6 job clarification
    assert t.loc["baseline_status:sickness_benefit", "intervention"] == pytest.approx(2 / 3)
    assert t.loc["baseline_status:sickness_benefit", "count_intervention"] == 2
    assert t.loc["baseline_status:sickness_benefit", "control"] == 0
    assert t.loc["baseline_status:job", "control"] == pytest.approx(1 / 3)
    # statuses nobody had in m_f − 1 get no row
    assert "baseline_status:flexjob" not in t.index
    assert "baseline_status:education" not in t.index


def test_transition_counts(ev):
    t = ev.tables["transitions"]
    got = {(r.arm, r.from_status, r.to_status): r.n for r in t.itertuples()}
    # status in m_f − 1 → status in E (no_status when there is no row)
    assert got == {
        ("intervention", "sickness_benefit", "job"): 2,  # P1, P3
        ("intervention", "unemployment_benefit", "no_status"): 1,  # P2
        ("control", "early_retirement", "early_retirement"): 1,  # P4
        ("control", "job", "job"): 1,  # P5
        ("control", "job_clarification", "cash_benefit"): 1,  # P6
    }


def test_trajectory(ev):
    t = ev.tables["trajectory"].set_index(["arm", "k"])

    def point(arm, k):
        row = t.loc[(arm, k)]
        return int(row["n"]), int(row["work"]), float(row["share"])

    # k = months since enrolment; parents with a status in that month.
    # intervention k = −36: P1 2018-03 cash, P2 2018-03 other, P3 2018-06 education → 1/3
    assert point("intervention", -36) == (3, 1, pytest.approx(1 / 3))
    # k = −1: P1 sickness, P2 unemployment, P3 sickness → 0/3
    assert point("intervention", -1) == (3, 0, 0.0)
    # k = 0: P1 2021-03 job; P2 2021-03 unemployment; P3 2021-06 sickness → 1/3
    assert point("intervention", 0) == (3, 1, pytest.approx(1 / 3))
    # k = 1: P1 job, P2 2021-04 education, P3 2021-07 job → 3/3
    assert point("intervention", 1) == (3, 3, 1.0)
    # k = 27: P1 2023-06 job, P2 2023-06 education; P3 would be 2023-09 > E → 2/2
    assert point("intervention", 27) == (2, 2, 1.0)
    # k = 29: P1 2023-08 only
    assert point("intervention", 29) == (1, 1, 1.0)
    ks = t.loc["intervention"].index
    assert (ks.min(), ks.max()) == (-36, 29)  # P1's 2018-01/02 rows (k = −38, −37) are left out
    # control k = −12: P4 2020-04 ER, P5 2020-05 job, P6 2020-05 job clarification → 1/3
    assert point("control", -12) == (3, 1, pytest.approx(1 / 3))
    # control k = −36: only P4 (ER) has a row → 0/1
    assert point("control", -36) == (1, 0, 0.0)


def test_trajectory_points_carry_their_families(ev):
    t = ev.tables["trajectory"].set_index(["arm", "k"])["families"]
    # intervention k = −36: P1, P2 (F1) and P3 (F2) → 2 families; k = 27: P1, P2 → F1 only; k = 29: P1 → F1
    assert (t[("intervention", -36)], t[("intervention", 27)], t[("intervention", 29)]) == (2, 1, 1)
    # control k = −12: P4 (F3), P5 and P6 (F4) → 2 families; k = −36: P4 only → 1
    assert (t[("control", -12)], t[("control", -36)]) == (2, 1)


def test_trajectory_stops_at_e(folder):
    t = evaluate(folder, end="2023-06").tables["trajectory"]
    # With E = 2023-06 the last intervention point is P1's 2023-06: k = 27
    assert t.loc[t["arm"] == "intervention", "k"].max() == 27
