"""The report of a site without randomisation: comparison-group section, disclosure, wording.

A small generated evaluation — 62 intervention families, no control arm
and a register pool of 600 families that differ at baseline — is evaluated
once, rendered in English (HTML, PDF, spreadsheet) and Danish (HTML). The
tests read the rendered files.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import opgang_eval as oe
from opgang_eval.synthetic import Scenario, simulate, write_extracts
from report_helpers import html_tables, input_ids, leaked_ids, pdf_text, xlsx_tables

CONFIG = {"bootstrap_replicates": 50}


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tilst")
    sim = simulate(Scenario(intervention_families=62, control_families=0, comparison_families=600), seed=11)
    write_extracts(sim.tables, folder)
    return folder


@pytest.fixture(scope="module")
def evaluation(extract: Path) -> oe.Evaluation:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        return oe.evaluate(oe.load(extract), CONFIG)


@pytest.fixture(scope="module")
def rendered(evaluation: oe.Evaluation, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for lang, formats in (("en", ("html", "pdf", "xlsx")), ("da", ("html",))):
        folder = tmp_path_factory.mktemp(f"report-{lang}")
        oe.render_report(evaluation, folder, formats=formats, lang=lang)
        out[lang] = folder
    return out


def balance_rows(html: str) -> list[list[str]]:
    table = next(t for t in html_tables(html) if t["caption"].startswith("Balance"))
    return table["rows"]


def test_the_report_says_plainly_that_the_design_is_weaker(rendered: dict[str, Path]) -> None:
    en = (rendered["en"] / "report.html").read_text(encoding="utf-8")
    da = (rendered["da"] / "report.html").read_text(encoding="utf-8")
    assert en.count("weaker than randomisation") >= 3  # key results, comparison group, results, limitations
    assert da.count("svagere design end lodtrækning") >= 3
    assert "Comparison group" in en and "Sammenligningsgruppe" in da
    assert "Difference from comparison" in en
    # No sentence claims a randomised control arm.
    assert "randomised (within strata)" not in en


def test_the_comparison_section_has_balance_love_plot_and_event_study(rendered: dict[str, Path]) -> None:
    html = (rendered["en"] / "report.html").read_text(encoding="utf-8")
    section = html[html.index('id="comparison_group"') :]
    section = section[: section.index("</section>")]
    for figure in ("love_plot", "event_study"):
        assert (rendered["en"] / "figures" / f"{figure}.svg").exists()
    assert "Joint test of the pre-enrolment differences: F = " in section
    header = next(t for t in html_tables(html) if t["caption"].startswith("Balance"))["header"]
    assert header == [
        "Characteristic",
        "Intervention",
        "Pool, all",
        "SMD before",
        "Intervention, matched",
        "Pool, matched",
        "SMD after",
        "Verdict",
    ]
    assert "Balance before and after matching" in pdf_text(rendered["en"] / "report.pdf")


def test_balance_cells_follow_the_disclosure_rule(evaluation: oe.Evaluation, rendered: dict[str, Path]) -> None:
    """A binary covariate's share is hidden exactly when its count or complement is 1–4 (min_cell 5)."""
    bal = evaluation.tables["balance"]
    rows = balance_rows((rendered["en"] / "report.html").read_text(encoding="utf-8"))
    assert len(rows) == len(bal)
    checked = 0
    for row, (_, b) in zip(rows, bal.iterrows(), strict=True):
        if not b["binary"]:
            continue
        for column, count, n in (
            (1, b["count_treated"], b["n_treated"]),
            (2, b["count_comparison"], b["n_comparison"]),
            (4, b["count_treated_after"], b["n_treated_after"]),
            (5, b["count_comparison_after"], b["n_comparison_after"]),
        ):
            small = 0 < count < 5 or 0 < n - count < 5
            assert (row[column] == "<5") == small, (row[0], column, count, n)
            checked += 1
    assert checked >= 4


def test_a_hidden_count_of_dropped_families_is_not_given_away_by_the_included_count(
    evaluation: oe.Evaluation, rendered: dict[str, Path]
) -> None:
    c = evaluation.observational.counts
    dropped = c["treated"] - c["treated_used"]
    text = (rendered["en"] / "report.html").read_text(encoding="utf-8")
    if 0 < dropped < 5:
        assert f"All but &lt;5 of {c['treated']} intervention families" in text
    else:
        assert f"{c['treated_used']} of {c['treated']} intervention families" in text


