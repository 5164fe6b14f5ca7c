"""Each effect's inference panel: CR1, CR2, the wild cluster bootstrap and randomisation inference side by side.

The draws are made once per evaluation (:func:`resamples`) and shared by
every effect: the same re-randomisations and the same wild weights for each
outcome, so that the family-wise adjustment (:mod:`.multiplicity`) sees
their joint distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..config import Config
from ..measures.frames import Frames
from ..measures.intervals import rng_for
from ..results import NullDraws
from .design import ComparisonDesign
from .inference import Regression, Resampled, assignments, cr2, randomisation, t_p_value, wild_bootstrap, wild_codes

__all__ = ["INFERENCE_COLUMNS", "METHODS", "Resamples", "inference_panel", "resamples", "unavailable_panel"]

#: The panel's rows, in order.
METHODS = ("CR1", "CR2", "wild_bootstrap", "randomisation")

#: The panel's columns (``method`` is the index).
INFERENCE_COLUMNS = ("estimate", "std_error", "df", "p_value", "ci_low", "ci_high", "draws", "exact", "reason")

#: Why randomisation inference is not given for a comparison group that was not randomised.
NOT_RANDOMISED = (
    "not valid in an observational design: the comparison group was not randomised, so there is no "
    "assignment to re-randomise"
)


#: Above this many families behind the comparison the resampling methods are not run: the cluster-robust t is
#: accurate with thousands of clusters (and CR2 is given), while draws × families grows past what a national
#: register evaluation should wait for (10,000 families: +12 s per evaluation on the 2-core machine).
RESAMPLE_MAX_FAMILIES = 2000


@dataclass(frozen=True)
class Resamples:
    """The evaluation's shared draws, as columns per family code.

    Attributes
    ----------
    column
        Family code → column of the draws (−1: a family that enters no
        effect, e.g. a comparison family with weight 0).
    wild, wild_values
        Draws × columns wild-bootstrap weights as int8 codes into
        ``wild_values`` (:func:`~.inference.wild_codes`): one byte per draw
        and family, for register pools of many families.
    assigned, exact
        Re-randomisations × columns (randomised design; ``None`` otherwise)
        and whether they are all the assignments the trial could have made.
    strata
        Each column's stratum code (``None``: one stratum).
    skipped
        Why no draws were made (more than :data:`RESAMPLE_MAX_FAMILIES`
        families); ``None`` when they were.
    """

    column: np.ndarray
    wild: np.ndarray | None
    wild_values: np.ndarray
    assigned: np.ndarray | None
    exact: bool
    strata: np.ndarray | None
    skipped: str | None = None


def resamples(fr: Frames, design: ComparisonDesign, cfg: Config) -> Resamples | None:
    """Draw the wild weights and re-randomisations once for all effects (``None`` without a comparison)."""
    families = fr.codes.families
    arm = families["arm"].astype("str").to_numpy()
    if design.family == "randomised":
        used = np.isin(arm, ("intervention", "control"))
    elif design.family == "observational" and design.weights is not None:
        used = (arm == "intervention") | (np.asarray(design.weights) > 0)
    else:
        return None
    column = np.full(len(families), -1)
    column[used] = np.arange(int(used.sum()))
    if used.sum() > RESAMPLE_MAX_FAMILIES:
        why = (
            f"not run with more than {RESAMPLE_MAX_FAMILIES:,} families: the cluster-robust t is accurate with so many "
            "families (see CR2)"
        )
        return Resamples(column, None, np.empty(0), None, False, None, why)
    strata = None
    if design.family == "randomised":
        # A family without a stratum is re-randomised among the others without one (its own group), never
        # across the strata: one missing value must not turn the stratified test into an unstratified one.
        raw = families["stratum"][used].astype("str")
        if raw.nunique(dropna=False) > 1:
            strata = pd.factorize(raw, sort=True, use_na_sentinel=False)[0]
    draws = cfg.inference_draws
    wild, values = wild_codes(strata, int(used.sum()), draws, rng_for(cfg.seed, "inference", "wild"))
    assigned, exact = None, False
    if design.family == "randomised":
        treated = arm[used] == "intervention"
        assigned, exact = assignments(treated, strata, draws, rng_for(cfg.seed, "inference", "randomisation"))
    return Resamples(column, wild, values, assigned, exact, strata)


_DTYPES = {"draws": "int64", "exact": "bool", "reason": "object"}


def _frame(rows: dict[str, dict[str, object]]) -> pd.DataFrame:
    """The panel from each method's row (missing values: NaN, 0 draws, not exact, no reason), built by columns."""
    empty = {"draws": 0, "exact": False, "reason": None}
    columns = {
        c: np.array([rows.get(m, {}).get(c, empty.get(c, np.nan)) for m in METHODS], dtype=_DTYPES.get(c, "float64"))
        for c in INFERENCE_COLUMNS
    }
    return pd.DataFrame(columns, index=pd.Index(METHODS, name="method"))


