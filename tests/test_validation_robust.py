"""Validation on extracts an attacker (or a broken export) would produce.

Each test copies ``data/sample`` (or writes a few lines), breaks it in one
way and checks what the analyst is told: one root cause instead of a
cascade, values cut short instead of echoed whole, implausible dates
refused. Expected counts are taken from the files themselves (lines in the
CSV), never from the loader.
"""

from __future__ import annotations

import datetime as dt
import shutil
import warnings
from pathlib import Path

import pandas as pd
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


# -- implausible dates are refused -----------------------------------------------------

#: (file, CSV line, position of the cell, value): one cell before 1990-01-01 in each dated column.
TOO_EARLY = [
    ("families.csv", 2, 2, "1900-01-01"),  # enrolled_on of F0001 (a placeholder for "unknown")
    ("families.csv", 5, 2, "1989-12-31"),  # enrolled_on of F0004, the day before the bound
    ("parent_status.csv", 2, 1, "1989-12"),
    ("youth_jobs.csv", 3, 1, "1900-01"),
    ("expenditure.csv", 2, 1, "1989-12-01"),  # a month written as the 1st of the month
    ("school_absence.csv", 2, 1, "1989/90"),  # begins 1 August 1989
]


@pytest.mark.parametrize(("file", "line", "position", "value"), TOO_EARLY)
def test_date_before_1990_is_refused(
    sample: Path, capsys: pytest.CaptureFixture[str], file: str, line: int, position: int, value: str
):
    path = sample / file
    column = path.read_text(encoding="utf-8").splitlines()[0].split(",")[position]
    _rewrite_line(path, line - 1, {position: value})

    with pytest.raises(oe.ValidationError) as caught:
        oe.load(sample)
    failures = caught.value.failures
    assert failures[["file", "column", "row", "value", "rule"]].values.tolist() == [
        [file, column, line, value, "out_of_range"]
    ]
    assert "1990" in failures["hint"].iloc[0]

    assert main(["validate", str(sample), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("The extracts do not meet the data contract: 1 problem in 1 file.")
    for words in (f"{file}:", f"column '{column}': out_of_range (1×)", f"row {line}", repr(value), "write the real"):
        assert words in err


def test_exit_before_1990_is_refused_and_before_the_enrolment(sample: Path):
    # F0036 enrolled 2020-02-26 and left 2021-02-16 (line 37); a placeholder exit breaks two rules.
    lines = (sample / "families.csv").read_text(encoding="utf-8").splitlines()
    assert lines[36].startswith("F0036,") and lines[36].endswith(",2021-02-16")
    _rewrite_line(sample / "families.csv", 36, {5: "1900-01-01"})

    with pytest.raises(oe.ValidationError) as caught:
        oe.load(sample)
    failures = caught.value.failures
    assert sorted(failures[["column", "row", "value", "rule"]].values.tolist()) == [
        ["exited_on", 37, "1900-01-01", "date_order"],
        ["exited_on", 37, "1900-01-01", "out_of_range"],
    ]


def test_first_day_month_and_school_year_of_1990_are_accepted(sample: Path):
    _rewrite_line(sample / "families.csv", 1, {2: "1990-01-01"})
    _rewrite_line(sample / "parent_status.csv", 1, {1: "1990-01"})
    _rewrite_line(sample / "school_absence.csv", 1, {1: "1990/91"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        ex = oe.load(sample)
    assert ex.families["enrolled_on"].iloc[0] == pd.Timestamp("1990-01-01")
    assert str(ex.parent_status["month"].iloc[0]) == "1990-01"
    assert ex.school_absence["school_year"].iloc[0] == "1990/91"


def test_school_year_must_have_begun_on_the_given_today(sample: Path):
    # 2027/28 begins on 1 August 2027: accepted from that day, refused the day before.
    _rewrite_line(sample / "school_absence.csv", 1, {1: "2027/28"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        assert oe.load(sample, today=dt.date(2027, 8, 1)).school_absence["school_year"].iloc[0] == "2027/28"
        with pytest.raises(oe.ValidationError) as caught:
            oe.load(sample, today=dt.date(2027, 7, 31))
    failures = caught.value.failures
    assert failures[["file", "column", "row", "value", "rule"]].values.tolist() == [
        ["school_absence.csv", "school_year", 2, "2027/28", "future_date"]
    ]
