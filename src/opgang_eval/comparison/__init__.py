"""Comparisons of the intervention arm: with a randomised control arm, or with a matched register pool."""

from .effects import SE_CONVENTION, absence_effect, regression_effect, share_effects, youth_effect
from .event_study import EventStudy
from .observational import ObservationalDesign, event_study, observational_design, observational_effects

__all__ = [
    "SE_CONVENTION",
    "EventStudy",
    "ObservationalDesign",
    "absence_effect",
    "event_study",
    "observational_design",
    "observational_effects",
    "regression_effect",
    "share_effects",
    "youth_effect",
]
