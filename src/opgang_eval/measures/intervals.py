"""Confidence intervals: Wilson for shares, family bootstrap for ratios.

The bootstrap resamples whole families — the unit that was randomised and
within which persons are correlated — and is vectorised: each chunk of
replicates is one integer index matrix, so there is no Python loop per
replicate.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "BootstrapInterval",
    "bootstrap_means",
    "bootstrap_ratio_change",
    "percentile_interval",
    "rng_for",
    "wilson",
]

#: Upper bound of index-matrix cells held at once (replicates × families).
_CHUNK_CELLS = 4_000_000


def wilson(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion.

    Preferred over the Wald interval because it stays inside [0, 1] and
    keeps its coverage for small groups and shares near 0 or 1 — the usual
    situation with a few dozen parents.
    """
    if n <= 0:
        return float("nan"), float("nan")
    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return float(low), float(high)


def rng_for(seed: int, *labels: str) -> np.random.Generator:
    """Independent, reproducible stream per measure (and arm, site…).

    Deriving each stream from the seed and stable labels means adding a
    measure never shifts the random numbers of another.
    """
    keys = [zlib.crc32(label.encode("utf-8")) for label in labels]
    return np.random.default_rng(np.random.SeedSequence([seed, *keys]))


@dataclass(frozen=True)
class BootstrapInterval:
    """Percentile interval and how many replicates defined the statistic."""

    low: float
    high: float
    replicates: int
    undefined: int


def bootstrap_means(values: np.ndarray, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``replicates`` resamples (with replacement) of ``values``, one per family."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    out = np.full(replicates, np.nan)
    if n == 0:
        return out
    chunk = max(1, _CHUNK_CELLS // n)
    for start in range(0, replicates, chunk):
        stop = min(replicates, start + chunk)
        out[start:stop] = values[rng.integers(0, n, size=(stop - start, n))].mean(axis=1)
    return out


def percentile_interval(replicates: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of bootstrap replicates (NaN when there are none)."""
    finite = replicates[np.isfinite(replicates)]
    if finite.size == 0:
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    low, high = np.quantile(finite, [alpha, 1 - alpha])
    return float(low), float(high)


def bootstrap_ratio_change(
    post_num: np.ndarray,
    post_den: np.ndarray,
    pre_num: np.ndarray,
    pre_den: np.ndarray,
    replicates: int,
    rng: np.random.Generator,
    level: float = 0.95,
) -> BootstrapInterval:
    """Percentile interval of ``(Σpost_num/Σpost_den) / (Σpre_num/Σpre_den) − 1``.

    Each argument holds one value per family; a replicate draws as many
    families as there are, with replacement, and recomputes the pooled
    ratio. Replicates in which a denominator (or the baseline rate) is zero
    leave the statistic undefined and are dropped; their number is returned
    so the caller can say so.
    """
    # One contiguous row per quantity: gathering from a contiguous array is
    # much faster than from a column of an (n, 4) array, and the sums are
    # the same (each is still a row sum of the gathered values).
    values = np.vstack([post_num, post_den, pre_num, pre_den]).astype(float)
    n = values.shape[1]
    if n == 0 or replicates < 1:
        return BootstrapInterval(float("nan"), float("nan"), 0, 0)
    chunk = max(1, _CHUNK_CELLS // n)
    out = np.empty(replicates)
    for start in range(0, replicates, chunk):
        stop = min(replicates, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        sums = np.stack([values[j][idx].sum(axis=1) for j in range(4)], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[start:stop] = (sums[:, 0] / sums[:, 1]) / (sums[:, 2] / sums[:, 3]) - 1
    low, high = percentile_interval(out, level)
    return BootstrapInterval(low, high, replicates, int((~np.isfinite(out)).sum()))
