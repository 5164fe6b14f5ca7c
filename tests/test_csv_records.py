"""How CSV records are found: row numbers, field counts, quoting and line breaks.

The loader reads CSV with pandas and locates each record (the line it starts
on, its number of fields) with a vectorised scan of the bytes; files whose
quoting that scan cannot vouch for go through :mod:`csv` instead. These tests
pin both paths to the same answer and to the line an analyst sees in an editor.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import opgang_eval as oe
from opgang_eval.loading.readers import _csv_records_fast, _csv_records_python, _UnclosedQuote

MINIMAL = {
    "families.csv": "family_id,arm,enrolled_on,site\nF1,intervention,2020-01-01,Viby\nF2,control,2020-02-01,Tilst\n",
    "parents.csv": "person_id,family_id,birth_year\nP1,F1,1980\nP2,F2,1981\n",
    "children.csv": "person_id,family_id,birth_year\n",
    "parent_status.csv": "person_id,month,status\nP1,2020-01,job\nP2,2020-01,job\n",
}


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, text in files.items():
        (root / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root


def load(root: Path) -> oe.Extracts:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        return oe.load(root)


def failures(root: Path) -> set[tuple[str, str, str, int | None]]:
    with pytest.raises(oe.ValidationError) as info:
        load(root)
    f = info.value.failures
    return {
        (t, c, r, None if row is None or row != row else int(row))
        for t, c, r, row in zip(f["table"], f["column"], f["rule"], f["row"].astype(object), strict=True)
    }


def both_paths(body: bytes, sep: str):
    """The fast reading (``None`` when it declines) and the :mod:`csv` one."""
    return _csv_records_fast(body, sep), _csv_records_python(body, sep)


def same_records(fast, slow) -> bool:
    names, frame, starts, fields = fast
    names2, frame2, starts2, fields2 = slow
    if names != names2 or not np.array_equal(starts, starts2) or not np.array_equal(fields, fields2):
        return False
    keep = fields[1:] <= len(names)
    a = frame.iloc[:, : len(names)][keep].fillna("").to_numpy().tolist()
    b = frame2[keep].fillna("").to_numpy().tolist()
    return a == b


PIECES = ["a", "æ", ",", ";", '"', "\n", "\r\n", "\r", " "]
CELL = st.lists(st.sampled_from(PIECES), max_size=5).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    sep=st.sampled_from([",", ";"]),
    rows=st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=0, max_size=6),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_fast_scan_agrees_with_the_csv_module(sep, rows, quoting, newline):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, quoting=quoting, lineterminator=newline)
    writer.writerows([["a", "b", "c"], *rows])
    body = buffer.getvalue().encode("utf-8").rstrip() + b"\n"
    fast, slow = both_paths(body, sep)
    assert fast is not None  # a file written by a CSV writer is always well quoted
    assert same_records(fast, slow)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(sep=st.sampled_from([",", ";"]), tail=st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_fast_scan_declines_or_agrees_on_any_text(sep, tail):
    body = (f"a{sep}b\n" + tail).encode("utf-8").rstrip() + b"\n"
    try:
        fast, slow = both_paths(body, sep)
    except _UnclosedQuote:
        return
    assert fast is None or same_records(fast, slow)


def test_rows_are_lines_after_a_quoted_line_break_and_with_a_stray_quote(tmp_path: Path):
    # A stray quote inside a value sends the file through the csv module; rows must still be lines.
    families = (
        'family_id,arm,enrolled_on,site\nF1,intervention,2020-01-01,"Viby\nSyd"\nF2,treatment,2020-02-01,5" Tilst\n'
    )
    assert _csv_records_fast(families.encode(), ",") is None
    assert failures(write(tmp_path, {**MINIMAL, "families.csv": families})) == {("families", "arm", "unknown_code", 4)}


def test_lone_cr_line_breaks_are_lines(tmp_path: Path):
    parents = "person_id,family_id,birth_year\rP1,F1,1980\rP2,F2,1881\r"
    assert failures(write(tmp_path, {**MINIMAL, "parents.csv": parents})) == {
        ("parents", "birth_year", "out_of_range", 3)
    }


def test_unclosed_quote_names_its_line(tmp_path: Path):
    families = 'sep=,\nfamily_id,arm,enrolled_on,site\nF1,intervention,2020-01-01,"Viby\nF2,control,2020-02-01,Tilst\n'
    with pytest.raises(oe.ValidationError) as info:
        load(write(tmp_path, {**MINIMAL, "families.csv": families}))
    f = info.value.failures
    assert list(zip(f["rule"], f["row"], strict=True)) == [("unreadable_file", 3)]
    assert "never closed" in str(info.value)


def test_extra_field_mid_file_is_one_failure_and_the_rest_is_checked(tmp_path: Path):
    parents = "person_id,family_id,birth_year\nP1,F1,1980,x\nP2,F2,1881\n"
    root = write(tmp_path, {**MINIMAL, "parents.csv": parents})
    assert failures(root) == {
        ("parents", "", "wrong_field_count", 2),
        ("parents", "birth_year", "out_of_range", 3),
        ("parent_status", "person_id", "orphan_key", 2),  # P1 was not read
    }
    with pytest.raises(oe.ValidationError) as info:
        load(root)
    assert "4 fields" in str(info.value)
    assert "more fields than the header's 3 columns" in str(info.value)


def test_every_row_too_long_is_not_also_an_empty_table(tmp_path: Path):
    parents = "person_id,family_id,birth_year\nP1,F1,1980,\nP2,F2,1981,\n"
    rules = {r[2] for r in failures(write(tmp_path, {**MINIMAL, "parents.csv": parents}))}
    assert "wrong_field_count" in rules
    assert "empty_table" not in rules


def test_whole_number_too_large_is_out_of_range_not_a_crash(tmp_path: Path):
    parents = f"person_id,family_id,birth_year\nP1,F1,{'9' * 30}\nP2,F2,-{'9' * 400}\n"
    assert failures(write(tmp_path, {**MINIMAL, "parents.csv": parents})) == {
        ("parents", "birth_year", "out_of_range", 2),
        ("parents", "birth_year", "out_of_range", 3),
    }


def test_cpr_number_in_another_column_is_withheld(tmp_path: Path):
    status = "person_id,month,status\nP1,0101901234,job\nP2,2020-01,job\n"
    with pytest.raises(oe.ValidationError) as info:
        load(write(tmp_path, {**MINIMAL, "parent_status.csv": status}))
    assert "0101901234" not in str(info.value)
    # The month is not a month, and the value is a CPR number: both are said.
    assert set(info.value.failures["rule"]) == {"not_month", "cpr_like_id"}
    assert "withheld" in str(info.value)


def test_cpr_number_in_other_digits_is_refused(tmp_path: Path):
    parents = "person_id,family_id,birth_year\nP1,F1,1980\n０１０１９０-１２３４,F2,1981\n"
    root = write(tmp_path, {**MINIMAL, "parents.csv": parents})
    assert ("parents", "person_id", "cpr_like_id", 3) in failures(root)
