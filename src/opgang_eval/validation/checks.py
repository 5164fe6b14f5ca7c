"""How the contract is checked: columns, cells, keys and links between tables.

Every check adds to one :class:`Collector`, so a single pass reports every
failure; nothing stops at the first problem. All checks are vectorised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..config import Config
from ..errors import FAILURE_COLUMNS, MAX_EXAMPLES, Failure, Rule, failure_frame
from ..loading.readers import RawTable
from ..schema import TABLES, Table
from .parse import parse_column

__all__ = ["Collector", "validate_tables"]

_KEY_COLUMNS = ("person_id", "family_id", "status")


class Collector:
    """Gathers failures (or warnings) as tidy frames with exact counts."""

    def __init__(self) -> None:
        self._frames: list[pd.DataFrame] = []
        self._counts: list[tuple[str, str, str, str, str, int]] = []

    def __bool__(self) -> bool:
        return bool(self._counts)

    def add_records(self, records: Iterable[Failure]) -> None:
        for rec in records:
            self._frames.append(failure_frame([rec]))
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
            values = frame[column] if column in frame.columns else None
        shown = (
            values.iloc[positions].astype("str").fillna("").to_numpy()
            if values is not None
            else np.full(len(positions), "")
        )
        key_column = key_column or next((c for c in _KEY_COLUMNS if c in frame.columns), None)
        if key_column is not None and key_column != column:
            keys = frame[key_column].iloc[positions].astype("str").fillna("")
            keys = (key_column + "=" + keys).to_numpy()
        else:
            keys = np.full(len(positions), "")
        name = raw.source.table
        file = raw.source.path.name
        self._frames.append(
            pd.DataFrame(
                {
                    "table": name,
                    "file": file,
                    "column": column,
                    "row": pd.array(positions + raw.first_row, dtype="Int64"),
                    "key": keys,
                    "value": shown,
                    "rule": str(rule),
                    "hint": hint,
                },
                columns=list(FAILURE_COLUMNS),
            )
        )
        self._counts.append((name, file, column, str(rule), hint, n))

    def failures(self) -> pd.DataFrame:
        if not self._frames:
            return failure_frame([])
        return pd.concat(self._frames, ignore_index=True).astype({"row": "Int64"})

    def counts(self) -> pd.DataFrame:
        return pd.DataFrame(self._counts, columns=["table", "file", "column", "rule", "hint", "n"])


def validate_tables(
    raws: dict[str, RawTable], config: Config, errors: Collector, warnings: Collector, today: dt.date | None = None
) -> dict[str, pd.DataFrame]:
    """Parse and check every table, then the links between them.

    Returns the typed tables; they are only meaningful when ``errors`` stays
    empty.
    """
    today = today or dt.date.today()
    typed: dict[str, pd.DataFrame] = {}
    for name, raw in raws.items():
        typed[name] = _check_table(TABLES[name], raw, errors, warnings, today)
    _check_rows(raws, typed, config, errors)
    _check_links(raws, typed, errors)
    _warn(raws, typed, warnings)
    return typed


def _check_table(table: Table, raw: RawTable, errors: Collector, warnings: Collector, today: dt.date) -> pd.DataFrame:
    """Columns present and known, every cell parsed, the key unique."""
    frame = raw.frame
    file = raw.source.path.name
    columns = list(frame.columns)
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    for col in dupes:
        errors.add_records(
            [
                Failure(
                    table.name,
                    file,
                    col,
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
                        col,
                        None,
                        "",
                        "",
                        Rule.UNKNOWN_COLUMN,
                        f"Remove the column or rename it to one of: {', '.join(table.column_names)}. "
                        "Only contract columns are read, so extra personal data never enters the evaluation.",
                    )
                ]
            )
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
    if len(frame) == 0:
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
        for mask, rule, hint in parsed.problems:
            shown = parsed.shown if rule is Rule.CPR_LIKE_ID else None
            errors.add(raw, column.name, mask, rule, hint, values=shown)
        out[column.name] = parsed.values
    typed = pd.DataFrame(out, index=frame.index)
    if table.key and all(c in columns for c in table.key):
        keys = typed[list(table.key)]
        complete = keys.notna().all(axis=1).to_numpy()
        dup = keys.duplicated(keep=False).to_numpy() & complete
        what = " and ".join(table.key)
        errors.add(
            raw,
            table.key[-1],
            dup,
            Rule.DUPLICATE_KEY,
            f"Each {what} may appear only once; remove or merge the duplicate rows.",
            values=_joined(typed, table.key),
        )
    return typed


def _joined(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    parts = [frame[c].astype("str").fillna("") for c in columns]
    out = parts[0]
    for part in parts[1:]:
        out = out + " / " + part
    return out


def _empty_like(kind: str, vocabulary: object, n: int) -> pd.Series:
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
        items = s["item"].astype("str")
        low = items.map(lambda i: config.scale(i)[0]).astype("float64")
        high = items.map(lambda i: config.scale(i)[1]).astype("float64")
        bad = ((s["score"] < low) | (s["score"] > high)).fillna(False).to_numpy(dtype=bool)
        errors.add(
            raws["survey"],
            "score",
            bad,
            Rule.OUT_OF_RANGE,
            "score lies outside the item's scale (default 1–5); fix the score or set the scale in "
            "evaluation.toml under [survey_scales].",
        )


def _check_links(raws: dict[str, RawTable], typed: dict[str, pd.DataFrame], errors: Collector) -> None:
    """Keys that must exist in another table, and ids unique across tables."""
    family_ids = _ids(typed, "families", "family_id")
    parent_ids = _ids(typed, "parents", "person_id")
    child_ids = _ids(typed, "children", "person_id")
    links = [
        ("parents", "family_id", family_ids, "families", "Every parent must belong to a family in families."),
        ("children", "family_id", family_ids, "families", "Every child must belong to a family in families."),
        ("expenditure", "family_id", family_ids, "families", "Expenditure must be attributed to a family in families."),
        ("parent_status", "person_id", parent_ids, "parents", "Status rows are for parents listed in parents."),
        ("survey", "person_id", parent_ids, "parents", "Survey answers are for parents listed in parents."),
        ("school_absence", "person_id", child_ids, "children", "Absence rows are for children listed in children."),
        ("youth_jobs", "person_id", child_ids, "children", "Youth job rows are for children listed in children."),
    ]
    for name, column, targets, target_table, hint in links:
        if name not in typed or targets is None:
            continue
        values = typed[name][column]
        bad = (~_isin(values, targets) & values.notna()).to_numpy(dtype=bool)
        errors.add(
            raws[name],
            column,
            bad,
            Rule.ORPHAN_KEY,
            f"{hint} The {column} is not in {target_table}; add it there or remove the rows.",
        )
    if parent_ids is not None and child_ids is not None:
        both = _isin(typed["children"]["person_id"], parent_ids).to_numpy(dtype=bool)
        errors.add(
            raws["children"],
            "person_id",
            both,
            Rule.DUPLICATE_KEY,
            "A person_id must be unique across parents and children; this one is also a parent.",
        )
    if "unit_costs" in typed and "parent_status" in typed:
        used = typed["parent_status"]["status"].dropna()
        priced = set(typed["unit_costs"]["status"].dropna().astype("str"))
        counts = used.value_counts()
        missing = [str(s) for s, n in counts.items() if n > 0 and str(s) not in priced]
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


def _ids(typed: dict[str, pd.DataFrame], table: str, column: str) -> pd.Index | None:
    if table not in typed:
        return None
    return pd.Index(typed[table][column].dropna().unique())


def _isin(values: pd.Series, targets: pd.Index) -> pd.Series:
    """Membership test that factorises first: fast on a repeated id column."""
    codes, uniques = pd.factorize(values)
    hits = np.append(pd.Index(uniques).isin(targets), False)
    return pd.Series(hits[codes], index=values.index)


def _warn(raws: dict[str, RawTable], typed: dict[str, pd.DataFrame], warnings: Collector) -> None:
    """Things an analyst should know that do not block the evaluation."""
    if "parent_status" in typed and "parents" in typed:
        status = typed["parent_status"]
        ordinal = pd.Series(status["month"].array.asi8, index=status.index).where(status["month"].notna())
        span = ordinal.groupby(status["person_id"]).agg(["min", "max", "count"])
        gaps = span.index[(span["max"] - span["min"] + 1) > span["count"]]
        first = ~status["person_id"].duplicated().to_numpy()
        warnings.add(
            raws["parent_status"],
            "month",
            _isin(status["person_id"], pd.Index(gaps)).to_numpy() & first,
            Rule.STATUS_GAP,
            "Some parents have months missing inside their status history; in a month without a row "
            "the parent has no status.",
            values=pd.Series("", index=status.index),
            key_column="person_id",
        )
        parents = typed["parents"]["person_id"]
        without = ~_isin(parents, pd.Index(span.index))
        warnings.add(
            raws["parents"],
            "person_id",
            without.to_numpy(dtype=bool) & parents.notna().to_numpy(),
            Rule.NO_STATUS,
            "Some parents have no status history at all; they are left out of every status measure.",
            values=pd.Series("", index=parents.index),
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
            members = pd.Index(typed[table]["family_id"].dropna().unique())
            without = ~_isin(families["family_id"], members) & families["family_id"].notna()
            warnings.add(
                raws["families"],
                "family_id",
                without.to_numpy(dtype=bool),
                rule,
                text,
                values=pd.Series("", index=families.index),
            )
        strata = families["stratum"]
        if strata.notna().any() and strata.isna().any():
            warnings.add(
                raws["families"],
                "stratum",
                strata.isna().to_numpy(),
                Rule.PARTIAL_STRATA,
                "stratum is given for some families but not all; effects use strata only when every family has one.",
                values=pd.Series("", index=families.index),
            )
