"""The report's structure: release first, then sections that neither read the evaluation nor branch on language.

Issue 12 (part 7) asks for one module per section, each a function of released
values, a formatter and the words; every word in one catalogue per language;
tables that carry raw values with a format which each renderer applies. These
tests read the source (imports, language branches) and the spreadsheet a
report writes (numbers and their number formats).
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from openpyxl import load_workbook
from statsmodels.stats.proportion import proportion_confint

import opgang_eval as oe
from handbuilt import load
from opgang_eval.presentation.texts import CATALOGUES
from report_helpers import CONFIG, EPOCH, build_extract

PRESENTATION = Path(oe.__file__).parent / "presentation"
SECTIONS = sorted((PRESENTATION / "sections").glob("*.py"))
#: What lays the report out: it may see released values only.
RENDERING = [*SECTIONS, *(PRESENTATION / name for name in ("render.py", "figures.py", "tables.py", "report.py"))]
RENDERING += [PRESENTATION / "formatting.py", *sorted((PRESENTATION / "texts").glob("*.py"))]
#: Modules that hold (or compute) the evaluation's unreleased numbers.
UNRELEASED = {"opgang_eval.evaluation", "opgang_eval.results", "opgang_eval.release.collect"}


def _imports(path: Path, source: str | None = None) -> set[str]:
    """The modules ``path`` imports (``source``: its text, if not the file's), relative ones resolved."""
    package = ".".join(path.relative_to(PRESENTATION.parent.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(source if source is not None else path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[: len(base) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("path", RENDERING, ids=lambda p: p.name)
def test_nothing_that_renders_imports_the_evaluation(path):
    assert _imports(path) & UNRELEASED == set()


def test_the_import_check_sees_an_import_of_the_evaluation():
    # The check itself: a module of the sections package importing the evaluation is caught.
    probe = PRESENTATION / "sections" / "probe.py"
    source = "from ...evaluation import Evaluation\nfrom ... import results\n"
    assert _imports(probe, source) & UNRELEASED == {"opgang_eval.evaluation", "opgang_eval.results"}


def _language_branches(path: Path) -> list[str]:
    """Places where a module compares with a language code or reads a language attribute."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and node.value in ("da", "en"):
            found.append(f"{path.name}:{node.lineno}: the literal {node.value!r}")
        if isinstance(node, ast.Attribute) and node.attr == "lang" and path.name not in ("page.py", "__init__.py"):
            found.append(f"{path.name}:{node.lineno}: .lang")
    return found


def test_no_section_module_branches_on_the_language():
    assert [hit for path in SECTIONS for hit in _language_branches(path)] == []


def test_the_branch_check_sees_a_branch(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('def label(p):\n    return "Forældre" if p.lang == "da" else "Parents"\n', encoding="utf-8")
    assert len(_language_branches(probe)) == 2  # the literal 'da' and .lang


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogues_have_the_same_keys_and_placeholders():
    da, en = CATALOGUES["da"], CATALOGUES["en"]
    assert sorted(da) == sorted(en)
    # The English settings of the matching are the design's own description; every other text takes the same
    # placeholders in both languages.
    own_words = {"comparison:matching", "comparison:weighting"}
    differing = {key for key in da if _fields(da[key]) != _fields(en[key])}
    assert differing == own_words
    assert all(_fields(en[key]) == {"description"} for key in own_words)


# -- the spreadsheet: numbers with formats ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = build_extract(tmp_path_factory.mktemp("sections") / "extract")
    ev = oe.evaluate(load(folder), config=CONFIG)
    out = tmp_path_factory.mktemp("sections-out")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        oe.render_report(ev, out, formats=("xlsx",), lang="da", progress=False)
    return load_workbook(out / "tables.xlsx")


def _row(sheet, label: str):
    return next(row for row in sheet.iter_rows(min_row=3) if row[0].value == label)


def test_a_share_and_its_interval_are_numbers_shown_as_percent(book):
    # Parents in work or education, intervention: 10 of 17 (hand count in report_helpers), Wilson interval.
    header = [c.value for c in next(book["parents_in_work_or_education"].iter_rows(min_row=2, max_row=2))]
    assert header == ["Gruppe", "Estimat", "95 %-konfidensinterval, nedre grænse",
                      "95 %-konfidensinterval, øvre grænse", "Antal"]  # fmt: skip
    row = _row(book["parents_in_work_or_education"], "Indsats")
    low, high = proportion_confint(10, 17, method="wilson")
    # Stored at the printed precision: 10/17 = 58.8 % is 0.59 (the exact fraction would give 17 away).
    assert [c.value for c in row[1:]] == [0.59, round(low, 2), round(high, 2), 17]
    assert [c.number_format for c in row[1:]] == ["0%", "0%", "0%", "#,##0"]


def test_amounts_are_kroner_and_a_difference_of_shares_is_in_points(book):
    # Every control family costs 40,000 and every intervention family 10,000 DKK (report_helpers).
    account = book["cost_account"]
    gross = _row(account, "Besparelse pr. familie (brutto)")[1]
    assert gross.value == pytest.approx(30_000) and gross.number_format == '#,##0" kr."'
    # The difference in percentage points, as printed: 10/17 − 5/14 = 23.11 → 23.1.
    effect = _row(book["parents_in_work_or_education"], "Forskel")[1]
    assert effect.value == 23.1
    assert effect.number_format == '+0.0" pct.-point";-0.0" pct.-point";0.0" pct.-point"'


def test_a_hidden_cell_is_its_marker_in_every_column_it_spans(book):
    # Survey, control: three parents answered both waves: every cell reads "<5", the interval's two columns too.
    row = next(r for r in book["survey"].iter_rows(min_row=3) if r[1].value == "Kontrol")
    assert [c.value for c in row[2:]] == ["<5"] * 7
    assert all(re.fullmatch(r"General", c.number_format) for c in row[2:])


def test_the_account_holds_its_interval_as_two_rows(book):
    # Every resample gives 30,000 (report_helpers): both bounds are 30,000, each a row of its own.
    rows = {row[0].value: row[1] for row in book["cost_account"].iter_rows(min_row=3)}
    assert rows["95 %-konfidensinterval, nedre grænse"].value == pytest.approx(30_000)
    assert rows["95 %-konfidensinterval, øvre grænse"].value == pytest.approx(30_000)
    assert "95 %-konfidensinterval" not in rows
