"""Effects against the randomised control arm.

Every effect is a coefficient of a linear model with standard errors
clustered by family (the unit of randomisation), fitted with statsmodels:

* shares — a linear probability model of the person's end status on the
  arm: the coefficient is the difference in percentage points;
* absence — weighted least squares of each child-period's absence rate on
  arm, period and their interaction, weighted by school days, so that the
  interaction is exactly the difference-in-differences of the pooled rates;
* youth jobs — the same design on youth-windows (job yes/no), unweighted.

When every family has a ``stratum``, stratum fixed effects are added: the
design was randomised within strata, and conditioning on them removes the
variation they explain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from ..config import Config
from ..measures.frames import Frames
from ..measures.headline import absence_periods, youth_windows
from ..results import Effect, Result

__all__ = ["SE_CONVENTION", "absence_effect", "regression_effect", "share_effects", "youth_effect"]

SE_CONVENTION = (
    "CR1 cluster-robust standard errors by family (small-sample factor G/(G−1)·(N−1)/(N−K), as Stata's "
    "vce(cluster)); t distribution with G−1 degrees of freedom"
)


def _strata_dummies(strata: pd.Series) -> tuple[np.ndarray, str]:
    """Stratum fixed effects when every row has a stratum and there are several."""
    if strata.isna().any() or strata.nunique() < 2:
        return np.empty((len(strata), 0)), ""
    dummies = pd.get_dummies(strata.astype("str"), drop_first=True, dtype=float).to_numpy()
    return dummies, f", with {strata.nunique()} stratum fixed effects"


def _family_strata(fr: Frames, fc: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """The stratum of each family code in ``fc``."""
    return fr.codes.families["stratum"].array.take(fc)


def regression_effect(
    measure: str,
    y: np.ndarray,
    design: list[np.ndarray],
    term: int,
    groups: np.ndarray,
    weights: np.ndarray | None,
    n: int,
    method: str,
    scale: str,
    parts: dict[str, float],
    level: float = 0.95,
) -> Result:
    """One coefficient of an OLS/WLS fit with CR1 family-clustered errors, as an :class:`Effect`.

    Every effect of the package — randomised or observational — goes
    through here, so they share one standard-error convention
    (:data:`SE_CONVENTION`) and one way of saying that the difference cannot
    be estimated.

    Parameters
    ----------
    y, design, term
        Outcome, regressor columns (stacked into the design matrix) and the
        index of the coefficient reported.
    groups, weights
        Cluster of each row; WLS weights or ``None`` for OLS.
    n, method, scale, parts
        What the :class:`Effect` reports besides the coefficient.
    """
    x = np.column_stack(design)
    model = sm.WLS(y, x, weights=weights) if weights is not None else sm.OLS(y, x)
    _, g = np.unique(groups, return_inverse=True)
    n_groups = int(g.max()) + 1
    if n_groups < 2 or len(y) <= x.shape[1] or np.linalg.matrix_rank(x) < x.shape[1]:
        return Effect.unavailable(
            measure, "effect", "too few families or no variation to estimate the difference", method, n, n_groups
        )
    fit = model.fit(
        cov_type="cluster", cov_kwds={"groups": g, "use_correction": True, "df_correction": True}, use_t=True
    )
    b = float(fit.params[term])
    # Only the reported coefficient's variance: a nuisance one can round to a tiny negative (e.g. a period in
    # which nobody's outcome varies), and taking the square root of every diagonal entry would warn about it.
    se = float(np.sqrt(max(float(np.asarray(fit.cov_params())[term, term]), 0.0)))
    t = float(stats.t.ppf(0.5 + level / 2, n_groups - 1))
    p = float(2 * stats.t.sf(abs(b / se), n_groups - 1)) if se > 0 else float("nan")
    return Effect(
        measure,
        "effect",
        b,
        b - t * se,
        b + t * se,
        n,
        n_groups,
        method,
        level,
        parts=parts,
        scale=scale,
        std_error=se,
        p_value=p,
    )


def _no_comparison(measure: str, scale: str, arms: dict[str, dict[str, Result]]) -> Result | None:
    """An unavailable effect when one of the two arms is missing, else ``None``."""
    for arm in ("control", "intervention"):
        if arm not in arms:
            return Effect.unavailable(measure, "effect", f"there is no {arm} arm to compare with", scale=scale)
    return None


def share_effects(fr: Frames, config: Config, arms: dict[str, dict[str, Result]]) -> dict[str, Result]:
    """Intervention − control of each share in ``E``, in percentage points (as a fraction)."""
    ids = ("parents_in_work_or_education", "flexjob_share_of_work_or_education", "early_retirement_share")
    missing = {m: _no_comparison(m, "percentage_points", arms) for m in ids}
    if any(v is not None for v in missing.values()):
        return {m: v for m, v in missing.items() if v is not None}
    parents = fr.parents[fr.parents["arm"].isin(["intervention", "control"])]
    status = fr.status_at_end()[parents["pc"].to_numpy()]
    has = status >= 0
    work = fr.status_in(status, config.work_or_education)
    outcomes = {
        "parents_in_work_or_education": (work, has),
        "flexjob_share_of_work_or_education": (fr.status_in(status, ["flexjob"]), has & work),
        "early_retirement_share": (fr.status_in(status, ["early_retirement"]), has),
    }
    intervention = (parents["arm"] == "intervention").to_numpy(dtype=float)
    families = parents["fc"].to_numpy()
    out: dict[str, Result] = {}
    for measure, (y, keep) in outcomes.items():
        strata, fe = _strata_dummies(parents["stratum"][keep])
        method = f"linear probability model of the status in {fr.end} on arm{fe}; {SE_CONVENTION}"
        n = int(keep.sum())
        out[measure] = regression_effect(
            measure,
            y[keep].astype(float),
            [np.ones(n), intervention[keep], strata],
            1,
            families[keep],
            None,
            n,
            method,
            "percentage_points",
            {**_relative(arms, measure), "strata": float(strata.shape[1] + 1 if strata.shape[1] else 0)},
        )
    return out


def _relative(arms: dict[str, dict[str, Result]], measure: str) -> dict[str, float]:
    """Both arms' estimates and the relative effect (difference / control)."""
    itv, ctl = arms["intervention"][measure], arms["control"][measure]
    parts = {"intervention": itv.estimate, "control": ctl.estimate}
    if ctl.available and itv.available:
        parts["relative"] = (itv.estimate - ctl.estimate) / ctl.estimate if ctl.estimate else float("nan")
    return parts


