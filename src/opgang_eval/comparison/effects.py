"""The one effect estimator: every measure's effect, in every design.

Each measure emits its analysis rows (:class:`~opgang_eval.measures.registry.AnalysisRows`:
unit, family, group, period, outcome, weight); the design
(:class:`~.design.ComparisonDesign`) supplies the reference arm, the
families' weights and the fixed effects; one linear model estimates the
effect with standard errors clustered by family (the unit of randomisation),
fitted with statsmodels:

* a ``difference`` — the outcome at the end on group: the coefficient is
  the difference (percentage points for a yes/no outcome);
* a ``difference_in_differences`` — the outcome on group, period and their
  interaction: the interaction is the difference-in-differences (weighted
  by the rows' own weights, e.g. school days, it is the DiD of pooled rates).

Randomised: weight 1 and stratum fixed effects (the design was randomised
within strata). Matched or weighted: each row weighted by its family's
matching or inverse-probability weight, no fixed effects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import statsmodels.api as sm
from scipy import stats

from ..measures.registry import AnalysisRows, Contrast, Inputs, Measure
from ..results import Effect, EffectCell, EffectParts, Result
from .design import ComparisonDesign
from .inference import NOISE, Regression, t_p_value
from .panel import Resamples, inference_panel, unavailable_panel

__all__ = ["SE_CONVENTION", "estimate_effect", "regression_effect"]

SE_CONVENTION = (
    "CR1 cluster-robust standard errors by family (small-sample factor G/(G−1)·(N−1)/(N−K), as Stata's "
    "vce(cluster)); t distribution with G−1 degrees of freedom"
)


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
    parts: EffectParts,
    level: float = 0.95,
) -> Effect:
    """One coefficient of an OLS/WLS fit with CR1 family-clustered errors, as an :class:`Effect`.

    Every regression effect of the package goes through here, so they share
    one standard-error convention (:data:`SE_CONVENTION`) and one way of
    saying that the difference cannot be estimated.

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
    n_groups = int(g.max()) + 1 if len(g) else 0
    if n_groups < 2 or len(y) <= x.shape[1] or np.linalg.matrix_rank(x) < x.shape[1]:
        return Effect.unavailable(
            measure,
            "effect",
            "too few families or no variation to estimate the difference",
            method,
            n,
            n_groups,
            parts=parts,
            scale=scale,
        )
    fit = model.fit(
        cov_type="cluster", cov_kwds={"groups": g, "use_correction": True, "df_correction": True}, use_t=True
    )
    b = float(fit.params[term])
    # Only the reported coefficient's variance: a nuisance one can round to a tiny negative (e.g. a period in
    # which nobody's outcome varies), and taking the square root of every diagonal entry would warn about it.
    se = float(np.sqrt(max(float(np.asarray(fit.cov_params())[term, term]), 0.0)))
    if not se > NOISE * max(1.0, abs(b)):
        se = 0.0  # rounding noise of an outcome the model fits exactly, not a standard error: no p = 1e-16
    t = float(stats.t.ppf(0.5 + level / 2, n_groups - 1))
    p = t_p_value(b / se, n_groups - 1) if se > 0 else float("nan")
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


def unavailable_effect(measure: Measure, design: ComparisonDesign, reason: str, method: str = "") -> Effect:
    """The effect of ``measure`` with the reason it cannot be estimated in ``design``."""
    scale = measure.effect_scale
    return Effect.unavailable(measure.id, "effect", reason, method, scale=scale, design=design.kind)


#: Why a descriptive contrast (conditioned on an outcome) gets no resampling test: it is no effect to test.
DESCRIPTIVE = (
    "not run: the difference conditions on an outcome after randomisation, so it is no effect to test "
    "(see its Lee bounds)"
)

#: The panel of an effect that is not one coefficient of a regression (the savings: a bootstrap of families).
NOT_REGRESSION = "the effect is not a regression coefficient; its interval is the one given with it"


def estimate_effect(
    measure: Measure,
    inputs: Inputs,
    arms: Mapping[str, Mapping[str, Result]],
    shared: Resamples | None = None,
) -> Effect:
    """Intervention − reference of ``measure`` in the evaluation's design (a reason when there is none).

    ``arms`` holds the measures already computed per arm: their estimates
    go into the effect's parts (both arms' values, the relative effect).
    ``shared`` holds the evaluation's draws for the inference panel
    (:func:`~.panel.resamples`); without it the panel says why it is empty.
    """
    effect = _estimate(measure, inputs, arms, shared)
    if effect.inference is None:
        why = effect.reason or (NOT_REGRESSION if measure.effect is not None else "no draws were made")
        effect = replace(effect, inference=unavailable_panel(why))
    return effect


def _estimate(
    measure: Measure, inputs: Inputs, arms: Mapping[str, Mapping[str, Result]], shared: Resamples | None
) -> Effect:
    design = inputs.design
    if measure.effect is not None:
        return measure.effect(inputs)
    if design.reason is not None or design.family is None or design.reference_arm is None:
        return unavailable_effect(measure, design, design.reason or "there is no comparison group")
    contrast = measure.contrast.get(design.family)
    if contrast is None or measure.rows is None:
        return unavailable_effect(measure, design, f"the measure has no effect in the {design.kind} design")
    if design.family == "randomised":
        for arm in (design.reference_arm, "intervention"):
            if arm not in arms:
                return unavailable_effect(measure, design, f"there is no {arm} arm to compare with")
    rows = measure.rows(inputs, ("intervention", design.reference_arm), contrast)
    if isinstance(rows, str):
        return unavailable_effect(measure, design, rows, design.description if design.family == "observational" else "")
    family_weight = None
    if design.weights is not None:
        family_weight = design.weights[rows.fc]
        rows = rows.take(family_weight > 0)
        family_weight = family_weight[family_weight > 0]
    if family_weight is None:
        weights = rows.weight
    else:
        weights = family_weight if rows.weight is None else rows.weight * family_weight
    if shared is not None and measure.descriptive_effect:
        shared = replace(shared, skipped=DESCRIPTIVE)
    return _fit(measure, rows, weights, contrast, design, arms, shared)


