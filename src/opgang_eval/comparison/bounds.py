"""Lee (2009) bounds: what randomisation still says about an effect measured on a selected group.

Two of the trial's comparisons are of groups the intervention itself may
have changed. The flexjob share is among the parents in work or education in
``E`` — an outcome after randomisation; and every share at ``E`` leaves out the
parents without a status in ``E`` (moved, died, left the registers), whose
number may differ by arm. Lee's trimming bounds assume only that the
intervention moves selection one way (monotonicity): the arm with the larger
selected share holds (q_more − q_less)/q_more "extra" selected persons, and
trimming that share from the top or the bottom of its outcomes gives the
smallest and largest effect among those who would be selected either way.

The outcomes here are yes/no, so the trimmed means have a closed form:
with a share m of yeses among the selected and p trimmed, the lower mean is
max(0, (m − p)/(1 − p)) and the upper min(1, m/(1 − p)). The interval is the
percentile bootstrap of families within arms (lower bound's 2.5 % and upper
bound's 97.5 % quantile: it covers the whole identified set with at least
95 %), the same resamples of families for every share, all draws as one
matrix product of family multiplicities and per-family counts. Randomised design only:
without random assignment the selected groups are not comparable to begin
with.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config
from ..measures.frames import Frames
from ..measures.headline import SHARES
from ..measures.intervals import rng_for

__all__ = ["BOUNDS_COLUMNS", "lee_bounds", "lee_table", "resample_weights"]

BOUNDS_COLUMNS = (
    "measure",
    "selection",
    "selected_intervention",
    "selected_control",
    "trimmed_arm",
    "trimmed_share",
    "lower",
    "upper",
    "ci_low",
    "ci_high",
    "reason",
)


def resample_weights(treated: np.ndarray, draws: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Per arm (intervention, control), draws × families: how often each family is drawn in each resample.

    Families are drawn with replacement within their arm; the multiplicities
    come from one ``bincount`` of all draws, so each bound's resampled totals
    are one matrix product with its per-family counts.
    """
    out = []
    for arm in (treated, ~treated):
        n = int(arm.sum())
        picks = rng.integers(0, n, size=(draws, n)) + np.arange(draws)[:, None] * n
        out.append(np.bincount(picks.ravel(), minlength=draws * n).reshape(draws, n).astype(float))
    return out


def lee_bounds(
    counts: np.ndarray, treated: np.ndarray, weights: list[np.ndarray], level: float = 0.95
) -> dict[str, object]:
    """Lee bounds of the difference in a yes share among the selected, with a family-bootstrap interval.

    Parameters
    ----------
    counts
        Families × 3: persons, persons selected, selected persons with a yes.
    treated
        Each family's arm (``True`` = intervention).
    weights
        The resamples of each arm's families (:func:`resample_weights`).
    """
    arms = [counts[treated], counts[~treated]]
    point = _bounds(np.stack([a.sum(axis=0) for a in arms])[None])
    if not np.isfinite(point["lower"][0]):
        return {"reason": "an arm has nobody selected, so there is no share to bound"}
    boot = _bounds(np.stack([w @ a for w, a in zip(weights, arms, strict=True)], axis=1))
    alpha = 1 - level
    q = point["q"][0]
    return {
        "selected_intervention": float(q[0]),
        "selected_control": float(q[1]),
        "trimmed_arm": "intervention" if q[0] >= q[1] else "control",
        "trimmed_share": float(point["p"][0]),
        "lower": float(point["lower"][0]),
        "upper": float(point["upper"][0]),
        "ci_low": float(np.nanquantile(boot["lower"], alpha / 2)),
        "ci_high": float(np.nanquantile(boot["upper"], 1 - alpha / 2)),
    }


def _bounds(totals: np.ndarray) -> dict[str, np.ndarray]:
    """Bounds for draws × arms (intervention, control) × (persons, selected, yes) totals."""
    n, s, f = totals[..., 0], totals[..., 1], totals[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = s / n
        m = f / s
        more = q[:, 0] >= q[:, 1]
        p = np.where(more, (q[:, 0] - q[:, 1]) / q[:, 0], (q[:, 1] - q[:, 0]) / q[:, 1])
        trimmed = np.where(more, m[:, 0], m[:, 1])
        low = np.clip((trimmed - p) / (1 - p), 0, 1)
        high = np.clip(trimmed / (1 - p), 0, 1)
    # Trimming the intervention arm bounds its mean; trimming the control arm bounds the control mean.
    lower = np.where(more, low - m[:, 1], m[:, 0] - high)
    upper = np.where(more, high - m[:, 1], m[:, 0] - low)
    return {"q": q, "p": p, "lower": lower, "upper": upper}


def lee_table(fr: Frames, cfg: Config) -> pd.DataFrame:
    """Lee bounds of every share at ``E``; one row per share, ``reason`` where there are none.

    Selection is having a status in ``E`` (the parents without one are left
    out of every share) and, for the flexjob share among those in work, having
    a status and being in work or education; both of all the arm's parents.
    """
    parents = fr.parents[fr.parents["arm"].isin(["intervention", "control"]).to_numpy()]
    if parents.empty or parents["arm"].nunique() < 2:
        return pd.DataFrame(columns=list(BOUNDS_COLUMNS))
    pc = parents["pc"].to_numpy()
    families, fam = np.unique(parents["fc"].to_numpy(), return_inverse=True)
    treated = np.zeros(len(families), dtype=bool)
    treated[fam] = (parents["arm"] == "intervention").to_numpy()
    status = fr.status_at_end()[pc]
    has = status >= 0
    work = fr.status_in(status, cfg.work_or_education)
    weights = resample_weights(treated, cfg.bootstrap_replicates, rng_for(cfg.seed, "lee"))
    rows = []
    for measure, (which, among_work) in SHARES.items():
        statuses = cfg.work_or_education if which == "work_or_education" else (which,)
        yes = fr.status_in(status, statuses)
        # Selected among all parents: the flexjob share is of those with a status *and* in work, and both may
        # differ by arm (bounding the work condition alone would ignore the attrition before it).
        selected = has & work if among_work else has
        per_person = np.column_stack([np.ones(len(pc)), selected, yes & selected]).astype(float)
        counts = np.stack([np.bincount(fam, per_person[:, j], len(families)) for j in range(3)], axis=1)
        row = {"measure": measure, "selection": "in_work_or_education" if among_work else "status_in_end"}
        rows.append(row | lee_bounds(counts, treated, weights))
    return pd.DataFrame(rows, columns=list(BOUNDS_COLUMNS))
