"""Adding a measure touches no package file: a declaration, a compute function and its words (issue #8).

The toy measure is the share of parents in an ordinary job (status ``job``)
in the end month — a narrower view than the contract's work-or-education
share. Everything the test expects is computed here from the sample's CSV
files with pandas and NumPy, not by the package.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import opgang_eval as oe
from opgang_eval.measures.intervals import wilson
from report_helpers import html_tables, xlsx_tables

SAMPLE = Path(__file__).parent.parent / "data" / "sample"
TOY = "parents_in_job"
LABEL = ("Forældre i ordinært job", "Parents in an ordinary job")


# -- the toy measure: what a contributor writes ---------------------------------------------------------


def parents_in_job(inputs: oe.Inputs, arm: str) -> oe.Result:
    """Share of the arm's parents with a status in E whose status is an ordinary job."""
    fr = inputs.frames
    parents = fr.parents[fr.parents["arm"] == arm]
    status = fr.status_at_end()[parents["pc"].to_numpy()]
    has = status >= 0
    k, n = int(fr.status_in(status, ["job"]).sum()), int(has.sum())
    families = int(np.unique(parents["fc"].to_numpy()[has]).size)
    low, high = wilson(k, n)
    return oe.Share(TOY, arm, k / n, low, high, n, families, "Wilson", parts=oe.ShareParts(k, n))


def job_rows(inputs: oe.Inputs, arms: tuple[str, str], contrast: str) -> oe.AnalysisRows:
    """One row per parent of the two arms with a status in E: in an ordinary job or not."""
    fr = inputs.frames
    par = fr.parents[fr.parents["arm"].isin(list(arms)).to_numpy()]
    status = fr.status_at_end()[par["pc"].to_numpy()]
    keep = status >= 0
    return oe.AnalysisRows(
        par["pc"].to_numpy()[keep],
        par["fc"].to_numpy()[keep],
        (par["arm"] == arms[0]).to_numpy()[keep],
        np.ones(int(keep.sum()), dtype=bool),
        fr.status_in(status, ["job"])[keep].astype(float),
        None,
        "linear probability model of an ordinary job in E on arm",
    )


@pytest.fixture(scope="module")
def toy():
    oe.register_measure(
        oe.Measure(
            TOY,
            "share",
            "parents",
            parents_in_job,
            "percentage_points",
            rows=job_rows,
            contrast={"randomised": "difference"},
        )
    )
    oe.add_words(
        {
            f"measure:{TOY}": LABEL,
            f"definition:{TOY}": (
                "Andelen af forældrene med en status i {end}, som i {end} er i ordinært job.",
                "The share of parents with a status in {end} who in {end} are in an ordinary job.",
            ),
        }
    )
    yield
    oe.unregister_measure(TOY)


