"""Savings per family and its cost account against hand-computed values (contract section 3).

Every table is written as CSV text in the test and every expected number is
worked out by hand in a comment from that text. Discount factors are written
out as ``d_k = 1.035 ** (-k / 12)``:

    d0 = 1
    d1 = 0.997137320   (1.035 ** (-1/12))
    d2 = 0.994282834   (1.035 ** (-2/12))
    d3 = 0.991436521   (1.035 ** (-3/12))

No expected value comes from calling opgang-eval a second way.
"""

from __future__ import annotations

import csv
import math
import textwrap
from pathlib import Path

import pytest

import opgang_eval as oe
from handbuilt import evaluate, load, spell, write_extract
from opgang_eval.cli import main

SAMPLE = Path(__file__).parents[1] / "data" / "sample"
DEFAULT_UNIT_COSTS = Path(oe.__file__).parent / "data" / "unit_costs.csv"

EXPENDITURE = "family_id,month,domain,amount_dkk"
UNIT_COSTS = "status,monthly_cost_dkk,price_year"

#: No price conversion: every year the tests use has the same index.
FLAT_INDEX = {"2014": 100.0, "2015": 100.0, "2021": 100.0, "2022": 100.0, "2023": 100.0, "2024": 100.0}

SAVINGS = "savings_per_family"


def d(k: int) -> float:
    """Discount factor of month k after enrolment at 3.5 % a year."""
    return 1.035 ** (-k / 12)


def write_table(folder: Path, name: str, header: str, body: str) -> None:
    lines = [line.strip() for line in textwrap.dedent(body).strip().splitlines() if line.strip()]
    (folder / f"{name}.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")


def by_key(table, key: str) -> dict:
    """Rows of a breakdown table keyed by ``key`` (domain or year)."""
    return {row[key]: row for row in table.to_dict("records")}


def account_value(ev: oe.Evaluation, item: str):
    """An item of the cost account: text items from the typed account, numbers from its tidy table too."""
    value = getattr(ev.savings.account, item)
    if not isinstance(value, str):
        table = ev.tables["cost_account"]
        assert table.loc[table["item"] == item, "value"].tolist() == [value], item
    return value


def sensitivity_rows(ev: oe.Evaluation, what: str) -> dict[float, dict]:
    table = ev.tables["savings_sensitivity"]
    rows = table[table["input"] == what].to_dict("records")
    return {round(float(r["setting"]), 6): r for r in rows}


# -- expenditure path with a control arm -------------------------------------------------

# E = 2023-02: the latest month in parent_status.
# Enrolment months: I1 2022-03, I2 2022-06, C1 2022-02, C2 2022-05, C3 2022-04.
EXP_FAMILIES = """
    I1,intervention,2022-03-10,Gellerup,,
    I2,intervention,2022-06-01,Viby,,
    C1,control,2022-02-15,Gellerup,,
    C2,control,2022-05-20,Viby,,
    C3,control,2022-04-01,Viby,,
"""
EXP_PARENTS = """
    PI1,I1,1985,F
    PI2,I2,1980,M
    PC1,C1,1979,F
    PC2,C2,1990,M
    PC3,C3,1988,F
"""
EXP_STATUS = """
    PI1,2023-02,job
    PI2,2023-02,job
    PC1,2023-02,job
    PC2,2023-02,job
    PC3,2023-02,job
"""
EXP_ROWS = """
    I1,2022-02,employment,5000
    I1,2022-03,employment,1000
    I1,2022-12,social,2000
    I1,2023-01,health,500
    I1,2023-02,social,-300
    I1,2023-03,employment,9999
    I2,2022-05,social,7000
    I2,2022-06,social,1500
    I2,2022-06,employment,200
    I2,2023-02,employment,800
    C1,2022-01,employment,4000
    C1,2022-02,employment,3000
    C1,2022-10,social,2500
    C1,2023-02,health,1000
    C1,2023-04,social,8888
    C2,2022-05,social,1200
    C2,2022-11,education,400
    C2,2023-01,social,-100
    C2,2023-01,employment,2500
"""
# Family costs over m_f … E (rows before m_f or after E in brackets do not count):
#   I1: [2022-02 5000] + 1000 + 2000 + 500 − 300 (refund) [+ 2023-03 9999]  = 3200
#   I2: [2022-05 7000, before I2's own m_f] + 1500 + 200 + 800              = 2500
#   C1: [2022-01 4000] + 3000 + 2500 + 1000 [+ 2023-04 8888]               = 6500
#   C2: 1200 + 400 − 100 + 2500                                             = 4000
#   C3: no rows                                                             = 0
# mean intervention = (3200 + 2500) / 2 = 2850
# mean control      = (6500 + 4000 + 0) / 3 = 3500
# savings           = 3500 − 2850 = 650


@pytest.fixture(scope="module")
def exp_folder(tmp_path_factory):
    folder = write_extract(
        tmp_path_factory.mktemp("expenditure"), families=EXP_FAMILIES, parents=EXP_PARENTS, status=EXP_STATUS
    )
    write_table(folder, "expenditure", EXPENDITURE, EXP_ROWS)
    return folder


@pytest.fixture(scope="module")
def exp_eval(exp_folder):
    # programme 2000 DKK over 2 intervention families = 1000 per family
    return evaluate(exp_folder, price_index=FLAT_INDEX, programme_cost_dkk=2000)


def test_expenditure_with_control_estimate_and_mean_costs(exp_eval):
    ev = exp_eval
    assert str(ev.end) == "2023-02"
    m = ev.measures[SAVINGS]
    assert m.reason is None
    assert m.estimate == pytest.approx(650.0)
    assert m.parts["mean_cost_reference"] == pytest.approx(3500.0)
    assert m.parts["mean_cost_intervention"] == pytest.approx(2850.0)
    assert m.parts["families_intervention"] == 2
    assert m.parts.families_reference == 3
    assert m.parts["price_year"] == 2023  # year of E
    assert m.n == 5
    effect = ev.effects[SAVINGS]
    assert effect.reason is None
    assert effect.estimate == pytest.approx(650.0)
    assert account_value(ev, "design") == "randomised"
    assert account_value(ev, "cost_basis") == "expenditure"
    assert account_value(ev, "gross_savings_per_family") == pytest.approx(650.0)


