"""Propensity scores, nearest-neighbour matching and inverse-probability weights.

Everything works on one row per unit (a family) and returns a weight per
unit: 0 for units left out, 1 for matched intervention units, and for a
comparison unit the sum of ``1/k`` over the intervention units it was
matched to (``k`` = their number of matches) — MatchIt's matching weights
up to a constant, so weighted means of the comparison group are the means
of their matches.

Nearest neighbours are found on a *sorted* one-dimensional distance (the
logit of the score by default), never through a distance matrix: the
``k`` nearest of a value are among the ``k`` sorted neighbours on either
side of where it would be inserted. With replacement this is one vectorised
search for all intervention units. Without replacement matching is greedy
and order-dependent by definition (each unit takes the nearest comparison
unit still free), so it loops over the *intervention* units — tens to
thousands — never over the pool; a free comparison unit is found in
near-constant time through "next free to the left/right" pointers with path
compression.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

__all__ = ["Matching", "PropensityModel", "common_support", "ipw_weights", "nearest_neighbour", "propensity_model"]

Order = Literal["largest", "smallest", "data"]


@dataclass(frozen=True)
class PropensityModel:
    """A fitted logistic propensity model.

    Attributes
    ----------
    score
        Estimated probability of being in the intervention group, per unit.
    logit
        Its log-odds (the linear predictor), the default matching distance.
    columns
        Covariates that entered the model (constant or collinear ones are dropped).
    dropped
        Covariates left out, with the reason.
    converged
        Whether the maximum-likelihood fit converged.
    """

    score: np.ndarray
    logit: np.ndarray
    columns: tuple[str, ...]
    dropped: dict[str, str] = field(default_factory=dict)
    converged: bool = True


@dataclass(frozen=True)
class Matching:
    """Weights from matching or weighting, and what was left out and why.

    Attributes
    ----------
    weights
        Per unit; 0 = not in the analysis.
    pairs
        For matching: one row per match (``treated``, ``control`` unit
        positions, ``distance``, ``round``); empty for weighting.
    dropped
        Reason → number of intervention units left out.
    caliper
        The caliper in distance units (NaN when none).
    """

    weights: np.ndarray
    pairs: pd.DataFrame
    dropped: dict[str, int]
    caliper: float = float("nan")


def propensity_model(x: pd.DataFrame, treated: np.ndarray) -> PropensityModel:
    """Logistic regression of group membership on the covariates (statsmodels ``Logit``, Newton).

    Constant columns and columns that are linear combinations of earlier
    ones are dropped first (QR with a relative tolerance), so a site with a
    single family or a covariate duplicated by another never makes the fit
    singular. When the covariates separate the groups perfectly the scores
    are 0 and 1 and the model is marked not converged: common support is
    then empty and the caller reports it.
    """
    dropped: dict[str, str] = {}
    keep = []
    for name in x.columns:
        values = x[name].to_numpy(dtype=float)
        if np.ptp(values) == 0:
            dropped[name] = "the same value for every family"
        else:
            keep.append(name)
    z = x[keep].to_numpy(dtype=float)
    z = (z - z.mean(axis=0)) / z.std(axis=0) if len(keep) else z
    design = np.column_stack([np.ones(len(x)), z])
    _, r = np.linalg.qr(design)
    diag = np.abs(np.diag(r))
    independent = diag > 1e-8 * diag.max()
    for name, ok in zip(keep, independent[1:], strict=True):
        if not ok:
            dropped[name] = "a linear combination of other covariates"
    columns = tuple(n for n, ok in zip(keep, independent[1:], strict=True) if ok)
    design = design[:, independent]
    y = np.asarray(treated, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, PerfectSeparationWarning, RuntimeWarning))
        fit = sm.Logit(y, design).fit(method="newton", maxiter=100, disp=0, warn_convergence=False)
    logit = design @ fit.params
    # Newton's parameter-change test can fail on nearly collinear covariates (e.g. baseline status shares that
    # almost sum to one) although the likelihood is at its maximum; a vanishing score says it is.
    # Under separation the gradient also vanishes, but only as the logits run off to infinity: bounded
    # fitted odds (|logit| < 30, p within 1e−13 of 0 or 1) tell a maximum from separation.
    at_maximum = bool(np.max(np.abs(fit.model.score(fit.params))) < 1e-8 * max(len(y), 1)) and bool(
        np.max(np.abs(design @ fit.params)) < 30
    )
    converged = (bool(fit.mle_retvals.get("converged", True)) or at_maximum) and bool(np.all(np.isfinite(logit)))
    score = 1 / (1 + np.exp(-logit))
    return PropensityModel(score, logit, columns, dropped, converged)


def common_support(distance: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """Units inside common support: treated within the comparison range, comparison within the treated range.

    The min–max rule (Dehejia & Wahba 1999). Intervention units outside it
    have no comparable comparison unit — their effect would be
    extrapolated — and comparison units outside it resemble no intervention
    unit.
    """
    treated = np.asarray(treated, dtype=bool)
    if not treated.any() or treated.all():
        return np.zeros(len(treated), dtype=bool)
    lo_c, hi_c = distance[~treated].min(), distance[~treated].max()
    lo_t, hi_t = distance[treated].min(), distance[treated].max()
    return np.where(treated, (distance >= lo_c) & (distance <= hi_c), (distance >= lo_t) & (distance <= hi_t))


def pooled_sd(values: np.ndarray, treated: np.ndarray) -> float:
    """√((s²_treated + s²_comparison)/2), sample variances: the standardiser of calipers and SMDs."""
    t, c = values[treated], values[~treated]
    var_t = t.var(ddof=1) if len(t) > 1 else 0.0
    var_c = c.var(ddof=1) if len(c) > 1 else 0.0
    return float(np.sqrt((var_t + var_c) / 2))


def nearest_neighbour(
    distance: np.ndarray,
    treated: np.ndarray,
    *,
    ratio: int = 1,
    caliper: float | None = None,
    replace: bool = False,
    exact: np.ndarray | None = None,
    order: Order = "largest",
    support: np.ndarray | None = None,
) -> Matching:
    """Match each intervention unit to its ``ratio`` nearest comparison units on ``distance``.

    Parameters
    ----------
    distance
        One value per unit (e.g. the logit of the propensity score).
    treated
        True for intervention units.
    ratio
        Matches per intervention unit (k:1).
    caliper
        Largest allowed absolute difference in ``distance``; ``None`` for none.
    replace
        Whether a comparison unit may serve several intervention units.
    exact
        Integer cell per unit: matches only within the same cell.
    order
        Without replacement, the order intervention units choose in:
        ``largest`` distance first (MatchIt's default for propensity
        scores), ``smallest`` first or ``data`` order. In each of ``ratio``
        rounds every unit gets one more match.
    support
        Units allowed to take part (e.g. :func:`common_support`); others
        get weight 0 and treated ones are counted as dropped.

    Notes
    -----
    Ties go to the comparison unit that sorts first: between equally near
    units below and above, the one below; among units with the same
    distance (without replacement), the first in data order, as MatchIt
    does. Everything is deterministic.
    """
    treated = np.asarray(treated, dtype=bool)
    n = len(distance)
    cells = np.zeros(n, dtype=np.int64) if exact is None else np.asarray(exact, dtype=np.int64)
    allowed = np.ones(n, dtype=bool) if support is None else np.asarray(support, dtype=bool)
    dropped = {"outside_common_support": int(np.count_nonzero(treated & ~allowed))}
    pool = np.flatnonzero(~treated & allowed)
    pool = pool[np.lexsort((pool, distance[pool], cells[pool]))]
    pool_d = distance[pool]
    pool_cells = cells[pool]
    units = np.flatnonzero(treated & allowed)
    # Each unit's cell as a range of the sorted pool, and where its distance would be inserted.
    cell_ids, starts = np.unique(pool_cells, return_index=True)
    ends = np.append(starts[1:], len(pool))
    where = np.searchsorted(cell_ids, cells[units])
    has_cell = (where < len(cell_ids)) & (cell_ids[np.minimum(where, len(cell_ids) - 1)] == cells[units])
    dropped["no_comparison_in_exact_cell"] = int(np.count_nonzero(~has_cell))
    units, where = units[has_cell], where[has_cell]
    lo, hi = starts[where], ends[where]
    insert = _insert_positions(pool_d, pool_cells, distance[units], cells[units], lo, hi)
    limit = np.inf if caliper is None else float(caliper)
    if replace:
        pairs = _with_replacement(pool_d, distance[units], insert, lo, hi, ratio, limit)
    else:
        rank = {"largest": -distance[units], "smallest": distance[units], "data": units.astype(float)}[order]
        choose = np.argsort(rank, kind="stable")
        pairs = _greedy(pool_d, distance[units], insert, lo, hi, ratio, limit, choose)
    who, slot, dist, rnd = pairs
    frame = pd.DataFrame({"treated": units[who], "control": pool[slot], "distance": dist, "round": rnd})
    matched = np.bincount(who, minlength=len(units))
    dropped["no_match_within_caliper"] = int(np.count_nonzero(matched == 0))
    weights = np.zeros(n)
    weights[units[matched > 0]] = 1.0
    share = 1.0 / matched[who]
    np.add.at(weights, pool[slot], share)
    return Matching(weights, frame, {k: v for k, v in dropped.items() if v}, limit if caliper is not None else np.nan)


def _insert_positions(
    pool_d: np.ndarray, pool_cells: np.ndarray, d: np.ndarray, c: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Where each distance would be inserted within its cell's run of the sorted pool.

    The pool is sorted by (cell, distance); a search on the pair is a
    search on distance within the cell's run.
    """
    out = np.empty(len(d), dtype=np.int64)
    for cell in np.unique(c):  # one search per exact cell, not per unit
        mine = c == cell
        a, b = lo[mine][0], hi[mine][0]
        out[mine] = a + np.searchsorted(pool_d[a:b], d[mine], side="left")
    return out


