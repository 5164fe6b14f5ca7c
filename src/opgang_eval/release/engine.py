"""Secondary suppression over linked tables: which cells to hide so that the audit passes.

:func:`protect` hides every primary cell, then adds secondary cells until
:func:`.audit` finds no exposure, then gives back every secondary cell it can.
All tables of a release are solved together: a total shown in two tables, or a
population counted in two places, is one system, so hiding a cell in one table
cannot be undone by another table.

The algorithm, in words:

1. *Hide the primary cells.*
2. *Repair, round by round.* Find the exposed hidden cells: first without any
   solve (a hidden cell that is the only unknown cell of a link is pinned), and
   only when there are none, with the full audit. For each exposed cell, hide
   one more cell: in the link of the exposed cell with the fewest unknown
   cells (the link that pins it most directly), the published cell of the
   lowest cost (:attr:`.Cell.cost`), then in the fewest links, then with the
   smallest value, preferring a non-zero one (a hidden zero can move only up,
   so it protects only one side). When every link of the exposed cell is already
   hidden, the links of its hidden component are searched outward from it. A
   cell still exposed after three rounds gets every published cell of those
   links hidden at once (the "hide everything in the offending links" fallback),
   which ends the repair quickly on awkward structures.
3. *Give back.* Secondary cells are tried for publication from the costliest,
   most linked and largest value down; one is published again when the audit of the components it
   touches still passes. The result is minimal in the sense that no single
   secondary cell can be published on its own.

Every step visits cells by key and links in a canonical order, so the same
cells and links give the same hidden set whatever order they are listed in.
The repair always ends: each round hides at least one more cell, and once every
cell linked to an exposed cell is hidden, the reader knows no more than the
protection range is clipped to (see :mod:`.cells`).

Timing (by hand, on 2 shared cores with a background job): 80 tables of 4x4
cells with margins, chained in groups of four by a shared grand total (2,000
cells, 860 links, 210-250 primary cells), are protected in about 2 s and
audited in 0.4 s; with 80 primary cells, 0.4 s and 0.25 s. Nearly all of it is
HiGHS calls of 1-3 ms each (about 800 in the first case), half of them in the
give-back step.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from .audit import Auditor
from .cells import Cell, Link, Protection, ReleaseError

__all__ = ["protect"]

#: Rounds a cell may stay exposed before every published cell around it is hidden.
_PATIENCE = 3


def protect(
    cells: Iterable[Cell],
    links: Iterable[Link],
    min_cell: int,
    *,
    protection: Protection | None = None,
) -> frozenset[str]:
    """The keys to hide: every primary cell, and secondary cells so that the audit passes.

    Parameters
    ----------
    cells, links
        The whole release: every published number and every identity between them.
    min_cell
        The smallest publishable count (at least 3); primary counts below it show "<min_cell".
    protection
        The protection ranges; :class:`Protection` defaults when None.

    Returns
    -------
    frozenset of str
        Hidden keys. ``audit(cells, links, protect(cells, links, m), m) == []``.

    Raises
    ------
    InconsistentLinksError
        The values do not satisfy a link.
    ReleaseError
        Duplicate keys, unknown keys in a link, ``min_cell < 3``.
    """
    auditor = Auditor(cells, links, min_cell, protection or Protection(), exact=False)
    hidden: set[str] = set(auditor.primary | auditor.unprinted)
    strikes: dict[str, int] = {}
    while True:
        exposed = auditor.quick_pinned(hidden)
        if not exposed:
            exposed = sorted({exposure.key for exposure in auditor.exposures(hidden)})
            if not exposed:
                break
        added: set[str] = set()
        for key in exposed:
            if added & _around(auditor, key):
                continue  # a cell hidden for another exposure this round may already protect it: next round tells
            strikes[key] = strikes.get(key, 0) + 1
            if strikes[key] > _PATIENCE:
                added |= _published_around(auditor, key, hidden | added)
            else:
                choice = _choose(auditor, key, hidden | added)
                if choice is not None:
                    added.add(choice)
        if not added:
            raise ReleaseError(
                "secondary suppression found exposed cells with nothing left to hide around them "
                f"({', '.join(exposed[:6])}); this is numerical trouble in the audit, not a property of the data"
            )
        hidden |= added
    return frozenset(_give_back(auditor, hidden))


def _preference(auditor: Auditor, key: str) -> tuple[bool, float, int, float, str]:
    """Sort key of a candidate: non-zero first, then the cheapest, the fewest links, the smallest value, the key.

    A cell in few links (a table's margin printed once) is hidden before one
    in many (a count repeated in five tables): hiding the latter exposes its
    neighbours in every one of them, and the repair spreads.
    """
    cell = auditor.cells[key]
    return cell.value == 0.0, cell.cost, len(auditor.cell_links[key]), abs(cell.value), key


def _candidates(auditor: Auditor, index: int, hidden: set[str]) -> list[str]:
    """Published cells of a link that hiding would make unknown (not known a priori)."""
    return [key for key in auditor.links[index].keys if key not in hidden and key not in auditor.fixed]


def _unknown(auditor: Auditor, index: int, hidden: set[str]) -> int:
    return sum(1 for key in auditor.links[index].keys if key in hidden and key not in auditor.fixed)


def _choose(auditor: Auditor, key: str, hidden: set[str]) -> str | None:
    """The one cell to hide next for the exposed cell ``key`` (None when nothing is left)."""
    distance = {key: 0}
    link_distance: dict[int, int] = {}
    queue = deque([key])
    while queue:
        current = queue.popleft()
        for index in auditor.cell_links[current]:
            link_distance.setdefault(index, distance[current])
            for other in auditor.links[index].keys:
                if other in hidden and other not in distance:
                    distance[other] = distance[current] + 1
                    queue.append(other)
    for index in sorted(link_distance, key=lambda i: (link_distance[i], _unknown(auditor, i, hidden), i)):
        candidates = _candidates(auditor, index, hidden)
        if candidates:
            return min(candidates, key=lambda k: _preference(auditor, k))
    return None


def _around(auditor: Auditor, key: str) -> set[str]:
    """The cells that share a link with ``key``."""
    return {other for index in auditor.cell_links[key] for other in auditor.links[index].keys}


def _published_around(auditor: Auditor, key: str, hidden: set[str]) -> set[str]:
    """Every published cell of the links around the hidden component of ``key``."""
    found: set[str] = set()
    for component in auditor.hidden_components(hidden, seeds=[key]):
        for member in component:
            for index in auditor.cell_links[member]:
                found.update(_candidates(auditor, index, hidden))
    return found


def _give_back(auditor: Auditor, hidden: set[str]) -> set[str]:
    """Publish again each secondary cell (largest first) whose publication keeps the audit clean."""
    secondary = hidden - auditor.primary - auditor.unprinted

    def order(k: str) -> tuple[float, int, float, str]:
        return -auditor.cells[k].cost, -len(auditor.cell_links[k]), -abs(auditor.cells[k].value), k

    for key in sorted(secondary, key=order):
        trial = hidden - {key}
        if auditor.quick_pinned(trial, links=auditor.cell_links[key]):
            continue
        components = auditor.hidden_components(trial, seeds=auditor.neighbours(key))
        if all(not auditor.component_exposures(component) for component in components):
            hidden = trial
    return hidden