def test_expenditure_by_domain(exp_eval):
    # Intervention (÷ 2 families):
    #   employment I1 1000 + I2 (200 + 800) = 2000 → 1000
    #   social     I1 (2000 − 300) + I2 1500 = 3200 → 1600
    #   health     I1 500                    →  250
    #   education  none                      →    0
    # Control (÷ 3 families, C3 included with zero):
    #   employment C1 3000 + C2 2500 = 5500 → 1833.33
    #   social     C1 2500 + C2 (1200 − 100) = 3600 → 1200
    #   health     C1 1000 → 333.33
    #   education  C2 400  → 133.33
    domains = by_key(exp_eval.tables["savings_by_domain"], "domain")
    expected = {
        "employment": (5500 / 3, 1000.0),
        "social": (1200.0, 1600.0),
        "health": (1000 / 3, 250.0),
        "education": (400 / 3, 0.0),
    }
    assert set(domains) == set(expected)
    for domain, (reference, intervention) in expected.items():
        row = domains[domain]
        assert row["reference"] == pytest.approx(reference), domain
        assert row["intervention"] == pytest.approx(intervention), domain
        assert row["savings"] == pytest.approx(reference - intervention), domain
    # savings: 833.33 − 400 + 83.33 + 133.33 = 650
    assert sum(r["savings"] for r in domains.values()) == pytest.approx(650.0)


def test_breakdowns_carry_the_families_behind_each_row(exp_eval):
    # Denominators: 3 control and 2 intervention families in every row. Families with a non-zero amount:
    #   employment: I1 1000, I2 200 + 800 | C1 3000, C2 2500        → 2 | 2
    #   social:     I1 2000 − 300, I2 1500 | C1 2500, C2 1200 − 100 → 2 | 2
    #   health:     I1 500 | C1 1000                                → 1 | 1
    #   education:  none | C2 400                                   → 0 | 1
    #   2022: I1 3000, I2 1700 | C1 5500, C2 1600; 2023: I1 200, I2 800 | C1 1000, C2 2400 → 2 | 2 each
    domains = by_key(exp_eval.tables["savings_by_domain"], "domain")
    expected = {"employment": (2, 2), "social": (2, 2), "health": (1, 1), "education": (0, 1)}
    for domain, (itv, ctl) in expected.items():
        row = domains[domain]
        assert (row["families_intervention"], row["families_reference"]) == (2, 3), domain
        assert (row["contributors_intervention"], row["contributors_reference"]) == (itv, ctl), domain
    years = by_key(exp_eval.tables["savings_by_year"], "year")
    for year in (2022, 2023):
        assert (years[year]["contributors_intervention"], years[year]["contributors_reference"]) == (2, 2)


def test_breakdowns_carry_the_share_of_the_two_largest_families(tmp_path):
    # Every family enrols in 2022-03 and every cost row is in 2022-06, so one discount
    # factor scales all amounts and cancels in the shares. Absolute family sums per row:
    #   social    control C1 6000, C2 3000, C3 1000        → (6000 + 3000) / 10000 = 0.9
    #   health    control C1 1500, C2 2000, C3 |−500| = 500 → (2000 + 1500) / 4000 = 0.875
    #   social    intervention I1 100, I2 300              → two families: 1.0
    #   health    intervention none                        → 0 (nothing to dominate)
    #   2022      control C1 7500, C2 5000, C3 |1000 − 500| = 500 → 12500 / 13000
    #   2022      intervention I1 100, I2 300              → 1.0
    families = """
        I1,intervention,2022-03-01,Gellerup,,
        I2,intervention,2022-03-01,Gellerup,,
        C1,control,2022-03-01,Gellerup,,
        C2,control,2022-03-01,Gellerup,,
        C3,control,2022-03-01,Gellerup,,
    """
    parents = "\n".join(f"P{f},{f},1985,F" for f in ("I1", "I2", "C1", "C2", "C3"))
    status = "\n".join(f"P{f},2023-02,job" for f in ("I1", "I2", "C1", "C2", "C3"))
    folder = write_extract(tmp_path, families=families, parents=parents, status=status)
    write_table(
        folder,
        "expenditure",
        EXPENDITURE,
        """
        C1,2022-06,social,6000
        C2,2022-06,social,3000
        C3,2022-06,social,1000
        C1,2022-06,health,1500
        C2,2022-06,health,2000
        C3,2022-06,health,-500
        I1,2022-06,social,100
        I2,2022-06,social,300
        """,
    )
    ev = evaluate(folder, price_index=FLAT_INDEX, programme_cost_dkk=0)
    domains = by_key(ev.tables["savings_by_domain"], "domain")
    assert domains["social"]["dominance_reference"] == pytest.approx(0.9)
    assert domains["health"]["dominance_reference"] == pytest.approx(0.875)
    assert domains["social"]["dominance_intervention"] == pytest.approx(1.0)
    assert domains["health"]["dominance_intervention"] == 0.0
    assert (domains["health"]["contributors_reference"], domains["health"]["contributors_intervention"]) == (3, 0)
    years = by_key(ev.tables["savings_by_year"], "year")
    assert years[2022]["dominance_reference"] == pytest.approx(12500 / 13000)
    assert years[2022]["dominance_intervention"] == pytest.approx(1.0)


def test_sensitivity_rows_carry_the_families_they_rest_on(exp_eval):
    # E − 12 = 2022-02: only C1 (enrolled 2022-02) is enrolled by then, no intervention family.
    horizon = sensitivity_rows(exp_eval, "horizon")
    assert (horizon[-12.0]["families_intervention"], horizon[-12.0]["families_reference"]) == (0, 1)
    for what in ("expenditure", "discount rate", "programme cost"):
        for row in sensitivity_rows(exp_eval, what).values():
            assert (row["families_intervention"], row["families_reference"]) == (2, 3), what
    assert (horizon[12.0]["families_intervention"], horizon[12.0]["families_reference"]) == (2, 3)


