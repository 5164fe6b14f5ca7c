"""A summary index of the family's outcomes (Kling, Liebman & Katz 2007) and its effect.

Several outcomes tested one by one invite a chance finding; one pre-declared
index of them answers "did the families do better overall?" with a single
test. Each family — the unit of randomisation — gets one value per outcome:

* the share of its parents in work or education in ``E`` (higher is better);
* its children's change in school absence, the pooled rate after minus
  before (lower is better, so the sign is turned);
* its youths' change in the share with an after-school job (higher is better).

Each is standardised by the control families' mean and standard deviation
(ddof 1), signed so that higher is better, and the index is the mean of the
standardised outcomes the family has (a family without children has the
first only). Kling, Liebman & Katz instead fill a missing component with
its arm's mean; averaging what the family has is the common variant (it
neither invents a component nor gives a family a value it could not have). The
effect is the index on arm with the stratum fixed effects, one row per
family, with the same inference panel as every effect: in control standard
deviations. The flexjob and early-retirement shares are left out: whether
more of either is better for a family is a judgement the index should not
make.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..measures.registry import AnalysisRows, Inputs, Measure
from ..results import Effect, EffectParts
from .design import ComparisonDesign
from .effects import fit_rows
from .panel import Resamples

__all__ = ["INDEX", "SUMMARY_INDEX", "summary_index"]

SUMMARY_INDEX = "summary_index"

#: The index's outcomes and the sign that makes higher better.
INDEX: dict[str, float] = {
    "parents_in_work_or_education": 1.0,
    "school_absence_change": -1.0,
    "youth_job_rate_change": 1.0,
}


def _per_family(rows: AnalysisRows, n_families: int) -> np.ndarray:
    """Each family's outcome: its mean at the end, or its pooled change (end minus baseline); NaN without one."""
    w = np.ones(len(rows)) if rows.weight is None else rows.weight
    y = rows.y.astype(float)
    out = []
    for period in (True, False):
        mine = rows.post == period
        total = np.bincount(rows.fc[mine], w[mine], n_families)
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append(np.bincount(rows.fc[mine], (w * y)[mine], n_families) / total)
        if rows.post.all():  # a difference: the end only
            return out[0]
    return out[0] - out[1]


def summary_index(declared: Sequence[Measure], inputs: Inputs, shared: Resamples | None) -> tuple[Effect, pd.DataFrame]:
    """The summary index's effect, and a table of its components (families with each, control mean and SD)."""
    design = inputs.design
    if design.family != "randomised" or design.reference_arm is None:
        return _unavailable("the summary index is estimated in the randomised design only", design), pd.DataFrame()
    n_families = inputs.frames.codes.n_families
    arm = inputs.frames.codes.families["arm"].astype("str").to_numpy()
    treated, control = arm == "intervention", arm == design.reference_arm
    z, components = [], []
    for measure in declared:
        contrast = measure.contrast.get("randomised")
        if measure.id not in INDEX or measure.rows is None or contrast is None:
            continue
        rows = measure.rows(inputs, ("intervention", design.reference_arm), contrast)
        if isinstance(rows, str):
            continue
        values = _per_family(rows, n_families)
        reference = values[control & np.isfinite(values)]
        sd = float(np.std(reference, ddof=1)) if len(reference) > 1 else float("nan")
        mean = float(reference.mean()) if len(reference) else float("nan")
        used = bool(np.isfinite(sd) and sd > 0)
        components.append(
            {
                "measure": measure.id,
                "sign": INDEX[measure.id],
                "families": int(np.isfinite(values).sum()),
                "control_mean": mean,
                "control_sd": sd,
                "used": used,
            }
        )
        if used:
            z.append(INDEX[measure.id] * (values - mean) / sd)
    table = pd.DataFrame(components, columns=["measure", "sign", "families", "control_mean", "control_sd", "used"])
    if not z:
        return _unavailable("no outcome varies among the control families", design), table
    stacked = np.vstack(z)
    have = np.isfinite(stacked).any(axis=0) & (treated | control)
    index = np.nanmean(np.where(np.isfinite(stacked[:, have]), stacked[:, have], np.nan), axis=0)
    fc = np.flatnonzero(have)
    rows = AnalysisRows(
        fc, fc, treated[fc], np.ones(len(fc), dtype=bool), index, None, "mean of the standardised outcomes on arm"
    )
    _, strata = design.fixed_effects(fc)
    parts = EffectParts(
        strata=strata, families_intervention=int(treated[fc].sum()), families_reference=int(control[fc].sum())
    )
    method = (
        "Kling–Liebman–Katz summary index: the family's outcomes standardised by the control families' mean and SD, "
        "signed so that higher is better, averaged; least squares on arm with stratum fixed effects, one row per "
        "family, CR1 standard errors"
    )
    effect = fit_rows(SUMMARY_INDEX, rows, None, False, design, shared, method, "control_sd", parts)
    return effect, table


def _unavailable(reason: str, design: ComparisonDesign) -> Effect:
    return Effect.unavailable(SUMMARY_INDEX, "effect", reason, scale="control_sd", design=design.kind)
