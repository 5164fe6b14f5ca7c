"""Result objects: every number an evaluation reports, computed once.

Each headline is one immutable object holding its estimate, interval,
level, the persons behind it, the method, the parts it was computed from
and — when it cannot be computed — a reason instead of a crash. ``summary``
is the single view that ``__str__``, ``_repr_html_`` and ``to_frame`` share
(as linearmodels does), so a notebook, the CLI and the report can never
disagree about a number.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import ClassVar, Literal

import pandas as pd

__all__ = ["Amount", "Effect", "RelativeChange", "Result", "Share", "SurveyChange"]

Design = Literal["randomised", "matched", "weighted", "before_after", "none"]

#: Columns every result contributes to a tidy frame, in order.
RESULT_COLUMNS = (
    "measure",
    "kind",
    "arm",
    "estimate",
    "ci_low",
    "ci_high",
    "level",
    "n",
    "n_families",
    "unit",
    "method",
    "reason",
)


@dataclass(frozen=True)
class Result:
    """Common core of every reported number.

    Attributes
    ----------
    measure
        Contract id, e.g. ``parents_in_work_or_education``.
    arm
        ``intervention`` or ``control`` (``effect`` for a comparison).
    estimate, ci_low, ci_high, level
        Point estimate and its two-sided interval at ``level``.
    n
        Persons behind the estimate (parents, children or youths).
    n_families
        Families behind it — the unit of clustering and resampling.
    method
        How the estimate and interval were computed, in words.
    parts
        The pieces it was computed from (numerator, denominator, rates…).
    reason
        Why the estimate is missing; ``None`` when it was computed.
    """

    measure: str
    arm: str
    estimate: float
    ci_low: float
    ci_high: float
    n: int
    n_families: int
    method: str
    level: float = 0.95
    parts: Mapping[str, float] = field(default_factory=dict)
    reason: str | None = None

    kind: ClassVar[str] = "result"
    unit: ClassVar[str] = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))
        if self.reason is None and not math.isfinite(self.estimate):
            raise ValueError(f"{self.measure}: a missing estimate needs a reason")

    @classmethod
    def unavailable(
        cls, measure: str, arm: str, reason: str, method: str = "", n: int = 0, n_families: int = 0, **extra: object
    ) -> Result:
        """A result that could not be computed, with the reason shown in its place."""
        nan = float("nan")
        return cls(measure, arm, nan, nan, nan, n, n_families, method, reason=reason, **extra)  # type: ignore[arg-type]

    @classmethod
    def from_summary(cls, row: Mapping[str, object]) -> Result:
        """Rebuild a result from its :meth:`summary` (e.g. a row of a tidy table).

        Every key outside the common columns and the kind's own fields is a
        part; missing parts (NaN in a stacked table) are dropped.
        """
        kinds = {k.kind: k for k in (Share, RelativeChange, Amount, Effect, SurveyChange)}
        kind = kinds.get(str(row["kind"]), cls)
        own = {f.name for f in fields(kind)} - set(RESULT_COLUMNS) - {"parts"}
        extra = {name: row[name] for name in own if name in row}
        parts = {
            str(k): float(v)  # type: ignore[arg-type]
            for k, v in row.items()
            if k not in RESULT_COLUMNS and k not in own and isinstance(v, int | float) and math.isfinite(v)
        }
        reason = row.get("reason")
        return kind(
            str(row["measure"]),
            str(row["arm"]),
            float(row["estimate"]),  # type: ignore[arg-type]
            float(row["ci_low"]),  # type: ignore[arg-type]
            float(row["ci_high"]),  # type: ignore[arg-type]
            int(row["n"]),  # type: ignore[call-overload]
            int(row["n_families"]),  # type: ignore[call-overload]
            str(row["method"]),
            float(row["level"]),  # type: ignore[arg-type]
            parts=parts,
            reason=reason if isinstance(reason, str) else None,
            **extra,
        )

    @property
    def available(self) -> bool:
        return self.reason is None

    def with_parts(self, **parts: float) -> Result:
        return replace(self, parts={**self.parts, **parts})

    def summary(self) -> dict[str, object]:
        """Every field as a flat mapping: the one view all displays use."""
        row: dict[str, object] = {
            "measure": self.measure,
            "kind": self.kind,
            "arm": self.arm,
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "level": self.level,
            "n": self.n,
            "n_families": self.n_families,
            "unit": self.unit,
            "method": self.method,
            "reason": self.reason,
        }
        for f in fields(self):
            if f.name not in row and f.name != "parts":
                row[f.name] = getattr(self, f.name)
        row.update(self.parts)
        return row

    def to_frame(self) -> pd.DataFrame:
        """One-row tidy frame (parts as extra columns)."""
        return pd.DataFrame([self.summary()])

    def __str__(self) -> str:
        s = self.summary()
        head = f"{self.measure} [{self.arm}] ({self.kind})"
        if self.reason is not None:
            body = f"  not available: {self.reason}"
        else:
            pct = round(self.level * 100)
            body = f"  estimate {_num(self.estimate)}  {pct}% CI [{_num(self.ci_low)}, {_num(self.ci_high)}]"
        lines = [head, body, f"  n = {self.n:,} ({self.n_families:,} families)", f"  method: {self.method}"]
        extras = {k: v for k, v in s.items() if k not in RESULT_COLUMNS}
        if extras:
            lines.append("  " + ", ".join(f"{k} = {_num(v)}" for k, v in extras.items()))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th><td>{html.escape(_num(v))}</td></tr>"
            for k, v in self.summary().items()
            if v is not None
        )
        return f"<table>{rows}</table>"


def _num(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return f"{value:,.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
    return str(value)


@dataclass(frozen=True)
class Share(Result):
    """A proportion of persons, e.g. parents in work or education in ``E``."""

    kind: ClassVar[str] = "share"
    unit: ClassVar[str] = "share"


@dataclass(frozen=True)
class RelativeChange(Result):
    """``post / pre − 1`` of a rate, e.g. pooled school absence."""

    kind: ClassVar[str] = "relative_change"
    unit: ClassVar[str] = "relative"


@dataclass(frozen=True)
class Amount(Result):
    """An amount in DKK, e.g. savings per family."""

    kind: ClassVar[str] = "amount"
    unit: ClassVar[str] = "DKK"


@dataclass(frozen=True)
class Effect(Result):
    """Intervention minus comparison, with the design it rests on.

    ``scale`` says what the difference is: ``percentage_points`` of a share
    (stored as a fraction, 0.10 = 10 pp), ``rate_difference`` for a
    difference-in-differences of rates, ``DKK`` for amounts.
    """

    scale: str = ""
    design: Design = "randomised"
    std_error: float = float("nan")
    p_value: float = float("nan")

    kind: ClassVar[str] = "effect"


@dataclass(frozen=True)
class SurveyChange(Result):
    """Paired change of one wellbeing item among parents answering both waves."""

    item: str = ""

    kind: ClassVar[str] = "survey_change"
    unit: ClassVar[str] = "score"
