"""Result objects: every number an evaluation reports, computed once.

Each headline is one immutable object holding its estimate, interval,
level, the persons and families behind it, the method, the parts it was
computed from and — when it cannot be computed — a reason instead of a
crash. ``summary`` is the single view that ``__str__``, ``_repr_html_`` and
``to_frame`` share (as linearmodels does), so a notebook, the CLI and the
report can never disagree about a number.

Parts are typed: one frozen dataclass per kind of result (:class:`ShareParts`,
:class:`RateChangeParts`, :class:`EffectParts`, :class:`SavingsParts`,
:class:`SurveyParts`), read by attribute. Presentation reads these fields, so
a renamed part is a type error rather than a silently missing cell.
``parts["name"]`` reads a field by name too, for notebooks written against
the earlier string-keyed parts (the parts that were renamed are listed in
CHANGELOG.md).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Literal, Self

import numpy as np
import pandas as pd

__all__ = [
    "Amount",
    "Design",
    "Effect",
    "EffectCell",
    "EffectParts",
    "NullDraws",
    "Parts",
    "RateChangeParts",
    "RelativeChange",
    "Result",
    "SavingsParts",
    "Share",
    "ShareParts",
    "SurveyChange",
    "SurveyParts",
]

#: What a comparison rests on — the one design vocabulary of the package: a randomised control arm, a matched or
#: weighted comparison group from a register pool (observational), or no comparison group (savings are then a
#: before-after run rate and effects are not available).
Design = Literal["randomised", "matched", "weighted", "before_after"]

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

_NAN = float("nan")


# -- parts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parts:
    """What a result was computed from; the base of every kind's parts.

    Scalar fields are the parts; :meth:`to_dict` gives them flat (a result's
    tidy row), :meth:`to_frame` as a one-row frame (kinds with cells give a
    row per cell instead).
    """

    def to_dict(self) -> dict[str, Any]:
        """The scalar parts by name (cells and other nested values left out)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if not isinstance(getattr(self, f.name), tuple)}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.to_dict()])

    def __getitem__(self, name: str) -> Any:
        """``parts["numerator"]``: read a field by name (for code written against string-keyed parts)."""
        if name not in self:
            raise KeyError(name)
        return getattr(self, name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in {f.name for f in fields(self)}

    def keys(self) -> list[str]:
        return [f.name for f in fields(self)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())


@dataclass(frozen=True)
class ShareParts(Parts):
    """``numerator`` of ``denominator`` persons (both counts of persons)."""

    numerator: int = 0
    denominator: int = 0


@dataclass(frozen=True)
class RateChangeParts(Parts):
    """A rate before and after: ``post_rate / pre_rate − 1``.

    Attributes
    ----------
    pre_rate, post_rate
        Pooled rates (Σ numerator / Σ denominator).
    pre_numerator, pre_denominator, post_numerator, post_denominator
        Their sums (days absent and school days; youths with a job and youths).
    persons_counted
        Whether numerator and denominator count persons (youths with a job
        of all youths): then each rate is a share of persons and the
        disclosure rule for shares applies to it.
    bootstrap_undefined
        Bootstrap replicates in which the change was undefined (dropped).
    """

    pre_rate: float = _NAN
    post_rate: float = _NAN
    pre_numerator: float = _NAN
    pre_denominator: float = _NAN
    post_numerator: float = _NAN
    post_denominator: float = _NAN
    persons_counted: bool = False
    bootstrap_undefined: int = 0


@dataclass(frozen=True)
class EffectCell:
    """One group-period cell behind an effect: its (weighted) mean and who is in it.

    ``group`` is ``intervention`` or the reference (``control``,
    ``comparison``); ``period`` is ``post`` (the end) or ``pre`` (the
    baseline of a difference-in-differences). ``with_outcome`` counts the
    persons with a yes for a yes/no outcome (``None`` otherwise); with
    ``persons`` it is what disclosure control needs for the cell.
    ``persons`` is ``None`` for a cell about families (the savings' mean cost
    per family).
    """

    group: str
    period: Literal["pre", "post"]
    mean: float
    persons: int | None
    families: int
    with_outcome: int | None
    weight: float


@dataclass(frozen=True)
class EffectParts(Parts):
    """The cells an effect compares and the arms' own estimates.

    Attributes
    ----------
    cells
        Group × period cells (see :class:`EffectCell`); a difference has the
        ``post`` cells only.
    intervention, reference
        The two arms' own estimates of the measure (randomised design; NaN
        where the reference group has no result of its own).
    relative
        (intervention − reference) / reference for shares.
    difference_of_relative_changes
        intervention − reference of the relative changes (before/after measures).
    strata
        Strata whose fixed effects the model holds (0: none).
    families_intervention, families_reference
        Families behind each side.
    """

    cells: tuple[EffectCell, ...] = ()
    intervention: float = _NAN
    reference: float = _NAN
    relative: float = _NAN
    difference_of_relative_changes: float = _NAN
    strata: int = 0
    families_intervention: int = 0
    families_reference: int = 0

    def cell(self, group: str, period: str) -> EffectCell | None:
        """The cell of ``group`` in ``period`` (``None`` when the effect has no such cell)."""
        return next((c for c in self.cells if c.group == group and c.period == period), None)

    def to_frame(self) -> pd.DataFrame:
        """One row per cell."""
        return pd.DataFrame([asdict(c) for c in self.cells])


@dataclass(frozen=True)
class SavingsParts(Parts):
    """The account of the savings estimate (see :mod:`opgang_eval.costs.savings`).

    ``families_reference`` are the control families, the matched or weighted
    comparison families, or 0 in the before-after design (which compares
    each intervention family with its own run rate).
    """

    mean_cost_reference: float = _NAN
    mean_cost_intervention: float = _NAN
    programme_cost_per_family: float = _NAN
    net_per_family: float = _NAN
    net_total: float = _NAN
    benefit_cost_ratio: float = _NAN
    last_year_savings_per_family: float = _NAN
    break_even_years: float = _NAN
    mean_window_months: float = _NAN
    price_year: int = 0
    discount_rate: float = 0.0
    families_intervention: int = 0
    families_reference: int = 0
    pre_enrolment_monthly_difference: float = _NAN


@dataclass(frozen=True)
class SurveyParts(Parts):
    """Mean scores of the paired parents in each wave, the signed-rank test, and how many rose, fell or stayed.

    The three counts are what disclosure control needs: scores are whole
    numbers, and a small group's mean change, interval and signed-rank
    p-value together can be solved for each parent's change.
    """

    mean_baseline: float = _NAN
    mean_followup: float = _NAN
    p_value: float = _NAN
    rose: int = 0
    fell: int = 0
    unchanged: int = 0


# -- results --------------------------------------------------------------------------------


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
        Persons behind the estimate (parents, children or youths; families
        for amounts).
    n_families
        Families behind it — the unit of clustering and resampling.
    method
        How the estimate and interval were computed, in words.
    parts
        The pieces it was computed from (typed per kind).
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
    parts: Parts = field(default_factory=Parts)
    reason: str | None = None

    kind: ClassVar[str] = "result"
    unit: ClassVar[str] = ""

    def __post_init__(self) -> None:
        if self.reason is None and not math.isfinite(self.estimate):
            raise ValueError(f"{self.measure}: a missing estimate needs a reason")

    @classmethod
    def unavailable(
        cls, measure: str, arm: str, reason: str, method: str = "", n: int = 0, n_families: int = 0, **extra: Any
    ) -> Self:
        """A result that could not be computed, with the reason shown in its place."""
        return cls(measure, arm, _NAN, _NAN, _NAN, n, n_families, method, reason=reason, **extra)

    @property
    def available(self) -> bool:
        return self.reason is None

    def summary(self) -> dict[str, Any]:
        """Every field as a flat mapping (scalar parts included): the one view all displays use."""
        row: dict[str, Any] = {
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
            if f.name not in row and f.name != "parts" and f.metadata.get("tidy", True):
                row[f.name] = getattr(self, f.name)
        row.update(self.parts.to_dict())
        return row

    def to_frame(self) -> pd.DataFrame:
        """One-row tidy frame (scalar parts as extra columns)."""
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

    parts: ShareParts = field(default_factory=ShareParts)

    kind: ClassVar[str] = "share"
    unit: ClassVar[str] = "share"


@dataclass(frozen=True)
class RelativeChange(Result):
    """``post / pre − 1`` of a rate, e.g. pooled school absence."""

    parts: RateChangeParts = field(default_factory=RateChangeParts)

    kind: ClassVar[str] = "relative_change"
    unit: ClassVar[str] = "relative"


@dataclass(frozen=True)
class Amount(Result):
    """An amount in DKK, e.g. savings per family."""

    parts: SavingsParts = field(default_factory=SavingsParts)

    kind: ClassVar[str] = "amount"
    unit: ClassVar[str] = "DKK"


@dataclass(frozen=True)
class NullDraws:
    """The resampling draws of an effect's test of no effect, kept for the family-wise adjustment and the figure.

    Attributes
    ----------
    method
        ``randomisation`` (randomised design) or ``wild_bootstrap``.
    t
        The draws' t statistics under the null of no effect (the same draws,
        in the same order, for every effect of the evaluation).
    estimates
        The re-randomised estimates under the sharp null of no effect
        (randomisation only; ``None`` otherwise): the null distribution.
    exact
        The draws are every assignment the trial could have made.
    observed_t
        The effect's own CR1 t statistic.
    """

    method: str
    t: np.ndarray
    estimates: np.ndarray | None
    exact: bool
    observed_t: float


@dataclass(frozen=True)
class Effect(Result):
    """Intervention minus comparison, with the design it rests on.

    ``scale`` says what the difference is: ``percentage_points`` of a share
    (stored as a fraction, 0.10 = 10 pp), ``rate_difference`` for a
    difference-in-differences of rates, ``DKK`` for amounts.

    ``inference`` is the effect's inference panel: one row per method
    (``CR1`` — the interval above —, ``CR2``, ``wild_bootstrap``,
    ``randomisation``), columns ``estimate``, ``std_error``, ``df``,
    ``p_value``, ``ci_low``, ``ci_high``, ``draws``, ``exact`` and the
    ``reason`` where a method does not apply (see
    :mod:`opgang_eval.comparison.panel`). ``null_draws`` holds the draws
    behind it.
    """

    parts: EffectParts = field(default_factory=EffectParts)
    scale: str = ""
    design: Design = "randomised"
    std_error: float = _NAN
    p_value: float = _NAN
    inference: pd.DataFrame | None = field(default=None, repr=False, compare=False, metadata={"tidy": False})
    null_draws: NullDraws | None = field(default=None, repr=False, compare=False, metadata={"tidy": False})

    kind: ClassVar[str] = "effect"


@dataclass(frozen=True)
class SurveyChange(Result):
    """Paired change of one wellbeing item among parents answering both waves."""

    parts: SurveyParts = field(default_factory=SurveyParts)
    item: str = ""

    kind: ClassVar[str] = "survey_change"
    unit: ClassVar[str] = "score"
