"""What every effect compares with: one design object for the one effect estimator.

A design supplies what differs between a randomised and an observational
comparison, and nothing else:

* the reference arm (``control`` or ``comparison``);
* each family's weight (randomised: none, i.e. 1; matched or weighted: the
  matching or inverse-probability weights, 0 for a family not used);
* fixed effects (randomised within strata: stratum dummies; none otherwise);
* its words, and — when it could not be built — the reason.

The vocabulary is :data:`~opgang_eval.results.Design`: ``randomised``,
``matched``, ``weighted`` or ``before_after`` (no comparison group).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..measures.frames import Frames
from ..measures.registry import DesignFamily
from ..results import Design

__all__ = ["DESIGN_WORDS", "ComparisonDesign", "no_comparison", "randomised"]

#: Each design in a few words (the evaluation's heading; the randomised and no-comparison designs' description).
DESIGN_WORDS: dict[Design, str] = {
    "randomised": "randomised control arm",
    "matched": "matched comparison group (observational, weaker than randomisation)",
    "weighted": "weighted comparison group (observational, weaker than randomisation)",
    "before_after": "no comparison group",
}


@dataclass(frozen=True)
class ComparisonDesign:
    """The comparison the effects rest on.

    Attributes
    ----------
    kind
        ``randomised``, ``matched``, ``weighted`` or ``before_after``.
    reference_arm
        The arm effects compare the intervention with (``None`` without one).
    description
        The design in words (appended to every observational effect's method).
    weights
        Each family code's weight (``None``: every family weighs 1).
    strata
        Each family code's stratum, for stratum fixed effects (``None``: no
        fixed effects; the observational design adjusts through its weights).
    reason
        Why the design could not be built (``None`` when it was).
    """

    kind: Design
    reference_arm: str | None
    description: str
    weights: np.ndarray | None = None
    strata: pd.api.extensions.ExtensionArray | None = None
    reason: str | None = None

    @property
    def family(self) -> DesignFamily | None:
        """``randomised`` or ``observational`` (the measures' contrast is declared per family); ``None``: none."""
        if self.kind == "randomised":
            return "randomised"
        if self.kind in ("matched", "weighted"):
            return "observational"
        return None

    @property
    def available(self) -> bool:
        return self.reason is None

    def fixed_effects(self, fc: np.ndarray) -> tuple[np.ndarray, int]:
        """Stratum dummies for rows of families ``fc`` and the number of strata (0: no fixed effects).

        Only when every row has a stratum and there are several: the trial
        was randomised within strata, and conditioning on them removes the
        variation they explain.
        """
        if self.strata is None:
            return np.empty((len(fc), 0)), 0
        strata = pd.Series(self.strata.take(fc))
        if strata.isna().any() or strata.nunique() < 2:
            return np.empty((len(fc), 0)), 0
        dummies = pd.get_dummies(strata.astype("str"), drop_first=True, dtype=float).to_numpy()
        return dummies, int(strata.nunique())


def randomised(fr: Frames) -> ComparisonDesign:
    """The control arm, with stratum fixed effects where the families have strata."""
    return ComparisonDesign(
        "randomised", "control", DESIGN_WORDS["randomised"], strata=fr.codes.families["stratum"].array
    )


def no_comparison() -> ComparisonDesign:
    """No control arm and no comparison pool: effects cannot be estimated, savings are before-after."""
    return ComparisonDesign(
        "before_after", None, DESIGN_WORDS["before_after"], reason="there is no control arm to compare with"
    )
