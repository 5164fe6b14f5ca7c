"""The audit: what a reader can work out about each hidden cell, by linear programming.

For a hidden cell the reader's tightest interval is the minimum and the maximum
of that cell over every completion of the hidden cells that agrees with what is
published: the published values, the links, the a-priori bounds, the "<m"
bounds of primary counts and the integrality of counts. Both are mixed-integer
linear programs, solved by HiGHS through :func:`scipy.optimize.milp` with a
zero optimality gap (the default relative gap of 1e-4 could misplace a bound by
a whole person in a large count).

Work is kept small in three ways, none of which changes the answer:

- Published cells are constants, so the system falls apart into *hidden
  components*: hidden cells connected through links. Each component is solved
  on its own and its verdict is cached by its set of keys (the verdict depends
  on nothing else), so :mod:`.engine` re-solves only what a change touched. A
  hidden cell in no link is never narrowed below what the reader knew anyway.
- A cell passes when the reader's interval contains its protection range, and
  that needs only *witnesses*: feasible completions in which the cell is at or
  beyond each end of its range. The true values are one; two solves that push
  every unresolved cell down (then up) at once give most of the rest; only the
  cells still unresolved get their own minimisation or maximisation. A failure
  is always confirmed by an exact solve of its own.
- The protection range is clipped to what the links force when every cell of
  the linked tables is hidden (the interval ``R``); ``R`` is solved only for a
  cell that would fail without the clipping.

The verdict of a solve is trusted only within a tolerance of ``1e-6 * max(1, |v|)``
(HiGHS's feasibility tolerance is 1e-7); a count's bounds are whole numbers.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from .cells import (
    MIN_MIN_CELL,
    Cell,
    Exposure,
    InconsistentLinksError,
    Link,
    Protection,
    ReleaseError,
    protection_range,
    reader_bounds,
)

__all__ = ["Auditor", "audit", "intervals"]

Vector = npt.NDArray[np.float64]

#: Zero gap: a bound that is off by one person is a wrong audit.
_MILP_OPTIONS: dict[str, Any] = {"mip_rel_gap": 0.0}

#: A link holds when ``|residual| <= _LINK_TOL * scale`` (float sums of shares and costs).
_LINK_TOL = 1e-9

#: How far a solver's value may stray, relative to ``max(1, |value|)``.
_NUM_TOL = 1e-6


@dataclass(frozen=True)
class _CanonicalLink:
    keys: tuple[str, ...]
    coefs: tuple[float, ...]
    constant: float


@dataclass(frozen=True)
class _System:
    """The linear system of one component: hidden cells are variables, the rest constants."""

    keys: tuple[str, ...]
    constraint: LinearConstraint
    lb: Vector
    ub: Vector
    integrality: npt.NDArray[np.int8]
    truth: Vector
    tol: Vector
    move_tol: Vector
    box_lb: Vector
    box_ub: Vector
    weights: Vector


def _canonical_links(links: Iterable[Link], cells: dict[str, Cell]) -> tuple[_CanonicalLink, ...]:
    """Links with merged, sorted terms and no zero coefficients, deduplicated and sorted.

    The order of the links, and of the terms in a link, then cannot depend on
    the order the caller listed them in, which is what makes :func:`protect`
    deterministic under shuffling.
    """
    seen: set[_CanonicalLink] = set()
    for link in links:
        merged: dict[str, float] = {}
        for key, coef in link.terms:
            if key not in cells:
                raise ReleaseError(f"a link names {key!r}, which is not among the cells")
            merged[key] = merged.get(key, 0.0) + float(coef)
        terms = sorted((key, coef) for key, coef in merged.items() if coef != 0.0)
        canonical = _CanonicalLink(tuple(k for k, _ in terms), tuple(c for _, c in terms), float(link.constant))
        _check_holds(canonical, cells)
        if canonical.keys:
            seen.add(canonical)
    return tuple(sorted(seen, key=lambda lk: (lk.keys, lk.coefs, lk.constant)))


def _check_holds(link: _CanonicalLink, cells: dict[str, Cell]) -> None:
    """Raise :class:`InconsistentLinksError` unless the true values satisfy ``link``.

    The message names the cells but not the values or the residual: a message
    is output too, and a residual can be a small cell's value.
    """
    products = [coef * cells[key].value for key, coef in zip(link.keys, link.coefs, strict=True)]
    residual = math.fsum(products) - link.constant
    scale = max(1.0, math.fsum(abs(p) for p in products), abs(link.constant))
    if abs(residual) > _LINK_TOL * scale:
        shown = ", ".join(link.keys[:6]) + (", ..." if len(link.keys) > 6 else "")
        raise InconsistentLinksError(
            f"the published numbers contradict a link: the values of [{shown}] do not satisfy "
            "sum(coef * cell) == constant; every link must hold exactly for the values passed "
            "(pass amounts as they are published, or leave the link out)"
        )


class Auditor:
    """Cells and links, validated once, with the caches shared by :func:`audit` and :func:`.protect`.

    Parameters
    ----------
    cells, links
        The release. Keys must be unique and every link must hold for the true
        values (:class:`InconsistentLinksError` otherwise).
    min_cell
        The smallest publishable count; primary counts below it show "<min_cell".
    protection
        The protection ranges (:class:`Protection`).
    exact
        Whether an exposure's interval is solved exactly on both sides. The
        engine only needs to know *that* a cell is exposed, so it passes False:
        the side that does not fail is then the widest a witness reached (a
        lower bound on the reader's uncertainty), saving a solve per exposure.
    """

    def __init__(
        self,
        cells: Iterable[Cell],
        links: Iterable[Link],
        min_cell: int,
        protection: Protection,
        *,
        exact: bool = True,
    ) -> None:
        if not isinstance(min_cell, int) or min_cell < MIN_MIN_CELL:
            raise ReleaseError(
                f"min_cell must be a whole number >= {MIN_MIN_CELL}, got {min_cell!r} "
                "(a '<2' marker would publish the value 1)"
            )
        self.min_cell = min_cell
        self.protection = protection
        self.exact = exact
        by_key: dict[str, Cell] = {}
        for cell in cells:
            if cell.key in by_key:
                raise ReleaseError(f"two cells have the key {cell.key!r}")
            by_key[cell.key] = cell
        self.cells: dict[str, Cell] = {key: by_key[key] for key in sorted(by_key)}
        self.links = _canonical_links(links, self.cells)
        self.bounds: dict[str, tuple[float, float]] = {
            key: reader_bounds(cell, min_cell) for key, cell in self.cells.items()
        }
        self.fixed = frozenset(key for key, (lo, hi) in self.bounds.items() if hi - lo <= 0.0)
        self.primary = frozenset(key for key, cell in self.cells.items() if cell.primary)
        #: Cells no output prints: always hidden; one that is not primary need not stay unknown.
        self.unprinted = frozenset(key for key, cell in self.cells.items() if not cell.printed)
        self.cell_links: dict[str, list[int]] = {key: [] for key in self.cells}
        for index, link in enumerate(self.links):
            for key in link.keys:
                self.cell_links[key].append(index)
        self._link_component = self._link_components()
        self._verdicts: dict[frozenset[str], tuple[Exposure, ...]] = {}
        self._r_systems: dict[int, _System] = {}
        self._r_bounds: dict[tuple[str, int], float] = {}
        self._r_moving: dict[int, set[str]] = {}

    # -- structure ---------------------------------------------------------------------------

    def _link_components(self) -> dict[str, int]:
        """Connected components of the link graph over all cells (union-find), numbered by smallest key."""
        parent = {key: key for key in self.cells}

        def find(key: str) -> str:
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        for link in self.links:
            root = find(link.keys[0])
            for key in link.keys[1:]:
                other = find(key)
                if other != root:
                    if other < root:
                        root, other = other, root
                    parent[other] = root
        roots = sorted({find(key) for key in self.cells if self.cell_links[key]})
        number = {root: i for i, root in enumerate(roots)}
        return {key: number[find(key)] for key in self.cells if self.cell_links[key]}

    def neighbours(self, key: str) -> list[str]:
        """Cells sharing a link with ``key``, sorted."""
        found = {other for index in self.cell_links[key] for other in self.links[index].keys}
        found.discard(key)
        return sorted(found)

    def hidden_components(self, hidden: Collection[str], seeds: Iterable[str] | None = None) -> list[tuple[str, ...]]:
        """The hidden components (hidden cells connected through links) containing ``seeds``.

        All of them when ``seeds`` is None. A hidden cell in no link forms no
        component: nothing published can narrow it.
        """
        start = sorted(hidden) if seeds is None else sorted(set(seeds) & set(hidden))
        done: set[str] = set()
        components: list[tuple[str, ...]] = []
        for seed in start:
            if seed in done or not self.cell_links[seed]:
                continue
            members = {seed}
            queue = deque([seed])
            while queue:
                key = queue.popleft()
                for index in self.cell_links[key]:
                    for other in self.links[index].keys:
                        if other in hidden and other not in members:
                            members.add(other)
                            queue.append(other)
            done |= members
            components.append(tuple(sorted(members)))
        return sorted(components)

    def link_component_keys(self, key: str) -> tuple[str, ...]:
        number = self._link_component[key]
        return tuple(k for k, n in self._link_component.items() if n == number)

    # -- linear systems ----------------------------------------------------------------------

    def _system(self, keys: tuple[str, ...]) -> _System:
        """The system of the component ``keys``: cells outside it are published constants."""
        index = {key: i for i, key in enumerate(keys)}
        rows = sorted({row for key in keys for row in self.cell_links[key]})
        data: list[float] = []
        row_ids: list[int] = []
        col_ids: list[int] = []
        rhs = np.empty(len(rows))
        for r, row in enumerate(rows):
            link = self.links[row]
            published = []
            for key, coef in zip(link.keys, link.coefs, strict=True):
                if key in index:
                    data.append(coef)
                    row_ids.append(r)
                    col_ids.append(index[key])
                else:
                    published.append(coef * self.cells[key].value)
            rhs[r] = link.constant - math.fsum(published)
        a = csr_array((np.array(data), (np.array(row_ids), np.array(col_ids))), shape=(len(rows), len(keys)))
        cells = [self.cells[key] for key in keys]
        truth = np.array([cell.value for cell in cells])
        lb = np.array([self.bounds[key][0] for key in keys])
        ub = np.array([self.bounds[key][1] for key in keys])
        is_count = np.array([cell.is_count for cell in cells])
        scale = np.maximum(1.0, np.abs(truth))
        tol = _NUM_TOL * scale
        res = self.protection.amount_resolution
        move_tol = np.where(is_count, 0.5, np.maximum(res, tol))
        margin = 2.0 * self.protection.count_margin + 2.0
        box = np.where(
            is_count, np.ceil(np.maximum(10.0, np.maximum(margin, np.abs(truth)))), np.maximum(scale, 10 * res)
        )
        n = len(keys)
        weights = (1.0 + 0.01 * np.arange(n) / max(n, 1)) / scale
        return _System(
            keys=keys,
            constraint=LinearConstraint(a, rhs, rhs),
            lb=lb,
            ub=ub,
            integrality=is_count.astype(np.int8),
            truth=truth,
            tol=tol,
            move_tol=move_tol,
            box_lb=np.maximum(lb, truth - box),
            box_ub=np.minimum(ub, truth + box),
            weights=weights,
        )

    @staticmethod
    def _solve(system: _System, c: Vector, boxed: bool = False) -> tuple[float, Vector | None]:
        """Minimise ``c @ x`` over the component; ``(-inf, None)`` when unbounded below.

        The true values satisfy the system (checked when the links were read),
        so an infeasible answer can only be numerical trouble and is raised, never
        read as "nothing can be inferred".
        """
        lb, ub = (system.box_lb, system.box_ub) if boxed else (system.lb, system.ub)
        result = milp(
            c,
            integrality=system.integrality,
            bounds=Bounds(lb, ub),
            constraints=system.constraint,
            options=_MILP_OPTIONS,
        )
        if result.status == 0:
            return float(result.fun), np.asarray(result.x, dtype=np.float64)
        if result.status == 4 and system.integrality.any():
            # HiGHS's MIP solver says only "infeasible or unbounded"; the relaxation tells which.
            # A feasible MIP whose relaxation is unbounded is unbounded (rational data).
            relaxed = milp(c, bounds=Bounds(lb, ub), constraints=system.constraint, options=_MILP_OPTIONS)
            if relaxed.status == 3:
                return -math.inf, None
            result = relaxed
        elif result.status in (3, 4):
            return -math.inf, None
        raise ReleaseError(
            "the audit's linear program failed on a system the true values satisfy "
            f"(cells {', '.join(system.keys[:6])}{', ...' if len(system.keys) > 6 else ''}): {result.message}"
        )

    def _bound(self, system: _System, i: int, side: int) -> tuple[float, Vector | None]:
        """The exact minimum (``side=-1``) or maximum (``side=+1``) of variable ``i``, and a witness."""
        c = np.zeros(len(system.keys))
        c[i] = -float(side)
        fun, x = self._solve(system, c)
        return (-side * fun if math.isfinite(fun) else side * math.inf), x

    # -- the interval R: what the links force when every linked cell is hidden ---------------

    def _r_system(self, key: str) -> tuple[int, _System]:
        number = self._link_component[key]
        if number not in self._r_systems:
            self._r_systems[number] = self._system(self.link_component_keys(key))
        return number, self._r_systems[number]

    def r_bound(self, key: str, side: int) -> float:
        """One end of ``R`` for ``key`` (its reader bounds when it is in no link)."""
        if key not in self._link_component:
            return self.bounds[key][0 if side < 0 else 1]
        if (key, side) not in self._r_bounds:
            _, system = self._r_system(key)
            self._r_bounds[key, side] = self._bound(system, system.keys.index(key), side)[0]
        return self._r_bounds[key, side]

    def r_moves(self, key: str) -> bool:
        """Whether ``R`` is wider than a point (else the reader knows the cell whatever is hidden)."""
        if key in self.fixed:
            return False
        if key not in self._link_component:
            return True
        number, system = self._r_system(key)
        if number not in self._r_moving:
            witnesses = [system.truth]
            for sign in (1.0, -1.0):
                _, x = self._solve(system, sign * system.weights, boxed=True)
                if x is not None:
                    witnesses.append(x)
            w = np.vstack(witnesses)
            moving = (w.max(axis=0) - w.min(axis=0)) > system.move_tol
            self._r_moving[number] = {k for k, m in zip(system.keys, moving, strict=True) if m}
        if key in self._r_moving[number]:
            return True
        i = system.keys.index(key)
        return self.r_bound(key, +1) - self.r_bound(key, -1) > system.move_tol[i]

    # -- verdicts ----------------------------------------------------------------------------

    def quick_pinned(self, hidden: Collection[str], links: Iterable[int] | None = None) -> list[str]:
        """Hidden cells that are the only unknown cell of some link: pinned, no solve needed.

        Only ``links`` (indices) are looked at when given. A cell whose ``R`` is
        a point is left out: the reader knew it whatever was hidden.
        """
        found: set[str] = set()
        for index in range(len(self.links)) if links is None else links:
            unknown = [key for key in self.links[index].keys if key in hidden and key not in self.fixed]
            if len(unknown) == 1 and (unknown[0] not in self.unprinted or unknown[0] in self.primary):
                found.add(unknown[0])
        return sorted(key for key in found if self.r_moves(key))

    def component_exposures(self, keys: tuple[str, ...]) -> tuple[Exposure, ...]:
        """The exposures of one hidden component, cached by its keys."""
        member_set = frozenset(keys)
        if member_set not in self._verdicts:
            self._verdicts[member_set] = self._judge(keys)
        return self._verdicts[member_set]

    def _judge(self, keys: tuple[str, ...]) -> tuple[Exposure, ...]:
        """Witness search, then exact solves for the unresolved, then the ``R`` clipping."""
        system = self._system(keys)
        n = len(keys)
        v = system.truth
        need = np.array([protection_range(self.cells[k], self.min_cell, self.protection) for k in keys]).reshape(n, 2)
        need_lo, need_hi = need[:, 0], need[:, 1]
        active = system.ub - system.lb > 0.0
        primary = np.array([self.cells[k].primary for k in keys])
        # A cell nobody prints and no rule protects may be worked out: only the others must not be pinned.
        guarded = primary | np.array([k not in self.unprinted for k in keys])
        want_lo = active & primary & (need_lo < v - system.tol)
        want_hi = active & primary & (need_hi > v + system.tol)
        witnesses: list[Vector] = [v]

        def resolved() -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
            w = np.vstack(witnesses)
            lo_ok = ~want_lo | (w.min(axis=0) <= need_lo + system.tol)
            hi_ok = ~want_hi | (w.max(axis=0) >= need_hi - system.tol)
            move_ok = ~active | ~guarded | (w.max(axis=0) - w.min(axis=0) > system.move_tol)
            return lo_ok, hi_ok, move_ok

        for sign in (1.0, -1.0):
            lo_ok, hi_ok, move_ok = resolved()
            pending = (~lo_ok if sign > 0 else ~hi_ok) | ~move_ok
            if pending.sum() > 1:  # one pending cell gets its own exact solve below
                _, x = self._solve(system, sign * np.where(pending, system.weights, 0.0), boxed=True)
                if x is not None:
                    witnesses.append(x)

        exact: dict[tuple[int, int], float] = {}

        def bound(i: int, side: int) -> float:
            if (i, side) not in exact:
                value, x = self._bound(system, i, side)
                exact[i, side] = value
                if x is not None:
                    witnesses.append(x)
            return exact[i, side]

        def moved(i: int) -> bool:
            """An exact bound away from the truth (an unbounded side leaves no witness to show it)."""
            hi, lo = exact.get((i, +1), v[i]), exact.get((i, -1), v[i])
            return hi > v[i] + system.move_tol[i] or lo < v[i] - system.move_tol[i]

        def reached(i: int, side: int) -> float:
            """The exact bound when solved or wanted, else the farthest a witness went."""
            if self.exact or (i, side) in exact:
                return bound(i, side)
            w = np.vstack(witnesses)[:, i]
            return float(w.max() if side > 0 else w.min())

        exposures: list[Exposure] = []
        for i, key in enumerate(keys):
            lo_ok, hi_ok, move_ok = resolved()
            if lo_ok[i] and hi_ok[i] and move_ok[i]:
                continue
            if not move_ok[i]:
                bound(i, +1)
                if not resolved()[2][i] and not moved(i):
                    bound(i, -1)
                    if not resolved()[2][i] and not moved(i) and self.r_moves(key):
                        exposures.append(
                            self._exposure(key, bound(i, -1), bound(i, +1), "pinned", need_lo[i], need_hi[i])
                        )
                        continue
            lo_ok, hi_ok, _ = resolved()  # the solves above may have left witnesses for the range too
            lo_need, hi_need = need_lo[i], need_hi[i]
            narrowed = False
            if not lo_ok[i] and bound(i, -1) > lo_need + system.tol[i]:
                lo_need = max(lo_need, self.r_bound(key, -1))
                narrowed |= bound(i, -1) > lo_need + system.tol[i]
            if not hi_ok[i] and bound(i, +1) < hi_need - system.tol[i]:
                hi_need = min(hi_need, self.r_bound(key, +1))
                narrowed |= bound(i, +1) < hi_need - system.tol[i]
            if narrowed:
                exposures.append(self._exposure(key, reached(i, -1), reached(i, +1), "narrowed", lo_need, hi_need))
        return tuple(exposures)

    def _exposure(
        self,
        key: str,
        lo: float,
        hi: float,
        reason: Literal["pinned", "narrowed"],
        need_lo: float,
        need_hi: float,
    ) -> Exposure:
        cell = self.cells[key]
        if cell.is_count:
            lo = float(math.ceil(lo - 1e-6)) if math.isfinite(lo) else lo
            hi = float(math.floor(hi + 1e-6)) if math.isfinite(hi) else hi
        return Exposure(key, cell.value, lo, hi, reason, float(need_lo), float(need_hi))

    def exposures(self, hidden: Collection[str]) -> list[Exposure]:
        """Every exposure of the hidden set: published primary cells, then each hidden component's."""
        found = [
            Exposure(
                key,
                self.cells[key].value,
                self.cells[key].value,
                self.cells[key].value,
                "published",
                *protection_range(self.cells[key], self.min_cell, self.protection),
            )
            for key in sorted(self.primary - set(hidden))
        ]
        for component in self.hidden_components(hidden):
            found.extend(self.component_exposures(component))
        return sorted(found, key=lambda e: e.key)

    def intervals(self, hidden: Collection[str]) -> dict[str, tuple[float, float]]:
        """The reader's exact interval for every hidden cell (two solves per linked cell)."""
        result = {key: self.bounds[key] for key in sorted(hidden)}
        for component in self.hidden_components(hidden):
            system = self._system(component)
            for i, key in enumerate(component):
                lo, hi = self._bound(system, i, -1)[0], self._bound(system, i, +1)[0]
                if self.cells[key].is_count:
                    lo = float(math.ceil(lo - 1e-6)) if math.isfinite(lo) else lo
                    hi = float(math.floor(hi + 1e-6)) if math.isfinite(hi) else hi
                result[key] = (lo, hi)
        return result

    def check_hidden(self, hidden: Iterable[str]) -> frozenset[str]:
        """``hidden`` checked against the cells, with every unprinted cell added (no output prints those)."""
        keys = frozenset(hidden) | self.unprinted
        unknown = sorted(keys - set(self.cells))
        if unknown:
            raise ReleaseError(f"the hidden set names cells that do not exist: {', '.join(unknown[:6])}")
        return keys


def audit(
    cells: Iterable[Cell],
    links: Iterable[Link],
    hidden: Iterable[str],
    min_cell: int,
    *,
    protection: Protection | None = None,
) -> list[Exposure]:
    """The hidden cells a reader can narrow too far, and any primary cell left published.

    For every hidden cell that shares a link with another cell, a reader's
    tightest interval ``[lo, hi]`` is computed from the published values, the
    links, the a-priori bounds, the "<m" bounds of primary counts and the
    integrality of counts. A cell is exposed when that interval pins it, or
    (for a primary cell) leaves out part of its protection range (see
    :mod:`.cells`). An empty list means the release is safe under this model.

    Parameters
    ----------
    cells, links
        The release.
    hidden
        The keys that are not published.
    min_cell
        The smallest publishable count (at least 3).
    protection
        The protection ranges; :class:`Protection` defaults when None.

    Returns
    -------
    list of Exposure
        Sorted by key.

    Raises
    ------
    InconsistentLinksError
        The values do not satisfy a link (the published numbers contradict it).
    ReleaseError
        Duplicate keys, unknown keys in a link or in ``hidden``, ``min_cell < 3``.
    """
    auditor = Auditor(cells, links, min_cell, protection or Protection())
    return auditor.exposures(auditor.check_hidden(hidden))


def intervals(
    cells: Iterable[Cell],
    links: Iterable[Link],
    hidden: Iterable[str],
    min_cell: int,
) -> dict[str, tuple[float, float]]:
    """The tightest interval a reader can compute for every hidden cell, solved exactly.

    What :func:`audit` judges, without the shortcuts: two mixed-integer solves
    per linked hidden cell. For diagnostics, the report's disclosure note and
    tests; a cell in no link gets its reader bounds.

    Parameters
    ----------
    cells, links, hidden, min_cell
        As for :func:`audit`.

    Returns
    -------
    dict
        ``key -> (lo, hi)`` for every hidden cell, sorted by key; whole numbers for counts.
    """
    auditor = Auditor(cells, links, min_cell, Protection())
    return auditor.intervals(auditor.check_hidden(hidden))
