"""A corpus of bad extracts: each breaks the data contract in exactly one way.

Every case starts from the small valid extract ``BASE`` (four families, two
per arm, with parents, children, three months of status and a few rows in
each optional table), applies one mutation and states the exact failure rows
the loader must report as ``(table, column, rule, row)``. ``row`` is the line
number in the CSV file (header = line 1), the sheet row for Excel, the record
number for Parquet, or ``None`` for a failure about a whole file or column.
The expected sets are worked out by hand from the line layout below, so a
check that reports too much fails as surely as one that reports too little.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import opgang_eval as oe
from opgang_eval.cli import main
from opgang_eval.errors import Rule

TODAY = dt.date.today()
NEXT_YEAR = TODAY.year + 1
FUTURE_DAY = (TODAY + dt.timedelta(days=400)).isoformat()
FUTURE_MONTH = (TODAY.replace(day=1) + dt.timedelta(days=62)).strftime("%Y-%m")

# Line numbers are written beside each row: they are what the expected failures cite.
BASE: dict[str, str] = {
    "families.csv": (
        "family_id,arm,enrolled_on,site,stratum,exited_on\n"  # 1
        "F01,intervention,2020-03-15,Gellerup,A,\n"  # 2
        "F02,intervention,2020-04-01,Tilst,B,2021-06-30\n"  # 3
        "F03,control,2020-03-20,Kærby,A,\n"  # 4
        "F04,control,2020-05-10,Toveshøj,B,\n"  # 5
    ),
    "parents.csv": (
        "person_id,family_id,birth_year,sex\n"  # 1
        "P01,F01,1980,F\n"  # 2
        "P02,F01,1978,M\n"  # 3
        "P03,F02,1985,F\n"  # 4
        "P04,F03,1990,M\n"  # 5
        "P05,F04,1975,\n"  # 6
    ),
    "children.csv": (
        "person_id,family_id,birth_year,sex\n"  # 1
        "C01,F01,2005,M\n"  # 2
        "C02,F02,2008,F\n"  # 3
        "C03,F03,2006,F\n"  # 4
        "C04,F04,2010,\n"  # 5
    ),
    "parent_status.csv": (
        "person_id,month,status\n"  # 1
        "P01,2020-01,cash_benefit\n"  # 2
        "P01,2020-02,cash_benefit\n"  # 3
        "P01,2020-03,job\n"  # 4
        "P02,2020-01,flexjob\n"  # 5
        "P02,2020-02,flexjob\n"  # 6
        "P02,2020-03,flexjob\n"  # 7
        "P03,2020-01,education\n"  # 8
        "P03,2020-02,education\n"  # 9
        "P03,2020-03,education\n"  # 10
        "P04,2020-01,early_retirement\n"  # 11
        "P04,2020-02,early_retirement\n"  # 12
        "P04,2020-03,early_retirement\n"  # 13
        "P05,2020-01,cash_benefit\n"  # 14
        "P05,2020-02,sickness_benefit\n"  # 15
        "P05,2020-03,job\n"  # 16
    ),
    "school_absence.csv": (
        "person_id,school_year,days_absent,school_days\n"  # 1
        "C01,2018/19,10,200\n"  # 2
        "C01,2019/20,8,195\n"  # 3
        "C02,2019/20,5,190\n"  # 4
        "C03,2019/20,0,200\n"  # 5
    ),
    "youth_jobs.csv": (
        "person_id,month,earnings_dkk\n"  # 1
        "C01,2020-01,2500\n"  # 2
        "C01,2020-02,1800.5\n"  # 3
        "C03,2020-03,0\n"  # 4
    ),
    "expenditure.csv": (
        "family_id,month,domain,amount_dkk\n"  # 1
        "F01,2020-01,employment,12000\n"  # 2
        "F02,2020-02,social,-500\n"  # 3
        "F03,2020-03,health,300.75\n"  # 4
        "F04,2020-03,education,4500\n"  # 5
    ),
    "survey.csv": (
        "person_id,wave,item,score\n"  # 1
        "P01,baseline,surplus,3\n"  # 2
        "P01,followup,surplus,4\n"  # 3
        "P03,baseline,quality_of_life,2\n"  # 4
        "P03,followup,quality_of_life,5\n"  # 5
    ),
    "unit_costs.csv": (
        "status,monthly_cost_dkk,price_year\n"  # 1
        "job,0,2023\n"  # 2
        "flexjob,9000,2023\n"  # 3
        "education,7000,2023\n"  # 4
        "early_retirement,17000,2023\n"  # 5
        "cash_benefit,15000,2023\n"  # 6
        "sickness_benefit,16000,2023\n"  # 7
    ),
    "evaluation.toml": 'end = "2020-03"\nseed = 7\n',
}

Files = dict[str, str | bytes]
Mutation = Callable[[Files], None]
Row = tuple[str, str, str, int | None]


def write_extract(root: Path, files: Files) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (root / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def failure_rows(error: oe.ValidationError) -> set[Row]:
    f = error.failures
    rows = [None if pd.isna(r) else int(r) for r in f["row"]]
    return set(zip(f["table"], f["column"], f["rule"], rows, strict=True))


def load_quietly(folder: Path) -> oe.Extracts:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        return oe.load(folder)


# -- mutations ---------------------------------------------------------------------


def _lines(files: Files, table: str) -> list[str]:
    text = files[f"{table}.csv"]
    assert isinstance(text, str)
    return text.rstrip("\n").split("\n")


def _store(files: Files, table: str, lines: list[str]) -> None:
    files[f"{table}.csv"] = "\n".join(lines) + "\n"


def cell(table: str, line: int, column: str, value: str) -> Mutation:
    """Replace one cell, addressed by CSV line number and column name."""

    def mutate(files: Files) -> None:
        lines = _lines(files, table)
        sep = ";" if ";" in lines[0] else ","
        index = lines[0].split(sep).index(column)
        cells = lines[line - 1].split(sep)
        cells[index] = value
        lines[line - 1] = sep.join(cells)
        _store(files, table, lines)

    return mutate


def append(table: str, row: str) -> Mutation:
    def mutate(files: Files) -> None:
        _store(files, table, [*_lines(files, table), row])

    return mutate


def drop_line(table: str, line: int) -> Mutation:
    def mutate(files: Files) -> None:
        lines = _lines(files, table)
        del lines[line - 1]
        _store(files, table, lines)

    return mutate


def drop_column(table: str, column: str) -> Mutation:
    def mutate(files: Files) -> None:
        lines = _lines(files, table)
        index = lines[0].split(",").index(column)
        _store(files, table, [",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines])

    return mutate


def add_column(table: str, header: str, value: str) -> Mutation:
    def mutate(files: Files) -> None:
        lines = _lines(files, table)
        _store(files, table, [f"{lines[0]},{header}"] + [f"{line},{value}" for line in lines[1:]])

    return mutate


def set_header(table: str, header: str) -> Mutation:
    def mutate(files: Files) -> None:
        _store(files, table, [header, *_lines(files, table)[1:]])

    return mutate


def header_only(table: str) -> Mutation:
    def mutate(files: Files) -> None:
        _store(files, table, _lines(files, table)[:1])

    return mutate


def put(name: str, content: str | bytes) -> Mutation:
    def mutate(files: Files) -> None:
        files[name] = content

    return mutate


def delete(name: str) -> Mutation:
    def mutate(files: Files) -> None:
        del files[name]

    return mutate


def encode(table: str, encoding: str) -> Mutation:
    def mutate(files: Files) -> None:
        text = files[f"{table}.csv"]
        assert isinstance(text, str)
        files[f"{table}.csv"] = text.encode(encoding)

    return mutate


def semicolon(table: str) -> Mutation:
    """Rewrite a table in the Danish dialect: ``;`` between fields, decimal comma."""

    def mutate(files: Files) -> None:
        lines = _lines(files, table)
        out = [lines[0].replace(",", ";")]
        for line in lines[1:]:
            out.append(";".join(c.replace(".", ",") for c in line.split(",")))
        _store(files, table, out)

    return mutate


def prefix(table: str, text: str) -> Mutation:
    def mutate(files: Files) -> None:
        files[f"{table}.csv"] = text + str(files[f"{table}.csv"])

    return mutate


def frame_of(files: Files, table: str) -> pd.DataFrame:
    text = files[f"{table}.csv"]
    assert isinstance(text, str)
    return pd.read_csv(io.StringIO(text), dtype={"person_id": "str", "family_id": "str"})


def as_parquet(table: str, change: Callable[[pd.DataFrame], pd.DataFrame] = lambda f: f) -> Mutation:
    """Replace ``table.csv`` by ``table.parquet`` with the same rows (after ``change``)."""

    def mutate(files: Files) -> None:
        frame = change(frame_of(files, table))
        del files[f"{table}.csv"]
        files[f"{table}.parquet"] = frame.to_parquet(index=False)

    return mutate


def as_xlsx(table: str, change: Callable[[pd.DataFrame], pd.DataFrame] = lambda f: f) -> Mutation:
    def mutate(files: Files) -> None:
        frame = change(frame_of(files, table))
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False, sheet_name=table, engine="openpyxl")
        del files[f"{table}.csv"]
        files[f"{table}.xlsx"] = buffer.getvalue()

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(files: Files) -> None:
        for m in mutations:
            m(files)

    return mutate


def _text_birth_year(frame: pd.DataFrame) -> pd.DataFrame:
    frame["birth_year"] = frame["birth_year"].astype(object)
    frame.loc[2, "birth_year"] = "ukendt"  # third parent: sheet row 4 (header is row 1)
    return frame


def _old_birth_year(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[2, "birth_year"] = 1920  # third parent: record 3
    return frame


def _arm_twice(frame: pd.DataFrame) -> pd.DataFrame:
    frame.insert(2, "Arm", frame["arm"])
    return frame


def make(files: Files, mutation: Mutation) -> Files:
    out = dict(files)
    mutation(out)
    return out


# -- the corpus --------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    mutation: Mutation
    expected: frozenset[Row]
    file: str  # what the CLI report must name


def case(id: str, mutation: Mutation, file: str, *expected: Row) -> Case:
    return Case(id, mutation, frozenset(expected), file)


CASES = [
    # files
    case("missing-required-table", delete("parents.csv"), "parents", ("parents", "", Rule.MISSING_TABLE, None)),
    case(
        "missing-parent-status",
        delete("parent_status.csv"),
        "parent_status",
        ("parent_status", "", Rule.MISSING_TABLE, None),
    ),
    case(
        "two-files-for-one-table",
        lambda files: files.__setitem__("families.parquet", frame_of(files, "families").to_parquet(index=False)),
        "families",
        ("families", "", Rule.AMBIGUOUS_TABLE, None),
    ),
    case(
        "garbage-parquet",
        both(delete("expenditure.csv"), put("expenditure.parquet", b"PAR1\x00\x01garbage, not parquet\xff")),
        "expenditure.parquet",
        ("expenditure", "", Rule.UNREADABLE_FILE, None),
    ),
    case(
        "garbage-xlsx",
        both(delete("children.csv"), put("children.xlsx", b"PK\x03\x04 this is not a workbook \x00\xff")),
        "children.xlsx",
        ("children", "", Rule.UNREADABLE_FILE, None),
    ),
    case("zero-byte-file", put("parents.csv", b""), "parents.csv", ("parents", "", Rule.EMPTY_TABLE, None)),
    case(
        "header-only-parent-status",
        header_only("parent_status"),
        "parent_status.csv",
        ("parent_status", "", Rule.EMPTY_TABLE, None),
    ),
    case(
        # No family exists, so every family_id that points at families would be an orphan as well:
        # those 5 + 4 + 4 rows are counted as suppressed follow-on errors, not listed
        # (test_header_only_families_suppresses_the_orphans).
        "header-only-families",
        header_only("families"),
        "families.csv",
        ("families", "", Rule.EMPTY_TABLE, None),
    ),
    case(
        # 'Kærby' on line 4 is the first byte that is not UTF-8.
        "latin1-csv",
        encode("families", "latin-1"),
        "families.csv",
        ("families", "", Rule.NOT_UTF8, 4),
    ),
    # columns
    case(
        "missing-required-column",
        drop_column("parents", "birth_year"),
        "parents.csv",
        ("parents", "birth_year", Rule.MISSING_COLUMN, None),
    ),
    case(
        "missing-status-column",
        drop_column("parent_status", "status"),
        "parent_status.csv",
        ("parent_status", "status", Rule.MISSING_COLUMN, None),
    ),
    case(
        "unknown-extra-column",
        add_column("parents", "navn", "Jens"),
        "parents.csv",
        ("parents", "navn", Rule.UNKNOWN_COLUMN, None),
    ),
    case(
        "duplicate-column-csv",
        set_header("families", "family_id,Arm,enrolled_on,site,stratum,arm"),
        "families.csv",
        ("families", "arm", Rule.DUPLICATE_COLUMN, None),
    ),
    case(
        "duplicate-column-parquet",
        as_parquet("families", _arm_twice),
        "families.parquet",
        ("families", "arm", Rule.DUPLICATE_COLUMN, None),
    ),
    # cells
    case(
        "missing-family-id",
        cell("parents", 3, "family_id", ""),
        "parents.csv",
        ("parents", "family_id", Rule.MISSING_VALUE, 3),
    ),
    case("missing-arm", cell("families", 4, "arm", "  "), "families.csv", ("families", "arm", Rule.MISSING_VALUE, 4)),
    case(
        "short-row",
        lambda files: _store(files, "expenditure", [*_lines(files, "expenditure")[:2], "F02,2020-02,social"]),
        "expenditure.csv",
        ("expenditure", "amount_dkk", Rule.MISSING_VALUE, 3),
    ),
    case(
        "birth-year-not-integer",
        cell("parents", 4, "birth_year", "1985x"),
        "parents.csv",
        ("parents", "birth_year", Rule.NOT_INTEGER, 4),
    ),
    case(
        "birth-year-fraction",
        cell("children", 4, "birth_year", "2006.5"),
        "children.csv",
        ("children", "birth_year", Rule.NOT_INTEGER, 4),
    ),
    case(
        "birth-year-arabic-indic-digits",
        cell("parents", 2, "birth_year", "١٩٨٠"),
        "parents.csv",
        ("parents", "birth_year", Rule.NOT_INTEGER, 2),
    ),
    case(
        "amount-arabic-indic-digits",
        cell("expenditure", 4, "amount_dkk", "٣٠٠"),
        "expenditure.csv",
        ("expenditure", "amount_dkk", Rule.NOT_NUMBER, 4),
    ),
    case(
        "date-arabic-indic-year",
        cell("families", 5, "enrolled_on", "٢٠٢٠-05-10"),
        "families.csv",
        ("families", "enrolled_on", Rule.NOT_DATE, 5),
    ),
    case(
        "school-year-fullwidth-digits",
        cell("school_absence", 5, "school_year", "２０１９/20"),
        "school_absence.csv",
        ("school_absence", "school_year", Rule.NOT_SCHOOL_YEAR, 5),
    ),
    case(
        "parent-born-1929",
        cell("parents", 5, "birth_year", "1929"),
        "parents.csv",
        ("parents", "birth_year", Rule.OUT_OF_RANGE, 5),
    ),
    case(
        "parent-born-2011",
        cell("parents", 2, "birth_year", "2011"),
        "parents.csv",
        ("parents", "birth_year", Rule.OUT_OF_RANGE, 2),
    ),
    case(
        "child-born-1989",
        cell("children", 3, "birth_year", "1989"),
        "children.csv",
        ("children", "birth_year", Rule.OUT_OF_RANGE, 3),
    ),
    case(
        "child-born-next-year",
        cell("children", 2, "birth_year", str(NEXT_YEAR)),
        "children.csv",
        ("children", "birth_year", Rule.OUT_OF_RANGE, 2),
    ),
    case(
        "not-a-date",
        cell("families", 3, "enrolled_on", "snart"),
        "families.csv",
        ("families", "enrolled_on", Rule.NOT_DATE, 3),
    ),
    case(
        "impossible-date",
        cell("families", 2, "enrolled_on", "2020-02-30"),
        "families.csv",
        ("families", "enrolled_on", Rule.NOT_DATE, 2),
    ),
    case(
        "future-enrolment",
        cell("families", 4, "enrolled_on", FUTURE_DAY),
        "families.csv",
        ("families", "enrolled_on", Rule.FUTURE_DATE, 4),
    ),
    case(
        # A placeholder for "unknown": before 1990-01-01, the earliest date the contract accepts.
        "enrolment-placeholder-1900",
        cell("families", 3, "enrolled_on", "1900-01-01"),
        "families.csv",
        ("families", "enrolled_on", Rule.OUT_OF_RANGE, 3),
    ),
    case(
        "month-before-1990",
        cell("expenditure", 4, "month", "1989-12"),
        "expenditure.csv",
        ("expenditure", "month", Rule.OUT_OF_RANGE, 4),
    ),
    case(
        "exit-before-enrolment",
        cell("families", 3, "exited_on", "2020-03-31"),
        "families.csv",
        ("families", "exited_on", Rule.DATE_ORDER, 3),
    ),
    case(
        "month-with-slash",
        cell("parent_status", 2, "month", "2020/01"),
        "parent_status.csv",
        ("parent_status", "month", Rule.NOT_MONTH, 2),
    ),
    case(
        "month-13",
        cell("parent_status", 9, "month", "2020-13"),
        "parent_status.csv",
        ("parent_status", "month", Rule.NOT_MONTH, 9),
    ),
    case(
        "month-arabic-indic-year",
        cell("parent_status", 3, "month", "٢٠٢٠-02"),
        "parent_status.csv",
        ("parent_status", "month", Rule.NOT_MONTH, 3),
    ),
    case(
        "future-month",
        cell("parent_status", 16, "month", FUTURE_MONTH),
        "parent_status.csv",
        ("parent_status", "month", Rule.FUTURE_DATE, 16),
    ),
    case(
        "unknown-status",
        cell("parent_status", 6, "status", "arbejdsløs"),
        "parent_status.csv",
        ("parent_status", "status", Rule.UNKNOWN_CODE, 6),
    ),
    case(
        "missing-status",
        cell("parent_status", 12, "status", ""),
        "parent_status.csv",
        ("parent_status", "status", Rule.MISSING_VALUE, 12),
    ),
    case(
        "unknown-arm",
        cell("families", 5, "arm", "treatment"),
        "families.csv",
        ("families", "arm", Rule.UNKNOWN_CODE, 5),
    ),
    case("unknown-sex", cell("parents", 2, "sex", "X"), "parents.csv", ("parents", "sex", Rule.UNKNOWN_CODE, 2)),
    case(
        "duplicate-family-id",
        append("families", "F01,control,2020-06-01,Viby,A,"),
        "families.csv",
        ("families", "family_id", Rule.DUPLICATE_KEY, 2),
        ("families", "family_id", Rule.DUPLICATE_KEY, 6),
    ),
    case(
        "duplicate-parent",
        append("parents", "P01,F02,1982,M"),
        "parents.csv",
        ("parents", "person_id", Rule.DUPLICATE_KEY, 2),
        ("parents", "person_id", Rule.DUPLICATE_KEY, 7),
    ),
    case(
        "person-is-parent-and-child",
        append("children", "P05,F04,2012,F"),
        "children.csv",
        ("children", "person_id", Rule.DUPLICATE_KEY, 6),
    ),
    case(
        "parent-in-unknown-family",
        cell("parents", 6, "family_id", "F99"),
        "parents.csv",
        ("parents", "family_id", Rule.ORPHAN_KEY, 6),
    ),
    case(
        "status-for-unknown-person",
        append("parent_status", "P99,2020-01,job"),
        "parent_status.csv",
        ("parent_status", "person_id", Rule.ORPHAN_KEY, 17),
    ),
    case(
        "status-for-a-child",
        append("parent_status", "C01,2020-02,job"),
        "parent_status.csv",
        ("parent_status", "person_id", Rule.ORPHAN_KEY, 17),
    ),
    case(
        "duplicate-person-month",
        append("parent_status", "P03,2020-02,job"),
        "parent_status.csv",
        ("parent_status", "month", Rule.DUPLICATE_KEY, 9),
        ("parent_status", "month", Rule.DUPLICATE_KEY, 17),
    ),
    case(
        "absence-for-a-parent",
        cell("school_absence", 4, "person_id", "P03"),
        "school_absence.csv",
        ("school_absence", "person_id", Rule.ORPHAN_KEY, 4),
    ),
    case(
        "school-year-with-dash",
        cell("school_absence", 2, "school_year", "2018-19"),
        "school_absence.csv",
        ("school_absence", "school_year", Rule.NOT_SCHOOL_YEAR, 2),
    ),
    case(
        "school-year-two-years",
        cell("school_absence", 3, "school_year", "2018/20"),
        "school_absence.csv",
        ("school_absence", "school_year", Rule.NOT_SCHOOL_YEAR, 3),
    ),
    case(
        "absence-exceeds-school-days",
        cell("school_absence", 4, "days_absent", "191"),
        "school_absence.csv",
        ("school_absence", "days_absent", Rule.ABSENCE_EXCEEDS_DAYS, 4),
    ),
    case(
        "negative-absence",
        cell("school_absence", 5, "days_absent", "-1"),
        "school_absence.csv",
        ("school_absence", "days_absent", Rule.OUT_OF_RANGE, 5),
    ),
    case(
        "zero-school-days",
        cell("school_absence", 5, "school_days", "0"),  # days_absent is 0 on that line too
        "school_absence.csv",
        ("school_absence", "school_days", Rule.OUT_OF_RANGE, 5),
    ),
    case(
        "negative-earnings",
        cell("youth_jobs", 3, "earnings_dkk", "-1800"),
        "youth_jobs.csv",
        ("youth_jobs", "earnings_dkk", Rule.OUT_OF_RANGE, 3),
    ),
    case(
        "unknown-domain",
        cell("expenditure", 5, "domain", "transport"),
        "expenditure.csv",
        ("expenditure", "domain", Rule.UNKNOWN_CODE, 5),
    ),
    case(
        "amount-with-unit",
        cell("expenditure", 2, "amount_dkk", "12000 kr"),
        "expenditure.csv",
        ("expenditure", "amount_dkk", Rule.NOT_NUMBER, 2),
    ),
    case("score-6", cell("survey", 3, "score", "6"), "survey.csv", ("survey", "score", Rule.OUT_OF_RANGE, 3)),
    case("score-0", cell("survey", 4, "score", "0"), "survey.csv", ("survey", "score", Rule.OUT_OF_RANGE, 4)),
    case(
        "unknown-wave",
        cell("survey", 4, "wave", "midway"),
        "survey.csv",
        ("survey", "wave", Rule.UNKNOWN_CODE, 4),
    ),
    case(
        "survey-by-a-child",
        cell("survey", 5, "person_id", "C02"),
        "survey.csv",
        ("survey", "person_id", Rule.ORPHAN_KEY, 5),
    ),
    case(
        "unit-cost-missing-for-used-status",
        drop_line("unit_costs", 5),  # early_retirement, used by P04
        "unit_costs.csv",
        ("unit_costs", "status", Rule.MISSING_UNIT_COST, None),
    ),
    case(
        # All three youth_jobs rows name unknown children: a small table keeps its orphans listed row by row.
        "youth-jobs-all-unknown",
        both(*[cell("youth_jobs", line, "person_id", "C99") for line in (2, 3, 4)]),
        "youth_jobs.csv",
        *[("youth_jobs", "person_id", Rule.ORPHAN_KEY, line) for line in (2, 3, 4)],
    ),
    case(
        # Every used status would lack a unit cost: those 6 are suppressed (test_follow_on_errors_are_counted).
        "unit-costs-without-status-column",
        drop_column("unit_costs", "status"),
        "unit_costs.csv",
        ("unit_costs", "status", Rule.MISSING_COLUMN, None),
    ),
    case(
        "zero-byte-unit-costs",
        put("unit_costs.csv", b""),
        "unit_costs.csv",
        ("unit_costs", "", Rule.EMPTY_TABLE, None),
    ),
    case(
        "unit-cost-given-twice",
        append("unit_costs", "job,100,2023"),
        "unit_costs.csv",
        ("unit_costs", "status", Rule.DUPLICATE_KEY, 2),
        ("unit_costs", "status", Rule.DUPLICATE_KEY, 8),
    ),
    # pseudonymisation
    case(
        "cpr-with-dash",
        append("parents", "010190-1234,F02,1980,M"),
        "parents.csv",
        ("parents", "person_id", Rule.CPR_LIKE_ID, 7),
    ),
    case(
        "cpr-ten-digits",
        append("children", "0101901234,F03,2012,M"),
        "children.csv",
        ("children", "person_id", Rule.CPR_LIKE_ID, 6),
    ),
    case(
        "cpr-in-status",
        append("parent_status", "241285-4321,2020-01,job"),
        "parent_status.csv",
        ("parent_status", "person_id", Rule.CPR_LIKE_ID, 17),
    ),
    # dialects and formats: the row must still be the line (or sheet row, or record) the analyst sees
    case(
        "semicolon-csv-with-decimal-point",
        both(semicolon("expenditure"), cell("expenditure", 3, "amount_dkk", "12.5")),
        "expenditure.csv",
        ("expenditure", "amount_dkk", Rule.NOT_NUMBER, 3),
    ),
    case(
        "sep-hint-line-shifts-rows",
        both(
            semicolon("expenditure"),
            lambda files: _store(
                files,
                "expenditure",
                [
                    "sep=;",
                    *[line.replace("education", "transport") for line in str(files["expenditure.csv"]).split("\n")],
                ],
            ),
        ),
        "expenditure.csv",
        ("expenditure", "domain", Rule.UNKNOWN_CODE, 6),
    ),
    case(
        "bom-csv",
        both(cell("families", 3, "arm", "treatment"), prefix("families", "\ufeff")),
        "families.csv",
        ("families", "arm", Rule.UNKNOWN_CODE, 3),
    ),
    case(
        # Record F01 spans lines 2-3 (a quoted line break in site), so F02 starts on line 4.
        "quoted-line-break-before-bad-row",
        both(cell("families", 3, "arm", "treatment"), cell("families", 2, "site", '"Gellerup\nVest"')),
        "families.csv",
        ("families", "arm", Rule.UNKNOWN_CODE, 4),
    ),
    case(
        "xlsx-sheet-row",
        as_xlsx("parents", _text_birth_year),
        "parents.xlsx",
        ("parents", "birth_year", Rule.NOT_INTEGER, 4),
    ),
    case(
        "parquet-record-number",
        as_parquet("parents", _old_birth_year),
        "parents.parquet",
        ("parents", "birth_year", Rule.OUT_OF_RANGE, 3),
    ),
    # configuration
    case(
        "config-unknown-key",
        put("evaluation.toml", 'end = "2020-03"\nseeds = 7\n'),
        "evaluation.toml",
        ("config", "seeds", Rule.BAD_CONFIG, None),
    ),
    case(
        "config-min-cell-too-small",
        put("evaluation.toml", "min_cell = 2\n"),
        "evaluation.toml",
        ("config", "min_cell", Rule.BAD_CONFIG, None),
    ),
    case(
        "config-not-toml",
        put("evaluation.toml", "end = 2020-03-\n"),
        "evaluation.toml",
        ("config", "", Rule.BAD_CONFIG, None),
    ),
]


def test_corpus_is_large_and_distinct():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)
    bad = [tuple(sorted(make(BASE, c.mutation).items(), key=lambda kv: kv[0])) for c in CASES]
    assert len(set(map(repr, bad))) == len(CASES), "two cases produce the same extract"
    assert all(c.expected for c in CASES)


# -- the valid base ----------------------------------------------------------------


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write_extract(tmp_path / "base", dict(BASE))


def test_base_loads_cleanly(base: Path, capsys: pytest.CaptureFixture[str]):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ex = oe.load(base)
    assert [str(w.message) for w in caught if issubclass(w.category, oe.OpgangWarning)] == []
    assert len(ex.warnings) == 0
    assert list(ex.families["family_id"]) == ["F01", "F02", "F03", "F04"]
    assert list(ex.families["arm"].astype(str)) == ["intervention", "intervention", "control", "control"]
    assert list(ex.families["site"].astype(str)) == ["Gellerup", "Tilst", "Kærby", "Toveshøj"]
    assert ex.families["exited_on"].notna().tolist() == [False, True, False, False]
    assert list(ex.parents["birth_year"]) == [1980, 1978, 1985, 1990, 1975]
    assert list(ex.children["birth_year"]) == [2005, 2008, 2006, 2010]
    assert ex.parent_status["status"].astype(str).value_counts().to_dict() == {
        "cash_benefit": 3,
        "flexjob": 3,
        "education": 3,
        "early_retirement": 3,
        "job": 2,
        "sickness_benefit": 1,
    }
    assert list(ex.school_absence["school_year"]) == ["2018/19", "2019/20", "2019/20", "2019/20"]
    assert list(ex.youth_jobs["earnings_dkk"]) == [2500.0, 1800.5, 0.0]
    assert list(ex.expenditure["amount_dkk"]) == [12000.0, -500.0, 300.75, 4500.0]
    assert list(ex.survey["score"]) == [3.0, 4.0, 2.0, 5.0]
    assert len(ex.unit_costs) == 6
    assert ex.config.end == "2020-03"
    assert ex.config.seed == 7
    assert main(["validate", str(base)]) == 0
    assert "Traceback" not in capsys.readouterr().err


# -- one defect at a time ------------------------------------------------------------


@pytest.mark.parametrize("bad", CASES, ids=[c.id for c in CASES])
def test_bad_extract_is_reported_exactly(bad: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    folder = write_extract(tmp_path / "extract", make(BASE, bad.mutation))
    with pytest.raises(oe.ValidationError) as info:
        load_quietly(folder)
    assert failure_rows(info.value) == set(bad.expected)
    assert info.value.n_failures == len(bad.expected)
    assert info.value.n_suppressed == sum(FOLLOW_ON.get(bad.id, {}).values())

    capsys.readouterr()
    assert main(["validate", str(folder)]) == 2
    out = capsys.readouterr()
    assert bad.file in out.err
    assert "Traceback" not in out.err + out.out
    for _table, column, rule, _row in bad.expected:
        assert str(rule) in out.err
        assert column in out.err


#: The follow-on failures each root-cause case counts instead of listing: (file, column, rule) → n.
FOLLOW_ON = {
    # Lines 2-6 of parents, 2-5 of children and of expenditure name a family.
    "header-only-families": {
        ("parents.csv", "family_id", "orphan_key"): 5,
        ("children.csv", "family_id", "orphan_key"): 4,
        ("expenditure.csv", "family_id", "orphan_key"): 4,
    },
    # parent_status uses job, flexjob, education, early_retirement, cash_benefit and sickness_benefit.
    "unit-costs-without-status-column": {("unit_costs.csv", "status", "missing_unit_cost"): 6},
    "zero-byte-unit-costs": {("unit_costs.csv", "status", "missing_unit_cost"): 6},
    # 15 status rows and 4 survey rows name a parent.
    "missing-required-table": {
        ("parent_status.csv", "person_id", "orphan_key"): 15,
        ("survey.csv", "person_id", "orphan_key"): 4,
    },
    "zero-byte-file": {
        ("parent_status.csv", "person_id", "orphan_key"): 15,
        ("survey.csv", "person_id", "orphan_key"): 4,
    },
    # 4 absence rows and 3 youth job rows name a child.
    "garbage-xlsx": {
        ("school_absence.csv", "person_id", "orphan_key"): 4,
        ("youth_jobs.csv", "person_id", "orphan_key"): 3,
    },
}
#: families given twice or not UTF-8 cannot be used either.
FOLLOW_ON["two-files-for-one-table"] = FOLLOW_ON["latin1-csv"] = FOLLOW_ON["header-only-families"]


@pytest.mark.parametrize("bad", [c for c in CASES if c.id in FOLLOW_ON], ids=lambda c: c.id)
def test_follow_on_errors_are_counted(bad: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    folder = write_extract(tmp_path / "extract", make(BASE, bad.mutation))
    with pytest.raises(oe.ValidationError) as info:
        load_quietly(folder)
    s = info.value.suppressed
    assert dict(zip(zip(s["file"], s["column"], s["rule"], strict=True), s["n"], strict=True)) == FOLLOW_ON[bad.id]
    total = sum(FOLLOW_ON[bad.id].values())
    assert info.value.n_suppressed == total
    main(["validate", str(folder)])
    err = capsys.readouterr().err
    assert f", and {total} follow-on errors suppressed." in err.splitlines()[0]
    for (file, column, rule), n in FOLLOW_ON[bad.id].items():
        assert f"{file}:" in err
        assert f"column '{column}': {n} follow-on {rule} errors suppressed." in err


CPR_CASES = {
    "cpr-with-dash": ("010190-1234", "0101901234"),
    "cpr-ten-digits": ("0101901234", "010190-1234"),
    "cpr-in-status": ("241285-4321", "2412854321"),
}


@pytest.mark.parametrize("case_id", sorted(CPR_CASES))
def test_cpr_value_is_withheld(case_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    bad = next(c for c in CASES if c.id == case_id)
    folder = write_extract(tmp_path / "extract", make(BASE, bad.mutation))
    with pytest.raises(oe.ValidationError) as info:
        load_quietly(folder)
    error = info.value
    main(["validate", str(folder)])
    printed = capsys.readouterr()
    cells = (
        error.failures.astype(str).to_numpy().ravel().tolist() + error.counts.astype(str).to_numpy().ravel().tolist()
    )
    for form in CPR_CASES[case_id]:
        assert form not in str(error)
        assert form not in error.report(examples=100)
        assert not any(form in c for c in cells)
        assert form not in printed.err + printed.out
    # The row is still located, so the analyst can find it.
    assert "cpr_like_id" in str(error)
    assert "withheld" in str(error)


def test_cpr_is_withheld_from_the_key_of_other_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    # A CPR-like person_id on a row that also has a bad month and a bad status: the month and
    # status failures are keyed by person_id, and that key must not show the CPR number either.
    files = make(BASE, append("parent_status", "010190-1234,2020-13,arbejdsløs"))
    folder = write_extract(tmp_path / "extract", files)
    with pytest.raises(oe.ValidationError) as info:
        load_quietly(folder)
    assert failure_rows(info.value) == {
        ("parent_status", "person_id", Rule.CPR_LIKE_ID, 17),
        ("parent_status", "month", Rule.NOT_MONTH, 17),
        ("parent_status", "status", Rule.UNKNOWN_CODE, 17),
    }
    main(["validate", str(folder)])
    printed = capsys.readouterr().err
    cells = info.value.failures.astype(str).to_numpy().ravel().tolist()
    for form in ("010190-1234", "0101901234"):
        assert form not in str(info.value)
        assert form not in printed
        assert not any(form in c for c in cells)


def test_duplicate_csv_column_does_not_hide_other_failures(tmp_path: Path):
    # Lazy validation: a duplicated column in a CSV must not stop the rest of that file being checked.
    files = make(
        BASE,
        both(
            add_column("survey", "Score", "3"),
            cell("survey", 4, "wave", "midway"),
        ),
    )
    with pytest.raises(oe.ValidationError) as info:
        load_quietly(write_extract(tmp_path / "extract", files))
    assert failure_rows(info.value) == {
        ("survey", "score", Rule.DUPLICATE_COLUMN, None),
        ("survey", "wave", Rule.UNKNOWN_CODE, 4),
    }


def test_extra_field_in_first_row_is_not_silently_shifted(tmp_path: Path):
    # '12,5' in a comma-separated file gives line 2 one field too many. The record must be
    # reported at line 2; the columns of the other rows must not be shifted onto the wrong names.
    files = make(BASE, cell("expenditure", 2, "amount_dkk", "12,5"))
    with pytest.raises(oe.ValidationError) as info:
        load_quietly(write_extract(tmp_path / "extract", files))
    rows = failure_rows(info.value)
    assert {r[3] for r in rows} == {2}
    assert {r[0] for r in rows} == {"expenditure"}


# -- valid variants: the contract's leniencies -----------------------------------------


def test_danish_labels_are_accepted_and_mapped(tmp_path: Path):
    files = make(
        BASE,
        both(
            cell("families", 2, "arm", "indsats"),
            cell("families", 4, "arm", "kontrol"),
            cell("families", 5, "arm", "Kontrol"),
            cell("parents", 2, "sex", "K"),
            cell("parent_status", 2, "status", "Kontanthjælp"),
            cell("parent_status", 5, "status", "fleksjob"),
            cell("parent_status", 11, "status", "førtidspension"),
            cell("expenditure", 2, "domain", "beskæftigelse"),
            cell("survey", 4, "wave", "førmåling"),
            cell("survey", 4, "item", "livskvalitet"),
        ),
    )
    ex = load_quietly(write_extract(tmp_path / "extract", files))
    assert list(ex.families["arm"].astype(str)) == ["intervention", "intervention", "control", "control"]
    assert ex.parents["sex"].astype(str).tolist()[:4] == ["F", "M", "F", "M"]
    status = ex.parent_status["status"].astype(str).tolist()
    assert (status[0], status[3], status[9]) == ("cash_benefit", "flexjob", "early_retirement")
    assert ex.expenditure["domain"].astype(str).tolist()[0] == "employment"
    assert ex.survey["wave"].astype(str).tolist()[2] == "baseline"
    assert ex.survey["item"].astype(str).tolist()[2] == "quality_of_life"


def test_boundaries_are_accepted(tmp_path: Path):
    files = make(
        BASE,
        both(
            cell("parents", 2, "birth_year", "1930"),
            cell("parents", 3, "birth_year", "2010"),
            cell("children", 2, "birth_year", "1990"),
            cell("children", 3, "birth_year", str(TODAY.year)),
            cell("school_absence", 4, "days_absent", "190"),  # equal to school_days
            cell("survey", 2, "score", "1"),
            cell("families", 3, "exited_on", "2020-04-01"),  # the enrolment day itself
            cell("families", 4, "enrolled_on", TODAY.isoformat()),
        ),
    )
    ex = load_quietly(write_extract(tmp_path / "extract", files))
    assert list(ex.parents["birth_year"])[:2] == [1930, 2010]
    assert list(ex.children["birth_year"])[:2] == [1990, TODAY.year]
    assert ex.school_absence["days_absent"].tolist()[2] == 190.0
    assert ex.survey["score"].tolist()[0] == 1.0


def test_semicolon_csv_with_decimal_comma(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    files = make(
        BASE,
        both(
            semicolon("expenditure"),
            cell("expenditure", 2, "amount_dkk", "12,5"),
            cell("expenditure", 5, "amount_dkk", "1.234,5"),
            semicolon("youth_jobs"),  # 1800.5 becomes 1800,5
        ),
    )
    assert ";" in str(files["expenditure.csv"]).split("\n")[0]
    folder = write_extract(tmp_path / "extract", files)
    ex = load_quietly(folder)
    assert ex.expenditure["amount_dkk"].tolist() == [12.5, -500.0, 300.75, 1234.5]
    assert ex.youth_jobs["earnings_dkk"].tolist() == [2500.0, 1800.5, 0.0]
    assert main(["validate", str(folder)]) == 0


def test_other_formats_and_spellings_are_accepted(tmp_path: Path):
    files = make(
        BASE,
        both(
            as_parquet("parents"),
            as_xlsx("children"),
            cell("families", 2, "enrolled_on", "15-03-2020"),
            cell("families", 3, "enrolled_on", "01.04.2020"),
            set_header("families", "Family_ID, ARM ,Enrolled_On,Site,STRATUM,exited_on"),
            prefix("families", "\ufeff"),
            cell("school_absence", 2, "school_year", "2018/2019"),
            put("notes.txt", "not a table"),
        ),
    )
    with pytest.warns(oe.DataQualityWarning, match="notes.txt"):
        ex = oe.load(write_extract(tmp_path / "extract", files))
    assert ex.sources["parents"].format == "parquet"
    assert ex.sources["children"].format == "xlsx"
    assert list(ex.parents["person_id"]) == ["P01", "P02", "P03", "P04", "P05"]
    assert list(ex.children["birth_year"]) == [2005, 2008, 2006, 2010]
    assert list(ex.families["enrolled_on"].dt.strftime("%Y-%m-%d"))[:2] == ["2020-03-15", "2020-04-01"]
    assert ex.school_absence["school_year"].iloc[0] == "2018/19"


# -- many defects at once ---------------------------------------------------------------

MANY = both(
    cell("families", 3, "exited_on", "2020-03-31"),
    cell("families", 5, "arm", "treatment"),
    cell("parents", 4, "birth_year", "1985x"),
    cell("children", 3, "birth_year", "1989"),
    add_column("children", "navn", "Ida"),
    cell("parent_status", 9, "month", "2020-13"),
    cell("parent_status", 6, "status", "arbejdsløs"),
    append("parent_status", "P99,2020-01,job"),
    cell("school_absence", 2, "school_year", "2018-19"),
    cell("school_absence", 4, "days_absent", "191"),
    cell("youth_jobs", 3, "earnings_dkk", "-1800"),
    cell("expenditure", 5, "domain", "transport"),
    cell("survey", 3, "score", "6"),
    drop_line("unit_costs", 5),
    put("evaluation.toml", "seeds = 7\n"),
)

MANY_EXPECTED = {
    ("families", "exited_on", Rule.DATE_ORDER, 3),
    ("families", "arm", Rule.UNKNOWN_CODE, 5),
    ("parents", "birth_year", Rule.NOT_INTEGER, 4),
    ("children", "birth_year", Rule.OUT_OF_RANGE, 3),
    ("children", "navn", Rule.UNKNOWN_COLUMN, None),
    ("parent_status", "month", Rule.NOT_MONTH, 9),
    ("parent_status", "status", Rule.UNKNOWN_CODE, 6),
    ("parent_status", "person_id", Rule.ORPHAN_KEY, 17),
    ("school_absence", "school_year", Rule.NOT_SCHOOL_YEAR, 2),
    ("school_absence", "days_absent", Rule.ABSENCE_EXCEEDS_DAYS, 4),
    ("youth_jobs", "earnings_dkk", Rule.OUT_OF_RANGE, 3),
    ("expenditure", "domain", Rule.UNKNOWN_CODE, 5),
    ("survey", "score", Rule.OUT_OF_RANGE, 3),
    ("unit_costs", "status", Rule.MISSING_UNIT_COST, None),
    ("config", "seeds", Rule.BAD_CONFIG, None),
}


@pytest.fixture
def many(tmp_path: Path) -> Path:
    return write_extract(tmp_path / "many", make(BASE, MANY))


def test_many_defects_are_all_reported_in_one_error(many: Path, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(oe.ValidationError) as info:
        load_quietly(many)
    error = info.value
    assert failure_rows(error) == MANY_EXPECTED
    assert error.n_failures == 15
    assert len(error.failures) == 15
    files = {
        "families.csv",
        "parents.csv",
        "children.csv",
        "parent_status.csv",
        "school_absence.csv",
        "youth_jobs.csv",
        "expenditure.csv",
        "survey.csv",
        "unit_costs.csv",
        "evaluation.toml",
    }
    assert set(error.failures["file"]) == files
    assert error.counts.set_index(["file", "column", "rule"]).loc[("parent_status.csv", "month", "not_month"), "n"] == 1

    assert main(["validate", str(many)]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    assert out.err.startswith("The extracts do not meet the data contract: 15 problems in 10 files.")
    for file in files:
        assert f"{file}:" in out.err


def test_report_groups_by_file_and_cites_rows(many: Path):
    with pytest.raises(oe.ValidationError) as info:
        load_quietly(many)
    report = info.value.report()
    blocks: dict[str, list[str]] = {}
    current = None
    for line in report.splitlines()[1:]:
        if line and not line.startswith(" "):
            assert line.endswith(":")
            current = line[:-1]
            assert current not in blocks, f"{current} is reported in two places"
            blocks[current] = []
        elif line:
            assert current is not None
            blocks[current].append(line)
    assert len(blocks) == 10
    parents = "\n".join(blocks["parents.csv"])
    assert "column 'birth_year': not_integer (1×)" in parents
    assert "row 4" in parents
    assert "'1985x'" in parents
    status = "\n".join(blocks["parent_status.csv"])
    assert "row 9" in status
    assert "row 6" in status
    assert "row 17" in status
    assert "value '2020-13'" in status
    assert re.search(r"\brow \d", "\n".join(blocks["unit_costs.csv"])) is None
    assert "early_retirement" in "\n".join(blocks["unit_costs.csv"])
    assert "row 4" in "\n".join(blocks["school_absence.csv"])
    assert "row 2" in "\n".join(blocks["school_absence.csv"])