def test_event_study_points_with_few_persons_are_not_drawn(
    evaluation: oe.Evaluation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figure gets NaN for a period where either group has fewer than min_cell parents behind it."""
    from opgang_eval.presentation import figures
    from opgang_eval.presentation.context import build_context

    table = evaluation.event_study.table
    # A threshold that some periods pass and others do not.
    threshold = int(np.median(np.minimum(table["persons_treated"], table["persons_comparison"])))
    strict = replace(evaluation, config=evaluation.config.replace(min_cell=threshold))
    drawn = {}
    original = figures.event_study

    def capture(data, *args, **kwargs):
        drawn["data"] = data.copy()
        return original(data, *args, **kwargs)

    monkeypatch.setattr(figures, "event_study", capture)
    build_context(strict, "en")
    data = drawn["data"]
    few = (table["persons_treated"] < threshold) | (table["persons_comparison"] < threshold)
    assert 0 < few.sum() < len(table)
    assert data["estimate"][few.to_numpy()].isna().all()
    assert data["estimate"][~few.to_numpy()].notna().all()
    assert data["low"][few.to_numpy()].isna().all()


def test_no_ids_leave_the_process(extract: Path, rendered: dict[str, Path]) -> None:
    ids = input_ids(extract)
    assert len(ids) > 1000
    for folder in rendered.values():
        assert leaked_ids(folder, ids) == {}


def test_without_common_support_the_report_gives_the_reason(extract: Path, tmp_path: Path) -> None:
    """A caliper too narrow for any match: every effect has the reason, the report renders it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        ev = oe.evaluate(oe.load(extract), {**CONFIG, "comparison": {"caliper": 1e-12, "distance": "score"}})
    assert not ev.observational.available
    assert all(not e.available and "caliper" in e.reason for e in ev.effects.values())
    oe.render_report(ev, tmp_path, formats=("html",), lang="en")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "no intervention family found a comparison family within the caliper" in html
    assert not re.search(r"Traceback|nan%", html)
    assert np.isnan(ev.effects["parents_in_work_or_education"].estimate)


@pytest.fixture(scope="module")
def one_left_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[oe.Evaluation, Path]:
    """The CLI's sample with a pool of 400: common support leaves exactly one intervention family out."""
    folder = tmp_path_factory.mktemp("one-left-out")
    write_extracts(simulate(Scenario(control_families=0, comparison_families=400), seed=20190901).tables, folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        ev = oe.evaluate(oe.load(folder), CONFIG, progress=False)
    out = tmp_path_factory.mktemp("one-left-out-report")
    oe.render_report(ev, out, formats=("html", "xlsx"), lang="en", progress=False)
    return ev, out


def test_one_family_left_out_cannot_be_recovered(one_left_out: tuple[oe.Evaluation, Path]) -> None:
    """Nothing sized or summed over the 61 matched intervention families is shown (D1 of the review)."""
    ev, out = one_left_out
    c = ev.observational.counts
    assert (c["treated"], c["treated_used"]) == (62, 61)  # the premise
    html = (out / "report.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", html)
    assert "All but &lt;5 of 62 intervention families are included (left out: &lt;5 outside common support)" in text
    assert "compared with families from the pool" in text and "61" not in re.findall(r"compared with \S+", text)[0]
    assert "degrees of freedom" not in text  # G − 1 would count the matched families
    tables = {t["caption"]: t for t in html_tables(html)}
    flow = {row[0]: row[1:] for row in tables["Participants"]["rows"]}
    assert flow["Analysed: Savings per family"] == ["hidden"]  # all but one: hidden, though not a small count
    account = {row[0]: row[1] for row in tables["Cost-benefit account"]["rows"]}
    assert account["Net result, total"] == "hidden"
    # The balance table's after side shows all 62 intervention families: the same cells as the before side.
    balance = next(t for c, t in tables.items() if c.startswith("Balance"))
    assert balance["header"][4] == "Intervention"
    for row in balance["rows"]:
        assert row[4] == row[1], row[0]
    assert "to protect them, the after columns compare all intervention families" in text


def test_an_observational_effect_is_hidden_when_a_matched_cell_is_small(evaluation: oe.Evaluation) -> None:
    """The review's D2: cells of the matched sample behind a shown difference.

    A difference at one time point (the flexjob share) plus the printed intervention share gives the
    comparison share away, so each of its cells passes the share rule. A difference-in-differences mixes
    four unprinted cell rates, so each cell needs min_cell persons (few parents in work before enrolment
    — the programme's target group — do not hide it).
    """
    from opgang_eval.release.collect import observational_effect_ok

    flex = evaluation.effects["flexjob_share_of_work_or_education"]
    assert observational_effect_ok(flex, 5)
    for i, cell in enumerate(flex.parts.cells):
        for with_ in (3, cell.persons - 2):  # 1–4 with, or 1–4 without
            cells = list(flex.parts.cells)
            cells[i] = replace(cell, with_outcome=with_)
            assert not observational_effect_ok(replace(flex, parts=replace(flex.parts, cells=tuple(cells))), 5)
    did = evaluation.effects["parents_in_work_or_education"]
    before = did.parts.cell("intervention", "pre")
    assert before.with_outcome < 5 and observational_effect_ok(did, 5)  # 3 parents in work the month before
    cells = tuple(replace(c, persons=4) if (c.group, c.period) == ("comparison", "pre") else c for c in did.parts.cells)
    assert not observational_effect_ok(replace(did, parts=replace(did.parts, cells=cells)), 5)


def test_the_spreadsheet_holds_means_at_the_printed_precision(one_left_out: tuple[oe.Evaluation, Path]) -> None:
    """An exact matched-group mean would reveal the group's size as its denominator (the review's D3)."""
    _, out = one_left_out
    sheets = xlsx_tables(out / "tables.xlsx")
    balance = next(sheet for sheet in sheets.values() if str(sheet["caption"]).startswith("Balance"))
    numbers = [v for row in balance["rows"] for v in row[1:] if isinstance(v, float)]
    assert numbers and all(round(v, 2) == v for v in numbers)
    account = next(sheet for sheet in sheets.values() if sheet["caption"] == "Cost-benefit account")
    follow_up = next(row[1] for row in account["rows"] if row[0] == "Mean follow-up (months)")
    assert round(follow_up, 1) == follow_up
