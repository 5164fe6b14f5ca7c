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
from pathlib import Path

import pytest

from calibration import headline, read
from opgang_eval.cli import main
from opgang_eval.synthetic import Scenario, generate, write_extracts, write_sample

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
    names = sorted(p.name for p in SAMPLE.iterdir())
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
