"""Disclosure control: what may leave the process (contract section 5).

Rules, applied *before* anything is formatted:

* a count is shown only if it is 0 or at least ``min_cell``;
* a share is shown only if its denominator is at least ``min_cell`` and
  neither its numerator nor the complement (denominator − numerator) is a
  small count — otherwise "3 % of 94" would reveal three persons;
* a mean, rate or model estimate is shown only if it rests on at least
  ``min_cell`` persons (in every group it compares);
* in a table with totals, a row or column with exactly one suppressed cell
  gets a second suppression (the smallest other non-zero cell, or a zero
  when nothing else is left), repeated until no suppressed cell can be
  recovered by subtraction.

Ids never reach the presentation layer: the context is built from
aggregate tables only, and a test scans every output for them.
"""

from __future__ import annotations

import numpy as np

__all__ = ["complementary", "count_ok", "marker", "share_ok"]


def marker(min_cell: int) -> str:
    """What a suppressed cell reads: ``<5``."""
    return f"<{min_cell}"


def count_ok(n: float, min_cell: int) -> bool:
    """A count may be shown: zero or at least ``min_cell``."""
    return bool(n == 0 or n >= min_cell)


def share_ok(k: float, n: float, min_cell: int) -> bool:
    """A share ``k / n`` may be shown (see the module rules)."""
    return bool(n >= min_cell and count_ok(k, min_cell) and count_ok(n - k, min_cell))


def complementary(counts: np.ndarray, min_cell: int, rows: bool = True, cols: bool = True) -> np.ndarray:
    """Mask of cells to suppress in a table of counts whose margins are public.

    Primary suppression hides counts from 1 to ``min_cell − 1``; secondary
    suppression then hides, in every row (column) whose total is shown and
    that has exactly one hidden cell, the smallest other positive cell.
    """
    counts = np.asarray(counts, dtype=float)
    hidden = (counts > 0) & (counts < min_cell)
    changed = True
    while changed:
        changed = False
        for axis, active in ((1, rows), (0, cols)):
            if not active:
                continue
            lines = hidden if axis == 1 else hidden.T
            values = counts if axis == 1 else counts.T
            for i in range(lines.shape[0]):
                if lines[i].sum() != 1:
                    continue
                candidates = np.where(~lines[i] & (values[i] > 0), values[i], np.inf)
                if not np.isfinite(candidates).any():
                    # Only zeros are left: hiding one still stops the recovery by subtraction.
                    candidates = np.where(~lines[i], 0.0, np.inf)
                j = int(np.argmin(candidates))
                if np.isfinite(candidates[j]):
                    lines[i, j] = True
                    changed = True
            hidden = lines if axis == 1 else lines.T
    return hidden
