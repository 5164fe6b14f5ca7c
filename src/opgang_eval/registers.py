"""Register status codes → the contract's status vocabulary.

Analysts rarely receive the contract's status codes: register extracts carry
Danmarks Statistik's classifications and the Ministry of Employment's weekly
DREAM codes, and case systems carry their own labels. This module turns any
of them into contract statuses through an *editable mapping table*: one row
per code with the contract status it counts as. Two tables ship with the
package (``opgang_eval/data/status_codes_*.csv``):

``"soc_status"``
    Danmarks Statistik's socio-economic status of RAS/AMR (variable
    ``SOC_STATUS_KODE``, primary status at the end of November, 2008 on:
    codes 110–136, 200, 311–361, 411–415, 511–517). This is the table
    written out in the package's spec (``status-codes.md``), which calls it
    SOCIO13.
``"socio13"``
    Danmarks Statistik's Socio-Economic Classification SOCIO13 v1:2014 (the
    annual status of the income statistics, AKM: codes 110–139, 210, 220,
    310, 321–330, 410, 420).

The two lists share codes with *different* meanings (321 is a resource course
in ``SOC_STATUS_KODE`` and an early-retirement pensioner in SOCIO13), so
there is no default: the caller names the classification the extract holds.

Codes the table does not know are refused, never guessed: one
:class:`~opgang_eval.errors.ValidationError` lists every unknown code with
its count and how to add it. Codes compare as text after a light
normalisation (see :func:`normalise_code`), so ``318``, ``"318"``,
``" 0318 "`` and ``318.0`` (a Stata or Excel export) are one code, and
labels such as ``"Kontanthjælp"`` match case-insensitively.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal, NoReturn, get_args

import numpy as np
import pandas as pd

from .errors import Failure, Rule, ValidationError, failure_frame
from .schema import STATUS, normalise_label

__all__ = ["SHIPPED_MAPPINGS", "dream_months", "map_status", "normalise_code", "status_mapping"]

ShippedMapping = Literal["socio13", "soc_status"]

#: Names of the mapping tables that ship with the package.
SHIPPED_MAPPINGS: tuple[str, ...] = get_args(ShippedMapping)

#: Columns of a mapping table; ``code`` and ``status`` are required.
MAPPING_COLUMNS = ("code", "title_da", "status", "judgement")

_INTEGER_CODE = re.compile(r"^[0-9]+(?:\.0*)?$", re.ASCII)
_WEEK_COLUMN = re.compile(r"^y_([0-9]{2})([0-9]{2})$", re.ASCII | re.IGNORECASE)
_RATE_COLUMN = re.compile(r"^grad_([0-9]{4})_([0-9]{2})$", re.ASCII | re.IGNORECASE)

#: Table name used in failures about mapping tables and register data.
_TABLE = "status_codes"


# --------------------------------------------------------------------------- codes


def normalise_code(value: object) -> str | None:
    """Canonical text of one register code or label, ``None`` when empty.

    Register codes arrive as text from CSV, as integers from Parquet and as
    floats from Stata, SAS or Excel (``318.0``), and some exports pad them
    with zeros. Integer-like values are therefore written as the integer
    without leading zeros (``"0318"``, ``318`` and ``318.0`` are all
    ``"318"``); any other text is NFC-normalised, trimmed and case-folded,
    so case-system labels match however they are capitalised. Two mapping
    rows that normalise to the same code are refused as duplicates, so this
    never merges codes silently.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return str(int(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = normalise_label(str(value))
    if not text:
        return None
    if _INTEGER_CODE.match(text):
        return str(int(text.split(".")[0]))
    return text


def _normalised_uniques(values: pd.Series) -> tuple[np.ndarray, list[str | None]]:
    """Row positions into the distinct values, and each distinct value normalised.

    Only the distinct values are normalised (a status column has a few dozen
    among millions of rows); ``-1`` marks a missing cell.
    """
    positions, uniques = pd.factorize(values, use_na_sentinel=True)
    return positions, [normalise_code(v) for v in uniques]


# --------------------------------------------------------------------------- mapping tables


@cache
def _read_shipped(name: str) -> pd.DataFrame:
    with files("opgang_eval.data").joinpath(f"status_codes_{name}.csv").open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


def status_mapping(name: ShippedMapping) -> pd.DataFrame:
    """A shipped mapping table as a frame the analyst can edit and pass back.

    The table is the package's proposal, not a fact about the registers: the
    rows with a ``judgement`` note (activation, leave, supported work) are
    choices an evaluator may make differently, and an evaluation should state
    the mapping it used. Edit the frame (or save it with ``to_csv`` and edit
    the file) and pass it to :func:`map_status` or :func:`dream_months`.

    Parameters
    ----------
    name
        ``"socio13"`` (Danmarks Statistik's SOCIO13, annual status from the
        income statistics) or ``"soc_status"`` (RAS/AMR ``SOC_STATUS_KODE``,
        primary status at the end of November).

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``title_da``, ``status`` (a contract status code)
        and ``judgement`` (empty, or why the row is a judgement call), all
        text, one row per code.
    """
    if name not in SHIPPED_MAPPINGS:
        raise ValidationError.from_failures(
            [
                Failure(
                    _TABLE,
                    str(name),
                    "",
                    None,
                    "",
                    str(name),
                    Rule.MISSING_TABLE,
                    f"No mapping table of that name ships with opgang-eval; use one of {', '.join(SHIPPED_MAPPINGS)}.",
                )
            ]
        )
    return _read_shipped(name).copy()


@dataclass(frozen=True)
class _Mapping:
    """A validated mapping: normalised code → contract status, its source and where to add a code."""

    lookup: dict[str, str]
    source: str
    where: str


def _resolve(mapping: pd.DataFrame | str | Path) -> _Mapping:
    if isinstance(mapping, pd.DataFrame):
        return _validate(mapping, "mapping table (DataFrame)", first_row=1, where="the frame passed as mapping")
    if isinstance(mapping, str) and mapping in SHIPPED_MAPPINGS:
        return _shipped(mapping)
    if isinstance(mapping, str | Path):
        path = Path(mapping)
        return _validate(_read_mapping_file(path), str(path), first_row=2, where=str(path))
    raise TypeError(f"mapping must be a DataFrame, a file path or one of {SHIPPED_MAPPINGS}, not {type(mapping)!r}")


@cache
def _shipped(name: str) -> _Mapping:
    return _validate(
        _read_shipped(name),
        f"status_codes_{name}.csv (shipped with opgang-eval)",
        first_row=2,
        where=f"edit a copy, oe.status_mapping({name!r}), and pass it as mapping",
    )


def _read_mapping_file(path: Path) -> pd.DataFrame:
    """Read a mapping CSV: UTF-8 with or without BOM, comma- or semicolon-separated."""
    if not path.is_file():
        raise ValidationError.from_failures(
            [
                Failure(
                    _TABLE,
                    str(path),
                    "",
                    None,
                    "",
                    "",
                    Rule.MISSING_TABLE,
                    f"No such file. Give a CSV mapping table (columns code, status), a DataFrame, "
                    f"or one of the shipped tables: {', '.join(SHIPPED_MAPPINGS)}.",
                )
            ]
        )
    with path.open("r", encoding="utf-8-sig") as handle:
        header = handle.readline()
    sep = ";" if header.count(";") > header.count(",") else ","
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _validate(table: pd.DataFrame, source: str, first_row: int, where: str) -> _Mapping:
    """Check a mapping table lazily: every problem is collected before raising.

    ``first_row`` is the number an analyst sees for the first record (2 for
    a CSV file, whose header is line 1; 1 for a frame).
    """
    failures: list[Failure] = []
    by_name = {normalise_label(str(c)): c for c in table.columns}
    for required in ("code", "status"):
        if required not in by_name:
            failures.append(
                Failure(
                    _TABLE,
                    source,
                    required,
                    None,
                    "",
                    "",
                    Rule.MISSING_COLUMN,
                    f"A mapping table needs the columns code and status (optional: title_da, judgement); "
                    f"found {', '.join(map(str, table.columns)) or 'none'}.",
                )
            )
    if failures:
        raise ValidationError.from_failures(failures)
    if table.empty:
        raise ValidationError.from_failures(
            [Failure(_TABLE, source, "", None, "", "", Rule.EMPTY_TABLE, "The mapping table has no rows.")]
        )

    rows = np.arange(len(table)) + first_row
    code_positions, code_keys = _normalised_uniques(table[by_name["code"]])
    codes = pd.Series([code_keys[i] if i >= 0 else None for i in code_positions], dtype=object)
    status_positions, status_uniques = pd.factorize(table[by_name["status"]], use_na_sentinel=True)
    status_labels = [None if pd.isna(v) or not str(v).strip() else str(v) for v in status_uniques]
    status_codes = [None if v is None else STATUS.lookup.get(normalise_label(v)) for v in status_labels]
    raw_status = pd.Series([status_labels[i] if i >= 0 else None for i in status_positions], dtype=object)
    statuses = pd.Series([status_codes[i] if i >= 0 else None for i in status_positions], dtype=object)

    def add(mask: np.ndarray, column: str, values: pd.Series, rule: Rule, hint: str) -> None:
        for row, value in zip(rows[mask], values[mask], strict=True):
            key = "" if codes.iloc[row - first_row] is None else f"code={codes.iloc[row - first_row]}"
            failures.append(Failure(_TABLE, source, column, int(row), key, str(value or ""), rule, hint))

    add(codes.isna().to_numpy(), "code", codes, Rule.MISSING_VALUE, "Every row of a mapping table needs a code.")
    add(
        raw_status.isna().to_numpy(),
        "status",
        raw_status,
        Rule.MISSING_VALUE,
        "Every code needs a contract status (use other for codes that fit no category).",
    )
    add(
        (raw_status.notna() & statuses.isna()).to_numpy(),
        "status",
        raw_status,
        Rule.UNKNOWN_CODE,
        f"Use one of: {STATUS.describe()}.",
    )
    duplicated = (codes.notna() & codes.duplicated(keep=False)).to_numpy()
    add(
        duplicated,
        "code",
        codes,
        Rule.DUPLICATE_KEY,
        "A code may appear once (codes compare as text; integer-like codes without leading zeros, "
        "labels case-insensitively). Keep one row per code.",
    )
    if failures:
        raise ValidationError.from_failures(failures)
    return _Mapping(dict(zip(codes, statuses, strict=True)), source, where)


# --------------------------------------------------------------------------- mapping values


def map_status(values: pd.Series, mapping: pd.DataFrame | str | Path) -> pd.Series:
    """Contract status codes for register codes or case-system labels.

    A code the mapping does not know is refused rather than guessed or
    dropped: a silently missing code would move people out of an
    evaluation's denominators without anyone noticing. All unknown codes are
    reported at once, each with how many rows carry it.

    Parameters
    ----------
    values
        Codes or labels, one per row, as the extract has them (text, integers
        or floats). Codes compare by :func:`normalise_code`. Empty cells are
        not codes: they stay missing in the result.
    mapping
        ``"socio13"`` or ``"soc_status"`` for a shipped table (see
        :func:`status_mapping`), the path of a CSV mapping table (UTF-8,
        comma- or semicolon-separated) or a DataFrame; a table needs the
        columns ``code`` and ``status`` (a contract status code or its Danish
        label), with one row per code.

    Returns
    -------
    pandas.Series
        Categorical with the contract's status codes as categories, on the
        index of ``values`` and named ``status``; missing where the value
        was empty.

    Raises
    ------
    ValidationError
        When the mapping table is invalid (missing columns, empty codes,
        statuses outside the vocabulary, duplicate codes), or when
        ``values`` holds codes the table does not know: one failure per
        distinct code, with its count in ``error.counts``.
    """
    table = _resolve(mapping)
    return _apply(values, table, column=str(values.name) if values.name is not None else "status")


def _apply(values: pd.Series, table: _Mapping, column: str) -> pd.Series:
    positions, uniques = pd.factorize(values, use_na_sentinel=True)
    unknown: dict[str, int] = {}
    category = _category_of(uniques, positions, table, unknown)
    if unknown:
        _refuse_unknown(unknown, table, column)
    return pd.Series(
        pd.Categorical.from_codes(category[positions], categories=pd.Index(list(STATUS.codes))),
        index=values.index,
        name="status",
    )


def _category_of(
    uniques: pd.Index | np.ndarray,
    positions: np.ndarray,
    table: _Mapping,
    unknown: dict[str, int],
    memo: dict[object, str | None] | None = None,
) -> np.ndarray:
    """Status category (position in the vocabulary) of each distinct value, ``-1`` for empty; a last ``-1`` for NA.

    Codes the table does not know are tallied in ``unknown`` (code → rows)
    instead of raising, so a caller mapping many columns reports them all.
    ``memo`` caches the normalisation of raw values across calls.
    """
    memo = {} if memo is None else memo
    keys = []
    for value in uniques:
        if value not in memo:
            memo[value] = normalise_code(value)
        keys.append(memo[value])
    category = np.full(len(keys) + 1, -1, dtype=np.int8)
    missing: list[tuple[int, str]] = []
    for i, key in enumerate(keys):
        if key is None:
            continue
        status = table.lookup.get(key)
        if status is None:
            missing.append((i, key))
        else:
            category[i] = _CATEGORY[status]
    if missing:
        counts = np.bincount(positions[positions >= 0], minlength=len(keys))
        for i, key in missing:
            unknown[key] = unknown.get(key, 0) + int(counts[i])
    return category


#: Position of each contract status among the categories of a status column.
_CATEGORY = {code: i for i, code in enumerate(STATUS.codes)}


def _refuse_unknown(unknown: dict[str, int], table: _Mapping, column: str) -> NoReturn:
    per_code = pd.Series(unknown, dtype=np.int64)
    per_code = per_code.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    hints = [
        f"{code!r} is not in the mapping table. Add the code to the mapping table ({table.where}) with its status."
        for code in per_code.index
    ]
    failures = failure_frame(
        [
            Failure(_TABLE, table.source, column, None, "", str(code), Rule.UNKNOWN_CODE, hint)
            for code, hint in zip(per_code.index, hints, strict=True)
        ]
    )
    tally = failures[["table", "file", "column", "rule", "hint"]].assign(n=per_code.to_numpy(dtype=np.int64))
    raise ValidationError(failures, tally)


# --------------------------------------------------------------------------- DREAM


def _week_month(column: str) -> tuple[dt.date, str] | None:
    """Thursday and month (``YYYY-MM``) of a DREAM week column ``y_YYWW``.

    DREAM numbers weeks as Danish calendar weeks, which are ISO 8601 weeks.
    A week spanning two months belongs to the month of its Thursday: that is
    the month holding four of its seven days (the same rule that gives an
    ISO week its year). Two-digit years from 90 are 19YY (DREAM starts in
    1991), the others 20YY.
    """
    match = _WEEK_COLUMN.match(column)
    if match is None:
        return None
    yy, week = int(match.group(1)), int(match.group(2))
    year = 1900 + yy if yy >= 90 else 2000 + yy
    try:
        thursday = dt.date.fromisocalendar(year, week, 4)
    except ValueError:
        return None
    return thursday, f"{thursday.year:04d}-{thursday.month:02d}"


def _failure(
    source: str, column: str, rule: Rule, hint: str, row: int | None = None, key: str = "", value: str = ""
) -> Failure:
    return Failure("dream", source, column, row, key, value, rule, hint)


def _find_id(frame: pd.DataFrame, id_column: str, source: str, failures: list[Failure]) -> str | None:
    by_name = {normalise_label(str(c)): c for c in frame.columns}
    found = by_name.get(normalise_label(id_column))
    if found is None:
        failures.append(
            _failure(
                source,
                id_column,
                Rule.MISSING_COLUMN,
                f"The {source} frame needs a person id column {id_column!r} (set id_column= to its name).",
            )
        )
    return found


def _ids(frame: pd.DataFrame, column: str, source: str, failures: list[Failure]) -> np.ndarray:
    """Person ids as stripped text (an object array); empty and duplicated ids are failures."""
    ids = frame[column].astype("string").str.strip()
    empty = (ids.isna() | (ids == "")).to_numpy(dtype=bool, na_value=True)
    failures.extend(
        _failure(source, column, Rule.MISSING_VALUE, "Every row needs a person id.", row=int(r) + 1)
        for r in np.flatnonzero(empty)
    )
    duplicated = ids.duplicated(keep=False).to_numpy() & ~empty
    failures.extend(
        _failure(
            source,
            column,
            Rule.DUPLICATE_KEY,
            "DREAM is wide: one row per person. Combine the rows of a person before converting.",
            row=int(r) + 1,
            key=f"{column}={ids.iloc[r]}",
            value=str(ids.iloc[r]),
        )
        for r in np.flatnonzero(duplicated)
    )
    return ids.to_numpy(dtype=object, na_value="")


def _rate_columns(frame: pd.DataFrame, source: str, failures: list[Failure]) -> tuple[list[str], list[str]]:
    """The ``grad_YYYY_MM`` columns of a frame and their months."""
    columns, months = [], []
    for column in frame.columns:
        match = _RATE_COLUMN.match(str(column))
        if match is None:
            continue
        if not 1 <= int(match.group(2)) <= 12:
            failures.append(_failure(source, str(column), Rule.NOT_MONTH, "Employment columns are grad_YYYY_MM."))
            continue
        columns.append(column)
        months.append(f"{match.group(1)}-{match.group(2)}")
    return columns, months


def _rates(
    frame: pd.DataFrame, columns: list[str], ids: np.ndarray, id_name: str, source: str, failures: list[Failure]
) -> np.ndarray:
    """Employment rates as a (persons × months) float matrix; NaN where empty.

    One vectorised conversion per month column (a decimal comma is
    accepted); a cell that is not a number is a failure, not a zero.
    """
    rates = np.full((len(frame), len(columns)), np.nan)
    for j, column in enumerate(columns):
        cells = frame[column]
        if pd.api.types.is_numeric_dtype(cells) and not pd.api.types.is_bool_dtype(cells):
            rates[:, j] = cells.to_numpy(dtype=float, na_value=np.nan)
            continue
        text = cells.astype("string").str.strip().str.replace(",", ".", regex=False)
        number = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = np.isnan(number) & (text.fillna("") != "").to_numpy(dtype=bool)
        failures.extend(
            _failure(
                source,
                str(column),
                Rule.NOT_NUMBER,
                "An employment rate is a number (empty for no information).",
                row=int(r) + 1,
                key=f"{id_name}={ids[r]}",
                value=str(cells.iloc[r]),
            )
            for r in np.flatnonzero(bad)
        )
        rates[:, j] = number
    return rates


def dream_months(
    weeks: pd.DataFrame,
    mapping: pd.DataFrame | str | Path,
    employment: pd.DataFrame | None = None,
    *,
    id_column: str = "person_id",
    otherwise: str | None = None,
) -> pd.DataFrame:
    """Monthly ``parent_status`` rows from DREAM-style weekly benefit codes.

    DREAM has one benefit code per person and week and, from 2008, a monthly
    employment rate. The contract wants one status per person and month, so
    weeks are aggregated to months:

    * a week belongs to the month of its Thursday (ISO week; the month that
      holds four of its seven days);
    * a *benefit week* is a week with a code; an empty cell means no public
      benefit that week. Every code must be in ``mapping`` (refused
      otherwise), and a week's status is its code's status — whatever it is,
      ``job`` included;
    * a month with benefit weeks gets the status of most of them (weeks are
      counted per status, so two codes with one status pool); a tie goes to
      the status of the later week;
    * a month with no benefit week and an employment rate above 0 is ``job``;
    * a month with neither gets ``otherwise`` (no row when ``None``).

    The work is done on integer codes: one vectorised pass per week column
    (never per person), then sorting and array indexing.

    Parameters
    ----------
    weeks
        Wide DREAM frame: one row per person, a person id column and one
        column ``y_YYWW`` per week (two-digit year and ISO week, e.g.
        ``y_1801`` for 2018 week 1; ``YY`` from 90 is 19YY) holding the
        week's code. It may also hold the monthly employment rates as
        ``grad_YYYY_MM`` columns (as DREAM delivers them). Other columns are
        ignored. Column names match case-insensitively.
    mapping
        Mapping table for the DREAM codes, in the format of
        :func:`map_status` (no DREAM table ships: the code list changes with
        legislation and no verified public list is available).
    employment
        Optional wide frame of employment rates: the id column and
        ``grad_YYYY_MM`` columns (a decimal comma is accepted). Give the rates
        either here or in ``weeks``, not in both.
    id_column
        Name of the person id column in both frames.
    otherwise
        Status (code or Danish label) of a month in which a person had no
        benefit week and no employment, e.g. ``"other"``; ``None`` (default)
        leaves such months without a row, as DREAM does not say what the
        person did. The months are those of the week and rate columns.

    Returns
    -------
    pandas.DataFrame
        ``person_id`` (text), ``month`` (``YYYY-MM``) and ``status``
        (categorical, the contract's status codes), sorted by person and
        month: the contract's ``parent_status`` table for the persons given.

    Raises
    ------
    ValidationError
        For unknown codes (one failure per code, with its count), an invalid
        mapping, a missing or duplicated person id, week columns that are no
        ISO week, non-numeric rates, or rates given twice.
    """
    failures: list[Failure] = []
    table = _resolve(mapping)
    otherwise_code = None
    if otherwise is not None:
        otherwise_code = STATUS.lookup.get(normalise_label(otherwise))
        if otherwise_code is None:
            failures.append(
                _failure(
                    "otherwise", "otherwise", Rule.UNKNOWN_CODE, f"Use one of: {STATUS.describe()}.", value=otherwise
                )
            )
    id_name = _find_id(weeks, id_column, "weeks", failures)
    employment_id = _find_id(employment, id_column, "employment", failures) if employment is not None else None
    if failures:
        raise ValidationError.from_failures(failures)
    assert id_name is not None

    # Week columns in calendar order, with their month.
    dated: list[tuple[dt.date, str, str]] = []
    for column in weeks.columns:
        if not str(column).lower().startswith("y_"):
            continue
        info = _week_month(str(column))
        if info is None:
            failures.append(
                _failure(
                    "weeks",
                    str(column),
                    Rule.UNKNOWN_COLUMN,
                    "A week column is y_YYWW with a week that exists in ISO year YY (week 53 only in long years).",
                    value=str(column),
                )
            )
            continue
        dated.append((info[0], info[1], column))
    dated.sort(key=lambda item: item[0])
    week_columns = [column for _, _, column in dated]

    ids = _ids(weeks, id_name, "weeks", failures)
    rate_columns, rate_months = _rate_columns(weeks, "weeks", failures)
    rate_source, rate_ids, rate_id_name = weeks, ids, id_name
    if employment is not None:
        assert employment_id is not None
        if rate_columns:
            failures.append(
                _failure(
                    "weeks",
                    "grad_YYYY_MM",
                    Rule.DUPLICATE_COLUMN,
                    "Employment rates are both in weeks and in employment: give them in one place.",
                )
            )
        rate_ids = _ids(employment, employment_id, "employment", failures)
        rate_columns, rate_months = _rate_columns(employment, "employment", failures)
        rate_source, rate_id_name = employment, employment_id
    rates = _rates(
        rate_source, rate_columns, rate_ids, rate_id_name, "employment" if employment is not None else "weeks", failures
    )

    # Each week column to status categories, one vectorised pass per column.
    statuses = np.full((len(weeks), len(week_columns)), -1, dtype=np.int8, order="F")  # filled by column
    unknown: dict[str, int] = {}
    memo: dict[object, str | None] = {}
    for j, column in enumerate(week_columns):
        positions, uniques = pd.factorize(weeks[column], use_na_sentinel=True)
        statuses[:, j] = _category_of(uniques, positions, table, unknown, memo)[positions]
    if failures:
        raise ValidationError.from_failures(failures)
    if unknown:
        _refuse_unknown(unknown, table, "y_YYWW")

    # Persons and months of the result, sorted, so the output comes out in order.
    persons = np.unique(np.concatenate([ids, rate_ids]).astype(str))
    months = np.unique(np.array([m for _, m, _ in dated] + rate_months, dtype=str))
    n_months = len(months)
    week_month = np.searchsorted(months, np.array([m for _, m, _ in dated], dtype=str))
    result = np.full(len(persons) * n_months, -1, dtype=np.int8)

    # Benefit weeks: count weeks per (person, month, status); the most weeks win, then the latest week.
    row, week = np.nonzero(statuses >= 0)
    if len(row):
        n_categories = len(STATUS.codes)
        person_month = np.searchsorted(persons, ids.astype(str))[row] * n_months + week_month[week]
        key = person_month * n_categories + statuses[row, week]
        order = np.argsort(key, kind="stable")  # stable: within a key, weeks stay in calendar order
        key, week = key[order], week[order]
        last = np.flatnonzero(np.append(key[1:] != key[:-1], True))
        count = np.diff(np.append(-1, last))
        score = count * (len(week_columns) + 1) + week[last]
        group, category = key[last] // n_categories, key[last] % n_categories
        # `group` is sorted; within a group no two statuses share a last week, so the maximum score is unique.
        starts = np.flatnonzero(np.append(True, group[1:] != group[:-1]))
        best = np.maximum.reduceat(score, starts)
        winner = score == np.repeat(best, np.diff(np.append(starts, len(group))))
        result[group[winner]] = category[winner]

    # No benefit week: job where the employment rate is above 0, else `otherwise`.
    rate_row, rate_month = np.nonzero(rates > 0)
    if len(rate_row):
        cell = (
            np.searchsorted(persons, rate_ids[rate_row].astype(str)) * n_months
            + np.searchsorted(months, np.array(rate_months, dtype=str))[rate_month]
        )
        free = cell[result[cell] < 0]
        result[free] = _CATEGORY["job"]
    if otherwise_code is not None:
        result[result < 0] = _CATEGORY[otherwise_code]

    cells = np.flatnonzero(result >= 0)
    return pd.DataFrame(
        {
            "person_id": pd.array(persons, dtype="str").take(cells // n_months),
            "month": pd.array(months, dtype="str").take(cells % n_months),
            "status": pd.Categorical.from_codes(result[cells], categories=pd.Index(list(STATUS.codes))),
        }
    )
