"""Comparisons of the intervention arm with a control arm."""

from .effects import SE_CONVENTION, absence_effect, share_effects, youth_effect

__all__ = ["SE_CONVENTION", "absence_effect", "share_effects", "youth_effect"]
