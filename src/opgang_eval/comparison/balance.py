"""Covariate balance before and after matching or weighting.

For each covariate the table gives both groups' means before (all units)
and after (matching or weighting weights), the standardised mean
difference (SMD) and the variance ratio, and the What Works Clearinghouse
verdict on the SMD after adjustment.

SMD = (mean_treated − mean_comparison) / s, where by default
s = √((s²_treated + s²_comparison)/2) is the pooled standard deviation of
the *unmatched* sample. The same ``s`` is used before and after, so the
SMD moves only when the means move — matching cannot look better by
shrinking the denominator (MatchIt and cobalt also keep it fixed; for the
effect on the treated they use the treated group's SD, ``sd="treated"``).
As in MatchIt and cobalt, a group's SD is the sample SD (n − 1) for a
continuous covariate and √(p(1 − p)) for a binary one.
The variance ratio is s²_treated / s²_comparison with weighted variances
after adjustment (Σw(x−m)² · Σw / ((Σw)² − Σw²)); it is not shown for
binary covariates, whose variance is fixed by their mean.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["WWC_ADJUST", "WWC_SATISFIED", "balance_table", "wwc_flag"]

#: What Works Clearinghouse (Standards Handbook v5.0): |SMD| ≤ 0.05 satisfies baseline equivalence,
#: 0.05–0.25 requires statistical adjustment, > 0.25 does not satisfy it.
WWC_SATISFIED = 0.05
WWC_ADJUST = 0.25


def wwc_flag(smd: float) -> str:
    """``satisfied``, ``adjust`` or ``fails`` for an SMD (``""`` when it is not a number)."""
    if not np.isfinite(smd):
        return ""
    size = abs(smd)
    return "satisfied" if size <= WWC_SATISFIED else "adjust" if size <= WWC_ADJUST else "fails"


def _mean_var(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted means and (reliability-weighted, unbiased) variances of the columns of ``x``."""
    total = w.sum()
    mean = (w @ x) / total
    dev = (x - mean) ** 2
    denom = total - (w**2).sum() / total
    var = (w @ dev) / denom if denom > 0 else np.full(x.shape[1], np.nan)
    return mean, var


def balance_table(
    x: pd.DataFrame, treated: np.ndarray, weights: np.ndarray, sd: Literal["pooled", "treated"] = "pooled"
) -> pd.DataFrame:
    """Balance of every column of ``x`` before and after adjustment.

    Parameters
    ----------
    x
        One row per unit, one numeric column per covariate.
    treated
        True for intervention units.
    weights
        Matching or weighting weights (0 = left out).
    sd
        Denominator of the SMD: the pooled SD of the unmatched sample
        (default) or the treated group's SD.

    Returns
    -------
    DataFrame
        One row per covariate: ``binary``, ``mean_treated``,
        ``mean_comparison``, ``smd``, ``variance_ratio`` (before), the same
        with ``_after``, ``smd_after_all_treated`` (every intervention unit
        against the adjusted comparison group), ``scale`` (the SMD's
        denominator), ``flag`` (WWC on ``smd_after``) and the unit counts
        behind each group (``n_treated``, ``n_comparison`` and ``_after``)
        and of units with a non-zero value (``count_treated`` …, for a binary
        covariate those with value 1), which disclosure control needs.
    """
    treated = np.asarray(treated, dtype=bool)
    values = x.to_numpy(dtype=float)
    ones = np.ones(len(x))
    groups = {"treated": treated, "comparison": ~treated}
    before = {g: _mean_var(values[m], ones[m]) for g, m in groups.items()}
    after = {g: _mean_var(values[m & (weights > 0)], weights[m & (weights > 0)]) for g, m in groups.items()}
    binary = np.all((values == 0) | (values == 1), axis=0)
    spread = {g: np.where(binary, before[g][0] * (1 - before[g][0]), before[g][1]) for g in groups}
    scale = np.sqrt(spread["treated"] if sd == "treated" else (spread["treated"] + spread["comparison"]) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        table = pd.DataFrame(
            {
                "covariate": list(x.columns),
                "binary": binary,
                "mean_treated": before["treated"][0],
                "mean_comparison": before["comparison"][0],
                "smd": (before["treated"][0] - before["comparison"][0]) / scale,
                "variance_ratio": np.where(binary, np.nan, before["treated"][1] / before["comparison"][1]),
                "mean_treated_after": after["treated"][0],
                "mean_comparison_after": after["comparison"][0],
                "smd_after": (after["treated"][0] - after["comparison"][0]) / scale,
                # All intervention units against the adjusted comparison group (shown when the few left out of
                # the matched sample must not be recoverable from the matched means).
                "smd_after_all_treated": (before["treated"][0] - after["comparison"][0]) / scale,
                "scale": scale,
                "variance_ratio_after": np.where(binary, np.nan, after["treated"][1] / after["comparison"][1]),
            }
        )
    table["flag"] = [wwc_flag(v) for v in table["smd_after"]]
    for g, m in groups.items():
        used = m & (weights > 0)
        table[f"n_{g}"] = int(m.sum())
        table[f"n_{g}_after"] = int(used.sum())
        table[f"count_{g}"] = (values[m] != 0).sum(axis=0)
        table[f"count_{g}_after"] = (values[used] != 0).sum(axis=0)
    return table