def _fit(
    measure: Measure,
    rows: AnalysisRows,
    weights: np.ndarray | None,
    contrast: Contrast,
    design: ComparisonDesign,
    arms: Mapping[str, Mapping[str, Result]],
    shared: Resamples | None,
) -> Effect:
    did = contrast == "difference_in_differences"
    _, strata = design.fixed_effects(rows.fc)
    fe = f", with {strata} stratum fixed effects" if strata else ""
    observational = design.family == "observational"
    method = rows.method + fe + (f"; {design.description}" if observational else "") + f"; {SE_CONVENTION}"
    parts = _parts(measure.id, rows, weights, did, design, arms, strata)
    if len(rows) == 0 or (observational and (parts.families_intervention == 0 or parts.families_reference == 0)):
        # (Randomised: the measure's rows say which arm has none; a group without rows left is "too few families".
        # No rows at all — e.g. nobody in work by an early end month, so no flexjob share — has no regression.)
        why = "no family of one of the groups has the data this measure needs"
        return unavailable_effect(measure, design, why, method)
    return fit_rows(measure.id, rows, weights, did, design, shared, method, measure.effect_scale, parts)


def fit_rows(
    measure: str,
    rows: AnalysisRows,
    weights: np.ndarray | None,
    did: bool,
    design: ComparisonDesign,
    shared: Resamples | None,
    method: str,
    scale: str,
    parts: EffectParts,
) -> Effect:
    """The effect of ``rows`` (a difference, or a difference-in-differences) with its inference panel.

    One fit for every regression effect of the package, the measures' and
    the summary index's: outcome on treat (× post) and the design's fixed
    effects, CR1 family clusters, then the panel on the shared draws.
    """
    fixed, _ = design.fixed_effects(rows.fc)
    treat = rows.treated.astype(float)
    ones = np.ones(len(rows))
    if did:
        post = rows.post.astype(float)
        columns, term = [ones, treat, post, treat * post, fixed], 3
    else:
        columns, term = [ones, treat, fixed], 1
    n = int(np.unique(rows.pc).size)
    y = rows.y.astype(float)
    effect = regression_effect(measure, y, columns, term, rows.fc, weights, n, method, scale, parts)
    effect = replace(effect, design=design.kind)
    if not effect.available or shared is None:
        return effect
    x = np.column_stack(columns)
    families, cluster = np.unique(rows.fc, return_inverse=True)
    treated = np.zeros(len(families), dtype=bool)
    treated[cluster] = rows.treated
    moving = np.zeros_like(x)  # the columns that move with the arm: treat, and treat × post
    moving[:, 1] = 1.0
    if did:
        moving[:, 3] = rows.post
    reg = Regression(y, x, term, cluster, weights, treated, moving)
    own = (effect.estimate, effect.std_error, effect.p_value, effect.ci_low, effect.ci_high)
    frame, draws = inference_panel(reg, families, own, design, shared, effect.level)
    return replace(effect, inference=frame, null_draws=draws)


def _parts(
    measure: str,
    rows: AnalysisRows,
    weights: np.ndarray | None,
    did: bool,
    design: ComparisonDesign,
    arms: Mapping[str, Mapping[str, Result]],
    strata: int,
) -> EffectParts:
    """The group-period cells (weighted means, persons, yes counts), both arms' own estimates, the relative effect."""
    reference = design.reference_arm or "reference"
    y = rows.y.astype(float)
    w = np.ones(len(rows)) if weights is None else weights
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    cells = []
    for treated, group in ((True, "intervention"), (False, reference)):
        for period in ("pre", "post") if did else ("post",):
            mine = (rows.treated == treated) & (rows.post == (period == "post"))
            weight = float(w[mine].sum())
            cells.append(
                EffectCell(
                    group,
                    "post" if period == "post" else "pre",
                    float(w[mine] @ y[mine] / weight) if weight > 0 else float("nan"),
                    int(np.unique(rows.pc[mine]).size),
                    int(np.unique(rows.fc[mine]).size),
                    int(np.count_nonzero(y[mine])) if binary else None,
                    weight,
                )
            )
    nan = float("nan")
    own = {arm: arms.get(arm, {}).get(measure) for arm in ("intervention", reference)}
    itv, ref = own["intervention"], own[reference]
    both = itv is not None and ref is not None and itv.available and ref.available
    values = {"intervention": itv.estimate if itv is not None else nan, "reference": ref.estimate if ref else nan}
    relative = diff = nan
    if both and itv is not None and ref is not None:
        if did:
            diff = itv.estimate - ref.estimate
        else:
            relative = (itv.estimate - ref.estimate) / ref.estimate if ref.estimate else nan
    return EffectParts(
        tuple(cells),
        values["intervention"],
        values["reference"],
        relative,
        diff,
        strata,
        int(np.unique(rows.fc[rows.treated]).size),
        int(np.unique(rows.fc[~rows.treated]).size),
    )
