"""Baseline-adjusted sensitivity: each share's effect adjusted for the parent's status before enrolment (ANCOVA).

Randomisation makes the unadjusted difference unbiased; adjusting for the
outcome's own baseline (the same status in the month before enrolment,
``m_f − 1``) removes the variation it explains, so a small trial's estimate is
usually more precise, and a large gap between the two would show a chance
imbalance at baseline worth reporting. Same parents as the effect (those with
a status in ``E``); a parent without a status before enrolment gets 0 and a
missing-indicator (the usual missing-indicator method, which keeps the
sample). Same model otherwise: stratum fixed effects, CR1 family clusters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..measures.registry import Inputs, Measure
from ..results import Effect
from .effects import regression_effect

__all__ = ["ANCOVA_COLUMNS", "ancova_table"]

ANCOVA_COLUMNS = ("measure", "estimate", "ci_low", "ci_high", "p_value", "n", "n_families", "unadjusted", "reason")


def ancova_table(declared: Sequence[Measure], inputs: Inputs, effects: Mapping[str, Effect]) -> pd.DataFrame:
    """One row per share effect with a baseline (randomised design): adjusted estimate beside the unadjusted one."""
    rows = []
    design = inputs.design
    for measure in declared:
        effect = effects.get(measure.id)
        if measure.kind != "share" or measure.rows is None or effect is None or not effect.available:
            continue
        row: dict[str, object] = {"measure": measure.id, "unadjusted": effect.estimate}
        if measure.descriptive_effect:
            rows.append(row | {"reason": "the share is among parents selected at the end; it has no baseline"})
            continue
        stacked = measure.rows(inputs, ("intervention", design.reference_arm or "control"), "difference_in_differences")
        if isinstance(stacked, str):
            rows.append(row | {"reason": stacked})
            continue
        post = stacked.post
        pc, fc, y, treated = stacked.pc[post], stacked.fc[post], stacked.y[post].astype(float), stacked.treated[post]
        # Each parent's baseline status, by person code (−1: none before enrolment).
        before = np.full(int(stacked.pc.max()) + 1, -1.0)
        before[stacked.pc[~post]] = stacked.y[~post].astype(float)
        baseline = before[pc]
        missing = (baseline < 0).astype(float)
        if np.unique(baseline[baseline >= 0]).size < 2:
            rows.append(row | {"reason": "every parent had the same status before enrolment: nothing to adjust for"})
            continue
        fixed, _ = design.fixed_effects(fc)
        columns = [np.ones(len(y)), treated.astype(float), np.where(baseline < 0, 0.0, baseline)]
        if missing.any() and not missing.all():
            columns.append(missing)
        n = int(np.unique(pc).size)
        fitted = regression_effect(
            measure.id, y, [*columns, fixed], 1, fc, None, n, "ANCOVA", measure.effect_scale, effect.parts
        )
        if not fitted.available:
            rows.append(row | {"reason": fitted.reason})
            continue
        if not fitted.std_error > 0:
            rows.append(row | {"reason": "the status at the end is the status before enrolment for every parent"})
            continue
        rows.append(
            row
            | {
                "estimate": fitted.estimate,
                "ci_low": fitted.ci_low,
                "ci_high": fitted.ci_high,
                "p_value": fitted.p_value,
                "n": fitted.n,
                "n_families": fitted.n_families,
            }
        )
    return pd.DataFrame(rows, columns=list(ANCOVA_COLUMNS)).astype({"n": "Int64", "n_families": "Int64"})
