"""Spreadsheet safety (issue 12, part 4; data contract, section 5): text from the data is inert in tables.xlsx.

A site, survey item or stray file name that starts with ``=`` used to become
a live formula (``=HYPERLINK(...)``) in ``tables.xlsx``. These tests plant
such names in a copy of the shipped sample, run the report through the
public API and the CLI, and read the spreadsheet back twice: as raw XML
(no ``<f>`` element anywhere, each planted name an inline string with
exactly its own text) and through openpyxl (no formula cell, and the
``quotePrefix`` style that keeps text starting with a formula character
text when a reader edits it).

The loader strips leading and trailing whitespace from site and item
names, so a tab or carriage return can only reach the spreadsheet in a
file name; the stray files below carry those two.
"""

from __future__ import annotations

import csv
import re
import shutil
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import opgang_eval as oe
from opgang_eval.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
EPOCH = "1705276800"  # 2024-01-15, so that two renders share their date

#: Site names, one per site; the sample's 124 families dealt round-robin over them (about 31 each, both arms).
SITES = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)")
#: The sample's three survey items renamed.
ITEMS = {"surplus": '=HYPERLINK("http://x","y")', "trust": "@SUM(A1)", "quality_of_life": "-2+3"}
#: Stray files beside the extracts: the loader names each in a data-quality warning, which reaches the spreadsheet.
STRAY = ("=1+2.txt", "+1+1.txt", "-2+3.txt", "@SUM(A1).txt", "\t=3+4.txt", "\r=5+6.txt")

_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_TYPE = re.compile(r'\bt="([^"]*)"')
_TEXT = re.compile(r"<t\b[^>]*>(.*?)</t>", re.S)


def _planted_extract(folder: Path) -> Path:
    """A copy of the sample with the planted site, item and file names."""
    shutil.copytree(SAMPLE, folder)
    families = pd.read_csv(folder / "families.csv", dtype=str, keep_default_na=False)
    families["site"] = [SITES[i % len(SITES)] for i in range(len(families))]
    families.to_csv(folder / "families.csv", index=False, quoting=csv.QUOTE_ALL)
    survey = pd.read_csv(folder / "survey.csv", dtype=str, keep_default_na=False)
    assert set(survey["item"]) == set(ITEMS)
    survey["item"] = survey["item"].map(ITEMS)
    survey.to_csv(folder / "survey.csv", index=False, quoting=csv.QUOTE_ALL)
    for name in STRAY:
        (folder / name).write_text("not an extract\n", encoding="utf-8")
    return folder


def _render(ev: oe.Evaluation, out: Path) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        oe.render_report(ev, out, formats=["xlsx"], lang="da")
    return out / "tables.xlsx"


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> Path:
    return _planted_extract(tmp_path_factory.mktemp("xlsx_safety") / "extract")


@pytest.fixture(scope="module")
def ev(extract) -> oe.Evaluation:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)  # the stray files, on purpose
        return oe.evaluate(oe.load(extract))


@pytest.fixture(scope="module")
def book_path(ev, tmp_path_factory) -> Path:
    return _render(ev, tmp_path_factory.mktemp("xlsx_safety_out") / "out")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/")}


def _string_cells(path: Path) -> list[tuple[str, str]]:
    """Every cell of every sheet as ``(type attribute, text)``, from the stored XML."""
    cells = []
    for xml in _sheet_xml(path).values():
        for attrs, body in _CELL.findall(xml):
            kind = _TYPE.search(attrs)
            cells.append((kind.group(1) if kind else "", _unescape("".join(_TEXT.findall(body or "")))))
    return cells


def _assert_inert(path: Path) -> None:
    """No formula anywhere in the stored XML or as openpyxl reads it; every planted name an exact string cell."""
    parts = _sheet_xml(path)
    assert parts, "tables.xlsx has no worksheets"
    for name, xml in parts.items():
        assert re.search(r"<f[\s>/]", xml) is None, f"a formula element in {name}"
    texts = {text for kind, text in _string_cells(path) if kind in ("inlineStr", "s", "str")}
    planted = set(SITES) | set(ITEMS.values()) | set(STRAY)
    assert planted - texts == set(), "a planted name is missing or not stored as a string"
    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    assert cell.data_type == "s"
                    assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate} would turn into a formula when edited"


def test_planted_names_reach_the_spreadsheet(book_path):
    # the sites are big enough to be shown, so the test is about the names, not about their suppression
    book = load_workbook(book_path)
    by_site = [c.value for c in book["by_site"][2]]
    assert set(SITES) <= set(by_site)
    survey_rows = {r[0] for r in book["survey"].iter_rows(min_row=3, values_only=True)}
    assert set(ITEMS.values()) <= survey_rows


def test_no_text_cell_is_a_formula(book_path):
    _assert_inert(book_path)


def test_text_is_stored_as_written_and_numbers_stay_numbers(book_path):
    cells = _string_cells(book_path)
    texts = {text for kind, text in cells if kind == "inlineStr"}
    assert {"+20\xa0%", "\u221220\xa0%"} <= texts  # the report's own signed labels, no apostrophe or space added
    assert {"'" + name for name in (*SITES, *ITEMS.values(), *STRAY)} & texts == set()
    assert sum(kind == "n" for kind, _ in cells) > 50  # counts, shares and amounts are numeric cells


def test_the_cli_spreadsheet_is_inert_too(extract, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        assert main(["report", str(extract), "--out", str(tmp_path / "out"), "--format", "xlsx"]) == 0
    _assert_inert(tmp_path / "out" / "tables.xlsx")


def test_rendering_the_planted_extract_is_byte_for_byte_reproducible(ev, book_path, tmp_path):
    assert _render(ev, tmp_path / "again").read_bytes() == book_path.read_bytes()
