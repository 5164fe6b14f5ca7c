"""Validation on extracts an attacker (or a broken export) would produce.

Each test copies ``data/sample`` (or writes a few lines), breaks it in one
way and checks what the analyst is told: one root cause instead of a
cascade, values cut short instead of echoed whole, implausible dates
refused. Expected counts are taken from the files themselves (lines in the
CSV), never from the loader.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import opgang_eval as oe
from opgang_eval.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE, folder)
    return folder


def _rewrite_line(path: Path, index: int, change: dict[int, str], extra: str | None = None) -> None:
    """Replace cells (by position) of line ``index`` (0 = header) of a comma CSV."""
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[index].split(",")
    for position, value in change.items():
        cells[position] = value
    lines[index] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- values echoed in messages are cut short -----------------------------------------


def test_huge_cell_is_not_echoed_whole(sample: Path, capsys: pytest.CaptureFixture[str]):
    huge = "x" * 50_000_000
    _rewrite_line(sample / "families.csv", 1, {1: huge})  # the arm of the first family
    _rewrite_line(sample / "families.csv", 0, {3: "s" * 5_000})  # the header 'site' becomes a 5,000-letter name

    assert main(["validate", str(sample), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err) < 5_000
    assert "unknown_code" in err and "unknown_column" in err  # site is optional: nothing is missing
    assert "'" + "x" * 59 + "…'" in err  # 60 characters shown, the last one the ellipsis
    assert "'" + "s" * 59 + "…'" in err
    assert "x" * 61 not in err and "s" * 61 not in err


def test_failure_table_keeps_values_cut_short(sample: Path):
    _rewrite_line(sample / "parents.csv", 1, {2: "9" * 1_000})  # a birth year of a thousand digits
    with pytest.raises(oe.ValidationError) as caught:
        oe.load(sample)
    failures = caught.value.failures
    shown = failures.loc[failures["column"] == "birth_year", "value"].tolist()
    assert shown == ["9" * 59 + "…"]
