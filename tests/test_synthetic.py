"""The synthetic generator: calibration targets, determinism, safety.

Targets are the published Opgang til Opgang results (Aarhus Kommune / SUS,
2023): 52 % of parents in work or education, two out of three of them in
flexjob, 21 % on early-retirement pension, school absence −25 %, youth
after-school jobs +66 %, savings of 250,000 DKK per family (Aarhus
University). They are computed here from the raw files with plain pandas
(``calibration.py``), not with the package's loader or measures.
"""

from __future__ import annotations

import filecmp
import math
import warnings
from pathlib import Path

import pandas as pd
import pytest

import opgang_eval
from calibration import headline, read
from opgang_eval.cli import main
from opgang_eval.synthetic import Scenario, generate, simulate, write_extracts, write_sample

SAMPLE = Path(__file__).parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def sample_figures():
    return headline(read(SAMPLE), "2023-08")


def test_sample_has_the_published_sizes():
    t = read(SAMPLE)
    fam = t["families"]
    itv = set(fam.loc[fam["arm"] == "intervention", "family_id"])
    assert len(itv) == 62
    assert t["parents"]["family_id"].isin(itv).sum() == 97
    assert t["children"]["family_id"].isin(itv).sum() == 188
    assert (fam["arm"] == "control").sum() == 62


def test_sample_reproduces_the_published_shares(sample_figures):
    itv = sample_figures.loc["intervention"]
    # Shares are whole persons out of ~94 parents: within one person of target.
    assert itv["work_or_education"] == pytest.approx(0.52, abs=0.011)
    assert itv["flexjob_of_work"] == pytest.approx(2 / 3, abs=0.015)
    assert itv["early_retirement"] == pytest.approx(0.21, abs=0.011)


def test_sample_reproduces_absence_youth_jobs_and_savings(sample_figures):
    itv = sample_figures.loc["intervention"]
    assert itv["absence_change"] == pytest.approx(-0.25, abs=0.02)
    # ~50 youths per window: the ratio moves in steps of about 4 points.
    assert itv["youth_job_change"] == pytest.approx(0.66, abs=0.06)
    assert itv["savings_vs_control"] == pytest.approx(250_000, abs=2_000)


def test_control_arm_changes_much_less(sample_figures):
    itv, ctl = sample_figures.loc["intervention"], sample_figures.loc["control"]
    assert ctl["work_or_education"] < itv["work_or_education"] - 0.15
    assert ctl["early_retirement"] < itv["early_retirement"]
    assert abs(ctl["absence_change"]) < 0.10
    assert ctl["youth_job_change"] < 0.25


def test_calibration_holds_for_other_sizes_and_seeds(tmp_path):
    sc = Scenario(intervention_families=400, control_families=300)
    write_extracts(generate(sc, seed=7), tmp_path)
    figures = headline(read(tmp_path), "2023-08")
    itv = figures.loc["intervention"]
    assert itv["work_or_education"] == pytest.approx(0.52, abs=0.003)
    assert itv["flexjob_of_work"] == pytest.approx(2 / 3, abs=0.005)
    assert itv["early_retirement"] == pytest.approx(0.21, abs=0.003)
    assert itv["absence_change"] == pytest.approx(-0.25, abs=0.01)
    assert itv["youth_job_change"] == pytest.approx(0.66, abs=0.03)
    assert itv["savings_vs_control"] == pytest.approx(250_000, abs=2_000)
    assert figures.loc["control", "work_or_education"] == pytest.approx(0.30, abs=0.003)


def test_committed_sample_is_what_the_generator_writes(tmp_path):
    write_sample(tmp_path / "s")
    names = sorted(p.name for p in SAMPLE.iterdir() if not p.name.startswith(".opgang-ledger"))  # make report's
    assert names == sorted(p.name for p in (tmp_path / "s").iterdir())
    _match, mismatch, errors = filecmp.cmpfiles(SAMPLE, tmp_path / "s", names, shallow=False)
    assert mismatch == [] and errors == []


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    write_sample(tmp_path / "a", seed=1)
    write_sample(tmp_path / "b", seed=1)
    write_sample(tmp_path / "c", seed=2)
    assert (tmp_path / "a" / "parent_status.csv").read_bytes() == (tmp_path / "b" / "parent_status.csv").read_bytes()
    assert (tmp_path / "a" / "parent_status.csv").read_bytes() != (tmp_path / "c" / "parent_status.csv").read_bytes()


