"""The library as an analyst meets it: figures as matplotlib objects, displays, progress bars."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

import opgang_eval as oe
from opgang_eval.cli import main
from opgang_eval.presentation import FIGURES

SAMPLE = Path(__file__).parents[1] / "data" / "sample"
FAST = {"bootstrap_replicates": 50}

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def ev() -> oe.Evaluation:
    return oe.evaluate(oe.load(SAMPLE), FAST, progress=False)


def test_plot_draws_into_the_analysts_axes(ev: oe.Evaluation) -> None:
    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2)
    assert oe.plot(ev, "trajectory", ax=left) is fig
    assert oe.plot(ev, "forest", ax=right) is fig
    # The intervention line is the trajectory table's share by month since enrolment, at the report's precision
    # (a whole percent: an exact share would give its denominator away).
    traj = ev.tables["trajectory"]
    mine = traj[traj["arm"] == "intervention"]
    line = next(li for li in left.get_lines() if li.get_label() in ("Indsats", "Intervention"))
    assert np.array_equal(line.get_xdata(), mine["k"].to_numpy())
    y = np.asarray(line.get_ydata(), dtype=float)
    drawn = ~np.isnan(y)  # months with 1–4 parents in work are hidden (min_cell 5), the rest drawn as they are
    assert drawn.sum() > len(y) / 2
    assert np.allclose(y[drawn], np.round(mine["share"].to_numpy()[drawn], 2), atol=1e-12)
    assert np.abs(y[drawn] - mine["share"].to_numpy()[drawn]).max() <= 0.005


def test_plot_hides_what_the_report_hides(ev: oe.Evaluation) -> None:
    """With min_cell above some months' denominators those points are not drawn (NaN), as in the report."""
    traj = ev.tables["trajectory"]
    mine = traj[traj["arm"] == "intervention"]
    threshold = 10
    strict = replace(ev, config=ev.config.replace(min_cell=threshold))
    fig = oe.plot(strict, "trajectory", lang="en")
    line = next(li for li in fig.axes[0].get_lines() if li.get_label() == "Intervention")
    y = np.asarray(line.get_ydata(), dtype=float)
    # A share is hidden when its denominator, numerator or complement is 1 … min_cell − 1.
    work, n = mine["work"].to_numpy(), mine["n"].to_numpy()
    small = (n < threshold) | ((work > 0) & (work < threshold)) | ((n - work > 0) & (n - work < threshold))
    assert small.any() and not small.all()
    assert np.isnan(y[small]).all() and not np.isnan(y[~small]).any()


def test_every_report_figure_of_a_randomised_evaluation_can_be_plotted(ev: oe.Evaluation) -> None:
    observational_only = {"love_plot", "event_study"}
    for name in FIGURES:
        if name in observational_only:
            with pytest.raises(oe.ConfigError, match="no comparison pool"):
                oe.plot(ev, name)
        else:
            assert isinstance(oe.plot(ev, name), Figure), name
    with pytest.raises(oe.ConfigError, match="Choose one of: trajectory"):
        oe.plot(ev, "pie")


def test_config_shows_its_resolved_values() -> None:
    cfg = oe.Config.from_dict({"end": "2023-06", "comparison": {"caliper": False, "ratio": 2}})
    text = str(cfg)
    assert "end                         = 2023-06" in text
    assert "comparison.ratio            = 2" in text
    assert "comparison.caliper          = none" in text
    assert "latest month in parent_status" in str(oe.Config())
    frame = cfg.to_frame()
    assert frame.loc["bootstrap_replicates", "value"] == "2000"
    assert "<table" in cfg._repr_html_() and "comparison.event_window" in cfg._repr_html_()


def test_results_evaluation_and_designs_display_as_tables(ev: oe.Evaluation, tmp_path: Path) -> None:
    share = ev.measures["parents_in_work_or_education"]
    assert share._repr_html_().startswith("<table") and "estimate" in str(share)
    assert "<table" in ev._repr_html_() and "effects: randomised control arm" in str(ev)
    sim_dir = tmp_path / "pool"
    assert main(["sample", str(sim_dir), "--families", "40", "--control", "0", "--comparison", "400"]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        obs = oe.evaluate(oe.load(sim_dir), FAST, progress=False)
    od, study = obs.observational, obs.event_study
    assert str(od).startswith("observational design (weaker than randomisation)")
    assert "<table" in od._repr_html_() and od.to_frame() is obs.tables["balance"]
    assert str(study).startswith("Event study (months, reference -1")
    assert "<table" in study._repr_html_() and study.to_frame() is obs.tables["event_study"]


def test_progress_bars_go_to_stderr_and_can_be_silenced(capsys: pytest.CaptureFixture[str]) -> None:
    ex = oe.load(SAMPLE, progress=True)
    oe.evaluate(ex, FAST, progress=True)
    err = capsys.readouterr().err
    assert "load" in err and "evaluate" in err
    oe.load(SAMPLE, progress=False)
    oe.evaluate(ex, FAST, progress=False)
    assert capsys.readouterr().err == ""


def test_the_cli_shows_no_bar_when_quiet_or_not_watched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # stderr is captured here (not a terminal), so by default no bar is drawn either.
    assert main(["report", str(SAMPLE), "--out", str(tmp_path / "a"), "--format", "html", "--no-ledger"]) == 0
    assert "evaluate" not in capsys.readouterr().err
    assert (
        main(["report", str(SAMPLE), "--out", str(tmp_path / "b"), "--format", "html", "--quiet", "--no-ledger"]) == 0
    )
    assert capsys.readouterr().err == ""
