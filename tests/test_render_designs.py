"""The report renders for every design an extract can lead to, and says which one it rests on.

A crash found in review (#8): without a control arm the report looked up
words for a design name that no longer existed. Each extract here is
generated (seeded) with known arm sizes; what the test expects — the design
words, the families counted — follows from those sizes, not from the code.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import opgang_eval as oe
from opgang_eval.synthetic import Scenario, generate, write_extracts
from report_helpers import html_tables, xlsx_tables

FAST = {"bootstrap_replicates": 49}

#: name → (intervention, control, comparison families, config overrides, design, English design words)
CASES = {
    "randomised": (30, 30, 0, {}, "randomised", "Families were randomised"),
    "no_control": (30, 0, 0, {}, "before_after", "There is no control group."),
    "pool": (30, 0, 300, {}, "matched", "There was no randomisation here."),
    "pool_weighted": (30, 0, 300, {"comparison": {"method": "weighting"}}, "weighted", "weighted to resemble"),
    "forced": (30, 30, 300, {"design": "observational"}, "matched", "but this evaluation was asked"),
    # A caliper no pair meets: the observational design cannot be built; the savings fall back to the control arm.
    "forced_unbuilt": (30, 30, 300, {"design": "observational", "comparison": {"caliper": 1e-9}}, "matched", None),
}


@pytest.fixture(scope="module", params=list(CASES))
def rendered(request, tmp_path_factory):
    itv, ctl, pool, overrides, _, _ = CASES[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    scenario = Scenario(intervention_families=itv, control_families=ctl, comparison_families=pool)
    write_extracts(generate(scenario, 3), folder / "extract")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = oe.evaluate(oe.load(folder / "extract"), config={**FAST, **overrides}, progress=False)
    for lang in ("da", "en"):
        oe.render_report(ev, folder / lang, formats=("html", "xlsx"), lang=lang, progress=False)
    return request.param, ev, folder


def test_the_report_renders_and_names_its_design(rendered):
    name, ev, folder = rendered
    _, _, _, _, design, words = CASES[name]
    assert ev.design == design
    html = (folder / "en" / "report.html").read_text(encoding="utf-8")
    if words is not None:
        assert words in html
    assert (folder / "da" / "report.html").stat().st_size > 0
    assert xlsx_tables(folder / "da" / "tables.xlsx")


def test_the_flow_counts_the_families_the_savings_compare(rendered):
    """The savings rest on the control arm unless the observational design was built (then on the pool)."""
    name, _, folder = rendered
    itv, ctl, _, _, _, _ = CASES[name]
    flow = next(
        t
        for t in html_tables((folder / "en" / "report.html").read_text(encoding="utf-8"))
        if t["caption"] == "Participants"
    )
    row = next(r for r in flow["rows"] if r[0] == "Analysed: Savings per family")
    if ctl and name in ("randomised", "forced_unbuilt"):  # every family enrolled by E (2019-09 … 2020-12)
        assert row[1:] == [str(itv), str(ctl)]
    elif ctl:  # forced and built: the comparison families, not the control arm's
        assert row[2] == "0"
    else:
        assert row[1] != "0"


def test_an_evaluation_keeps_the_measures_it_computed(tmp_path):
    """A measure registered after evaluate is not in that evaluation's views (nor half in its report)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = oe.evaluate(oe.load(Path(__file__).parent.parent / "data" / "sample"), config=FAST, progress=False)
    late = oe.Measure("late_measure", "share", "parents", lambda inputs, arm: None, "percentage_points")  # type: ignore[arg-type, return-value]
    oe.register_measure(late)
    try:
        assert "late_measure" not in ev.summary().index
        assert [m.id for m in ev.declared] == [m.id for m in oe.registered_measures() if m.id != "late_measure"]
        # no words needed for it (ledger=False: the committed sample gets no ledger)
        oe.render_report(ev, tmp_path, formats=("html",), lang="en", progress=False, ledger=False)
        assert "late_measure" not in (tmp_path / "report.html").read_text(encoding="utf-8")
    finally:
        oe.unregister_measure("late_measure")


def test_a_measure_without_words_is_refused_by_name(tmp_path):
    def nothing(inputs: oe.Inputs, arm: str) -> oe.Result:
        return oe.Share.unavailable("wordless", arm, "a test measure")

    oe.register_measure(oe.Measure("wordless", "share", "parents", nothing, "percentage_points"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ev = oe.evaluate(oe.load(Path(__file__).parent.parent / "data" / "sample"), config=FAST, progress=False)
        assert ev.measures["wordless"].reason == "a test measure"
        with pytest.raises(oe.ConfigError) as info:
            oe.render_report(ev, tmp_path / "out", formats=("html",), progress=False, ledger=False)
        assert info.value.failures["column"].tolist() == ["measure:wordless", "definition:wordless"]
        assert not (tmp_path / "out").exists()
    finally:
        oe.unregister_measure("wordless")


def test_the_contracts_measures_cannot_be_unregistered():
    with pytest.raises(oe.ConfigError, match="cannot be removed"):
        oe.unregister_measure("parents_in_work_or_education")
    assert "parents_in_work_or_education" in [m.id for m in oe.registered_measures()]
