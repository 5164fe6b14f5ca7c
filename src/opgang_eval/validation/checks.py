"""How the contract is checked: columns, cells, keys and links between tables.

Every check adds to one :class:`Collector`, so a single pass reports every
failure; nothing stops at the first problem. A broken table that others
refer to is reported once, as the root cause, and the failures that follow
from it are counted, not listed (see :func:`_check_links`). All checks are
vectorised, and the key, link and coverage checks work on integer codes:
each id column is factorised once (see :class:`_Codes`) and every
membership test or duplicate search then runs on its distinct values, not
on millions of strings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from ..config import DEFAULT_SCALE, Config
from ..errors import (
    FAILURE_COLUMNS,
    MAX_EXAMPLES,
    MAX_SHOWN,
    SUPPRESSED_COLUMNS,
    Failure,
    Rule,
    clip,
    failure_frame,
)
from ..schema import TABLES, ColumnKind, Table, Vocabulary
from .parse import WITHHELD, cpr_cells_of, cpr_hint, looks_like_cpr, parse_column, withhold, withhold_text

if TYPE_CHECKING:  # readers import this module's package; only annotations need RawTable
    from ..loading.readers import RawTable

__all__ = ["Collector", "validate_tables"]

_KEY_COLUMNS = ("person_id", "family_id", "status")


class Collector:
    """Gathers failures (or warnings) as tidy frames with exact counts."""

    def __init__(self) -> None:
        # Consecutive single records are kept as one list and become one frame
        # when the failures are read: a frame per record made a table with
        # thousands of refused columns cost seconds per thousand columns.
        self._frames: list[pd.DataFrame | list[Failure]] = []
        self._counts: list[tuple[str, str, str, str, str, int]] = []
        self._suppressed: list[tuple[str, str, str, str, int, str]] = []

    def __bool__(self) -> bool:
        return bool(self._counts)

    def add_records(self, records: Iterable[Failure]) -> None:
        """Record single failures; what they say passes through the CPR withholding (see :func:`_withheld`)."""
        for rec in map(_withheld, records):
            if not (self._frames and isinstance(self._frames[-1], list)):
                self._frames.append([])
            last = self._frames[-1]
            assert isinstance(last, list)
            last.append(rec)
            self._counts.append((rec.table, rec.file, rec.column, str(rec.rule), rec.hint, 1))

    def add(
        self,
        raw: RawTable,
        column: str,
        mask: np.ndarray,
        rule: Rule,
        hint: str,
        values: pd.Series | None = None,
        key_column: str | None = None,
    ) -> None:
        """Record every row of ``raw`` where ``mask`` is true (examples capped)."""
        n = int(mask.sum())
        if n == 0:
            return
        positions = np.flatnonzero(mask)[:MAX_EXAMPLES]
        frame = raw.frame
        if values is None:
            values = _single_column(frame, column)
        shown = (
            values.iloc[positions].astype("str").fillna("").to_numpy()
            if values is not None
            else np.full(len(positions), "")
        )
        key_column = key_column or next((c for c in _KEY_COLUMNS if c in frame.columns), None)
        key_values = _single_column(frame, key_column) if key_column is not None and key_column != column else None
        if key_column is not None and key_values is not None:
            keys = key_column + "=" + _withhold_cpr(key_values.iloc[positions].astype("str").fillna("").to_numpy())
        else:
            keys = np.full(len(positions), "")
        rows = raw.line_numbers[positions] if raw.line_numbers is not None else positions + raw.first_row
        self.add_rows(raw, column, rows, rule, hint, shown, keys, n)

    def add_rows(
        self,
        raw: RawTable,
        column: str,
        rows: np.ndarray,
        rule: Rule,
        hint: str,
        values: np.ndarray,
        keys: np.ndarray | None = None,
        n: int | None = None,
    ) -> None:
        """Record failures at the given rows of ``raw`` (the first ``MAX_EXAMPLES`` kept).

        ``n`` is the exact count when ``rows`` holds only the kept examples.
        """
        n = len(rows) if n is None else n
        if n == 0:
            return
        rows, values = rows[:MAX_EXAMPLES], _clipped(_withhold_cpr(values[:MAX_EXAMPLES]))
        keys = np.full(len(rows), "") if keys is None else _clipped(_withhold_cpr(keys[:MAX_EXAMPLES]))
        name = withhold_text(raw.source.table)
        file = withhold_text(raw.source.path.name)
        column, hint = withhold_text(column), withhold_text(hint)
        self._frames.append(
            pd.DataFrame(
                {
                    "table": name,
                    "file": file,
                    "column": column,
                    "row": pd.array(rows, dtype="Int64"),
                    "key": keys,
                    "value": values,
                    "rule": str(rule),
                    "hint": hint,
                },
                columns=list(FAILURE_COLUMNS),
            )
        )
        self._counts.append((name, file, column, str(rule), hint, n))

    def suppress(self, table: str, file: str, column: str, rule: Rule, n: int, cause: str) -> None:
        """Count ``n`` follow-on failures of a column without listing them; ``cause`` says why."""
        if n > 0:
            table, file, column, cause = (withhold_text(t) for t in (table, file, column, cause))
            self._suppressed.append((table, file, column, str(rule), n, cause))

    def recorded(self, table: str, column: str | None = None) -> tuple[str, list[str]] | None:
        """The file and the distinct rules of the failures recorded for ``table`` (and ``column``), if any."""
        found = [(f, r) for t, f, c, r, _h, _n in self._counts if t == table and (column is None or c == column)]
        if not found:
            return None
        return found[0][0], list(dict.fromkeys(r for _f, r in found))

    def failures(self) -> pd.DataFrame:
        if not self._frames:
            return failure_frame([])
        frames = [failure_frame(part) if isinstance(part, list) else part for part in self._frames]
        return pd.concat(frames, ignore_index=True).astype({"row": "Int64"})

    def counts(self) -> pd.DataFrame:
        return pd.DataFrame(self._counts, columns=["table", "file", "column", "rule", "hint", "n"])

    def suppressed(self) -> pd.DataFrame:
        """Follow-on failures counted, not listed: table, file, column, rule, n, cause."""
        frame = pd.DataFrame(self._suppressed, columns=list(SUPPRESSED_COLUMNS))
        return frame.astype({"n": "int64"})


def _clipped(texts: np.ndarray) -> np.ndarray:
    """Kept example values (or keys) cut to what a message may repeat (see :func:`~opgang_eval.errors.clip`)."""
    if not any(len(str(t)) > MAX_SHOWN for t in texts):
        return texts
    return np.array([clip(str(t)) for t in texts], dtype=object)


def _single_column(frame: pd.DataFrame, column: str | None) -> pd.Series | None:
    """``frame[column]``, or ``None`` where the column is absent or given twice."""
    if column is None or column not in frame.columns:
        return None
    values = frame[column]
    return values if isinstance(values, pd.Series) else None


def _withhold_cpr(texts: np.ndarray) -> np.ndarray:
    """Texts (kept example values or keys) with any that hold a CPR-like number replaced by the withheld marker.

    A CPR-like value is refused by its own failure, but other failures on
    the same row name the row by its id (``person_id=…``) or show the cell
    (a month ``0101901234`` is also no month); no failure may repeat it. The
    whole text is withheld, not only the number: the rest of the cell (a
    name beside the number) is as personal. Only the kept examples pass
    through here, so the check is cheap.
    """
    if len(texts) == 0:
        return texts
    shown = pd.Series(texts, dtype="str")
    withheld = withhold(shown, whole=True)
    hidden = (withheld != shown).fillna(False).to_numpy(dtype=bool)
    if not hidden.any():
        return texts
    out = texts.astype(object)
    out[hidden] = WITHHELD
    return out


def _withheld(rec: Failure) -> Failure:
    """``rec`` with every CPR-shaped part of what it says withheld.

    Failures are built in many places (readers, checks, the configuration);
    this is the one gate all of them pass on their way into a
    :class:`Collector`, so none can repeat a CPR number however its text
    was put together: the value and key are withheld whole, the names and
    the hint only where the number stands.
    """
    texts = (rec.table, rec.file, rec.column, rec.hint)
    shown = tuple(withhold_text(t) for t in texts)
    key, value = withhold_text(rec.key, whole=True), withhold_text(rec.value, whole=True)
    if shown == texts and key == rec.key and value == rec.value:
        return rec
    return Failure(shown[0], shown[1], shown[2], rec.row, key, value, rec.rule, shown[3])


def validate_tables(
    raws: dict[str, RawTable], config: Config, errors: Collector, warnings: Collector, today: dt.date | None = None
) -> dict[str, pd.DataFrame]:
    """Parse and check every table, then the links between them.

    Returns the typed tables; they are only meaningful when ``errors`` stays
    empty.
    """
    today = today or dt.date.today()
    typed: dict[str, pd.DataFrame] = {}
    codes = _Codes(typed)
    for name, raw in raws.items():
        typed[name] = _check_table(TABLES[name], raw, errors, warnings, today, codes)
    _check_rows(raws, typed, config, errors)
    _check_links(raws, typed, errors, codes)
    _warn(raws, typed, warnings, codes)
    return typed


class _Codes:
    """Typed columns factorised once per validation and shared by the checks.

    ``codes(table, column)`` gives integer codes (``-1`` where missing) and
    the distinct values they index.
    """

    def __init__(self, typed: dict[str, pd.DataFrame]) -> None:
        self._typed = typed
        self._done: dict[tuple[str, str], tuple[np.ndarray, pd.Index]] = {}

    def put(self, table: str, column: str, factorised: tuple[np.ndarray, pd.Index]) -> None:
        """Record a factorisation the parser already made."""
        self._done[(table, column)] = factorised

    def __call__(self, table: str, column: str, frame: pd.DataFrame | None = None) -> tuple[np.ndarray, pd.Index]:
        key = (table, column)
        if key not in self._done:
            values = (self._typed[table] if frame is None else frame)[column]
            codes, uniques = pd.factorize(values)
            self._done[key] = (codes, pd.Index(uniques))
        return self._done[key]

    def isin(self, table: str, column: str, targets: pd.Index) -> np.ndarray:
        """Rows whose value is one of ``targets`` (missing rows: false)."""
        codes, uniques = self(table, column)
        return np.append(_member(uniques, targets), False)[codes]


def _member(values: pd.Index, targets: pd.Index) -> np.ndarray:
    """``values.isin(targets)``; text is matched by hashing, not pandas' Python loop over the targets."""
    if values.dtype == "str" and targets.dtype == "str":
        return targets.unique().get_indexer(values) >= 0
    return values.isin(targets)


