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
from ..measures.headline import SHARES, absence_periods
from ..measures.intervals import rng_for

__all__ = ["BOUNDS_COLUMNS", "lee_bounds", "lee_means", "lee_table", "resample_weights"]

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
    "kept",
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
    q = point["q"][0]
    kept = (1 - float(point["p"][0])) * float(arms[0 if q[0] >= q[1] else 1][:, 1].sum())
    return _row(point, boot, kept, level)


def _row(point: dict[str, np.ndarray], boot: dict[str, np.ndarray], kept: float, level: float) -> dict[str, object]:
    """A row of the table from the point bounds and the bootstrap's (``kept``: persons left in the trimmed arm)."""
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
        "kept": kept,
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
    """Lee bounds of every share at ``E`` and of the absence change; one row each, ``reason`` where there are none.

    Selection is having a status in ``E`` (the parents without one are left
    out of every share); for the flexjob share among those in work, having a
    status and being in work or education; for the absence change, a child
    having both school years. Each of all the arm's parents or children.
    """
    codes = fr.codes.families
    arm = codes["arm"].astype("str").to_numpy()
    randomised = np.flatnonzero(np.isin(arm, ("intervention", "control")))
    if len(np.unique(arm[randomised])) < 2:
        return pd.DataFrame(columns=list(BOUNDS_COLUMNS))
    position = np.full(len(codes), -1)
    position[randomised] = np.arange(len(randomised))
    treated = arm[randomised] == "intervention"
    weights = resample_weights(treated, cfg.bootstrap_replicates, rng_for(cfg.seed, "lee"))
    parents = fr.parents[fr.parents["arm"].isin(["intervention", "control"]).to_numpy()]
    fam = position[parents["fc"].to_numpy()]
    status = fr.status_at_end()[parents["pc"].to_numpy()]
    has = status >= 0
    work = fr.status_in(status, cfg.work_or_education)
    rows = []
    for measure, (which, among_work) in SHARES.items():
        statuses = cfg.work_or_education if which == "work_or_education" else (which,)
        yes = fr.status_in(status, statuses)
        # Selected among all parents: the flexjob share is of those with a status *and* in work, and both may
        # differ by arm (bounding the work condition alone would ignore the attrition before it).
        selected = has & work if among_work else has
        per_person = np.column_stack([np.ones(len(status)), selected, yes & selected]).astype(float)
        counts = np.stack([np.bincount(fam, per_person[:, j], len(randomised)) for j in range(3)], axis=1)
        row = {"measure": measure, "selection": "in_work_or_education" if among_work else "status_in_end"}
        rows.append(row | lee_bounds(counts, treated, weights))
    absence = _absence(fr, position, treated, weights)
    if absence is not None:
        rows.append({"measure": "school_absence_change", "selection": "both_school_years"} | absence)
    return pd.DataFrame(rows, columns=list(BOUNDS_COLUMNS))


def _absence(
    fr: Frames, position: np.ndarray, treated: np.ndarray, weights: list[np.ndarray]
) -> dict[str, object] | None:
    """Lee bounds of the mean change in a child's absence rate, among children with both school years.

    The effect in the results is the difference-in-differences of pooled
    rates (weighted by school days); trimming works on persons, so the bounds
    are of the unweighted mean change per child — the same comparison, each
    child counting once. ``None`` without the absence table.
    """
    children = fr.children[fr.children["arm"].isin(["intervention", "control"]).to_numpy()]
    by_arm = {a: absence_periods(fr, a) for a in ("intervention", "control")}
    if any(p is None for p in by_arm.values()):
        return None
    base = np.bincount(position[children["fc"].to_numpy()], minlength=len(treated)).astype(float)
    values, families = [], []
    for a in ("intervention", "control"):
        periods = by_arm[a]
        assert periods is not None
        change = (periods["days_absent_post"] / periods["school_days_post"]).to_numpy(dtype=float) - (
            periods["days_absent_pre"] / periods["school_days_pre"]
        ).to_numpy(dtype=float)
        values.append(change)
        families.append(position[periods["fc"].to_numpy()])
    if any(len(v) == 0 for v in values):
        return {"reason": "an arm has no child with both school years"}
    selected = np.bincount(np.concatenate(families), minlength=len(treated)).astype(float)
    return lee_means(values, families, base, selected, treated, weights)


def lee_means(
    values: list[np.ndarray],
    families: list[np.ndarray],
    base: np.ndarray,
    selected: np.ndarray,
    treated: np.ndarray,
    weights: list[np.ndarray],
    level: float = 0.95,
) -> dict[str, object]:
    """Lee bounds of a difference in means of a continuous outcome among the selected, with the bootstrap interval.

    ``values`` and ``families`` hold, per arm (intervention, control), each
    selected person's outcome and family position; ``base`` and ``selected``
    count each family's persons and selected persons. A resample weighs each
    person by its family's multiplicity; the trimmed means are then weighted
    and fractional at the cut, computed for all draws at once from the
    cumulative weights of the sorted outcomes (no loop over draws).
    """
    members = [np.flatnonzero(treated), np.flatnonzero(~treated)]
    local = []
    for arm, fam in enumerate(families):  # family position → column of that arm's resample weights
        column = np.full(len(treated), -1)
        column[members[arm]] = np.arange(len(members[arm]))
        local.append(column[fam])
    point_w = [np.ones((1, len(m))) for m in members]
    point = _trimmed(values, local, point_w, base, selected, members)
    boot = _trimmed(values, local, weights, base, selected, members)
    q = point["q"][0]
    kept = (1 - float(point["p"][0])) * len(values[0 if q[0] >= q[1] else 1])
    return _row(point, boot, kept, level)


# A resample may hold no selected person of an arm (its families all without one): that draw is NaN, and the
# interval's quantiles leave it out.
@np.errstate(divide="ignore", invalid="ignore")
def _trimmed(
    values: list[np.ndarray],
    local: list[np.ndarray],
    weights: list[np.ndarray],
    base: np.ndarray,
    selected: np.ndarray,
    members: list[np.ndarray],
) -> dict[str, np.ndarray]:
    """Lee bounds for draws × families multiplicities of each arm (one row: the point estimate)."""
    q = np.column_stack([w @ selected[m] / (w @ base[m]) for w, m in zip(weights, members, strict=True)])
    more = q[:, 0] >= q[:, 1]
    p = np.where(more, (q[:, 0] - q[:, 1]) / q[:, 0], (q[:, 1] - q[:, 0]) / q[:, 1])
    stats = []
    for arm in (0, 1):
        order = np.argsort(values[arm], kind="stable")
        y, w = values[arm][order], weights[arm][:, local[arm][order]]  # draws × persons, sorted by outcome
        total = w.sum(axis=1)
        trim = np.where(more == (arm == 0), p, 0.0)  # only the arm with more selected is trimmed
        keep = (1 - trim) * total
        mean = (w @ y) / total
        low = _kept_mean(y, w, keep)
        high = _kept_mean(y[::-1], w[:, ::-1], keep)
        stats.append((mean, low, high))
    (m1, low1, high1), (m0, low0, high0) = stats
    lower = np.where(more, low1 - m0, m1 - high0)
    upper = np.where(more, high1 - m0, m1 - low0)
    return {"q": q, "p": p, "lower": lower, "upper": upper}


def _kept_mean(y: np.ndarray, w: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Mean of the first ``keep`` units of weight of ``y`` (in its order), the last one cut fractionally."""
    before = np.cumsum(w, axis=1) - w
    kept = np.clip(keep[:, None] - before, 0.0, w)
    return (kept @ y) / keep
