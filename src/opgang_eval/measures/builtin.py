"""The contract's headline measures (data contract section 3), declared in report order.

:mod:`.registry` calls :func:`declarations` once, on first use, and registers them.
"""

from __future__ import annotations

from functools import partial

from ..costs.savings import savings_effect, savings_measure
from ..results import Result
from .headline import SHARES, absence_change, absence_rows, share_rows, status_shares, youth_job_change, youth_rows
from .registry import Contrast, DesignFamily, Inputs, Measure

__all__ = ["declarations"]


def _share(measure: str, inputs: Inputs, arm: str) -> Result:
    return status_shares(inputs.frames, inputs.config, arm)[measure]


def _absence(inputs: Inputs, arm: str) -> Result:
    return absence_change(inputs.frames, inputs.config, arm, inputs.labels)


def _youth(inputs: Inputs, arm: str) -> Result:
    return youth_job_change(inputs.frames, inputs.config, arm, inputs.labels)


def declarations() -> list[Measure]:
    """The built-in measures, in report order."""
    shares = [
        Measure(
            measure,
            "share",
            "parents",
            partial(_share, measure),
            "percentage_points",
            rows=partial(share_rows, measure=measure),
            # Randomisation balances the arms at baseline: compare at the end. An observational comparison
            # group differs at baseline: compare the change. The flexjob share is among parents in work at the
            # end only, so it has no baseline and is compared at the end in both.
            contrast={
                "randomised": "difference",
                "observational": "difference" if among_work else "difference_in_differences",
            },
            figures=("trajectory", "status_flow") if measure == "parents_in_work_or_education" else (),
            descriptive_effect=among_work,
        )
        for measure, (_, among_work) in SHARES.items()
    ]
    both: dict[DesignFamily, Contrast] = {
        "randomised": "difference_in_differences",
        "observational": "difference_in_differences",
    }
    return [
        *shares,
        Measure(
            "school_absence_change",
            "relative_change",
            "children",
            _absence,
            "rate_difference",
            rows=absence_rows,
            contrast=both,
            figures=("school_absence",),
        ),
        Measure(
            "youth_job_rate_change",
            "relative_change",
            "youths",
            _youth,
            "rate_difference",
            rows=youth_rows,
            contrast=both,
            figures=("youth_jobs",),
        ),
        Measure(
            "savings_per_family",
            "amount",
            "families",
            savings_measure,
            "DKK",
            effect=savings_effect,
            per_site=False,
            compares_arms=True,
        ),
    ]