def test_expenditure_by_calendar_year(exp_eval):
    # Intervention (÷ 2): 2022: I1 1000 + 2000, I2 1500 + 200 = 4700 → 2350
    #                     2023: I1 500 − 300, I2 800        = 1000 →  500
    # Control (÷ 3):      2022: C1 3000 + 2500, C2 1200 + 400 = 7100 → 2366.67
    #                     2023: C1 1000, C2 −100 + 2500      = 3400 → 1133.33
    years = by_key(exp_eval.tables["savings_by_year"], "year")
    assert set(years) == {2022, 2023}
    assert years[2022]["intervention"] == pytest.approx(2350.0)
    assert years[2023]["intervention"] == pytest.approx(500.0)
    assert years[2022]["reference"] == pytest.approx(7100 / 3)
    assert years[2023]["reference"] == pytest.approx(3400 / 3)
    assert years[2022]["savings"] == pytest.approx(7100 / 3 - 2350)  # 16.67
    assert years[2023]["savings"] == pytest.approx(3400 / 3 - 500)  # 633.33


def test_programme_cost_negative_net_is_not_clipped(exp_eval):
    # programme per family = 2000 / 2 = 1000; net = 650 − 1000 = −350; total −350 × 2 = −700;
    # benefit-cost ratio = 650 / 1000 = 0.65
    parts = exp_eval.measures[SAVINGS].parts
    assert parts["programme_cost_per_family"] == pytest.approx(1000.0)
    assert parts["net_per_family"] == pytest.approx(-350.0)
    assert parts["net_total"] == pytest.approx(-700.0)
    assert parts["benefit_cost_ratio"] == pytest.approx(0.65)
    assert account_value(exp_eval, "programme_cost_total") == pytest.approx(2000.0)
    assert account_value(exp_eval, "net_per_family") == pytest.approx(-350.0)
    assert account_value(exp_eval, "net_total") == pytest.approx(-700.0)


def test_last_year_savings_and_no_break_even(exp_eval):
    # Last year = calendar months E−11 … E = 2022-03 … 2023-02, undiscounted, inside each window:
    #   intervention: I1 1000 + 2000 + 500 − 300 = 3200, I2 2500 → 5700 / 2 = 2850
    #   control: C1 2500 + 1000 = 3500 (its 2022-02 row is before 2022-03), C2 4000, C3 0 → 7500 / 3 = 2500
    #   last-year savings = 2500 − 2850 = −350 a year per family
    parts = exp_eval.measures[SAVINGS].parts
    assert parts["last_year_savings_per_family"] == pytest.approx(-350.0)
    # gross 650 < programme 1000 per family and the savings are shrinking: never breaks even
    assert math.isnan(parts["break_even_years"])


def test_expenditure_sensitivity_rows(exp_eval):
    sens = exp_eval.tables["savings_sensitivity"]
    assert sens["base_net_per_family"].tolist() == pytest.approx([-350.0] * len(sens))
    costs = sensitivity_rows(exp_eval, "expenditure")
    # ±20 % on every amount: 0.8 × 650 = 520, 1.2 × 650 = 780; net = those − 1000
    assert costs[-0.2]["savings_per_family"] == pytest.approx(520.0)
    assert costs[0.2]["savings_per_family"] == pytest.approx(780.0)
    assert costs[-0.2]["net_per_family"] == pytest.approx(-480.0)
    assert costs[0.2]["net_per_family"] == pytest.approx(-220.0)
    programme = sensitivity_rows(exp_eval, "programme cost")
    # 650 − 0.8 × 1000 = −150; 650 − 1.2 × 1000 = −550
    assert programme[-0.2]["net_per_family"] == pytest.approx(-150.0)
    assert programme[0.2]["net_per_family"] == pytest.approx(-550.0)


def test_bootstrap_interval_contains_estimate_and_is_reproducible(exp_folder):
    first = evaluate(exp_folder, price_index=FLAT_INDEX, seed=7).measures[SAVINGS]
    again = evaluate(exp_folder, price_index=FLAT_INDEX, seed=7).measures[SAVINGS]
    assert (first.ci_low, first.ci_high) == (again.ci_low, again.ci_high)
    assert first.ci_low <= 650.0 <= first.ci_high
    assert first.ci_low < first.ci_high
    # Any resample's difference lies between min(control) − max(intervention) = 0 − 3200
    # and max(control) − min(intervention) = 6500 − 2500.
    assert first.ci_low >= -3200.0
    assert first.ci_high <= 4000.0


# -- price conversion ------------------------------------------------------------------------

PRICE_FAMILIES = """
    I1,intervention,2022-11-03,Gellerup,,
    C1,control,2022-11-20,Gellerup,,
"""
PRICE_PARENTS = """
    PI1,I1,1985,F
    PC1,C1,1982,M
"""
PRICE_STATUS = """
    PI1,2023-02,job
    PC1,2023-02,job
"""
PRICE_ROWS = """
    I1,2022-12,employment,1000
    I1,2023-01,employment,500
    C1,2022-11,social,2000
    C1,2023-02,social,1000
"""


def test_expenditure_is_converted_to_the_price_year(tmp_path):
    folder = write_extract(tmp_path, families=PRICE_FAMILIES, parents=PRICE_PARENTS, status=PRICE_STATUS)
    write_table(folder, "expenditure", EXPENDITURE, PRICE_ROWS)
    index = {"2022": 100.0, "2023": 110.0}
    # price year 2023: 2022 amounts × 110/100, 2023 amounts × 1
    #   I1 = 1000 × 1.1 + 500 = 1600;  C1 = 2000 × 1.1 + 1000 = 3200;  savings = 1600
    ev = evaluate(folder, price_index=index, price_year=2023)
    m = ev.measures[SAVINGS]
    assert m.parts["price_year"] == 2023
    assert m.parts["mean_cost_intervention"] == pytest.approx(1600.0)
    assert m.parts["mean_cost_reference"] == pytest.approx(3200.0)
    assert m.estimate == pytest.approx(1600.0)
    years = by_key(ev.tables["savings_by_year"], "year")
    assert years[2022]["reference"] == pytest.approx(2200.0)
    assert years[2022]["intervention"] == pytest.approx(1100.0)
    assert years[2023]["reference"] == pytest.approx(1000.0)
    assert years[2023]["intervention"] == pytest.approx(500.0)
    # E is in 2023, so 2023 is also the default price year
    assert evaluate(folder, price_index=index).measures[SAVINGS].estimate == pytest.approx(1600.0)
    # price year 2022: 2023 amounts × 100/110
    #   I1 = 1000 + 500/1.1 = 1454.55;  C1 = 2000 + 1000/1.1 = 2909.09;  savings = 1000 + 500/1.1
    m22 = evaluate(folder, price_index=index, price_year=2022).measures[SAVINGS]
    assert m22.parts["price_year"] == 2022
    assert m22.parts["mean_cost_intervention"] == pytest.approx(1000 + 500 / 1.1)
    assert m22.parts["mean_cost_reference"] == pytest.approx(2000 + 1000 / 1.1)
    assert m22.estimate == pytest.approx(1000 + 500 / 1.1)


