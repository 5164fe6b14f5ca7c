"""Outcome families and multiplicity: which outcome is primary, and p-values adjusted for testing several.

The primary outcome(s) (``Config.primary_outcomes``) are one family, every
other effect the secondary family; each is adjusted on its own:

* Romano–Wolf (2005) step-down p-values from the same draws as the effects'
  own resampling tests (re-randomisations in a randomised design, the wild
  bootstrap otherwise), so the adjustment uses the outcomes' joint
  distribution and controls the family-wise error rate. With the draws
  under the null of no effect this is Westfall and Young's (1993) free
  step-down resampling of the maximum |t|.
* Anderson's (2008) sharpened q-values (the two-stage procedure of
  Benjamini, Krieger & Yekutieli 2006), which control the false discovery
  rate, computed on the grid of 0.001 of Anderson's published code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..results import Effect

__all__ = ["MULTIPLICITY_COLUMNS", "holm", "multiplicity_table", "sharpened_q", "step_down"]

MULTIPLICITY_COLUMNS = ("measure", "family", "method", "p_value", "p_adjusted", "q_value")


def step_down(observed_t: np.ndarray, null_t: np.ndarray, plus_one: bool) -> np.ndarray:
    """Romano–Wolf step-down adjusted p-values of m outcomes from draws × m null t statistics.

    The outcome with the largest |t| is compared with the draws' maximum |t|
    over all m; the next with the maximum over the m − 1 left, and so on;
    each adjusted p-value is then at least the one before it (monotone).
    With ``plus_one`` the share is (1 + hits) / (draws + 1), as the
    resampling tests' own p-values from random draws (never 0); otherwise
    hits / draws, as for the full enumeration of a trial's assignments.
    With one outcome the adjusted p-value is the method's own.
    """
    obs = np.abs(np.asarray(observed_t, dtype=float))
    draws = np.abs(np.asarray(null_t, dtype=float))
    order = np.argsort(-obs, kind="stable")
    # Running maximum from the least significant outcome upwards: column j is max over order[j:].
    tail_max = np.maximum.accumulate(draws[:, order[::-1]], axis=1)[:, ::-1]
    hits = np.count_nonzero(tail_max >= obs[order] * (1 - 1e-10) - 1e-12, axis=0)
    n = draws.shape[0]
    p = (hits + 1) / (n + 1) if plus_one else hits / n
    p = np.maximum.accumulate(p)
    out = np.empty_like(p)
    out[order] = np.minimum(p, 1.0)
    return out


def sharpened_q(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Anderson's (2008) sharpened two-stage q-values (Benjamini, Krieger & Yekutieli 2006).

    For each q on a grid from 1 down to 0.001: the first stage rejects by
    Benjamini–Hochberg at q / (1 + q), the second at that level times
    m / (m − first-stage rejections); an outcome's q-value is the smallest q
    at which the second stage rejects it (Anderson's code, vectorised over
    the grid). Missing p-values stay missing.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(len(p), np.nan)
    known = np.flatnonzero(np.isfinite(p))
    m = len(known)
    if m == 0:
        return out
    pk = p[known]
    rank = np.empty(m)
    rank[np.argsort(pk, kind="stable")] = np.arange(1, m + 1)
    grid = np.round(np.arange(1000, 0, -1) / 1000, 3)[:, None]  # 1.000, 0.999, …, 0.001
    q1 = grid / (1 + grid)
    first = np.max(np.where(q1 * rank / m >= pk, rank, 0), axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        q2 = np.where(first < m, q1 * m / np.maximum(m - first, 1), np.inf)
    second = np.max(np.where(q2 * rank / m >= pk, rank, 0), axis=1, keepdims=True)
    rejected = rank <= second  # grid × outcomes
    # The smallest q (the last grid row) at which it is rejected; 1 when it never is.
    last = np.where(rejected.any(axis=0), len(grid) - 1 - np.argmax(rejected[::-1], axis=0), -1)
    out[known] = np.where(last >= 0, grid[np.maximum(last, 0), 0], 1.0)
    return out


def multiplicity_table(
    effects: Mapping[str, Effect], primary: Sequence[str], descriptive: Sequence[str] = ()
) -> pd.DataFrame:
    """One row per effect: its family, resampling p-value, step-down adjusted p-value and sharpened q-value.

    An effect without draws (not estimated, or not a regression
    coefficient) has a row with missing values; it takes no part in its
    family's adjustment. A ``descriptive`` contrast (conditioned on an
    outcome; not an effect) is in family ``descriptive``, unadjusted.
    """
    measures = list(effects)
    family = ["primary" if m in primary else "descriptive" if m in descriptive else "secondary" for m in measures]
    draws = [effects[m].null_draws for m in measures]
    own = [_own_p(effects[m]) for m in measures]
    p = np.array([value for value, _ in own])
    methods = [method for _, method in own]
    adjusted, q = np.full(len(measures), np.nan), np.full(len(measures), np.nan)
    for name in ("primary", "secondary"):
        members = [i for i, f in enumerate(family) if f == name and np.isfinite(p[i])]
        if not members:
            continue
        tested = [d for i in members if (d := draws[i]) is not None]
        if len(tested) == len(members):
            observed = np.array([d.observed_t for d in tested])
            null_t = np.column_stack([d.t for d in tested])
            adjusted[members] = step_down(observed, null_t, plus_one=not all(d.exact for d in tested))
        else:  # no joint draws (a large evaluation): Holm's step-down, valid whatever the dependence
            adjusted[members] = holm(p[members])
        q[members] = sharpened_q(p[members])
    columns = (measures, family, methods, p, adjusted, q)
    return pd.DataFrame(dict(zip(MULTIPLICITY_COLUMNS, columns, strict=True)))


def _own_p(effect: Effect) -> tuple[float, str]:
    """The p-value the effect is judged by and its method.

    The resampling test's; CR2's where no draws were made for the
    evaluation (too many families to need them); NaN without either.
    """
    panel = effect.inference
    if panel is None:
        return float("nan"), ""
    p_values = dict(zip(panel.index, panel["p_value"], strict=True))
    if effect.null_draws is not None:
        return float(p_values[effect.null_draws.method]), effect.null_draws.method
    if np.isfinite(p_values.get("CR2", np.nan)):  # (an outcome that does not vary has no CR2 p either)
        return float(p_values["CR2"]), "CR2"
    return float("nan"), ""


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's (1979) step-down adjusted p-values: the i-th smallest times (m − i + 1), made monotone, at most 1."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    stepped = np.minimum(np.maximum.accumulate(p[order] * (m - np.arange(m))), 1.0)
    out = np.empty(m)
    out[order] = stepped
    return out