def _duplicated(codes: list[tuple[np.ndarray, pd.Index]]) -> np.ndarray:
    """Rows whose combination of codes occurs more than once (missing counts as a value)."""
    n = len(codes[0][0])
    label = np.zeros(n, dtype=np.int64)
    bound = 1
    for column, uniques in codes:
        width = len(uniques) + 1
        if bound * width >= 2**62:  # keep the combined label inside int64
            label = pd.factorize(label)[0].astype(np.int64)
            bound = int(label.max()) + 1 if n else 1
        label = label * width + (column + 1)
        bound *= width
    if bound <= 4 * n + 1024:  # dense labels: count them directly
        return np.bincount(label, minlength=bound)[label] > 1
    return pd.Series(label).duplicated(keep=False).to_numpy()


def _first_rows(codes: np.ndarray, n_codes: int) -> np.ndarray:
    """Rows that are the first with their code (missing, ``-1``, counts as one more code)."""
    position = np.full(n_codes + 1, len(codes))
    np.minimum.at(position, codes, np.arange(len(codes)))
    first = np.zeros(len(codes), dtype=bool)
    first[position[position < len(codes)]] = True
    return first


def _check_table(
    table: Table, raw: RawTable, errors: Collector, warnings: Collector, today: dt.date, codes: _Codes
) -> pd.DataFrame:
    """Columns present and known, every cell parsed, the key unique."""
    frame = raw.frame
    file = raw.source.path.name
    lines, fields = raw.long_records
    errors.add_rows(
        raw,
        "",
        lines,
        Rule.WRONG_FIELD_COUNT,
        _field_count_hint(raw),
        np.array([f"{n} fields" for n in fields[:MAX_EXAMPLES]], dtype=object),
        n=len(lines),
    )
    columns = list(frame.columns)
    # A column is named by its position where its name looks like a CPR number (see RawTable.column_label).
    labels = [raw.column_label(i) for i in range(len(columns))]
    label = dict(zip(reversed(columns), reversed(labels), strict=True))  # a name's first column
    cpr_named = looks_like_cpr(pd.Series(columns, dtype="str"))
    for i in np.flatnonzero(cpr_named).tolist():
        hint = (
            f"The name of {labels[i]} looks like a CPR number. Extracts must be pseudonymised, headers too: rename "
            "or remove the column. The name is not repeated here."
        )
        errors.add_records([Failure(table.name, file, labels[i], None, "", "", Rule.CPR_LIKE_ID, hint)])
    # Counted in one pass: ``columns.count`` per column was quadratic in the number of columns.
    dupes = sorted(c for c, n in Counter(columns).items() if n > 1)
    for col in dupes:
        errors.add_records(
            [
                Failure(
                    table.name,
                    file,
                    label[col],
                    None,
                    "",
                    "",
                    Rule.DUPLICATE_COLUMN,
                    "A column appears twice (names are matched ignoring case); keep one.",
                )
            ]
        )
    known = set(table.column_names)
    for col in dict.fromkeys(columns):
        if col not in known:
            errors.add_records(
                [
                    Failure(
                        table.name,
                        file,
                        label[col],
                        None,
                        "",
                        "",
                        Rule.UNKNOWN_COLUMN,
                        f"Remove the column or rename it to one of: {', '.join(table.column_names)}. "
                        "Only contract columns are read, so extra personal data never enters the evaluation.",
                    )
                ]
            )
    # Columns that are not parsed (unknown, or given twice) are still screened for CPR numbers:
    # a refused column must not be the one place a CPR number passes unremarked.
    unparsed = [i for i, col in enumerate(columns) if col not in known or col in dupes]  # else parse_column screens
    for i, cpr in zip(unparsed, cpr_cells_of([frame.iloc[:, i] for i in unparsed]), strict=True):
        if cpr.any():
            withheld = pd.Series(np.where(cpr, WITHHELD, ""), index=frame.index, dtype=object)
            errors.add(raw, labels[i], cpr, Rule.CPR_LIKE_ID, cpr_hint(labels[i]), values=withheld)
    for column in table.columns:
        if column.required and column.name not in columns:
            errors.add_records(
                [
                    Failure(
                        table.name,
                        file,
                        column.name,
                        None,
                        "",
                        "",
                        Rule.MISSING_COLUMN,
                        f"Add the column '{column.name}' (names are matched ignoring case).",
                    )
                ]
            )
    if len(frame) == 0 and len(lines) == 0:  # rows that could not be read are reported above
        if table.required and not table.may_be_empty:
            errors.add_records(
                [Failure(table.name, file, "", None, "", "", Rule.EMPTY_TABLE, "The table has a header but no rows.")]
            )
        elif not table.required:
            warnings.add_records(
                [
                    Failure(
                        table.name,
                        file,
                        "",
                        None,
                        "",
                        "",
                        Rule.NO_ROWS,
                        "The table has no rows; the measures that need it are reported as not available.",
                    )
                ]
            )
    out: dict[str, pd.Series] = {}
    for column in table.columns:
        if column.name not in columns or column.name in dupes:
            out[column.name] = _empty_like(column.kind, column.vocabulary, len(frame))
            continue
        raw_values = frame[column.name]
        parsed = parse_column(raw_values, column, raw.decimal_comma, today)
        if parsed.factorised is not None:
            codes.put(table.name, column.name, parsed.factorised)
        for mask, rule, hint in parsed.problems:
            shown = parsed.shown if rule is Rule.CPR_LIKE_ID else None
            errors.add(raw, column.name, mask, rule, hint, values=shown)
        out[column.name] = parsed.values
    typed = pd.DataFrame(out, index=frame.index, copy=False)
    if table.key and all(c in columns for c in table.key):
        keys = [codes(table.name, c, typed) for c in table.key]
        complete = np.logical_and.reduce([k >= 0 for k, _ in keys])
        dup = _duplicated(keys) & complete
        what = " and ".join(table.key)
        errors.add(
            raw,
            table.key[-1],
            dup,
            Rule.DUPLICATE_KEY,
            f"Each {what} may appear only once; remove or merge the duplicate rows.",
            values=_joined(typed, table.key) if dup.any() else None,
        )
    return typed


