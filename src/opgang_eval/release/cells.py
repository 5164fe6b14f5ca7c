"""Cells, links and the reader model of the disclosure engine.

A release is a set of :class:`Cell` objects (every number that leaves the
process) and a set of :class:`Link` objects (every linear identity a reader
knows between them: a total and its parts, a share's numerator, complement and
denominator, the same population in two tables). The engine decides which
cells to hide; the audit proves, by linear programming over everything that is
published, that no hidden cell can be worked out.

This module holds the data model and the *reader model*: what a reader knows
about a hidden cell before doing any arithmetic (:func:`reader_bounds`), and how
much uncertainty must remain about it afterwards (:func:`protection_range`).
Both are deliberately simple to state, so that an analyst can explain them to a
data-protection officer:

- A published cell is known exactly.
- A primary count (a count that fails a rule on its own) of 1 to ``min_cell - 1``
  is shown as "<min_cell", so the reader knows it lies between 1 and
  ``min_cell - 1`` (:func:`shows_marker`). Any other hidden cell is shown only as
  hidden: the reader knows no more than its a-priori bounds (a count is never
  negative; a cost is never negative when ``lower=0``).
- Protection of a *primary* cell: a reader must not be able to rule out the
  neighbouring values of the true value. For a count ``v`` both ``v - 1`` and
  ``v + 1`` (``count_margin = 1``) must stay possible, unless the reader knew
  beforehand that they are impossible (below 1 for a "<5" cell, or below what
  the tables force even when every number in them is hidden). For an amount
  every value within 15 % of the true value (``amount_ratio = 0.15``) must stay
  possible, clipped in the same way.
- Protection of a *secondary* cell (hidden only to protect others): it must not
  be pinned, i.e. a reader cannot compute it exactly (for an amount: to within
  ``amount_resolution`` kroner). A secondary cell passes every rule on its own,
  so knowing roughly where it lies harms nobody; demanding a range for it too
  would force hiding whole totals for no one's benefit.

Why both sides for a primary count, and not merely "not pinned"? With only
"not pinned", a reader who can show that a "<5" cell holding 3 lies in [3, 4]
has learnt that *at least 3* persons share the attribute, and that lower bound
is exact. Requiring that ``v - 1`` and ``v + 1`` both stay possible means that
neither a lower nor an upper bound the reader can prove is the true value. It
is always satisfiable: hiding every cell of the linked tables leaves exactly
the knowledge the rule is clipped to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ..errors import OpgangError

__all__ = [
    "Cell",
    "CellKind",
    "Exposure",
    "InconsistentLinksError",
    "Link",
    "Protection",
    "ReleaseError",
    "protection_range",
    "reader_bounds",
    "shows_marker",
]

CellKind = Literal["count", "amount"]

#: Smallest ``min_cell`` the engine accepts: a "<2" marker would publish the value 1.
MIN_MIN_CELL = 3


class ReleaseError(OpgangError, ValueError):
    """The cells, links or hidden set given to the disclosure engine are not usable.

    A subclass of :class:`ValueError` too, since every such error is a wrong
    argument (duplicate keys, a link naming an unknown cell, ``min_cell`` too
    small), never a property of the data that a report could work around.
    """


class InconsistentLinksError(ReleaseError):
    """The true values do not satisfy a link, so the published numbers contradict it.

    Raised instead of auditing, because an audit over contradicting identities
    proves nothing: a linear program over an infeasible system has no interval
    to report, and a silently skipped link is a link a reader may still use.
    """


@dataclass(frozen=True)
class Cell:
    """One number that leaves the process.

    Parameters
    ----------
    key
        Unique and stable across reports (``"participants/parents/intervention"``);
        links and the hidden set name cells by it, and ties are broken by it.
    value
        The true value: a count of persons or families, or an amount in DKK.
    kind
        ``"count"`` (an integer; the audit uses integrality) or ``"amount"``.
    primary
        The cell fails a rule on its own (fewer than ``min_cell`` persons, a
        dominance rule, ...) and must be hidden. The caller decides.
    lower, upper
        What a reader knows before reading the report: a count is at least 0;
        a signed amount (a saving) may have ``lower=-inf``.
    cost
        What hiding it costs the reader, relative to other cells: secondary
        suppression hides the cheapest candidate first (a segment of a figure
        before a headline share's numerator), and gives back the costliest first.
    marked
        ``False`` for a count that is never printed on its own: only a
        statistic resting on it is (a rate's numerator behind a relative
        change). Hidden, it shows no "<min_cell" of its own, so a reader does
        not learn that it is small (the statistic's marker does not say which
        of its parts is).
    printed
        ``False`` for a part no output prints (the parents without a status in
        the end month, the families of no site): always hidden, never given
        back, and audited only when primary. A reader may still work it out
        from the links, which harms nobody unless it is a small count, and then
        it is primary and protected like any other.
    """

    key: str
    value: float
    kind: CellKind
    primary: bool
    lower: float = 0.0
    upper: float = math.inf
    cost: float = 1.0
    marked: bool = True
    printed: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ReleaseError(f"a cell key must be a non-empty string, got {self.key!r}")
        if self.kind not in ("count", "amount"):
            raise ReleaseError(f"cell {self.key!r}: kind must be 'count' or 'amount', got {self.kind!r}")
        if not math.isfinite(self.value):
            raise ReleaseError(f"cell {self.key!r}: the value must be finite, got {self.value!r}")
        if math.isnan(self.lower) or math.isnan(self.upper) or not self.lower <= self.value <= self.upper:
            raise ReleaseError(
                f"cell {self.key!r}: the value {self.value!r} lies outside its a-priori bounds "
                f"[{self.lower!r}, {self.upper!r}]"
            )
        if not (math.isfinite(self.cost) and self.cost > 0):
            raise ReleaseError(f"cell {self.key!r}: the cost must be finite and positive, got {self.cost!r}")
        if self.kind == "count" and self.value != round(self.value):
            raise ReleaseError(f"cell {self.key!r}: a count must be a whole number, got {self.value!r}")

    @property
    def is_count(self) -> bool:
        return self.kind == "count"


@dataclass(frozen=True)
class Link:
    """A linear identity a reader knows: ``sum(coef * cell) == constant``.

    Examples: ``total - part1 - part2 == 0`` (a table's margin), ``numerator +
    complement - denominator == 0`` (a share), ``sum - n * mean == 0`` (a mean
    whose ``n`` is published), ``a - b == 0`` (the same population in two
    places, when it is not one cell with one key).

    Parameters
    ----------
    terms
        ``(key, coefficient)`` pairs; a key may repeat (its coefficients add).
    constant
        The right-hand side.
    """

    terms: tuple[tuple[str, float], ...]
    constant: float = 0.0

    def __post_init__(self) -> None:
        for term in self.terms:
            if len(term) != 2 or not isinstance(term[0], str) or not math.isfinite(float(term[1])):
                raise ReleaseError(f"a link term must be (key, finite coefficient), got {term!r}")
        if not math.isfinite(self.constant):
            raise ReleaseError(f"a link constant must be finite, got {self.constant!r}")

    @classmethod
    def total(cls, total: str, parts: tuple[str, ...] | list[str]) -> Link:
        """``total == sum(parts)``: a margin and the cells it adds up."""
        return cls(((total, 1.0), *((part, -1.0) for part in parts)))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.terms)


@dataclass(frozen=True)
class Protection:
    """How much uncertainty a reader must be left with (see the module docstring).

    Parameters
    ----------
    count_margin
        A hidden primary count ``v``: the reader's interval must contain
        ``v - count_margin`` and ``v + count_margin`` (clipped to what the reader
        knows regardless). 1 means "no neighbouring value can be ruled out".
    amount_ratio
        A hidden primary amount ``v``: the interval must contain
        ``[v - ratio * |v|, v + ratio * |v|]`` (clipped likewise). 0.15 is the
        customary protection level of the p % rule.
    amount_resolution
        A hidden amount whose interval is narrower than this many kroner counts
        as pinned: a reader who knows a cost to within one krone knows it.
    """

    count_margin: int = 1
    amount_ratio: float = 0.15
    amount_resolution: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.count_margin, int) or self.count_margin < 1:
            raise ReleaseError(f"count_margin must be a whole number >= 1, got {self.count_margin!r}")
        if not 0.0 < self.amount_ratio < 1.0:
            raise ReleaseError(f"amount_ratio must lie strictly between 0 and 1, got {self.amount_ratio!r}")
        if not self.amount_resolution >= 0.0 or not math.isfinite(self.amount_resolution):
            raise ReleaseError(f"amount_resolution must be finite and >= 0, got {self.amount_resolution!r}")


@dataclass(frozen=True)
class Exposure:
    """A hidden cell that a reader can narrow too far, or a primary cell left published.

    Attributes
    ----------
    key, value
        The cell and its true value.
    lo, hi
        The tightest interval a reader can compute for it from everything
        published (``-inf``/``inf`` when unbounded on that side).
    reason
        ``"pinned"`` (``lo == hi``: the value can be computed), ``"narrowed"``
        (the interval leaves out part of the protection range) or
        ``"published"`` (a primary cell is not in the hidden set).
    need_lo, need_hi
        The protection range the interval had to contain (equal to ``value``
        for a pinned secondary cell, which only had to be not pinned).
    """

    key: str
    value: float
    lo: float
    hi: float
    reason: Literal["pinned", "narrowed", "published"]
    need_lo: float
    need_hi: float

    def __str__(self) -> str:
        if self.reason == "published":
            return f"{self.key}: a primary cell ({self.value:g}) is published"
        if self.reason == "pinned":
            return f"{self.key}: hidden, but a reader can compute it: {self.lo:g}"
        return (
            f"{self.key}: hidden, but a reader can narrow it to [{self.lo:g}, {self.hi:g}], "
            f"which leaves out part of [{self.need_lo:g}, {self.need_hi:g}]"
        )


def shows_marker(cell: Cell, min_cell: int) -> bool:
    """Whether the hidden cell is shown as ``"<min_cell"`` rather than only as hidden.

    Only a primary count from 1 to ``min_cell - 1`` is: for any other primary
    cell (a count of 5 persons in 2 families, an amount failing dominance) the
    marker would be false, and a zero is never hidden as primary. Renderers must
    use this function, so the audit's reader model is what is printed.
    """
    return cell.primary and cell.marked and cell.is_count and 1 <= cell.value <= min_cell - 1


def reader_bounds(cell: Cell, min_cell: int) -> tuple[float, float]:
    """What a reader knows about ``cell`` when it is hidden and nothing else is used.

    The a-priori bounds, narrowed to ``[1, min_cell - 1]`` when the cell shows
    the "<min_cell" marker; a count's bounds are rounded inward to whole numbers.
    """
    lo, hi = cell.lower, cell.upper
    if shows_marker(cell, min_cell):
        lo, hi = max(lo, 1.0), min(hi, float(min_cell - 1))
    if cell.is_count:
        lo = math.ceil(lo) if math.isfinite(lo) else lo
        hi = math.floor(hi) if math.isfinite(hi) else hi
    return float(lo), float(hi)


def protection_range(cell: Cell, min_cell: int, protection: Protection) -> tuple[float, float]:
    """The values a reader must not be able to rule out for a hidden ``cell``.

    For a primary count ``v``: ``[v - count_margin, v + count_margin]``; for a
    primary amount: ``[v - ratio |v|, v + ratio |v|]``; for a secondary cell only
    ``[v, v]`` (it must merely be not pinned). Clipped to :func:`reader_bounds`;
    the audit clips it further to what the links force when every linked cell is
    hidden, which is why the rule can always be met.
    """
    v = cell.value
    if not cell.primary:
        return v, v
    half = float(protection.count_margin) if cell.is_count else protection.amount_ratio * abs(v)
    lo, hi = reader_bounds(cell, min_cell)
    return max(v - half, lo), min(v + half, hi)
