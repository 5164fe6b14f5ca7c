"""The report's linked counts and amounts as one release, protected and audited together.

The tables below publish numbers that a reader can add and subtract across
tables. Each is a :class:`~.cells.Cell`; each identity a reader knows between
them is a :class:`~.cells.Link`; :func:`~.engine.protect` decides what to hide
over all of them at once, so a figure can no longer show what a table hides.

Covered (keys in brackets):

- the participants table (``flow/<arm>/<step>``), with the parents without a
  status in the end month as an unpublished part (``slack/<arm>/parents``);
- the parts of each share shown in the measures table
  (``measure/<arm>/<id>/numerator`` and ``/complement``), linked to the
  participants table's "analysed" counts, and the flexjob share's
  denominator to the work share's numerator;
- the bars of the status figure (``status/<arm>/<period>/<group>``), linked
  to their total and, in the end month, to the work and early-retirement
  numerators;
- the appendix's row counts of the families, parents and children files
  (``appendix/<table>``), linked to the arms' counts;
- the savings breakdowns by domain and by year (``savings/<table>/<row>/<side>``),
  linked across the two tables and to the published gross saving;
- the sensitivity rows (``sensitivity/<i>``), each an amount on its own.

Counts that other tables print as they are (the measures' numbers of persons
``n``) are passed as known to the reader (a-priori bounds equal to the value):
the engine never hides them, and hides something else where they would give
a small cell away. A zero is never primary. Amounts are per-family means; a
mean's ``N`` is published, so hiding the mean hides the sum.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .cells import Cell, Link, shows_marker
from .engine import protect

if TYPE_CHECKING:
    from ..evaluation import Evaluation

__all__ = ["STATUS_GROUPS", "Release", "build_release"]

#: The status figure's groups (register codes of status-codes.md); ``none`` is no status that month.
STATUS_GROUPS: Mapping[str, tuple[str, ...]] = {
    "work": ("job", "flexjob", "education"),
    "retired": ("early_retirement",),
    "benefit": (
        "cash_benefit",
        "unemployment_benefit",
        "sickness_benefit",
        "resource_course",
        "job_clarification",
        "flexjob_waiting",
        "other",
    ),
    "none": ("no_status",),
}

#: The end-month status group equal to a share's numerator (same parents, same month, same codes).
_GROUP_MEASURE = {"work": "parents_in_work_or_education", "retired": "early_retirement_share"}

#: Share whose denominator is another share's numerator (the flexjob share among those in work).
_NESTED = {"flexjob_share_of_work_or_education": "parents_in_work_or_education"}

#: The cost of hiding a count a measure's result rests on, against 1 for any other cell.
_HEADLINE = 10.0

_BASE_TABLES = {"families": "families_enrolled", "parents": "parents_enrolled", "children": "children_enrolled"}


@dataclass(frozen=True)
class Release:
    """The cells of the report's linked tables and the keys the engine hides.

    ``hides(key)`` is False for a key that is not in the release, so a table
    the release does not model is governed by its own rules alone.
    """

    cells: Mapping[str, Cell]
    links: tuple[Link, ...]
    hidden: frozenset[str]
    min_cell: int

    def hides(self, key: str) -> bool:
        return key in self.hidden

    def marked(self, key: str) -> bool:
        """Whether the hidden cell reads "<min_cell" (a small count) rather than only "hidden"."""
        return key in self.hidden and shows_marker(self.cells[key], self.min_cell)


class _Cells:
    """Collects cells and links; a link whose cells are not all present is left out."""

    def __init__(self, min_cell: int) -> None:
        self.m = min_cell
        self.cells: dict[str, Cell] = {}
        self.links: list[Link] = []

    def count(self, key: str, n: float, *, headline: bool = False) -> None:
        """A count, primary when 1 to ``min_cell - 1``.

        ``headline``: hiding it hides a measure's result (its n, numerator or
        complement, or a number equal to one), so the engine hides anything
        else first. A part that is never printed (a ``slack/`` cell) is a
        count like any other: primary when small; otherwise treating it as
        published only assumes the reader knows more than they do.
        """
        n = float(n)
        self.cells[key] = Cell(key, n, "count", 0 < n < self.m, cost=_HEADLINE if headline else 1.0)

    def amount(self, key: str, value: float, primary: bool, *, signed: bool = False) -> None:
        lower = -math.inf if signed or value < 0 else 0.0
        self.cells[key] = Cell(key, float(value), "amount", primary, lower=lower)

    def equal(self, a: str, b: str) -> None:
        if a in self.cells and b in self.cells and self.cells[a].value == self.cells[b].value:
            self.links.append(Link(((a, 1.0), (b, -1.0))))

    def total(self, total: str, parts: Iterable[str]) -> None:
        parts = list(parts)
        if total in self.cells and all(p in self.cells for p in parts):
            self.links.append(Link.total(total, parts))


def build_release(ev: Evaluation, min_cell: int, dominance_share: float = 0.85) -> Release:
    """The protected release of ``ev``'s linked tables (see the module docstring).

    ``dominance_share``: an amount is primary when its two largest families
    carry more than this share of it, or when 1 to ``min_cell - 1`` families
    contribute to it (the (2, k) dominance rule and the contributor rule).
    """
    c = _Cells(min_cell)
    _flow(c, ev)
    _shares(c, ev)
    _status(c, ev)
    _appendix(c, ev)
    _savings(c, ev, dominance_share)
    hidden = protect(c.cells.values(), c.links, min_cell)
    return Release(dict(c.cells), tuple(c.links), hidden, min_cell)


def _flow(c: _Cells, ev: Evaluation) -> None:
    flow = ev.tables["flow"]
    for arm, step, n in flow[["arm", "step", "n"]].itertuples(index=False, name=None):
        # An analysed count is printed again as the measure's n (hidden there when it is hidden here).
        c.count(
            f"flow/{arm}/{step}", n, headline=str(step).startswith("analysed:") or step == "parents_with_status_in_end"
        )
    for arm in dict.fromkeys(flow["arm"]):
        enrolled, with_status = f"flow/{arm}/parents_enrolled", f"flow/{arm}/parents_with_status_in_end"
        if enrolled in c.cells and with_status in c.cells:
            gap = c.cells[enrolled].value - c.cells[with_status].value
            if gap >= 0:
                c.count(f"slack/{arm}/parents", gap)
                c.total(enrolled, [with_status, f"slack/{arm}/parents"])
        for measure in _GROUP_MEASURE.values():  # shares of the parents with a status in E
            c.equal(with_status, f"flow/{arm}/analysed:{measure}")


def _shares(c: _Cells, ev: Evaluation) -> None:
    for arm, results in ev.arms.items():
        for measure, r in results.items():
            numerator = getattr(r.parts, "numerator", None)
            denominator = getattr(r.parts, "denominator", None)
            if r.kind != "share" or not r.available or numerator is None or denominator is None:
                continue
            key = f"measure/{arm}/{measure}"
            c.count(f"{key}/numerator", numerator, headline=True)
            c.count(f"{key}/complement", denominator - numerator, headline=True)
            c.total(f"flow/{arm}/analysed:{measure}", [f"{key}/numerator", f"{key}/complement"])
        for nested, outer in _NESTED.items():
            c.equal(f"flow/{arm}/analysed:{nested}", f"measure/{arm}/{outer}/numerator")


def _status(c: _Cells, ev: Evaluation) -> None:
    trans = ev.tables["transitions"]
    group_of = {s: g for g, members in STATUS_GROUPS.items() for s in members}
    for arm in [a for a in ("intervention", "control") if a in set(trans["arm"])]:
        part = trans[trans["arm"] == arm]
        for period, column in (("baseline_period", "from_status"), ("end_period", "to_status")):
            counts = part.groupby(part[column].map(group_of))["n"].sum()
            counts = counts.reindex(list(STATUS_GROUPS), fill_value=0).drop("none")
            key = f"status/{arm}/{period}"
            at_end = period == "end_period"
            for group, n in counts.items():
                c.count(f"{key}/{group}", n, headline=at_end and group in _GROUP_MEASURE)
            # The bar's total: the parents with a status that month (the shares drawn are of it).
            c.count(f"{key}/total", counts.sum(), headline=at_end)
            c.total(f"{key}/total", [f"{key}/{g}" for g in counts.index])
        end = f"status/{arm}/end_period"
        c.equal(f"{end}/total", f"flow/{arm}/parents_with_status_in_end")
        for group, measure in _GROUP_MEASURE.items():
            c.equal(f"{end}/{group}", f"measure/{arm}/{measure}/numerator")


def _appendix(c: _Cells, ev: Evaluation) -> None:
    for table, step in _BASE_TABLES.items():
        source = ev.sources.get(table)
        if source is None:
            continue
        key = f"appendix/{table}"
        c.count(key, source.rows)
        parts = [k for k in c.cells if k.startswith("flow/") and k.endswith(f"/{step}")]
        rest = source.rows - sum(c.cells[k].value for k in parts)
        if parts and rest >= 0:
            # Rows of no arm in the participants table (comparison families, say): unpublished.
            c.count(f"slack/appendix/{table}", rest)
            c.total(key, [*parts, f"slack/appendix/{table}"])


def _savings(c: _Cells, ev: Evaluation, dominance_share: float) -> None:
    sv = ev.measures.get("savings_per_family")
    if ev.savings is None or sv is None or not sv.available:
        return
    m = c.m
    sides = {}
    for name, key in (("savings_by_domain", "domain"), ("savings_by_year", "year")):
        frame = ev.tables.get(name)
        if frame is None or frame.empty:
            continue
        rows = []
        for record in frame.to_dict("records"):
            row = f"savings/{name}/{record[key]}"
            for side in ("reference", "intervention"):
                contributors = int(record[f"contributors_{side}"])
                primary = 0 < contributors < m or (contributors > 0 and record[f"dominance_{side}"] > dominance_share)
                c.amount(f"{row}/{side}", record[side], primary)
            c.amount(f"{row}/savings", record["savings"], False, signed=True)
            c.links.append(Link(((f"{row}/savings", 1.0), (f"{row}/reference", -1.0), (f"{row}/intervention", 1.0))))
            rows.append(row)
        sides[name] = rows
    c.amount("savings/gross", sv.estimate, False, signed=True)
    gross = c.cells["savings/gross"]
    c.cells["savings/gross"] = Cell(gross.key, gross.value, "amount", False, gross.value, gross.value)
    for rows in sides.values():
        c.total("savings/gross", [f"{row}/savings" for row in rows])
    if len(sides) == 2:
        domain, year = sides.values()
        for side in ("reference", "intervention"):
            terms = [(f"{r}/{side}", 1.0) for r in domain] + [(f"{r}/{side}", -1.0) for r in year]
            values = [c.cells[k].value * w for k, w in terms]
            if abs(math.fsum(values)) <= 1e-9 * max(1.0, math.fsum(abs(v) for v in values)):
                c.links.append(Link(tuple(terms)))
    sens = ev.tables.get("savings_sensitivity")
    if sens is not None:
        families = sens[["families_intervention", "families_reference"]]
        small = ((families > 0) & (families < m)).any(axis=1).tolist()
        for i, (value, primary) in enumerate(zip(sens["net_per_family"], small, strict=True)):
            if np.isfinite(value):
                c.amount(f"sensitivity/{i}", value, bool(primary), signed=True)


def frame_of(release: Release) -> pd.DataFrame:
    """The release as a table (key, value, kind, primary, hidden): for an analyst auditing a report."""
    rows = [
        {"key": k, "value": cell.value, "kind": cell.kind, "primary": cell.primary, "hidden": k in release.hidden}
        for k, cell in release.cells.items()
    ]
    return pd.DataFrame(rows)