def _field_count_hint(raw: RawTable) -> str:
    """What to do about CSV rows with more fields than the header."""
    sep = raw.separator or ","
    shown = {",": "comma", ";": "semicolon", "\t": "tab"}.get(sep, repr(sep))
    decimal = (
        "; a decimal comma splits a number in two, so write 12.5 or save the file with ';' between fields"
        if sep == ","
        else ""
    )
    return (
        f"The row has more fields than the header's {len(raw.original_columns)} columns, so its values cannot be "
        f"matched to columns and it was not read. A value that contains the separator ({shown}) must be quoted, "
        f'e.g. "Århus{sep} Ø"{decimal}. Fix the row and load the file again.'
    )


def _joined(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    parts = [frame[c].astype("str").fillna("") for c in columns]
    out = parts[0]
    for part in parts[1:]:
        out = out + " / " + part
    return out


def _empty_like(kind: ColumnKind, vocabulary: Vocabulary | None, n: int) -> pd.Series:
    if kind in ("date",):
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[s]")
    if kind == "month":
        return pd.Series(pd.NaT, index=range(n), dtype="period[M]")
    if kind in ("int", "number"):
        return pd.Series(np.nan, index=range(n), dtype="float64")
    if kind == "code" and vocabulary is not None and not vocabulary.open:
        return pd.Series(pd.Categorical([None] * n, categories=list(vocabulary.codes)))
    if kind in ("code", "text"):
        return pd.Series(pd.Categorical([None] * n, categories=pd.Index([], dtype="str")))
    return pd.Series(None, index=range(n), dtype="str")


def _check_rows(raws: dict[str, RawTable], typed: dict[str, pd.DataFrame], config: Config, errors: Collector) -> None:
    """Rules that compare columns of the same row."""
    if "families" in typed:
        f = typed["families"]
        errors.add(
            raws["families"],
            "enrolled_on",
            _raw_blank(raws["families"], "enrolled_on") & (f["arm"] != "comparison").to_numpy(dtype=bool),
            Rule.MISSING_VALUE,
            "Fill in enrolled_on: it is required for intervention and control families (only comparison "
            "families may leave it empty; they get a pseudo-enrolment month).",
        )
        bad = (f["exited_on"] < f["enrolled_on"]).fillna(False).to_numpy(dtype=bool)
        errors.add(
            raws["families"],
            "exited_on",
            bad,
            Rule.DATE_ORDER,
            "exited_on must be on or after enrolled_on.",
        )
    if "school_absence" in typed:
        a = typed["school_absence"]
        bad = (a["days_absent"] > a["school_days"]).fillna(False).to_numpy(dtype=bool)
        errors.add(
            raws["school_absence"],
            "days_absent",
            bad,
            Rule.ABSENCE_EXCEEDS_DAYS,
            "days_absent cannot exceed school_days; check both numbers for the school year.",
        )
    if "survey" in typed:
        s = typed["survey"]
        # The scale of each distinct item (the last row: a missing item, which gets the default).
        items, names = pd.factorize(s["item"].astype("str"))
        scales = np.array([config.scale(i) for i in names] + [DEFAULT_SCALE], dtype="float64")
        low = pd.Series(scales[items, 0], index=s.index)
        high = pd.Series(scales[items, 1], index=s.index)
        bad = ((s["score"] < low) | (s["score"] > high)).fillna(False).to_numpy(dtype=bool)
        errors.add(
            raws["survey"],
            "score",
            bad,
            Rule.OUT_OF_RANGE,
            "score lies outside the item's scale (default 1–5); fix the score or set the scale in "
            "evaluation.toml under [survey_scales].",
        )


#: A referenced table is broken at the root when more than this share of its rows have no
#: usable key; the ids of two files do not match when more than this share of the rows that
#: refer to a table (and at least :data:`ROOT_MIN_ROWS` of them) name an id that is not in it.
ROOT_SHARE = 0.5
#: Fewer orphan rows than this are always listed one by one.
ROOT_MIN_ROWS = 10


class _Link(NamedTuple):
    """Rows of ``table`` whose ``column`` must be a ``key`` of ``target``."""

    table: str
    column: str
    target: str
    key: str
    what: str
    hint: str


_LINKS = (
    _Link(
        "parents", "family_id", "families", "family_id", "family", "Every parent must belong to a family in families."
    ),
    _Link(
        "children", "family_id", "families", "family_id", "family", "Every child must belong to a family in families."
    ),
    _Link(
        "expenditure",
        "family_id",
        "families",
        "family_id",
        "family",
        "Expenditure must be attributed to a family in families.",
    ),
    _Link(
        "parent_status", "person_id", "parents", "person_id", "parent", "Status rows are for parents listed in parents."
    ),
    _Link("survey", "person_id", "parents", "person_id", "parent", "Survey answers are for parents listed in parents."),
    _Link(
        "school_absence",
        "person_id",
        "children",
        "person_id",
        "child",
        "Absence rows are for children listed in children.",
    ),
    _Link(
        "youth_jobs",
        "person_id",
        "children",
        "person_id",
        "child",
        "Youth job rows are for children listed in children.",
    ),
)


def _check_links(raws: dict[str, RawTable], typed: dict[str, pd.DataFrame], errors: Collector, codes: _Codes) -> None:
    """Keys that must exist in another table, and ids unique across tables.

    A referenced table that is broken at the root (see :func:`_root_cause`)
    would make every row that refers to it an orphan: those rows are
    counted as suppressed follow-on failures instead of listed. Ids of two
    files that do not match at all (see :func:`_report_unmatched`) are one
    ``unmatched_ids`` failure, their orphan rows suppressed likewise. Other
    orphan rows are reported one by one.
    """
    causes = {target: _root_cause(target, key, raws, typed, errors, codes) for target, key in _TARGETS.items()}
    orphans: dict[_Link, tuple[np.ndarray, int, int]] = {}
    for link in _LINKS:
        if link.table not in typed:
            continue
        present = codes(link.table, link.column)[0] >= 0
        if link.target in typed:
            bad = ~codes.isin(link.table, link.column, codes(link.target, link.key)[1]) & present
        else:  # nothing to match: every row that names an id refers to a table that could not be read
            bad = present
        orphans[link] = (bad, int(bad.sum()), int(present.sum()))
    unmatched = _report_unmatched(orphans, causes, raws, typed, errors, codes)
    for link, (bad, n, _keyed) in orphans.items():
        cause = causes[link.target] or unmatched.get(link)
        if cause is not None:
            errors.suppress(link.table, raws[link.table].source.path.name, link.column, Rule.ORPHAN_KEY, n, cause)
            continue
        errors.add(
            raws[link.table],
            link.column,
            bad,
            Rule.ORPHAN_KEY,
            f"{link.hint} The {link.column} is not in {link.target}; add it there or remove the rows.",
        )
    parent_ids = _ids(typed, "parents", "person_id", codes)
    child_ids = _ids(typed, "children", "person_id", codes)
    if parent_ids is not None and child_ids is not None:
        both = codes.isin("children", "person_id", parent_ids)
        errors.add(
            raws["children"],
            "person_id",
            both,
            Rule.DUPLICATE_KEY,
            "A person_id must be unique across parents and children; this one is also a parent.",
        )
    if "parent_status" in typed:
        _check_unit_costs(raws, typed, errors, codes)


#: Each referenced table and its key column.
_TARGETS = {link.target: link.key for link in _LINKS}


def _root_cause(
    target: str, key: str, raws: dict[str, RawTable], typed: dict[str, pd.DataFrame], errors: Collector, codes: _Codes
) -> str | None:
    """Why every reference to ``target`` would fail, when a failure already reported on it says so.

    ``target`` is broken at the root when it could not be read (missing,
    unreadable, given twice, a header naming none of its columns), when its
    ``key`` column is missing or given twice, when it has no rows although
    it must have some, or when more than :data:`ROOT_SHARE` of its rows have
    no usable key (missing, refused as a CPR number, a row that could not be
    read). ``None`` otherwise, and always when nothing is reported on
    ``target``: a follow-on failure is only suppressed behind a root cause
    the analyst is shown.
    """
    if target not in typed:
        recorded = errors.recorded(target)
        if recorded is None:
            return None
        file, rules = recorded
        why = f"{file} could not be used"
    else:
        raw = raws[target]
        file = raw.source.path.name
        long_lines = len(raw.long_records[0])
        rows = len(raw.frame) + long_lines
        no_key = int((codes(target, key)[0] < 0).sum()) + long_lines
        if _single_column(raw.frame, key) is None:
            why, recorded = f"{file} has no usable {key} column", errors.recorded(target, key)
        elif rows == 0 and not TABLES[target].may_be_empty:
            why, recorded = f"{file} has no rows", errors.recorded(target, "")
        elif rows and no_key > ROOT_SHARE * rows:
            why = f"{no_key:,} of its {rows:,} rows have no usable {key}"
            recorded = errors.recorded(target, key) if no_key > long_lines else errors.recorded(target, "")
        else:
            return None
        if recorded is None:
            return None
        # Duplicates leave a key usable; the rules named are those that explain the missing keys.
        rules = [r for r in recorded[1] if r != Rule.DUPLICATE_KEY] or recorded[1]
    return (
        f"The rows refer to {target}, but {why} ({', '.join(rules)}; see {file}). Fix that first and load again: "
        "any rows that still do not match are then listed."
    )


def _report_unmatched(
    orphans: dict[_Link, tuple[np.ndarray, int, int]],
    causes: dict[str, str | None],
    raws: dict[str, RawTable],
    typed: dict[str, pd.DataFrame],
    errors: Collector,
    codes: _Codes,
) -> dict[_Link, str]:
    """One ``unmatched_ids`` failure where the ids of two files do not match; returns the links it covers.

    A link is unmatched when its target is not broken at the root, yet more
    than :data:`ROOT_SHARE` of the rows that name an id (and at least
    :data:`ROOT_MIN_ROWS`) do not find it there. The failure is put on the
    target's key when at least two tables with rows refer to it and none of
    them matches (the target is the odd one out), else on each unmatched
    referring column. Returns, per covered link, why its orphan rows are
    suppressed.
    """
    unmatched = [
        link
        for link, (_bad, n, keyed) in orphans.items()
        if causes[link.target] is None and link.target in typed and n >= ROOT_MIN_ROWS and n > ROOT_SHARE * keyed
    ]
    covered: dict[_Link, str] = {}
    for target, key in _TARGETS.items():
        links = [link for link in unmatched if link.target == target]
        if not links:
            continue
        target_file = raws[target].source.path.name
        ids = codes(target, key)[1]
        theirs = (
            f"while {target_file} has e.g. '{_example(ids[0])}'" if len(ids) else f"while {target_file} has no rows"
        )
        why = (
            "The ids of the files do not match (leading zeros lost, another id scheme, or files from different "
            "extracts?): make them match and load again."
        )
        referring = [link for link in orphans if link.target == target and orphans[link][2] > 0]
        if len(referring) >= 2 and len(links) == len(referring):
            parts = _listed([f"{_share(*orphans[link][1:])} of {raws[link.table].source.path.name}" for link in links])
            first = links[0]
            ours = _orphan_example(orphans[first][0], typed[first.table][first.column])
            hint = (
                f"Most ids that refer to {target_file} are not in it: {parts} name a {first.what} not in "
                f"{target_file} (e.g. '{ours}' in {raws[first.table].source.path.name}, {theirs}). {why}"
            )
            value = _example(ids[0]) if len(ids) else ""
            errors.add_records([Failure(target, target_file, key, None, "", value, Rule.UNMATCHED_IDS, hint)])
            for link in links:
                covered[link] = f"They are counted in the unmatched_ids failure of {target_file} (see there)."
            continue
        for link in links:
            file = raws[link.table].source.path.name
            bad, n, keyed = orphans[link]
            ours = _orphan_example(bad, typed[link.table][link.column])
            hint = (
                f"{_share(n, keyed)} of {file} name a {link.what} not in {target_file} (e.g. '{ours}', {theirs}). {why}"
            )
            errors.add_records([Failure(link.table, file, link.column, None, "", ours, Rule.UNMATCHED_IDS, hint)])
            covered[link] = "They are counted in the unmatched_ids failure above."
    return covered


def _listed(parts: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _share(n: int, of: int) -> str:
    """``all 194 rows`` or ``150 of 194 rows (77%)``."""
    return f"all {of:,} rows" if n == of else f"{n:,} of {of:,} rows ({n / of:.0%})"


def _orphan_example(bad: np.ndarray, values: pd.Series) -> str:
    """The id of the first orphan row, for a message (see :func:`_example`)."""
    return _example(values.iloc[int(np.argmax(bad))])


def _example(value: object) -> str:
    """One id for a message: cut short, withheld where it looks like a CPR number.

    Parsing already replaced CPR-like ids by a missing value, so none should
    arrive here; the check costs nothing for one value.
    """
    return clip(str(_withhold_cpr(np.array([str(value)], dtype=object))[0]))


def _check_unit_costs(
    raws: dict[str, RawTable], typed: dict[str, pd.DataFrame], errors: Collector, codes: _Codes
) -> None:
    """Every status used in parent_status has a unit cost (when a unit_costs table is given)."""
    cause = _root_cause("unit_costs", "status", raws, typed, errors, codes)
    if "unit_costs" not in typed and cause is None:  # not given: the package's default table is used
        return
    used = typed["parent_status"]["status"].dropna()
    priced = set() if "unit_costs" not in typed else set(typed["unit_costs"]["status"].dropna().astype("str"))
    counts = used.value_counts()
    missing = [str(s) for s, n in counts.items() if n > 0 and str(s) not in priced]
    if cause is not None:
        recorded = errors.recorded("unit_costs")
        file = raws["unit_costs"].source.path.name if "unit_costs" in raws else recorded[0] if recorded else ""
        errors.suppress("unit_costs", file, "status", Rule.MISSING_UNIT_COST, len(missing), cause)
        return
    raw = raws["unit_costs"]
    for status in missing:
        errors.add_records(
            [
                Failure(
                    "unit_costs",
                    raw.source.path.name,
                    "status",
                    None,
                    "",
                    status,
                    Rule.MISSING_UNIT_COST,
                    f"parent_status uses '{status}' but unit_costs gives it no monthly cost; add a row for it.",
                )
            ]
        )


def _ids(typed: dict[str, pd.DataFrame], table: str, column: str, codes: _Codes) -> pd.Index | None:
    """The distinct ids of a column (missing left out)."""
    if table not in typed:
        return None
    return codes(table, column)[1]


def _warn(raws: dict[str, RawTable], typed: dict[str, pd.DataFrame], warnings: Collector, codes: _Codes) -> None:
    """Things an analyst should know that do not block the evaluation."""
    if "parent_status" in typed and "parents" in typed:
        status = typed["parent_status"]
        person, persons = codes("parent_status", "person_id")
        # Per parent: first and last month and the number of months given.
        given = status["month"].notna().to_numpy() & (person >= 0)
        who, month = person[given], status["month"].array.asi8[given]
        count = np.bincount(who, minlength=len(persons))
        first_month = np.zeros(len(persons), dtype=np.int64)
        last_month = np.zeros(len(persons), dtype=np.int64)
        if len(month):
            first_month[:] = month.max()
            last_month[:] = month.min()
            np.minimum.at(first_month, who, month)
            np.maximum.at(last_month, who, month)
        gap = (count > 0) & (last_month - first_month + 1 > count)
        flagged = np.append(gap, False)[person] & _first_rows(person, len(persons))
        warnings.add(
            raws["parent_status"],
            "month",
            flagged,
            Rule.STATUS_GAP,
            "Some parents have months missing inside their status history; in a month without a row "
            "the parent has no status.",
            values=_blank(status.index, flagged),
            key_column="person_id",
        )
        parents = typed["parents"]["person_id"]
        without = ~codes.isin("parents", "person_id", persons) & parents.notna().to_numpy()
        warnings.add(
            raws["parents"],
            "person_id",
            without,
            Rule.NO_STATUS,
            "Some parents have no status history at all; they are left out of every status measure.",
            values=_blank(parents.index, without),
        )
    if "families" in typed:
        families = typed["families"]
        for table, rule, text in (
            (
                "parents",
                Rule.NO_PARENTS,
                "Some families have no parents in parents; they add nothing to parent measures.",
            ),
            ("children", Rule.NO_CHILDREN, "Some families have no children in children."),
        ):
            if table not in typed:
                continue
            members = codes(table, "family_id")[1]
            without = ~codes.isin("families", "family_id", members) & families["family_id"].notna().to_numpy()
            warnings.add(
                raws["families"],
                "family_id",
                without,
                rule,
                text,
                values=_blank(families.index, without),
            )
        # Strata belong to the randomisation: register (comparison) families have none.
        randomised = (families["arm"] != "comparison").to_numpy(dtype=bool)
        strata = families["stratum"][randomised]
        if strata.notna().any() and strata.isna().any():
            missing = families["stratum"].isna().to_numpy() & randomised
            warnings.add(
                raws["families"],
                "stratum",
                missing,
                Rule.PARTIAL_STRATA,
                "stratum is given for some families but not all; effects use strata only when every family has one.",
                values=_blank(families.index, missing),
            )


def _raw_blank(raw: RawTable, column: str) -> np.ndarray:
    """Rows where ``column`` was left empty (a value that failed to parse is not empty: it is reported as such)."""
    if column not in raw.frame.columns:
        return np.zeros(len(raw.frame), dtype=bool)
    values = raw.frame[column]
    if isinstance(values, pd.DataFrame):  # the column twice: already a failure of its own, and ambiguous here
        return np.zeros(len(raw.frame), dtype=bool)
    return (values.isna() | values.astype("str").str.strip().eq("")).to_numpy(dtype=bool)


def _blank(index: pd.Index, flagged: np.ndarray) -> pd.Series | None:
    """Empty values for a warning's rows, so it names them without showing values.

    Built only when a row is flagged (unflagged, the values are never read):
    for millions of status rows the blank column costs more than the check.
    """
    return pd.Series("", index=index) if flagged.any() else None