@pytest.fixture(scope="module")
def evaluated(toy, tmp_path_factory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = oe.evaluate(oe.load(SAMPLE), config={"bootstrap_replicates": 199}, progress=False)
    out = tmp_path_factory.mktemp("toy")
    oe.render_report(ev, out, formats=("html", "xlsx"), lang="en", progress=False, ledger=False)
    return ev, out


# -- what the sample says, by hand ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def by_hand() -> pd.DataFrame:
    """Each parent with a status in 2023-08 (the sample's E): arm, family, stratum, in an ordinary job."""
    families = pd.read_csv(SAMPLE / "families.csv", dtype=str)
    parents = pd.read_csv(SAMPLE / "parents.csv", dtype=str)
    status = pd.read_csv(SAMPLE / "parent_status.csv", dtype=str)
    at_end = status[status["month"] == "2023-08"]
    rows = parents.merge(families, on="family_id").merge(at_end, on="person_id")
    rows["job"] = (rows["status"] == "job").astype(float)
    return rows


def test_the_toy_measure_is_in_the_tidy_frame(evaluated, by_hand):
    ev, _ = evaluated
    frame = ev.to_frame()
    mine = frame[frame["measure"] == TOY].set_index("arm")
    for arm in ("intervention", "control"):
        part = by_hand[by_hand["arm"] == arm]
        assert mine.loc[arm, "estimate"] == pytest.approx(part["job"].mean(), abs=1e-15)
        assert mine.loc[arm, "n"] == len(part)
        assert mine.loc[arm, "numerator"] == part["job"].sum()
        assert mine.loc[arm, "n_families"] == part["family_id"].nunique()
    assert TOY in ev.summary().index and list(ev.measures)[-1] == TOY  # registered last: reported last


def test_the_toy_effect_is_the_stratified_cr1_difference(evaluated, by_hand):
    """The one estimator gives the toy its effect: OLS on arm and stratum dummies, CR1 by family (by hand)."""
    ev, _ = evaluated
    rows = by_hand.sort_values("person_id").reset_index(drop=True)
    strata = pd.get_dummies(rows["stratum"], drop_first=True, dtype=float).to_numpy()
    x = np.column_stack([np.ones(len(rows)), (rows["arm"] == "intervention").to_numpy(float), strata])
    y = rows["job"].to_numpy()
    bread = np.linalg.inv(x.T @ x)
    beta = bread @ x.T @ y
    resid = y - x @ beta
    clusters = rows["family_id"].to_numpy()
    meat = sum(
        np.outer(x[clusters == g].T @ resid[clusters == g], x[clusters == g].T @ resid[clusters == g])
        for g in np.unique(clusters)
    )
    g, n, k = len(np.unique(clusters)), len(y), x.shape[1]
    se = np.sqrt((bread @ meat @ bread)[1, 1] * g / (g - 1) * (n - 1) / (n - k))
    effect = ev.effects[TOY]
    assert effect.estimate == pytest.approx(beta[1], abs=1e-12)
    assert effect.std_error == pytest.approx(se, rel=1e-9)
    assert effect.ci_low == pytest.approx(beta[1] - stats.t.ppf(0.975, g - 1) * se, rel=1e-9)
    assert effect.parts.strata == rows["stratum"].nunique()


def test_the_toy_measure_is_in_the_html_report(evaluated, by_hand):
    _, out = evaluated
    tables = html_tables((out / "report.html").read_text(encoding="utf-8"))
    mine = next(t for t in tables if t["caption"] == LABEL[1])
    cells = {row[0]: row[1:] for row in mine["rows"]}
    itv = by_hand[by_hand["arm"] == "intervention"]
    assert cells["Intervention"][0] == f"{round(100 * itv['job'].mean())}%"
    assert cells["Intervention"][-1] == str(len(itv))
    assert "Difference" in cells
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "The share of parents with a status in August 2023 who in August 2023 are in an ordinary job." in html
    flow = next(t for t in tables if t["caption"] == "Participants")
    assert any(row[0] == f"Analysed: {LABEL[1]}" for row in flow["rows"])


def test_the_toy_measure_is_in_the_spreadsheet(evaluated, by_hand):
    _, out = evaluated
    sheets = xlsx_tables(out / "tables.xlsx")
    mine = next(sheet for sheet in sheets.values() if sheet["caption"] == LABEL[1])
    cells = {row[0]: row[1:] for row in mine["rows"]}
    ctl = by_hand[by_hand["arm"] == "control"]
    # stored at the printed precision (a whole percent), in the 0% number format
    assert cells["Control"][0] == pytest.approx(round(ctl["job"].mean(), 2), abs=1e-15)
    assert cells["Control"][-1] == len(ctl)


def test_a_registered_id_cannot_be_registered_twice(toy):
    again = oe.Measure(TOY, "share", "parents", parents_in_job, "percentage_points")
    with pytest.raises(oe.ConfigError, match="registered already"):
        oe.register_measure(again)
    with pytest.raises(oe.ConfigError, match="lower case"):
        oe.register_measure(oe.Measure("Bad Id", "share", "parents", parents_in_job, "percentage_points"))
