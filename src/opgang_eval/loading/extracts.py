"""The validated extracts an evaluation starts from."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from ..config import Config
from ..schema import OPTIONAL_TABLES, TABLES
from ..validation.parse import withhold_text
from .readers import Source

__all__ = ["Extracts"]


@dataclass(frozen=True)
class Extracts:
    """Validated, typed contract tables plus where each came from.

    Tables are handed out as shallow copies: with pandas' copy-on-write an
    analyst may modify what they get without changing the extracts, so one
    ``Extracts`` can feed several evaluations safely.

    Attributes
    ----------
    root
        The extract folder.
    sources
        Table name → :class:`Source` (path, format, sha256, rows); what a
        report cites as its inputs.
    config
        The configuration of the load: the one passed to
        :func:`~opgang_eval.load` (``--config``), else the folder's
        ``evaluation.toml``, else the defaults.
    warnings
        Data-quality findings that do not block: one row per table, column
        and rule with the number of rows concerned and what it means.
    warning_rows
        The rows behind ``warnings`` (ids included; never for output).
    """

    root: Path
    _tables: Mapping[str, pd.DataFrame] = field(repr=False)
    sources: Mapping[str, Source]
    config: Config
    warnings: pd.DataFrame = field(repr=False)
    warning_rows: pd.DataFrame = field(repr=False)

    def __post_init__(self) -> None:
        for frame in self._tables.values():
            _freeze(frame)
        object.__setattr__(self, "_tables", MappingProxyType(dict(self._tables)))
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))

    # -- tables ----------------------------------------------------------------

    def table(self, name: str) -> pd.DataFrame | None:
        """A table by name; ``None`` for an optional table that was not given."""
        if name not in TABLES:
            raise KeyError(f"'{name}' is not a contract table: {', '.join(TABLES)}")
        frame = self._tables.get(name)
        return None if frame is None else frame.copy(deep=False)

    def has(self, name: str) -> bool:
        """Whether the (optional) table was given."""
        return name in self._tables

    @property
    def families(self) -> pd.DataFrame:
        return self._tables["families"].copy(deep=False)

    @property
    def parents(self) -> pd.DataFrame:
        return self._tables["parents"].copy(deep=False)

    @property
    def children(self) -> pd.DataFrame:
        return self._tables["children"].copy(deep=False)

    @property
    def parent_status(self) -> pd.DataFrame:
        return self._tables["parent_status"].copy(deep=False)

    @property
    def school_absence(self) -> pd.DataFrame | None:
        return self.table("school_absence")

    @property
    def youth_jobs(self) -> pd.DataFrame | None:
        return self.table("youth_jobs")

    @property
    def expenditure(self) -> pd.DataFrame | None:
        return self.table("expenditure")

    @property
    def unit_costs(self) -> pd.DataFrame | None:
        return self.table("unit_costs")

    @property
    def survey(self) -> pd.DataFrame | None:
        return self.table("survey")

    # -- summaries --------------------------------------------------------------

    def summary(self) -> pd.DataFrame:
        """One row per table: file, format, rows, and the months or years it covers."""
        rows = []
        for name in TABLES:
            source = self.sources.get(name)
            frame = self._tables.get(name)
            if frame is None or source is None:
                rows.append((name, "—", "", 0, "not given" if name in OPTIONAL_TABLES else ""))
                continue
            rows.append((name, source.path.name, source.format, len(frame), _coverage(frame)))
        return pd.DataFrame(rows, columns=["table", "file", "format", "rows", "covers"])

    def arms(self) -> pd.DataFrame:
        """Families, parents and children per arm."""
        families = self._tables["families"][["family_id", "arm"]]
        out = families.groupby("arm", observed=False).size().rename("families").to_frame()
        for name in ("parents", "children"):
            members = self._tables[name][["family_id"]].merge(families, on="family_id", how="left")
            out[name] = members.groupby("arm", observed=False).size()
        return out.fillna(0).astype("int64")

    def __str__(self) -> str:
        arms = self.arms()
        # The folder is named as the analyst gave it, save a CPR-like number in its path (never echoed).
        lines = [f"Extracts from {withhold_text(str(self.root))}"]
        for arm, row in arms.iterrows():
            counts = f"{row['families']:>7,} families {row['parents']:>8,} parents {row['children']:>8,} children"
            lines.append(f"  {arm:<13} {counts}")
        lines.append("")
        lines.append(self.summary().to_string(index=False))
        if len(self.warnings):
            lines.append("")
            lines.append("Warnings:")
            for w in self.warnings.itertuples(index=False):
                lines.append(f"  - {w.table}.{w.column}: {w.rule} ({w.n:,} rows). {w.message}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(str(self)) + "</pre>"


def _freeze(frame: pd.DataFrame) -> None:
    """Make the stored arrays read-only, so even ``Series.array[i] = x`` cannot alter the extracts.

    Copy-on-write protects column and cell assignment but not writes through
    ``.array``; marking each block's buffer read-only closes that door. The
    block manager is pandas-internal, so a future pandas without it merely
    loses this extra guard.
    """
    for block in getattr(getattr(frame, "_mgr", None), "blocks", ()):
        values = block.values
        buffer = values if isinstance(values, np.ndarray) else getattr(values, "_ndarray", None)
        if isinstance(buffer, np.ndarray):
            buffer.flags.writeable = False


def _coverage(frame: pd.DataFrame) -> str:
    for column in ("month", "school_year", "enrolled_on"):
        if column in frame.columns and frame[column].notna().any():
            values = frame[column].dropna()
            low, high = values.min(), values.max()
            if isinstance(low, pd.Timestamp):
                low, high = low.date(), high.date()
            return f"{low} – {high}"
    return ""