# -- unit-cost path ----------------------------------------------------------------------------

UC_TABLE = """
    job,0,2023
    education,5000,2023
    flexjob,8000,2023
    cash_benefit,10000,2023
"""

# E = 2023-04. Enrolment months: I1 2023-01, I2 2023-02, C1 2023-01, C2 2023-03.
UC_FAMILIES = """
    I1,intervention,2023-01-05,Gellerup,,
    I2,intervention,2023-02-10,Gellerup,,
    C1,control,2023-01-20,Viby,,
    C2,control,2023-03-01,Viby,,
"""
UC_PARENTS = """
    A1,I1,1985,F
    A2,I1,1983,M
    B1,I2,1990,F
    K1,C1,1978,F
    K2,C1,1976,M
    L1,C2,1988,F
    L2,C2,1987,M
"""


def uc_status() -> list[str]:
    return [
        *spell("A1", "2022-12", "2023-04", "cash_benefit"),
        *spell("A2", "2023-01", "2023-02", "education"),
        *spell("A2", "2023-03", "2023-04", "job"),
        *spell("B1", "2023-01", "2023-03", "cash_benefit"),
        *spell("B1", "2023-04", "2023-04", "flexjob"),
        *spell("K1", "2023-01", "2023-04", "cash_benefit"),
        *spell("K2", "2023-01", "2023-04", "education"),
        *spell("L1", "2023-02", "2023-04", "cash_benefit"),
        *spell("L2", "2023-03", "2023-04", "flexjob"),
    ]


# Costs over m_f … E with cash 10000, education 5000, flexjob 8000, job 0:
#   I1 (m_f 2023-01): A1 cash 2023-01…04 = 4 × 10000 [2022-12 before m_f] + A2 education 2 × 5000 = 50000
#   I2 (m_f 2023-02): B1 cash 2023-02…03 = 20000 [2023-01 before m_f] + flexjob 2023-04 8000   = 28000
#   C1 (m_f 2023-01): K1 cash 4 × 10000 + K2 education 4 × 5000                                = 60000
#   C2 (m_f 2023-03): L1 cash 2023-03…04 = 20000 [2023-02 before m_f] + L2 flexjob 2 × 8000    = 36000
# mean intervention = 39000; mean control = 48000; savings = 9000.
#
# Discounted at 3.5 % from each family's m_f (k = months since m_f), S4 = d0 + d1 + d2 + d3:
#   I1 = 10000 S4 + 5000 (d0 + d1);   I2 = 10000 (d0 + d1) + 8000 d2
#   C1 = 15000 S4;                    C2 = 18000 (d0 + d1)
#   savings = [5000 S4 + 3000 (d0 + d1) − 8000 d2] / 2 = 4000 + 4000 d1 − 1500 d2 + 2500 d3
#           = 4000 + 3988.549 − 1491.424 + 2478.591 = 8975.716
UC_DISCOUNTED = 4000 + 4000 * d(1) - 1500 * d(2) + 2500 * d(3)


@pytest.fixture(scope="module")
def uc_folder(tmp_path_factory):
    folder = write_extract(
        tmp_path_factory.mktemp("unit_costs"), families=UC_FAMILIES, parents=UC_PARENTS, status=uc_status()
    )
    write_table(folder, "unit_costs", UNIT_COSTS, UC_TABLE)
    return folder


@pytest.fixture(scope="module")
def uc_eval(uc_folder):
    # programme 10000 over 2 intervention families = 5000 per family
    return evaluate(uc_folder, programme_cost_dkk=10000)


def test_unit_costs_with_control(uc_eval):
    ev = uc_eval
    assert str(ev.end) == "2023-04"
    assert abs(UC_DISCOUNTED - 8975.716) < 1e-3
    m = ev.measures[SAVINGS]
    assert m.estimate == pytest.approx(9000.0)
    assert m.parts["mean_cost_intervention"] == pytest.approx(39000.0)
    assert m.parts["mean_cost_reference"] == pytest.approx(48000.0)
    assert m.parts["price_year"] == 2023  # the table's own price year
    assert ev.effects[SAVINGS].estimate == pytest.approx(9000.0)
    assert account_value(ev, "cost_basis") == "unit_costs"
    domains = by_key(ev.tables["savings_by_domain"], "domain")
    assert set(domains) == {"employment"}  # status costs are all employment-side transfers
    assert domains["employment"]["savings"] == pytest.approx(9000.0)
    years = by_key(ev.tables["savings_by_year"], "year")
    assert set(years) == {2023}
    assert years[2023]["reference"] == pytest.approx(48000.0)
    assert years[2023]["intervention"] == pytest.approx(39000.0)


def test_unit_costs_programme_cost_positive_net(uc_eval):
    # per family 10000 / 2 = 5000; net 9000 − 5000 = 4000; total 8000; ratio 9000 / 5000 = 1.8
    parts = uc_eval.measures[SAVINGS].parts
    assert parts["programme_cost_per_family"] == pytest.approx(5000.0)
    assert parts["net_per_family"] == pytest.approx(4000.0)
    assert parts["net_total"] == pytest.approx(8000.0)
    assert parts["benefit_cost_ratio"] == pytest.approx(1.8)
    # Savings by month since enrolment: k = 0: control (15000 + 18000)/2 = 16500 − intervention
    # (15000 + 10000)/2 = 12500 → 4000; k = 1: the same 4000 → cumulative 8000 ≥ 5000 first at k = 1,
    # so the programme is paid back after (1 + 1) / 12 years.
    assert parts["break_even_years"] == pytest.approx(2 / 12)