def unavailable_panel(reason: str) -> pd.DataFrame:
    """A panel whose every row gives ``reason`` (an effect that was not estimated, or not by regression)."""
    return _frame({m: {"reason": reason} for m in METHODS})


def inference_panel(
    reg: Regression,
    fc: np.ndarray,
    cr1: tuple[float, float, float, float, float],
    design: ComparisonDesign,
    shared: Resamples,
    level: float,
) -> tuple[pd.DataFrame, NullDraws | None]:
    """Every method's row for the effect fitted in ``reg``, whose clusters are the families ``fc``.

    ``cr1`` is the effect's own (estimate, std_error, p_value, ci_low,
    ci_high). The multiplicity adjustment uses the randomisation draws in a
    randomised design and the wild bootstrap's otherwise.
    """
    estimate, se1, p1, low1, high1 = cr1
    g = reg.n_clusters
    rows: dict[str, dict[str, object]] = {
        "CR1": {"std_error": se1, "df": g - 1, "p_value": p1, "ci_low": low1, "ci_high": high1}
    }
    if not se1 > 0:  # e.g. nobody in flexjob in either arm (the effect's error of rounding noise is 0)
        why = "the outcome does not vary between families, so there is no t statistic to test"
        rows |= {m: {"reason": why} for m in METHODS[1:]}
        return _panel_frame(rows, estimate), None
    se2, df2 = cr2(reg)
    crit = float(stats.t.ppf(0.5 + level / 2, df2)) if math.isfinite(df2) and df2 > 0 else float("nan")
    rows["CR2"] = {
        "std_error": se2,
        "df": df2,
        "p_value": t_p_value(estimate / se2, df2) if se2 > 0 else float("nan"),
        "ci_low": estimate - crit * se2,
        "ci_high": estimate + crit * se2,
    }
    if shared.skipped is not None or shared.wild is None:
        skipped: dict[str, dict[str, object]] = {m: {"reason": shared.skipped or ""} for m in METHODS[2:]}
        return _panel_frame(rows | skipped, estimate), None
    fitted = reg.fit()  # the coefficient and CR1 error in the resampling tests' own arithmetic, for their t
    columns = shared.column[fc]
    strata = None if shared.strata is None else shared.strata[columns]
    reg = Regression(reg.y, reg.x, reg.term, reg.cluster, reg.weights, reg.treated, reg.moving, strata)
    wild, wild_t = wild_bootstrap(reg, shared.wild_values[shared.wild[:, columns]], level, fitted)
    rows["wild_bootstrap"] = _resampled(wild)
    draws = NullDraws("wild_bootstrap", wild_t, None, False, estimate / se1)
    if shared.assigned is not None:
        test, ri_t = randomisation(reg, shared.assigned[:, columns], shared.exact, level, fitted)
        rows["randomisation"] = _resampled(test)
        draws = NullDraws("randomisation", ri_t, test.null_estimates, test.exact, estimate / se1)
    else:
        rows["randomisation"] = {"reason": NOT_RANDOMISED}
    return _panel_frame(rows, estimate), draws


def _panel_frame(rows: dict[str, dict[str, object]], estimate: float) -> pd.DataFrame:
    """The panel, with the effect's estimate in every row a method computed (not in one that gives a reason)."""
    return _frame({m: row if "reason" in row else {"estimate": estimate} | row for m, row in rows.items()})


def _resampled(test: Resampled) -> dict[str, object]:
    return {
        "p_value": test.p_value,
        "ci_low": test.ci_low,
        "ci_high": test.ci_high,
        "draws": test.draws,
        "exact": test.exact,
    }
