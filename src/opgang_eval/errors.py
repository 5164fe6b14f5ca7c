"""Exceptions and warnings raised by opgang-eval.

Every exception the package raises on purpose derives from :class:`OpgangError`,
so a caller (the CLI, a notebook, a batch job) can tell "the input is wrong"
from "the package is broken" with one ``except`` clause.

Validation is lazy: checks record :class:`Failure` rows and the loader raises
one :class:`ValidationError` holding all of them, as pandera does. The rule
codes are a closed :class:`Rule` enum so that tests and downstream tools can
match on them without parsing prose.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import pandas as pd
from pandas.api.typing import NAType

__all__ = [
    "ConfigError",
    "DataQualityWarning",
    "Failure",
    "OpgangError",
    "OpgangWarning",
    "Rule",
    "ValidationError",
]

#: Columns of the tidy failure table carried by :class:`ValidationError`.
FAILURE_COLUMNS = ("table", "file", "column", "row", "key", "value", "rule", "hint")

#: Columns of the table of follow-on failures that were counted, not listed (see :class:`ValidationError`).
SUPPRESSED_COLUMNS = ("table", "file", "column", "rule", "n", "cause")

#: Examples kept per (table, column, rule); the count is always exact.
MAX_EXAMPLES = 1000

#: Longest value, key or column name a message repeats; longer ones are cut with "…".
MAX_SHOWN = 60


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters (the last one "…") when it is longer.

    A message names the offending value so the analyst can find it, and 60
    characters are plenty for that; a 50 MB cell (a whole file pasted into
    one field, a broken quote that swallowed the rest of the file) must not
    be written to stderr or kept in the failure table whole.
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Rule(StrEnum):
    """Reason codes for validation failures and data-quality warnings."""

    MISSING_TABLE = "missing_table"
    AMBIGUOUS_TABLE = "ambiguous_table"
    UNREADABLE_FILE = "unreadable_file"
    NOT_UTF8 = "not_utf8"
    EMPTY_TABLE = "empty_table"
    MISSING_COLUMN = "missing_column"
    UNKNOWN_COLUMN = "unknown_column"
    DUPLICATE_COLUMN = "duplicate_column"
    WRONG_FIELD_COUNT = "wrong_field_count"
    MISSING_VALUE = "missing_value"
    NOT_TEXT = "not_text"
    NOT_INTEGER = "not_integer"
    NOT_NUMBER = "not_number"
    NOT_DATE = "not_date"
    NOT_MONTH = "not_month"
    NOT_SCHOOL_YEAR = "not_school_year"
    UNKNOWN_CODE = "unknown_code"
    OUT_OF_RANGE = "out_of_range"
    FUTURE_DATE = "future_date"
    DATE_ORDER = "date_order"
    ABSENCE_EXCEEDS_DAYS = "absence_exceeds_school_days"
    DUPLICATE_KEY = "duplicate_key"
    ORPHAN_KEY = "orphan_key"
    UNMATCHED_IDS = "unmatched_ids"
    CPR_LIKE_ID = "cpr_like_id"
    MISSING_UNIT_COST = "missing_unit_cost"
    BAD_CONFIG = "bad_config"
    # Warnings: reported, never blocking.
    UNRECOGNISED_FILE = "unrecognised_file"
    STATUS_GAP = "status_gap"
    NO_STATUS = "no_status"
    NO_PARENTS = "no_parents"
    NO_CHILDREN = "no_children"
    NO_ROWS = "no_rows"
    PARTIAL_STRATA = "partial_strata"


@dataclass(frozen=True, slots=True)
class Failure:
    """One thing wrong with the input, located as precisely as it can be.

    ``row`` is the row an analyst sees: the line number for CSV and the sheet
    row for Excel (the header is row 1), the record number (from 1) for
    Parquet, Stata and SAS. ``key`` names the record by its id where that is
    more useful than a row, e.g. ``person_id=P0001``.
    """

    table: str
    file: str
    column: str
    row: int | None
    key: str
    value: str
    rule: Rule
    hint: str


class OpgangError(Exception):
    """Base class of every error opgang-eval raises on purpose."""


class ValidationError(OpgangError):
    """The extracts (or the configuration) break the data contract.

    Parameters
    ----------
    failures
        Tidy table with the columns of ``FAILURE_COLUMNS``; at most
        ``MAX_EXAMPLES`` rows per (table, column, rule).
    counts
        Exact number of failures per (table, file, column, rule, hint); derived
        from ``failures`` when not given.
    suppressed
        Follow-on failures that were counted but not listed, because one root
        cause in another table (a table that could not be read, a missing key
        column, ids that match nothing) accounts for all of them: one row per
        (table, file, column, rule) with their number ``n`` and the ``cause``.
        They are not in ``failures``, ``counts`` or :attr:`n_failures`.
    """

    def __init__(
        self, failures: pd.DataFrame, counts: pd.DataFrame | None = None, suppressed: pd.DataFrame | None = None
    ) -> None:
        self.failures = _withheld_frame(failures.reset_index(drop=True), whole=("key", "value"))
        if counts is None:
            counts = (
                self.failures.groupby(["table", "file", "column", "rule", "hint"], sort=False)
                .size()
                .rename("n")
                .reset_index()
            )
        self.counts = _withheld_frame(counts.reset_index(drop=True))
        if suppressed is None:
            suppressed = pd.DataFrame({c: pd.Series(dtype="int64" if c == "n" else "str") for c in SUPPRESSED_COLUMNS})
        self.suppressed = _withheld_frame(suppressed.reset_index(drop=True))
        super().__init__(self.report())

    @classmethod
    def from_failures(cls, failures: list[Failure]) -> ValidationError:
        """Build the error from a handful of records (config checks, file checks)."""
        return cls(failure_frame(failures))

    @property
    def n_failures(self) -> int:
        """Exact number of failures, including those beyond the kept examples."""
        return int(self.counts["n"].sum())

    @property
    def n_suppressed(self) -> int:
        """Exact number of follow-on failures counted in :attr:`suppressed` rather than listed."""
        return int(self.suppressed["n"].sum())

    #: First line of the report; subclasses say what was checked.
    headline = "The extracts do not meet the data contract"

    def report(self, examples: int = 5) -> str:
        """Readable report grouped by table, one block per column and rule."""
        return format_failure_report(
            self.failures, self.counts, examples=examples, headline=self.headline, suppressed=self.suppressed
        )


class ConfigError(ValidationError):
    """The configuration (``evaluation.toml``, a dict, keywords or report options) is invalid."""

    headline = "The settings are not valid"


class OpgangWarning(UserWarning):
    """Base class of the warnings opgang-eval emits."""


class DataQualityWarning(OpgangWarning):
    """The extracts are valid but have a feature the analyst should know about."""


def failure_frame(failures: list[Failure]) -> pd.DataFrame:
    """Tidy frame of failure records with the canonical columns and dtypes.

    Keys and values are withheld where they hold a CPR-like number before
    they are cut to :data:`MAX_SHOWN` characters: cut first, a number could
    be left half (its birth date) and no longer be recognised.
    """
    from .validation.parse import withhold_text  # here: the validation package imports this module

    frame = pd.DataFrame(
        [
            (
                f.table,
                f.file,
                f.column,
                f.row,
                clip(withhold_text(f.key, whole=True)),
                clip(withhold_text(f.value, whole=True)),
                str(f.rule),
                f.hint,
            )
            for f in failures
        ],
        columns=list(FAILURE_COLUMNS),
    )
    return frame.astype({"row": "Int64"})


#: The columns of the failure, count and suppressed tables that hold text a message repeats.
_TEXT_COLUMNS = ("table", "file", "column", "key", "value", "hint", "cause")


def _withheld_frame(frame: pd.DataFrame, whole: tuple[str, ...] = ()) -> pd.DataFrame:
    """``frame`` with every CPR-shaped part of its text withheld (values and keys in ``whole`` entirely).

    Every :class:`ValidationError` passes its tables through here, however
    they were built (the loader's collector, the configuration, the
    registers, the report options), so that no message the package raises
    repeats a CPR number: extracts must be pseudonymised, and a message ends
    up in a job log or on a screen share. See
    :func:`~opgang_eval.validation.parse.withhold` for the shapes.
    """
    from .validation.parse import withhold  # here: the validation package imports this module

    changed = {}
    for column in _TEXT_COLUMNS:
        if column in frame.columns and len(frame) and not pd.api.types.is_numeric_dtype(frame[column]):
            values = frame[column]
            shown = withhold(values, whole=column in whole)
            if shown is not values:
                changed[column] = shown.astype(object).to_numpy()
    return frame.assign(**changed) if changed else frame


def format_failure_report(
    failures: pd.DataFrame,
    counts: pd.DataFrame,
    examples: int = 5,
    headline: str = ValidationError.headline,
    suppressed: pd.DataFrame | None = None,
) -> str:
    """Render failures as text, grouped by file, with a few examples per rule.

    One renderer serves the exception message and the CLI, so the two can
    never disagree about what went wrong. Suppressed follow-on failures are
    one line each in their file's block ("n follow-on errors suppressed")
    and a total in the first line; they are not counted as problems.
    """
    total = int(counts["n"].sum())
    files = counts["file"].nunique()
    headline = f"{headline}: {total:,} problem{'s' if total != 1 else ''} in {files} file{'s' if files != 1 else ''}"
    follow_on: dict[str, list[str]] = {}
    if suppressed is not None and len(suppressed):
        n_suppressed = int(suppressed["n"].sum())
        headline += f", and {n_suppressed:,} follow-on error{'s' if n_suppressed != 1 else ''} suppressed"
        for sup in map(_Suppressed._make, suppressed[list(_Suppressed._fields)].itertuples(index=False, name=None)):
            where = f"column '{clip(sup.column)}'" if sup.column else "file"
            errors = f"error{'s' if sup.n != 1 else ''}"
            line = f"  - {where}: {sup.n:,} follow-on {sup.rule} {errors} suppressed. {sup.cause}"
            follow_on.setdefault(sup.file, []).append(line)
    lines = [headline + "."]
    # The examples of every (file, column, rule, hint) are gathered in one pass: filtering
    # the whole failure table once per count row made the report quadratic (a table with
    # thousands of refused columns has thousands of count rows and failures).
    group = list(_GROUP)
    kept = failures.groupby(group, sort=False, dropna=False).head(examples)
    located: dict[tuple[str, str, str, str], list[str]] = {}
    for *where_key, row, key, value in kept[[*group, *_Example._fields]].itertuples(index=False, name=None):
        text = _locate(_Example(row, key, value))
        if text:
            located.setdefault((where_key[0], where_key[1], where_key[2], where_key[3]), []).append(text)
    for file, per_file in counts.groupby("file", sort=False):
        lines.append("")
        lines.append(f"{file}:")
        for rec in map(_Count._make, per_file[list(_Count._fields)].itertuples(index=False, name=None)):
            where = f"column '{clip(rec.column)}'" if rec.column else "file"
            lines.append(f"  - {where}: {rec.rule} ({rec.n:,}×). {rec.hint}")
            shown = located.get((rec.file, rec.column, rec.rule, rec.hint), [])
            if shown:
                more = rec.n - len(shown)
                tail = f" … and {more:,} more" if more > 0 else ""
                lines.append("      " + "; ".join(shown) + tail)
        lines.extend(follow_on.pop(str(file), []))
    for file, follow in follow_on.items():  # files with nothing wrong of their own
        lines.append("")
        lines.append(f"{file}:")
        lines.extend(follow)
    return "\n".join(lines)


#: The columns one block of the report is about (the examples are grouped by them).
_GROUP = ("file", "column", "rule", "hint")


class _Count(NamedTuple):
    """One row of the counts table, as the report reads it."""

    file: str
    column: str
    rule: str
    hint: str
    n: int


class _Suppressed(NamedTuple):
    """One row of the suppressed table, as the report reads it."""

    file: str
    column: str
    rule: str
    n: int
    cause: str


class _Example(NamedTuple):
    """Where one kept failure lies (``row`` is ``NA`` when the failure has none)."""

    row: int | NAType | None
    key: str
    value: str


def _locate(rec: _Example) -> str:
    parts = []
    row = rec.row
    if row is not None and not pd.isna(row):
        parts.append(f"row {int(row)}")
    if rec.key:
        parts.append(clip(str(rec.key)))
    value = rec.value
    if value:
        parts.append(f"value {clip(str(value))!r}")
    return ", ".join(parts)