def test_unit_costs_sensitivity(uc_eval):
    costs = sensitivity_rows(uc_eval, "unit costs")
    # ±20 % on every unit cost scales the savings: 0.8 × 9000 = 7200, 1.2 × 9000 = 10800
    assert costs[-0.2]["savings_per_family"] == pytest.approx(7200.0)
    assert costs[0.2]["savings_per_family"] == pytest.approx(10800.0)
    assert costs[-0.2]["net_per_family"] == pytest.approx(7200.0 - 5000.0)
    assert costs[0.2]["net_per_family"] == pytest.approx(10800.0 - 5000.0)
    programme = sensitivity_rows(uc_eval, "programme cost")
    # 9000 − 0.8 × 5000 = 5000; 9000 − 1.2 × 5000 = 3000
    assert programme[-0.2]["net_per_family"] == pytest.approx(5000.0)
    assert programme[0.2]["net_per_family"] == pytest.approx(3000.0)
    assert programme[-0.2]["savings_per_family"] == pytest.approx(9000.0)
    rates = sensitivity_rows(uc_eval, "discount rate")
    assert set(rates) == {0.035}  # the base rate 0 is not repeated
    assert rates[0.035]["savings_per_family"] == pytest.approx(UC_DISCOUNTED)
    assert rates[0.035]["net_per_family"] == pytest.approx(UC_DISCOUNTED - 5000.0)


def test_unit_costs_discounted_estimate(uc_folder):
    m = evaluate(uc_folder, discount_rate=0.035).measures[SAVINGS]
    assert m.estimate == pytest.approx(UC_DISCOUNTED)
    assert m.parts["discount_rate"] == pytest.approx(0.035)


def test_unit_costs_are_converted_from_their_price_year(tmp_path):
    folder = write_extract(
        tmp_path,
        families="""
            I1,intervention,2023-01-05,Gellerup,,
            C1,control,2023-01-05,Gellerup,,
        """,
        parents="""
            A1,I1,1985,F
            K1,C1,1980,M
        """,
        status=[
            *spell("A1", "2023-01", "2023-02", "cash_benefit"),
            *spell("A1", "2023-03", "2023-03", "job"),
            *spell("K1", "2023-01", "2023-03", "cash_benefit"),
        ],
    )
    write_table(folder, "unit_costs", UNIT_COSTS, "job,0,2022\ncash_benefit,10000,2022")
    index = {"2022": 100.0, "2023": 110.0}
    # In the table's own price year 2022: I1 = 2 × 10000 = 20000, C1 = 3 × 10000 = 30000 → 10000
    own = evaluate(folder, price_index=index).measures[SAVINGS]
    assert own.parts["price_year"] == 2022
    assert own.estimate == pytest.approx(10000.0)
    # In 2023 prices: 10000 × 110/100 = 11000 a month → I1 22000, C1 33000 → 11000
    m = evaluate(folder, price_index=index, price_year=2023).measures[SAVINGS]
    assert m.parts["price_year"] == 2023
    assert m.parts["mean_cost_intervention"] == pytest.approx(22000.0)
    assert m.parts["mean_cost_reference"] == pytest.approx(33000.0)
    assert m.estimate == pytest.approx(11000.0)


def test_default_unit_cost_table(tmp_path):
    # The shipped table holds 2024 rates (Beskæftigelsesministeriet / SU satser 2024).
    with DEFAULT_UNIT_COSTS.open(encoding="utf-8") as handle:
        rows = {row["status"]: row for row in csv.DictReader(handle)}
    rate = {status: float(row["monthly_cost_dkk"]) for status, row in rows.items()}
    assert {row["price_year"] for row in rows.values()} == {"2024"}
    folder = write_extract(
        tmp_path,
        families="""
            I1,intervention,2019-05-01,Gellerup,,
            C1,control,2019-05-01,Viby,,
        """,
        parents="""
            P1,I1,1980,F
            P2,I1,1979,M
            Q1,C1,1975,F
            Q2,C1,1977,M
        """,
        status=[
            *spell("P1", "2019-04", "2019-04", "early_retirement"),  # before m_f: not counted
            *spell("P1", "2019-05", "2019-07", "cash_benefit"),
            *spell("P1", "2019-08", "2019-08", "job"),
            *spell("P2", "2019-05", "2019-08", "flexjob_waiting"),
            *spell("Q1", "2019-05", "2019-06", "early_retirement"),
            *spell("Q1", "2019-07", "2019-08", "sickness_benefit"),
            *spell("Q2", "2019-05", "2019-08", "resource_course"),
        ],
    )
    # E = 2019-08; no unit_costs table → the shipped 2024 rates, kept in 2024 prices.
    #   I1 = 3 × cash_benefit + 1 × job + 4 × flexjob_waiting
    #   C1 = 2 × early_retirement + 2 × sickness_benefit + 4 × resource_course
    intervention = 3 * rate["cash_benefit"] + rate["job"] + 4 * rate["flexjob_waiting"]
    control = 2 * rate["early_retirement"] + 2 * rate["sickness_benefit"] + 4 * rate["resource_course"]
    ev = evaluate(folder)
    m = ev.measures[SAVINGS]
    assert m.parts["price_year"] == 2024
    assert m.parts["mean_cost_intervention"] == pytest.approx(intervention)
    assert m.parts["mean_cost_reference"] == pytest.approx(control)
    assert m.estimate == pytest.approx(control - intervention)
    assert account_value(ev, "cost_basis") == "unit_costs"


# -- before-after (no control arm) ----------------------------------------------------------