def _did(
    measure: str,
    rows: pd.DataFrame,
    y: np.ndarray,
    weights: np.ndarray | None,
    n: int,
    method: str,
    arms: dict[str, dict[str, Result]],
) -> Result:
    treat = (rows["arm"] == "intervention").to_numpy(dtype=float)
    post = (rows["period"] == "post").to_numpy(dtype=float)
    strata, fe = _strata_dummies(rows["stratum"])
    parts = _relative(arms, measure)
    parts["strata"] = float(strata.shape[1] + 1 if strata.shape[1] else 0)
    itv, ctl = arms["intervention"][measure], arms["control"][measure]
    if itv.available and ctl.available:
        parts.pop("relative", None)
        parts["difference_of_relative_changes"] = itv.estimate - ctl.estimate
    return regression_effect(
        measure,
        y,
        [np.ones(len(rows)), treat, post, treat * post, strata],
        3,
        rows["fc"].to_numpy(),
        weights,
        n,
        method + fe + f"; {SE_CONVENTION}",
        "rate_difference",
        parts,
    )


def absence_effect(fr: Frames, config: Config, arms: dict[str, dict[str, Result]]) -> Result:
    """Difference-in-differences of the pooled absence rates (intervention − control)."""
    measure = "school_absence_change"
    missing = _no_comparison(measure, "rate_difference", arms)
    if missing is not None:
        return missing
    frames = []
    for arm in ("intervention", "control"):
        periods = absence_periods(fr, arm)
        if periods is None:
            return Effect.unavailable(
                measure, "effect", "the school_absence table was not given", scale="rate_difference"
            )
        if periods.empty:
            return Effect.unavailable(
                measure,
                "effect",
                f"no child of the {arm} arm has absence rows in both periods",
                scale="rate_difference",
            )
        for period in ("pre", "post"):
            frames.append(
                pd.DataFrame(
                    {
                        "fc": periods["fc"].to_numpy(),
                        "arm": arm,
                        "period": period,
                        "days": periods[f"days_absent_{period}"].to_numpy(),
                        "school_days": periods[f"school_days_{period}"].to_numpy(),
                    }
                )
            )
    rows = pd.concat(frames, ignore_index=True)
    rows["stratum"] = _family_strata(fr, rows["fc"].to_numpy())
    method = (
        "difference-in-differences of pooled absence rates: weighted least squares of each child's rate on arm, "
        "period and arm × period, weighted by school days"
    )
    n = len(rows) // 2
    return _did(
        measure,
        rows,
        (rows["days"] / rows["school_days"]).to_numpy(),
        rows["school_days"].to_numpy(dtype=float),
        n,
        method,
        arms,
    )


def youth_effect(fr: Frames, config: Config, arms: dict[str, dict[str, Result]]) -> Result:
    """Difference-in-differences of the youth job rates (intervention − control)."""
    measure = "youth_job_rate_change"
    missing = _no_comparison(measure, "rate_difference", arms)
    if missing is not None:
        return missing
    frames = []
    for arm in ("intervention", "control"):
        win = youth_windows(fr, config, arm)
        if win is None:
            return Effect.unavailable(measure, "effect", "the youth_jobs table was not given", scale="rate_difference")
        if win.empty:
            return Effect.unavailable(measure, "effect", f"the {arm} arm has no youths", scale="rate_difference")
        frames.append(win.assign(arm=arm))
    rows = pd.concat(frames, ignore_index=True)
    rows["stratum"] = _family_strata(fr, rows["fc"].to_numpy())
    method = (
        "difference-in-differences of youth job rates: linear probability model of job (yes/no) per youth and "
        "window on arm, period and arm × period"
    )
    return _did(measure, rows, rows["job"].to_numpy(dtype=float), None, int(rows["pc"].nunique()), method, arms)
