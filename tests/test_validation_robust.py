"""Validation on extracts an attacker (or a broken export) would produce.

Each test copies ``data/sample`` (or writes a few lines), breaks it in one
way and checks what the analyst is told: one root cause instead of a
cascade, values cut short instead of echoed whole, implausible dates
refused. Expected counts are taken from the files themselves (lines in the
CSV), never from the loader.
"""

from __future__ import annotations

import csv
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


# -- one root cause instead of a cascade -----------------------------------------------

#: The tables whose family_id refers to families, and whose person_id refers to parents.
FAMILY_LINKS = ("parents.csv", "children.csv", "expenditure.csv")
PARENT_LINKS = ("parent_status.csv", "survey.csv")


def _column(path: Path, column: str) -> list[str]:
    """A column of a CSV file as written (read with the csv module, not the loader)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def _referring(folder: Path, files: tuple[str, ...], column: str, ids: set[str] | None = None) -> dict[str, int]:
    """Rows per file that name an id in ``column`` (one of ``ids`` when given)."""
    return {
        file: sum(1 for v in _column(folder / file, column) if v.strip() and (ids is None or v in ids))
        for file in files
    }


def _suppressed(error: oe.ValidationError) -> dict[tuple[str, str, str], int]:
    s = error.suppressed
    return {(f, c, r): int(n) for f, c, r, n in zip(s["file"], s["column"], s["rule"], s["n"], strict=True)}


def _rewrite(path: Path, change) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def _prefix_ids(path: Path, position: int, prefix: str, lines: range | None = None) -> None:
    """Put ``prefix`` before the id in cell ``position`` of every data line (or of ``lines``, 1 = first data line)."""
    rows = path.read_text(encoding="utf-8").splitlines()
    for i in range(1, len(rows)) if lines is None else lines:
        cells = rows[i].split(",")
        cells[position] = prefix + cells[position]
        rows[i] = ",".join(cells)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _assert_cli(folder: Path, capsys: pytest.CaptureFixture[str], first_line: str, *words: str) -> str:
    capsys.readouterr()
    assert main(["validate", str(folder), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[0] == first_line
    for w in words:
        assert w in err
    assert "Traceback" not in err
    return err


def test_tab_separated_families_is_one_root_cause(sample: Path, capsys: pytest.CaptureFixture[str]):
    _rewrite(sample / "families.csv", lambda text: text.replace(",", "\t"))
    referring = _referring(sample, FAMILY_LINKS, "family_id")
    assert referring == {"parents.csv": 194, "children.csv": 376, "expenditure.csv": 24_239}  # wc -l minus the header

    with pytest.raises(oe.ValidationError) as caught:
        oe.load(sample)
    error = caught.value
    assert error.failures[["table", "file", "column", "rule"]].values.tolist() == [
        ["families", "families.csv", "", "unreadable_file"]
    ]
    assert error.n_failures == 1
    assert _suppressed(error) == {(file, "family_id", "orphan_key"): n for file, n in referring.items()}
    assert error.n_suppressed == 24_809
    assert set(error.suppressed["table"]) == {"parents", "children", "expenditure"}
    assert all("families.csv" in cause for cause in error.suppressed["cause"])

    _assert_cli(
        sample,
        capsys,
        "The extracts do not meet the data contract: 1 problem in 1 file, and 24,809 follow-on errors suppressed.",
        "tab-separated",
        "parents.csv:\n  - column 'family_id': 194 follow-on orphan_key errors suppressed.",
        "children.csv:\n  - column 'family_id': 376 follow-on orphan_key errors suppressed.",
        "expenditure.csv:\n  - column 'family_id': 24,239 follow-on orphan_key errors suppressed.",
        "unreadable_file; see families.csv",
    )


def test_wrong_id_column_of_families(sample: Path, capsys: pytest.CaptureFixture[str]):
    _rewrite(sample / "families.csv", lambda text: text.replace("family_id,", "familyid,", 1))
    with pytest.raises(oe.ValidationError) as caught:
        oe.load(sample)
    error = caught.value
    assert error.failures[["column", "rule"]].values.tolist() == [
        ["familyid", "unknown_column"],
        ["family_id", "missing_column"],
    ]
    assert _suppressed(error) == {
        ("parents.csv", "family_id", "orphan_key"): 194,
        ("children.csv", "family_id", "orphan_key"): 376,
        ("expenditure.csv", "family_id", "orphan_key"): 24_239,
    }
    _assert_cli(
        sample,
        capsys,
        "The extracts do not meet the data contract: 2 problems in 1 file, and 24,809 follow-on errors suppressed.",
        "families.csv has no usable family_id column (missing_column; see families.csv)",
    )


def test_header_only_parents_suppresses_status_and_survey(sample: Path):
    _rewrite(sample / "parents.csv", lambda text: text.splitlines()[0] + "\n")
    with pytest.raises(oe.ValidationError) as caught:
        oe.load(sample)
    error = caught.value
    assert error.failures[["file", "column", "rule"]].values.tolist() == [["parents.csv", "", "empty_table"]]
    assert _suppressed(error) == {
        ("parent_status.csv", "person_id", "orphan_key"): 14_746,
        ("survey.csv", "person_id", "orphan_key"): 984,
    }
    assert "parents.csv has no rows (empty_table" in error.suppressed["cause"].iloc[0]


def test_mangled_family_ids_are_one_unmatched_ids_failure(sample: Path, capsys: pytest.CaptureFixture[str]):
    _prefix_ids(sample / "families.csv", 0, "X")  # F0001 becomes XF0001: no family matches any more
    first_family = _column(sample / "families.csv", "family_id")[0]
    first_parent_family = _column(sample / "parents.csv", "family_id")[0]
    assert (first_family, first_parent_family) == ("XF0001", "F0093")

    with pytest.raises(oe.ValidationError) as caught:
        oe.load(sample)
    error = caught.value
    assert error.failures[["table", "file", "column", "row", "value", "rule"]].values.tolist() == [
        ["families", "families.csv", "family_id", pd.NA, "XF0001", "unmatched_ids"]
    ]
    hint = error.failures["hint"].iloc[0]
    for words in (
        "all 194 rows of parents.csv, all 376 rows of children.csv and all 24,239 rows of expenditure.csv",
        "'F0093' in parents.csv",
        "families.csv has e.g. 'XF0001'",
        "leading zeros",
    ):
        assert words in hint
    assert error.n_failures == 1
    assert error.n_suppressed == 194 + 376 + 24_239
    _assert_cli(
        sample,
        capsys,
        "The extracts do not meet the data contract: 1 problem in 1 file, and 24,809 follow-on errors suppressed.",
        "column 'family_id': unmatched_ids (1×)",
        "counted in the unmatched_ids failure of families.csv",
    )


def test_expenditure_with_another_id_scheme_is_blamed_alone(sample: Path):
    # Parents and children match families; only expenditure uses other ids.
    _prefix_ids(sample / "expenditure.csv", 0, "E")
    with pytest.raises(oe.ValidationError) as caught:
        oe.load(sample)
    error = caught.value
    assert error.failures[["file", "column", "value", "rule"]].values.tolist() == [
        ["expenditure.csv", "family_id", "EF0001", "unmatched_ids"]
    ]
    assert "all 24,239 rows of expenditure.csv name a family not in families.csv" in error.failures["hint"].iloc[0]
    assert _suppressed(error) == {("expenditure.csv", "family_id", "orphan_key"): 24_239}


def _blank_family_ids(path: Path, n: int) -> set[str]:
    """Empty the family_id of the first ``n`` rows of families.csv; the ids removed."""
    blanked = set(_column(path, "family_id")[:n])
    _rewrite(
        path,
        lambda text: (
            "\n".join(line[line.index(",") :] if 1 <= i <= n else line for i, line in enumerate(text.splitlines()))
            + "\n"
        ),
    )
    return blanked


def test_most_family_ids_missing_suppresses_their_members(sample: Path):
    # 63 of the 124 family_ids blanked (more than half): the rows naming those families are follow-ons.
    path = sample / "families.csv"
    blanked = _blank_family_ids(path, 63)
    assert sum(1 for v in _column(path, "family_id") if not v) == 63

    with pytest.raises(oe.ValidationError) as caught:
        oe.load(sample)
    error = caught.value
    assert error.counts[["file", "column", "rule", "n"]].values.tolist() == [
        ["families.csv", "family_id", "missing_value", 63]
    ]
    expected = _referring(sample, FAMILY_LINKS, "family_id", blanked)
    assert all(n > 0 for n in expected.values())
    assert _suppressed(error) == {(file, "family_id", "orphan_key"): n for file, n in expected.items()}
    assert "63 of its 124 rows have no usable family_id (missing_value" in error.suppressed["cause"].iloc[0]


def test_few_missing_family_ids_leave_their_members_listed(sample: Path):
    # Two families without an id (far from half): the rows naming them are ordinary orphans, each listed.
    path = sample / "families.csv"
    blanked = _blank_family_ids(path, 2)
    with pytest.raises(oe.ValidationError) as caught:
        oe.load(sample)
    error = caught.value
    expected = _referring(sample, FAMILY_LINKS, "family_id", blanked)
    orphans = error.counts[error.counts["rule"] == "orphan_key"]
    assert dict(zip(orphans["file"], orphans["n"], strict=True)) == {f: n for f, n in expected.items() if n}
    assert error.n_suppressed == 0
    parent_rows = [i + 2 for i, v in enumerate(_column(sample / "parents.csv", "family_id")) if v in blanked]
    listed = error.failures[(error.failures["file"] == "parents.csv")]["row"].tolist()
    assert listed == parent_rows


@pytest.mark.parametrize(("unknown", "grouped"), [(153, False), (154, True)])
def test_unmatched_ids_start_beyond_half_of_the_rows(sample: Path, unknown: int, grouped: bool):
    # youth_jobs has 306 rows: 153 unknown person_ids (half) are listed one by one, 154 are one unmatched_ids.
    path = sample / "youth_jobs.csv"
    assert len(_column(path, "person_id")) == 306
    _prefix_ids(path, 0, "Z", range(1, unknown + 1))
    with pytest.raises(oe.ValidationError) as caught:
        oe.load(sample)
    error = caught.value
    if grouped:
        assert error.counts[["file", "column", "rule", "n"]].values.tolist() == [
            ["youth_jobs.csv", "person_id", "unmatched_ids", 1]
        ]
        assert (
            "154 of 306 rows (50%) of youth_jobs.csv name a child not in children.csv" in error.failures["hint"].iloc[0]
        )
        assert _suppressed(error) == {("youth_jobs.csv", "person_id", "orphan_key"): 154}
    else:
        assert error.counts[["file", "column", "rule", "n"]].values.tolist() == [
            ["youth_jobs.csv", "person_id", "orphan_key", 153]
        ]
        assert error.n_suppressed == 0