def test_statuses_follow_the_flexjob_path():
    t = generate(Scenario(intervention_families=200), seed=3)
    status = t["parent_status"].astype({"status": "str", "person_id": "str", "month": "str"})
    flex_end = status[(status["month"] == "2023-08") & (status["status"] == "flexjob")]["person_id"]
    history = status[status["person_id"].isin(flex_end)]
    # Nearly every flexjob at the end was preceded by ledighedsydelse (flexjob_waiting).
    waited = history[history["status"] == "flexjob_waiting"]["person_id"].nunique()
    assert waited / flex_end.nunique() > 0.9


def test_sample_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    assert main(["sample", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "precious"
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_sample_command_writes_a_loadable_folder(tmp_path):
    assert main(["sample", str(tmp_path / "s"), "--families", "10", "--seed", "5", "--format", "parquet"]) == 0
    assert (tmp_path / "s" / "families.parquet").is_file()
    assert main(["validate", str(tmp_path / "s")]) == 0


# -- the comparison pool ------------------------------------------------------------

BENEFITS = [
    "cash_benefit",
    "unemployment_benefit",
    "sickness_benefit",
    "resource_course",
    "job_clarification",
    "flexjob_waiting",
    "early_retirement",
]
WORK = ["job", "flexjob", "education"]
POOL = Scenario(intervention_families=200, control_families=0, comparison_families=4000)


@pytest.fixture(scope="module")
def pool():
    return simulate(POOL, seed=11)


def _with_family(sim) -> pd.DataFrame:
    """Parents' statuses as text, each row with the parent's family row and latent type."""
    t = sim.tables
    status = t["parent_status"].astype({"person_id": "str", "month": "str", "status": "str"})
    parents = t["parents"].merge(t["families"], on="family_id")
    parents["type"] = parents["family_id"].map(sim.comparison_type)
    return status.merge(parents, on="person_id")


def test_default_scenario_has_no_comparison_pool():
    sim = simulate(seed=20190901)
    assert set(sim.tables["families"]["arm"]) == {"intervention", "control"}
    assert sim.comparison_type.empty
    assert math.isnan(sim.truth["naive_work_or_education_effect"])
    assert sim.truth["work_or_education_effect"] == pytest.approx(0.52 - 0.30, abs=0.02)
    plain = generate(seed=20190901)
    for name, frame in plain.items():
        pd.testing.assert_frame_equal(frame, sim.tables[name])


def test_comparison_families_are_unenrolled_and_load(pool, tmp_path):
    fam = pool.tables["families"]
    comparison = fam[fam["arm"] == "comparison"]
    assert len(comparison) == 4000 and (fam["arm"] == "control").sum() == 0
    assert comparison["enrolled_on"].isna().all() and comparison["exited_on"].isna().all()
    assert comparison["stratum"].isna().all()
    assert fam.loc[fam["arm"] == "intervention", "enrolled_on"].notna().all()
    assert set(comparison["site"]) == {"Gellerup", "Aarhus Vest", "Aarhus Nord"}
    assert sorted(pool.comparison_type.index) == sorted(comparison["family_id"])
    assert (pool.comparison_type == "B").sum() == 2000
    write_extracts(pool.tables, tmp_path)
    assert ",comparison,,Aarhus" in (tmp_path / "families.csv").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", opgang_eval.DataQualityWarning)  # comparison families have no stratum
        ex = opgang_eval.load(tmp_path)
    assert (ex.families["arm"] == "comparison").sum() == 4000


def test_comparison_history_covers_every_possible_enrolment_month(pool):
    s = _with_family(pool)
    first = s.groupby("arm")["month"].min()
    # 36 months before the earliest enrolment month (2019-09), for every comparison parent.
    assert (s[s["arm"] == "comparison"].groupby("person_id")["month"].min() == "2016-09").all()
    assert first["intervention"] >= "2016-09"
    spend = pool.tables["expenditure"].merge(pool.tables["families"], on="family_id")
    per_family = spend[spend["arm"] == "comparison"].groupby("family_id")["month"].agg(["min", "max"])
    assert (per_family["min"] == "2017-09").all() and (per_family["max"] == "2023-08").all()


def test_comparison_pool_differs_at_baseline(pool):
    s = _with_family(pool)
    s["benefit"] = s["status"].isin(BENEFITS)
    itv = s[s["arm"] == "intervention"].copy()
    month = pd.PeriodIndex(itv["month"], freq="M")
    enrolled = pd.PeriodIndex(itv["enrolled_on"].dt.to_period("M"))
    itv["k"] = (month.year - enrolled.year) * 12 + (month.month - enrolled.month)
    before = itv[(itv["k"] >= -36) & (itv["k"] <= -1)]
    assert (before.groupby("person_id").size() == 36).all()
    itv_months = before.groupby("person_id")["benefit"].sum().mean()
    itv_last = itv.loc[itv["k"] == -1, "benefit"].mean()
    comp = s[s["arm"] == "comparison"].sort_values(["person_id", "month"])
    first36 = comp.groupby("person_id").head(36)
    comp_months = first36.groupby("person_id")["benefit"].sum().mean()
    comp_last = comp.loc[comp["month"] == "2019-08", "benefit"].mean()
    # Type A is the intervention arm's process: the pool is pulled towards work by type B.
    assert itv_months > 30
    assert itv_months - comp_months > 8
    assert itv_last - comp_last > 0.2
    parents = pool.tables["parents"].merge(pool.tables["families"], on="family_id")
    parents["type"] = parents["family_id"].map(pool.comparison_type).fillna("intervention")
    age = 2020 - parents.groupby("type")["birth_year"].mean()
    assert age["B"] < age["A"] - 2 and age["B"] < age["intervention"] - 2
    kids = pool.tables["children"]["family_id"].value_counts()
    fam = pool.tables["families"].assign(kids=lambda d: d["family_id"].map(kids))
    fam["type"] = fam["family_id"].map(pool.comparison_type).fillna("intervention")
    per_family = fam.groupby("type")["kids"].mean()
    assert per_family["B"] < per_family["A"] - 1 and per_family["B"] < per_family["intervention"] - 1


def test_truth_is_what_the_tables_show(pool):
    s = _with_family(pool)
    end = s[s["month"] == "2023-08"]
    work = end["status"].isin(WORK)
    retired = end["status"] == "early_retirement"
    itv, comp = end["arm"] == "intervention", end["arm"] == "comparison"
    type_a = comp & (end["type"] == "A")
    truth = pool.truth
    assert truth["work_or_education_effect"] == pytest.approx(work[itv].mean() - work[type_a].mean(), abs=1e-12)
    assert truth["early_retirement_effect"] == pytest.approx(retired[itv].mean() - retired[type_a].mean(), abs=1e-12)
    assert truth["naive_work_or_education_effect"] == pytest.approx(work[itv].mean() - work[comp].mean(), abs=1e-12)
    # Whole persons: each share is within one person of its target.
    assert work[itv].mean() == pytest.approx(0.52, abs=0.005)
    assert work[type_a].mean() == pytest.approx(0.30, abs=0.001)
    assert work[comp & (end["type"] == "B")].mean() == pytest.approx(0.75, abs=0.001)
    assert retired[comp & (end["type"] == "B")].mean() == pytest.approx(0.01, abs=0.001)
    assert truth["work_or_education_effect"] == pytest.approx(0.22, abs=0.01)
    assert abs(truth["naive_work_or_education_effect"] - truth["work_or_education_effect"]) > 0.15


def test_pool_leaves_the_randomised_arms_on_target(tmp_path):
    sim = simulate(Scenario(intervention_families=200, control_families=200, comparison_families=2000), seed=4)
    keep = set(sim.tables["families"].query("arm != 'comparison'")["family_id"])
    people = set(sim.tables["parents"].query("family_id in @keep")["person_id"])
    people |= set(sim.tables["children"].query("family_id in @keep")["person_id"])
    randomised = {
        name: frame[frame["family_id"].isin(keep)] if "family_id" in frame else frame[frame["person_id"].isin(people)]
        for name, frame in sim.tables.items()
    }
    write_extracts(randomised, tmp_path)
    figures = headline(read(tmp_path), "2023-08")
    itv, ctl = figures.loc["intervention"], figures.loc["control"]
    assert itv["work_or_education"] == pytest.approx(0.52, abs=0.006)
    assert itv["early_retirement"] == pytest.approx(0.21, abs=0.006)
    assert itv["absence_change"] == pytest.approx(-0.25, abs=0.02)
    assert itv["savings_vs_control"] == pytest.approx(250_000, abs=2_000)
    assert ctl["work_or_education"] == pytest.approx(0.30, abs=0.006)
    # The truth pools the control arm with type A comparison families: both have the control targets.
    assert sim.truth["counterfactual_work_or_education"] == pytest.approx(0.30, abs=0.002)


def test_sample_command_writes_a_comparison_pool(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["sample", str(out), "--families", "10", "--control", "0", "--comparison", "40", "--seed", "5"]) == 0
    fam = pd.read_csv(out / "families.csv")
    assert fam["arm"].value_counts().to_dict() == {"comparison": 40, "intervention": 10}
    assert main(["sample", str(tmp_path / "t"), "--comparison", "-1"]) == 2
    assert "--comparison must not be negative" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()