def test_before_after_unit_costs(tmp_path):
    folder = write_extract(
        tmp_path,
        families="""
            I1,intervention,2023-01-10,Gellerup,,
            I2,intervention,2023-03-01,Viby,,
        """,
        parents="""
            A1,I1,1985,F
            B1,I2,1990,M
        """,
        status=[
            *spell("A1", "2021-12", "2023-02", "cash_benefit"),
            *spell("A1", "2023-03", "2023-04", "job"),
            *spell("B1", "2022-09", "2023-02", "education"),
            *spell("B1", "2023-03", "2023-04", "flexjob"),
        ],
    )
    write_table(folder, "unit_costs", UNIT_COSTS, UC_TABLE)
    # E = 2023-04.
    # I1 (m_f 2023-01): pre window 2022-01…2022-12 = 12 × cash 10000 = 120000 → 10000 a month
    #    (2021-12 is month m_f−13: not in the pre window). Window 2023-01…04 = 4 months.
    #    counterfactual 40000; actual cash 2023-01…02 = 20000 (job after) → 20000 saved
    # I2 (m_f 2023-03): pre window 2022-03…2023-02 has 6 education months = 30000 → 30000/12 = 2500 a month.
    #    Window 2023-03…04 = 2 months: counterfactual 5000; actual flexjob 2 × 8000 = 16000 → −11000
    # savings = (20000 − 11000) / 2 = 4500; mean counterfactual 22500, mean actual 18000
    ev = evaluate(folder, programme_cost_dkk=18000)
    m = ev.measures[SAVINGS]
    assert m.reason is None
    assert m.estimate == pytest.approx(4500.0)
    assert m.parts["mean_cost_reference"] == pytest.approx(22500.0)
    assert m.parts["mean_cost_intervention"] == pytest.approx(18000.0)
    assert m.parts.families_reference == 0
    assert account_value(ev, "design") == "before_after"
    assert m.ci_low <= 4500.0 <= m.ci_high
    # no control arm → no effect
    effect = ev.effects[SAVINGS]
    assert math.isnan(effect.estimate)
    assert effect.reason
    # programme 18000 / 2 = 9000 per family; net 4500 − 9000 = −4500; total −9000; ratio 0.5
    assert m.parts["programme_cost_per_family"] == pytest.approx(9000.0)
    assert m.parts["net_per_family"] == pytest.approx(-4500.0)
    assert m.parts["net_total"] == pytest.approx(-9000.0)
    assert m.parts["benefit_cost_ratio"] == pytest.approx(0.5)
    # ±20 % unit costs scale both the counterfactual and the actual: 3600 and 5400
    costs = sensitivity_rows(ev, "unit costs")
    assert costs[-0.2]["savings_per_family"] == pytest.approx(3600.0)
    assert costs[0.2]["savings_per_family"] == pytest.approx(5400.0)
    programme = sensitivity_rows(ev, "programme cost")
    # 4500 − 0.8 × 9000 = −2700; 4500 − 1.2 × 9000 = −6300
    assert programme[-0.2]["net_per_family"] == pytest.approx(-2700.0)
    assert programme[0.2]["net_per_family"] == pytest.approx(-6300.0)


def test_before_after_expenditure_by_domain(tmp_path):
    folder = write_extract(
        tmp_path,
        families="""
            I1,intervention,2023-01-10,Gellerup,,
            I2,intervention,2023-02-01,Viby,,
            I3,intervention,2023-03-15,Viby,,
        """,
        parents="""
            A1,I1,1985,F
            B1,I2,1990,M
            C1,I3,1970,F
        """,
        status="""
            A1,2023-04,job
            B1,2023-04,job
            C1,2023-04,job
        """,
    )
    write_table(
        folder,
        "expenditure",
        EXPENDITURE,
        """
        I1,2021-12,employment,99000
        I1,2022-01,employment,6000
        I1,2022-07,social,3000
        I1,2022-12,social,1800
        I1,2023-02,employment,1000
        I1,2023-04,social,-200
        I2,2022-01,social,5000
        I2,2022-02,health,2400
        I2,2023-01,health,1200
        I2,2023-02,health,500
        I2,2023-03,health,500
        I2,2023-05,health,7777
        I3,2023-03,education,600
        """,
    )
    # E = 2023-04.
    # I1 (m_f 2023-01): pre 2022-01…2022-12 [2021-12 is m_f−13]: employment 6000, social 3000 + 1800
    #    run rates: employment 6000/12 = 500, social 4800/12 = 400 → 900 a month × 4 months = 3600
    #    actual 1000 − 200 (refund) = 800 → 2800
    # I2 (m_f 2023-02): pre 2022-02…2023-01 [2022-01 is m_f−13]: health 2400 + 1200 = 3600 → 300 a month
    #    × 3 months = 900; actual 500 + 500 [2023-05 after E] = 1000 → −100
    # I3 (m_f 2023-03): no pre rows → counterfactual 0; actual 600 → −600
    # savings = (2800 − 100 − 600) / 3 = 700; mean counterfactual (3600 + 900 + 0)/3 = 1500; actual 2400/3 = 800
    ev = evaluate(folder, price_index=FLAT_INDEX)
    m = ev.measures[SAVINGS]
    assert m.estimate == pytest.approx(700.0)
    assert m.parts["mean_cost_reference"] == pytest.approx(1500.0)
    assert m.parts["mean_cost_intervention"] == pytest.approx(800.0)
    assert m.parts["families_intervention"] == 3
    # by domain, each side ÷ 3 families:
    #   counterfactual: employment 500 × 4 = 2000 → 666.67; social 400 × 4 = 1600 → 533.33;
    #                   health 300 × 3 = 900 → 300; education 0
    #   actual:         employment 1000 → 333.33; social −200 → −66.67; health 1000 → 333.33;
    #                   education 600 → 200
    domains = by_key(ev.tables["savings_by_domain"], "domain")
    expected = {
        "employment": (2000 / 3, 1000 / 3),
        "social": (1600 / 3, -200 / 3),
        "health": (300.0, 1000 / 3),
        "education": (0.0, 200.0),
    }
    assert set(domains) == set(expected)
    for domain, (reference, intervention) in expected.items():
        assert domains[domain]["reference"] == pytest.approx(reference), domain
        assert domains[domain]["intervention"] == pytest.approx(intervention), domain
        assert domains[domain]["savings"] == pytest.approx(reference - intervention), domain


# -- discounting ---------------------------------------------------------------------------------