def _with_replacement(
    pool_d: np.ndarray, d: np.ndarray, insert: np.ndarray, lo: np.ndarray, hi: np.ndarray, ratio: int, limit: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The ``ratio`` nearest of each unit among the ``ratio`` sorted neighbours on either side."""
    offsets = np.arange(-ratio, ratio)
    cand = insert[:, None] + offsets[None, :]
    valid = (cand >= lo[:, None]) & (cand < hi[:, None])
    gap = np.where(valid, np.abs(pool_d[np.clip(cand, 0, len(pool_d) - 1)] - d[:, None]), np.inf)
    # Stable sort on the gap: among equal gaps the lower sorted position (left) comes first.
    best = np.argsort(gap, axis=1, kind="stable")[:, :ratio]
    gap_best = np.take_along_axis(gap, best, axis=1)
    slot = np.take_along_axis(cand, best, axis=1)
    ok = np.isfinite(gap_best) & (gap_best <= limit)  # padding beyond a cell's end is never a match
    who = np.broadcast_to(np.arange(len(d))[:, None], ok.shape)[ok]
    rnd = np.broadcast_to(np.arange(ratio)[None, :], ok.shape)[ok]
    return who, slot[ok], gap_best[ok], rnd


def _greedy(
    pool_d: np.ndarray,
    d: np.ndarray,
    insert: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    ratio: int,
    limit: float,
    choose: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Greedy matching without replacement, ``ratio`` rounds in the order ``choose``."""
    m = len(pool_d)
    # Pointer forests: the root of right[i] is the first free position ≥ i (m: none); the root of
    # left[i + 1] is one more than the last free position ≤ i (0: none).
    right = np.arange(m + 1)
    left = np.arange(m + 1)
    done = np.zeros(len(d), dtype=bool)
    out_who: list[int] = []
    out_slot: list[int] = []
    out_gap: list[float] = []
    out_round: list[int] = []
    pool_list = pool_d.tolist()
    for rnd in range(ratio):
        for i in choose.tolist():
            if done[i]:
                continue
            a, b, x = int(lo[i]), int(hi[i]), float(d[i])
            r = _find(right, int(insert[i]))
            l_ = _find(left, int(insert[i])) - 1
            if a <= l_:  # among free units with exactly this distance, the first in sort order
                l_ = _find(right, a + int(np.searchsorted(pool_d[a:b], pool_list[l_], side="left")))
            gap_r = pool_list[r] - x if a <= r < b else np.inf
            gap_l = x - pool_list[l_] if a <= l_ < b else np.inf
            slot, gap = (l_, gap_l) if gap_l <= gap_r else (r, gap_r)
            if not (np.isfinite(gap) and gap <= limit):
                done[i] = True  # nothing free (within the caliper) now, and never will be
                continue
            out_who.append(i)
            out_slot.append(slot)
            out_gap.append(gap)
            out_round.append(rnd)
            right[slot] = slot + 1
            left[slot + 1] = slot
    return (
        np.asarray(out_who, dtype=np.int64),
        np.asarray(out_slot, dtype=np.int64),
        np.asarray(out_gap, dtype=float),
        np.asarray(out_round, dtype=np.int64),
    )


def _find(parent: np.ndarray, i: int) -> int:
    """Root of ``i`` in a pointer forest, compressing the path walked."""
    root = i
    while parent[root] != root:
        root = int(parent[root])
    while parent[i] != root:
        parent[i], i = root, int(parent[i])
    return root


def ipw_weights(score: np.ndarray, treated: np.ndarray, support: np.ndarray | None = None) -> Matching:
    """Weights for the effect on the treated: 1 for intervention units, ``p/(1−p)`` for comparison units.

    Comparison weights are normalised to sum to the number of intervention
    units (Hájek), so weighted means are means. Units outside ``support``
    get 0; intervention units outside it are reported as dropped.
    """
    treated = np.asarray(treated, dtype=bool)
    allowed = np.ones(len(score), dtype=bool) if support is None else np.asarray(support, dtype=bool)
    odds = np.where(allowed & ~treated, score / np.clip(1 - score, 1e-12, None), 0.0)
    n_t = int(np.count_nonzero(treated & allowed))
    total = odds.sum()
    weights = np.where(treated & allowed, 1.0, odds * (n_t / total if total > 0 else 0.0))
    dropped = {"outside_common_support": int(np.count_nonzero(treated & ~allowed))}
    pairs = pd.DataFrame({"treated": np.zeros(0, int), "control": np.zeros(0, int), "distance": [], "round": []})
    return Matching(weights, pairs, {k: v for k, v in dropped.items() if v})
