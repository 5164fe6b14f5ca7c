"""CPR numbers anywhere in an extract are refused at load and never echoed (issue 12, part 3).

Each test copies the shipped sample, plants a CPR number in one place (a
site, a survey item, a column name, a file name, an integer id column, an
amount) in one of the shapes a clerk types, and checks through the public
API and the CLI that the load is refused with ``cpr_like_id`` naming the
table or file and the column, and that the number's digits appear nowhere:
not in the exception, its failure tables, stdout or stderr, in any
separator form and not with its leading zero dropped. Near misses (an
impossible date, an ISO date, a 10-digit amount, nine digits in a text
column) still load.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import opgang_eval as oe
from opgang_eval.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
CPR = "cpr_like_id"


# -- helpers ----------------------------------------------------------------------------------------------------


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    folder = tmp_path / "extract"
    shutil.copytree(SAMPLE, folder)
    return folder


def _set_cell(folder: Path, table: str, line: int, column: str, value: str) -> None:
    """Replace one cell of ``table``.csv, addressed by line number (header = 1) and column name."""
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    position = lines[0].split(",").index(column)
    cells = lines[line - 1].split(",")
    cells[position] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _add_column(folder: Path, table: str, header: str, value: str) -> None:
    path = folder / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([f"{lines[0]},{header}", *(f"{line},{value}" for line in lines[1:])]) + "\n")


def _refused(folder: Path) -> oe.ValidationError:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        with pytest.raises(oe.ValidationError) as info:
            oe.load(folder)
    return info.value


def _loaded(folder: Path) -> oe.Extracts:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        return oe.load(folder)


def _cpr_failures(error: oe.ValidationError) -> set[tuple[str, str, str, int | None]]:
    f = error.failures[error.failures["rule"] == CPR]
    rows = [None if pd.isna(r) else int(r) for r in f["row"]]
    return set(zip(f["table"], f["file"], f["column"], rows, strict=True))


def _leaks(cpr: str, *texts: str) -> bool:
    """Whether the digits of ``cpr`` (or they without a leading zero) appear in ``texts``, whatever the separators.

    Every run of digits joined by at most one separator (space, dot, dash, slash) is reduced to its digits;
    a leak is the CPR's ten digits, or its nine without the leading 0, inside such a run.
    """
    digits = re.sub(r"[^0-9]", "", cpr)
    forms = {digits, digits.lstrip("0")}
    for text in texts:
        for run in re.findall(r"[0-9](?:[ .\-/\u2013]?[0-9])*", text):
            joined = re.sub(r"[^0-9]", "", run)
            if any(form in joined for form in forms):
                return True
    return False


def _everything_said(error: oe.ValidationError) -> list[str]:
    tables = (error.failures, error.counts, error.suppressed)
    cells = [str(c) for t in tables for c in t.astype(str).to_numpy().ravel()]
    return [str(error), error.report(examples=10_000), *cells]


def _assert_refused_everywhere(
    folder: Path, cpr: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> oe.ValidationError:
    """Refused by oe.load, by ``validate`` and by ``report`` (exit 2, no --out), the CPR number said nowhere."""
    error = _refused(folder)
    assert not _leaks(cpr, *_everything_said(error))
    assert "is not repeated here" in str(error)  # every cpr_like_id hint says so
    capsys.readouterr()
    assert main(["validate", str(folder), "--quiet"]) == 2
    out = tmp_path / "report"
    assert main(["report", str(folder), "--out", str(out), "--quiet", "--format", "html"]) == 2
    assert not out.exists()
    printed = capsys.readouterr()
    assert CPR in printed.err
    assert not _leaks(cpr, printed.out, printed.err)
    return error


# -- the screen covers every column, every value, column and file names -----------------------------------------


def test_cpr_in_a_site_value_is_refused_and_withheld(sample: Path, capsys, tmp_path):
    cpr = "010190-1234"
    _set_cell(sample, "families", 2, "site", f"Gellerup {cpr}")
    error = _assert_refused_everywhere(sample, cpr, capsys, tmp_path)
    assert _cpr_failures(error) == {("families", "families.csv", "site", 2)}
    value = error.failures.loc[error.failures["rule"] == CPR, "value"].iloc[0]
    assert value == "<withheld: looks like a CPR number>"  # the whole cell, not only the number: "Gellerup" too


@pytest.mark.parametrize(
    "cpr",
    ["0303.90-1236", "03.03.90-1236", "030390 1236", "030390.1236", "0303901236", "０３０３９０-１２３６"],
    ids=["DDMM.YY-NNNN", "DD.MM.YY-NNNN", "space", "dot", "ten-digits", "full-width"],
)
def test_cpr_as_a_survey_item_is_refused_in_every_separator_form(sample: Path, cpr: str, capsys, tmp_path):
    _set_cell(sample, "survey", 2, "item", cpr)
    error = _assert_refused_everywhere(
        sample, cpr.translate(str.maketrans("０１２３４５６７８９", "0123456789")), capsys, tmp_path
    )
    assert _cpr_failures(error) == {("survey", "survey.csv", "item", 2)}


def test_cpr_with_a_space_in_the_stratum_is_refused(sample: Path, capsys, tmp_path):
    cpr = "010190 1234"
    _set_cell(sample, "families", 5, "stratum", cpr)
    error = _assert_refused_everywhere(sample, cpr, capsys, tmp_path)
    assert _cpr_failures(error) == {("families", "families.csv", "stratum", 5)}


def test_cpr_as_a_column_name_is_refused_and_named_by_position(sample: Path, capsys, tmp_path):
    cpr = "241285-4321"
    _add_column(sample, "parents", cpr, "x")  # parents has 4 columns: this is the 5th
    error = _assert_refused_everywhere(sample, cpr, capsys, tmp_path)
    assert _cpr_failures(error) == {("parents", "parents.csv", "column 5", None)}
    # The unknown-column failure names it the same way, never by its name.
    unknown = error.failures[error.failures["rule"] == "unknown_column"]
    assert list(unknown["column"]) == ["column 5"]
    assert "column 'column 5'" in str(error)


def test_cpr_values_in_a_column_outside_the_contract_are_refused(sample: Path, capsys, tmp_path):
    # A column that is refused as unknown is still screened: 'cpr' holds CPR numbers in every row.
    cpr = "010190-1234"
    _add_column(sample, "parents", "cpr", cpr)
    error = _assert_refused_everywhere(sample, cpr, capsys, tmp_path)
    rows = {r for t, _f, c, r in _cpr_failures(error) if (t, c) == ("parents", "cpr")}
    assert rows == set(range(2, 2 + len(_loaded(SAMPLE).parents)))


def test_cpr_in_a_stray_file_name_is_refused_and_named_by_position(sample: Path, capsys, tmp_path):
    cpr = "010190-1234"
    (sample / f"notes {cpr}.txt").write_text("what the case worker wrote\n", encoding="utf-8")
    error = _assert_refused_everywhere(sample, cpr, capsys, tmp_path)
    entries = sorted(p.name for p in sample.iterdir())
    position = entries.index(f"notes {cpr}.txt") + 1
    where = f"entry {position} of {len(entries)} in the folder"
    assert _cpr_failures(error) == {("", where, "", None)}
    assert "a .txt file of 27 bytes" in str(error)


def test_nine_digits_in_an_integer_id_column_are_a_cpr_number_without_its_leading_zero(sample: Path, capsys, tmp_path):
    # The ids are whole numbers (P00137 → 137) in every table, so the columns are integer-typed; one
    # parent's id is 101901234: the CPR number 010190-1234 whose leading 0 the integer column dropped.
    for path in sample.glob("*.csv"):
        text = re.sub(r"\bP0*(\d+)", r"\1", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
    parent = pd.read_csv(sample / "parents.csv")["person_id"].iloc[0]
    for name in ("parents", "parent_status", "survey"):
        path = sample / f"{name}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        lines = [re.sub(rf"^{parent},", "101901234,", line) for line in lines]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _loaded_before = pd.read_csv(sample / "parents.csv")
    assert _loaded_before["person_id"].dtype.kind == "i"  # integer-typed, as pandas and Excel would read it
    error = _assert_refused_everywhere(sample, "010190-1234", capsys, tmp_path)
    refused = {(t, c) for t, _f, c, _r in _cpr_failures(error)}
    assert ("parents", "person_id") in refused and ("parent_status", "person_id") in refused
    # The same id written as Parquet int64: refused the same way.
    frame = pd.read_csv(sample / "parents.csv")
    (sample / "parents.csv").unlink()
    frame.to_parquet(sample / "parents.parquet")
    assert ("parents", "parents.parquet", "person_id", 1) in _cpr_failures(_refused(sample))


def test_cpr_in_an_amount_column_is_refused(sample: Path, capsys, tmp_path):
    _set_cell(sample, "expenditure", 3, "amount_dkk", "0101901234")
    error = _assert_refused_everywhere(sample, "0101901234", capsys, tmp_path)
    assert _cpr_failures(error) == {("expenditure", "expenditure.csv", "amount_dkk", 3)}


def test_cpr_is_withheld_from_the_other_failures_of_its_row(sample: Path, capsys, tmp_path):
    # The id is CPR-like and the month and status are wrong too: those failures are keyed by person_id,
    # and the key must not repeat the number either (nor may the month's own value).
    with (sample / "parent_status.csv").open("a", encoding="utf-8") as f:
        f.write("241285-4321,2412854321,arbejdsløs\n")
    error = _assert_refused_everywhere(sample, "241285-4321", capsys, tmp_path)
    rules = set(error.failures["rule"])
    assert {CPR, "not_month", "unknown_code"} <= rules


# -- messages that are not about CPR numbers never echo one either ----------------------------------------------


def test_a_nine_digit_stray_file_name_is_warned_about_without_its_name(sample: Path, capsys):
    # Nine digits in a file name are not refused (a name is text), but the warning does not repeat them.
    (sample / "101901234.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    ex = _loaded(sample)
    said = " ".join(ex.warnings.astype(str).to_numpy().ravel())
    assert "unrecognised_file" in said and not _leaks("010190-1234", said)
    capsys.readouterr()
    assert main(["validate", str(sample), "--quiet"]) == 0
    printed = capsys.readouterr()
    assert not _leaks("010190-1234", printed.out, printed.err)


def test_a_folder_path_with_a_cpr_number_is_not_echoed(tmp_path: Path, capsys):
    folder = tmp_path / "010190-1234"
    shutil.copytree(SAMPLE, folder)
    assert main(["validate", str(folder), "--quiet"]) == 0
    printed = capsys.readouterr()
    assert "Extracts from" in printed.out and not _leaks("010190-1234", printed.out, printed.err)
    missing = tmp_path / "241285-4321"
    error = _refused(missing)
    assert "does not exist" in str(error) and not _leaks("241285-4321", *_everything_said(error))


def test_a_cpr_number_in_the_configuration_is_not_echoed(sample: Path):
    (sample / "evaluation.toml").write_text('end = "2023-08"\nlang = "010190-1234"\n', encoding="utf-8")
    error = _refused(sample)
    assert "lang" in str(error) and not _leaks("010190-1234", *_everything_said(error))


def test_the_installed_command_withholds_too(sample: Path):
    cpr = "010190-1234"
    _set_cell(sample, "families", 3, "site", cpr)
    done = subprocess.run(
        [sys.executable, "-m", "opgang_eval", "validate", str(sample), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert CPR in done.stderr and "families.csv" in done.stderr and "site" in done.stderr
    assert "Traceback" not in done.stderr
    assert not _leaks(cpr, done.stdout, done.stderr)


# -- near misses load as before ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "line", "column", "value"),
    [
        ("families", 2, "site", "321390-1234"),  # day 32, month 13: no date
        ("families", 2, "site", "2019-01-01"),  # an ISO date
        ("families", 2, "site", "101901234"),  # nine digits in a text column
        ("families", 2, "site", "010190-12345"),  # eleven digits
        ("families", 2, "stratum", "Gellerup 290290-1234"),  # 29 February of a year not divisible by four
        ("expenditure", 3, "amount_dkk", "1500000000"),  # a 10-digit amount (1.5 billion DKK; day 15, month 00)
        ("expenditure", 3, "amount_dkk", "1203901234.5"),  # ten digits with a decimal part: an amount
        ("expenditure", 3, "amount_dkk", "150000000"),  # nine digits, month 50: no lost leading zero
    ],
)
def test_near_misses_are_accepted(sample: Path, table: str, line: int, column: str, value: str):
    _set_cell(sample, table, line, column, value)
    ex = _loaded(sample)
    frame = ex.table(table)
    shown = frame[column].astype(str) if frame[column].dtype.kind not in "fi" else frame[column].map("{:.1f}".format)
    expected = value if frame[column].dtype.kind not in "fi" else f"{float(value):.1f}"
    assert expected in set(shown)


def test_the_sample_has_no_cpr_numbers(capsys):
    assert main(["validate", str(SAMPLE), "--quiet"]) == 0
    assert CPR not in capsys.readouterr().err