def test_discounting_from_each_familys_enrolment_month(tmp_path):
    folder = write_extract(
        tmp_path,
        families="""
            I1,intervention,2023-01-02,Gellerup,,
            C1,control,2023-02-01,Gellerup,,
        """,
        parents="""
            A1,I1,1985,F
            K1,C1,1980,M
        """,
        status="""
            A1,2023-04,job
            K1,2023-04,job
        """,
    )
    write_table(
        folder,
        "expenditure",
        EXPENDITURE,
        """
        I1,2023-01,employment,1200
        I1,2023-04,employment,1200
        C1,2023-02,social,600
        C1,2023-03,social,600
        C1,2023-04,social,600
        """,
    )
    # E = 2023-04, r = 0.035. I1: k = 0 and 3; C1 (m_f 2023-02): k = 0, 1, 2.
    #   I1 = 1200 (d0 + d3) = 1200 × 1.991436521 = 2389.724
    #   C1 =  600 (d0 + d1 + d2) = 600 × 2.991420154 = 1794.852
    #   savings = 1794.852 − 2389.724 = −594.872 (undiscounted: 1800 − 2400 = −600)
    expected = 600 * (1 + d(1) + d(2)) - 1200 * (1 + d(3))
    assert expected == pytest.approx(-594.872, abs=1e-3)
    ev = evaluate(folder, discount_rate=0.035)
    m = ev.measures[SAVINGS]
    assert m.parts["mean_cost_intervention"] == pytest.approx(1200 * (1 + d(3)))
    assert m.parts["mean_cost_reference"] == pytest.approx(600 * (1 + d(1) + d(2)))
    assert m.estimate == pytest.approx(expected)
    rates = sensitivity_rows(ev, "discount rate")
    assert set(rates) == {0.0}  # the base rate 3.5 % is not repeated
    assert rates[0.0]["savings_per_family"] == pytest.approx(-600.0)


def test_discounting_before_after_counterfactual(tmp_path):
    folder = write_extract(
        tmp_path,
        families="I1,intervention,2023-01-05,Gellerup,,",
        parents="A1,I1,1985,F",
        status="A1,2023-03,job",
    )
    write_table(
        folder,
        "expenditure",
        EXPENDITURE,
        """
        I1,2022-06,employment,2400
        I1,2023-02,employment,300
        """,
    )
    # E = 2023-03; m_f = 2023-01; pre window 2022-01…2022-12 holds 2400 → 2400/12 = 200 a month.
    # counterfactual = 200 × (d0 + d1 + d2) = 200 × 2.991420154 = 598.284
    # actual = 300 at k = 1 → 300 d1 = 299.141
    # savings = 598.284 − 299.141 = 299.143
    expected = 200 * (1 + d(1) + d(2)) - 300 * d(1)
    assert expected == pytest.approx(299.143, abs=1e-3)
    m = evaluate(folder, discount_rate=0.035, price_index=FLAT_INDEX).measures[SAVINGS]
    assert m.parts["mean_cost_reference"] == pytest.approx(200 * (1 + d(1) + d(2)))
    assert m.parts["mean_cost_intervention"] == pytest.approx(300 * d(1))
    assert m.estimate == pytest.approx(expected)


# -- savings by month ----------------------------------------------------------------------------


@pytest.fixture
def gap_month_folder(tmp_path):
    folder = write_extract(
        tmp_path,
        families="""
            I1,intervention,2023-01-05,Gellerup,,
            I2,intervention,2023-01-15,Gellerup,,
            C1,control,2023-01-10,Viby,,
            C2,control,2023-01-20,Viby,,
        """,
        parents="""
            A1,I1,1985,F
            B1,I2,1984,M
            K1,C1,1980,F
            L1,C2,1981,M
        """,
        status="""
            A1,2023-02,job
            B1,2023-02,job
            K1,2023-02,job
            L1,2023-02,job
        """,
    )
    write_table(
        folder,
        "expenditure",
        EXPENDITURE,
        """
        I1,2023-01,employment,100
        I1,2023-02,employment,100
        I2,2023-01,employment,300
        C1,2023-01,employment,400
        C1,2023-02,employment,400
        C2,2023-01,employment,200
        C2,2023-02,employment,200
        """,
    )
    return folder


# All four families enrol in 2023-01 and are followed to E = 2023-02 (k = 0, 1).
# I2 has no expenditure in 2023-02: it cost 0 that month.
#   k = 0: intervention (100 + 300)/2 = 200, control (400 + 200)/2 = 300, savings 100
#   k = 1: intervention (100 + 0)/2 = 50,   control (400 + 200)/2 = 300, savings 250
#   cumulative savings 100, 350 — the last equals the estimate (control 600 − intervention 250)


def test_by_month_counts_a_month_without_expenditure_as_zero(gap_month_folder):
    ev = evaluate(gap_month_folder, price_index=FLAT_INDEX)
    assert ev.measures[SAVINGS].estimate == pytest.approx(350.0)
    months = by_key(ev.tables["savings_by_month"], "k")
    assert set(months) == {0, 1}
    assert months[0]["intervention"] == pytest.approx(200.0)
    assert months[0]["reference"] == pytest.approx(300.0)
    assert months[1]["intervention"] == pytest.approx(50.0)
    assert months[1]["reference"] == pytest.approx(300.0)
    assert months[1]["savings"] == pytest.approx(250.0)
    assert months[1]["cumulative_savings"] == pytest.approx(350.0)


def test_break_even_within_the_window_uses_zero_cost_months(gap_month_folder):
    # Programme 680 DKK = 340 per family (gross savings 350 ≥ 340).
    # Cumulative savings 100 (k = 0), 350 (k = 1): 340 is first covered at k = 1 → (1 + 1)/12 years.
    ev = evaluate(gap_month_folder, price_index=FLAT_INDEX, programme_cost_dkk=680)
    parts = ev.measures[SAVINGS].parts
    assert parts["net_per_family"] == pytest.approx(10.0)  # 350 − 340
    assert parts["break_even_years"] == pytest.approx(2 / 12)


# -- bad input ----------------------------------------------------------------------------------


def missing_unit_cost_folder(folder: Path) -> Path:
    write_extract(
        folder,
        families="I1,intervention,2023-01-05,Gellerup,,",
        parents="A1,I1,1985,F",
        status="""
            A1,2023-01,cash_benefit
            A1,2023-02,flexjob
        """,
    )
    write_table(folder, "unit_costs", UNIT_COSTS, "job,0,2023\ncash_benefit,10000,2023")
    return folder


