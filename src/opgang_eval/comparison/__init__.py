"""Comparisons of the intervention arm: with a randomised control arm, or with a matched register pool."""

from .design import DESIGN_WORDS, ComparisonDesign, no_comparison, randomised
from .effects import SE_CONVENTION, estimate_effect, regression_effect
from .event_study import EventStudy
from .observational import ObservationalDesign, event_study, observational_design
from .panel import Resamples, resamples

__all__ = [
    "DESIGN_WORDS",
    "SE_CONVENTION",
    "ComparisonDesign",
    "EventStudy",
    "ObservationalDesign",
    "Resamples",
    "estimate_effect",
    "event_study",
    "no_comparison",
    "observational_design",
    "randomised",
    "regression_effect",
    "resamples",
]
