"""The release step's machinery: cells and statistics as they are declared, decided at the end.

:class:`Collector` gathers the cells of the disclosure engine (counts and
amounts with the rule they fail on their own), the links a reader knows
between them, and the statistics that rest on cells; :meth:`Collector.decide`
protects the cells once (and again with the links that hold only while a cell
stays published) and derives every statistic's state. The rules a number
must pass on its own (:func:`count_ok`, :func:`share_ok`, :func:`result_ok`)
are here too, so every part of :mod:`.collect` applies the same ones.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..results import Amount, RelativeChange, Result, Share
from .cells import Cell, Link, shows_marker
from .engine import protect
from .values import State, Value

if TYPE_CHECKING:  # pragma: no cover - types only
    from ..evaluation import Evaluation

__all__ = ["Collector", "close", "column", "count_ok", "result_ok", "share_ok"]

#: The cost of hiding a count a headline result rests on, against 1 for any other cell.
_HEADLINE = 10.0


def share_ok(k: float, n: float, min_cell: int) -> bool:
    """A share ``k / n`` may be shown: ``n`` at least ``min_cell``, ``k`` and ``n − k`` each 0 or at least it."""
    return bool(n >= min_cell and count_ok(k, min_cell) and count_ok(n - k, min_cell))


def count_ok(n: float, min_cell: int) -> bool:
    """A count may be shown on its own: zero or at least ``min_cell``."""
    return bool(n == 0 or n >= min_cell)


def result_ok(r: Result, m: int) -> bool:
    """A result's own rule (contract section 5): enough persons, and a share's parts not small."""
    if not r.available:
        return False
    if isinstance(r, Share):
        return share_ok(r.parts.numerator, r.parts.denominator, m)
    if isinstance(r, RelativeChange):
        if r.n < m:
            return False
        p = r.parts
        if p.persons_counted:  # each rate is a share of persons (youths with a job)
            return share_ok(p.pre_numerator, p.pre_denominator, m) and share_ok(p.post_numerator, p.post_denominator, m)
        return True
    if isinstance(r, Amount):
        families = [r.parts.families_intervention, r.parts.families_reference]
        return all(n == 0 or n >= m for n in families) and families[0] >= m
    return r.n >= m


def close(a: float, b: float) -> bool:
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def column(ev: Evaluation, table: str, column: str) -> list[object]:
    frame = ev.tables.get(table)
    return [] if frame is None or column not in frame else frame[column].tolist()


@dataclass(frozen=True)
class _Stat:
    value: float
    rule: State
    on: tuple[str, ...]
    note: str


class Collector:
    """Cells, links and statistics as they are declared; :meth:`release` decides them."""

    def __init__(self, min_cell: int) -> None:
        self.m = min_cell
        self.cells: dict[str, Cell] = {}
        self.links: list[Link] = []
        self.stats: dict[str, _Stat] = {}
        #: Links a reader has only while a cell is published: (that cell, the link).
        self.conditional: list[tuple[str, Link]] = []
        #: Arm → status → the baseline table's count of parents with that status the month before enrolment.
        self.baseline_status: dict[str, dict[str, str]] = {"intervention": {}, "control": {}}

    # -- cells of the engine -----------------------------------------------------------------

    def count(
        self,
        key: str,
        n: float,
        *,
        primary: bool | None = None,
        headline: bool = False,
        printed: bool = True,
        marked: bool = True,
    ) -> None:
        """A count: primary when 1 to ``min_cell − 1`` (or when ``primary`` says so: a rule other than size)."""
        n = float(n)
        small = 0 < n < self.m
        self.cells[key] = Cell(
            key,
            n,
            "count",
            small or bool(primary),
            cost=_HEADLINE if headline else 1.0,
            marked=marked,
            printed=printed,
        )

    def amount(self, key: str, value: float, *, primary: bool, signed: bool = False, headline: bool = False) -> None:
        lower = -math.inf if signed or value < 0 else 0.0
        cost = _HEADLINE if headline else 1.0
        self.cells[key] = Cell(key, float(value), "amount", primary, lower=lower, cost=cost)

    def equal(self, a: str, b: str, *, when: str | None = None) -> None:
        """``a`` and ``b`` count the same population (linked only when both exist and agree).

        ``when``: the link holds for a reader only while the cell ``when`` is
        published (a share's count is known from the share only with its
        denominator): it is added after a first protection in which that cell
        stayed published, and the release is protected again with it.
        """
        if a in self.cells and b in self.cells and self.cells[a].value == self.cells[b].value:
            link = Link(((a, 1.0), (b, -1.0)))
            if when is None:
                self.links.append(link)
            else:
                self.conditional.append((when, link))

    def total(self, total: str, parts: Iterable[str], *, rest: str | None = None) -> None:
        """``total`` is the sum of ``parts`` (and an unprinted ``rest`` of what no part holds, when it is ≥ 0)."""
        parts = [p for p in parts]
        if total not in self.cells or not all(p in self.cells for p in parts):
            return
        if rest is not None:
            values = [self.cells[total].value, *(self.cells[p].value for p in parts)]
            gap = values[0] - math.fsum(values[1:])
            if abs(gap) <= 1e-9 * max(1.0, math.fsum(abs(v) for v in values)):
                gap = 0.0  # amounts add up to within the rounding of floating point
            if gap < 0:
                return
            if gap == 0:
                # Everything is in the parts, as a reader may well assume: a zero rest is known, never a cell to
                # hide (hiding it would protect nothing), so its a-priori bounds are [0, 0].
                self.cells[rest] = Cell(rest, 0.0, "count", False, upper=0.0)
            else:
                # A reader cannot know a rest no output prints; a small one is protected all the same.
                self.count(rest, gap, printed=False)
            parts.append(rest)
        elif not close(self.cells[total].value, math.fsum(self.cells[p].value for p in parts)):
            return  # amounts add up to within the rounding of floating point; a link holds to 1e-9 of its scale
        self.links.append(Link.total(total, parts))

    # -- statistics ----------------------------------------------------------------------------

    def stat(self, key: str, value: float, *, ok: bool = True, on: Iterable[str] = (), small: bool = True) -> None:
        """A statistic: hidden unless ``ok`` (its own rule) holds and everything it rests ``on`` is shown.

        ``small``: a failed own rule means too few persons (printed "<min_cell"); otherwise it is withheld.
        """
        rule: State = "shown" if ok else ("small" if small else "withheld")
        self.stats[key] = _Stat(float(value) if value is not None else math.nan, rule, tuple(on), "")

    def unavailable(self, key: str, note: str) -> None:
        self.stats[key] = _Stat(math.nan, "unavailable", (), note)

    def public(self, key: str, value: float) -> None:
        self.stat(key, value)

    def result(self, prefix: str, r: Result, *, ok: bool, on: Iterable[str] = (), small: bool = True) -> None:
        """A result's estimate and interval (``prefix/estimate|ci_low|ci_high``)."""
        for part in ("estimate", "ci_low", "ci_high"):
            if r.available:
                self.stat(f"{prefix}/{part}", getattr(r, part), ok=ok, on=on, small=small)
            else:
                self.unavailable(f"{prefix}/{part}", r.reason or "")

    # -- deciding ----------------------------------------------------------------------------

    def _guards(self, key: str) -> bool:
        """Whether hiding ``key`` hides what rests on it (every key but an unprinted part that is not primary)."""
        cell = self.cells.get(key)
        return cell is None or cell.printed or cell.primary

    def decide(self) -> tuple[dict[str, Value], frozenset[str]]:
        """Protect the cells; then each statistic is shown when its own rule and everything it rests on allow.

        The conditional links whose cell a first protection left published are
        added, and the cells protected again with them: the second answer is
        safe whichever way the condition then falls (with the link, the
        reader is assumed to know at least what they do).
        """
        hidden = protect(self.cells.values(), self.links, self.m)
        holding = [link for when, link in self.conditional if when not in hidden]
        if holding:
            self.links.extend(holding)
            hidden = protect(self.cells.values(), self.links, self.m)
        values: dict[str, Value] = {}
        for key, cell in self.cells.items():
            if key not in hidden:
                values[key] = Value("shown", cell.value)
            else:
                values[key] = Value("small" if shows_marker(cell, self.m) else "withheld")

        def state_of(key: str, seen: frozenset[str]) -> State:
            if key in values:
                return values[key].state
            stat = self.stats.get(key)
            if stat is None or key in seen:  # a basis nobody declared hides (never shows) what rests on it
                return "withheld"
            state = stat.rule
            if state == "shown":
                # A part no output prints rests on nothing a reader sees: it hides what rests on it only when it
                # is protected itself (a small complement of a share).
                bases = [state_of(k, seen | {key}) for k in stat.on if self._guards(k)]
                # A number resting on one the evaluation could not compute is withheld: printed beside the reason
                # (the control arm's absence rate was zero before), it would give the missing number away.
                hiding = {"withheld", "unavailable"}
                state = "small" if "small" in bases else "withheld" if hiding & set(bases) else "shown"
            values[key] = Value(state, stat.value if state == "shown" else None, stat.note)
            return state

        for key in self.stats:
            state_of(key, frozenset())
        return values, hidden