def early_expenditure_folder(folder: Path) -> Path:
    write_extract(
        folder,
        families="""
            I1,intervention,2014-06-01,Gellerup,,
            C1,control,2014-06-01,Viby,,
        """,
        parents="""
            A1,I1,1985,F
            K1,C1,1980,M
        """,
        status="""
            A1,2015-02,job
            K1,2015-02,job
        """,
    )
    write_table(
        folder,
        "expenditure",
        EXPENDITURE,
        """
        I1,2014-08,employment,990
        C1,2015-01,employment,3000
        """,
    )
    return folder


def test_status_without_unit_cost_is_a_validation_error(tmp_path):
    folder = missing_unit_cost_folder(tmp_path)
    with pytest.raises(oe.ValidationError) as info:
        oe.load(folder)
    failures = info.value.failures
    missing = failures[failures["rule"] == "missing_unit_cost"]
    assert missing["value"].tolist() == ["flexjob"]  # cash_benefit has a cost
    assert missing["table"].tolist() == ["unit_costs"]
    assert "flexjob" in str(info.value)


@pytest.mark.parametrize("config", [{"price_year": 2031}, {"price_year": 2031, "price_index": FLAT_INDEX}])
def test_price_year_outside_the_index(exp_folder, config):
    with pytest.raises(oe.ConfigError) as info:
        oe.evaluate(load(exp_folder), config=config)
    message = str(info.value)
    assert "2031" in message
    assert "[price_index]" in message


def test_price_year_outside_the_index_unit_cost_path(uc_folder):
    with pytest.raises(oe.ConfigError) as info:
        oe.evaluate(load(uc_folder), config={"price_year": 2031})
    assert "2031" in str(info.value)
    assert "[price_index]" in str(info.value)


def test_expenditure_before_the_default_index(tmp_path):
    folder = early_expenditure_folder(tmp_path)
    # E = 2015-02; the 2014-08 row is inside I1's window but the shipped index starts in 2015.
    with pytest.raises(oe.ConfigError) as info:
        oe.evaluate(load(folder))
    message = str(info.value)
    assert "2014" in message
    assert "[price_index]" in message
    # Adding 2014 = 99 (2015 = 100 in the shipped index) fixes it:
    #   I1 = 990 × 100/99 = 1000; C1 = 3000 × 100/100 = 3000; savings = 2000 (2015 prices)
    m = evaluate(folder, price_index={"2014": 99.0}).measures[SAVINGS]
    assert m.parts["price_year"] == 2015
    assert m.parts["mean_cost_intervention"] == pytest.approx(1000.0)
    assert m.estimate == pytest.approx(2000.0)


def test_negative_programme_cost_is_a_config_error(exp_folder):
    with pytest.raises(oe.ConfigError) as info:
        oe.evaluate(load(exp_folder), config={"programme_cost_dkk": -1})
    assert "programme_cost_dkk" in str(info.value)


def _price_year_toml(folder: Path) -> Path:
    write_extract(folder, families=EXP_FAMILIES, parents=EXP_PARENTS, status=EXP_STATUS)
    write_table(folder, "expenditure", EXPENDITURE, EXP_ROWS)
    (folder / "evaluation.toml").write_text("price_year = 2031\n", encoding="utf-8")
    return folder


def _negative_programme_toml(folder: Path) -> Path:
    write_extract(folder, families=EXP_FAMILIES, parents=EXP_PARENTS, status=EXP_STATUS)
    write_table(folder, "expenditure", EXPENDITURE, EXP_ROWS)
    (folder / "evaluation.toml").write_text("programme_cost_dkk = -1\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (missing_unit_cost_folder, ("missing_unit_cost", "flexjob")),
        (_price_year_toml, ("2031", "[price_index]")),
        (early_expenditure_folder, ("2014", "[price_index]")),
        (_negative_programme_toml, ("programme_cost_dkk",)),
    ],
)
def test_cli_report_exits_2_and_writes_nothing(tmp_path, capsys, build, words):
    folder = build(tmp_path / "extract")
    out = tmp_path / "out"
    assert main(["report", str(folder), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for word in words:
        assert word in err
    assert not out.exists()


# -- the committed sample ------------------------------------------------------------------------


def test_sample_savings_positive_and_negative_net_reported():
    ev = oe.evaluate(load(SAMPLE), config={"bootstrap_replicates": 200})
    m = ev.measures[SAVINGS]
    programme = 23363875 / 62  # the grant over the 62 intervention families
    assert ev.config.programme_cost_dkk == 23363875
    assert m.parts["families_intervention"] == 62
    assert m.estimate > 0
    assert m.parts["programme_cost_per_family"] == programme
    assert m.parts["net_per_family"] == m.estimate - programme
    assert m.parts["net_per_family"] < 0
    assert m.parts["net_total"] == pytest.approx((m.estimate - programme) * 62)
    assert m.parts["benefit_cost_ratio"] == pytest.approx(m.estimate / programme)
    assert m.ci_low <= m.estimate <= m.ci_high


def test_the_savings_interval_does_not_depend_on_the_order_of_the_families_rows(tmp_path: Path) -> None:
    """The bootstrap resamples families in id order, whatever order families.csv lists them in."""
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for path in SAMPLE.iterdir():
        (shuffled / path.name).write_bytes(path.read_bytes())
    lines = (SAMPLE / "families.csv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    reordered = rows[1::2] + rows[0::2][::-1]  # a different order of the same rows
    assert sorted(reordered) == sorted(rows) and reordered != rows
    (shuffled / "families.csv").write_text("\n".join([header, *reordered]) + "\n", encoding="utf-8")
    config = {"bootstrap_replicates": 300}
    a = oe.evaluate(oe.load(SAMPLE), config, progress=False).measures["savings_per_family"]
    b = oe.evaluate(oe.load(shuffled), config, progress=False).measures["savings_per_family"]
    assert (a.estimate, a.ci_low, a.ci_high) == (b.estimate, b.ci_low, b.ci_high)
