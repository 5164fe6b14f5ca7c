"""Wellbeing survey: paired baseline → follow-up change per item."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..results import Result, SurveyChange, SurveyParts
from .frames import Frames

__all__ = ["survey_changes"]

_METHOD = (
    "mean paired change among parents answering both waves; t interval of the paired differences; "
    "Wilcoxon signed-rank test (scipy, zero differences dropped) as p_value"
)


def survey_changes(fr: Frames, arm: str) -> dict[str, Result]:
    """One :class:`SurveyChange` per item for the arm; empty when there is no survey.

    A pair is a parent of the arm with a baseline and a follow-up score for
    the item; pairs run in person-code order, i.e. ordered by person id.
    """
    if fr.survey is None:
        return {}
    parents = np.zeros(fr.codes.n_persons, dtype=bool)
    parents[fr.parents.loc[fr.parents["arm"] == arm, "pc"].to_numpy()] = True
    survey = fr.survey
    pc = survey["pc"].to_numpy()
    mine = parents[pc]
    item_rows = _rows_by_value(survey["item"])
    wave_rows = _rows_by_value(survey["wave"])
    none = np.zeros(len(survey), dtype=bool)
    score = survey["score"].to_numpy(dtype=float)
    out: dict[str, Result] = {}
    for item in sorted(item_rows):
        # (person, wave, item) is unique: at most one score per person and wave.
        scores = {}
        for wave in ("baseline", "followup"):
            rows = mine & item_rows[item] & wave_rows.get(wave, none)
            scores[wave] = np.full(fr.codes.n_persons, np.nan)
            scores[wave][pc[rows]] = score[rows]
        paired = np.flatnonzero(~np.isnan(scores["baseline"]) & ~np.isnan(scores["followup"]))
        if paired.size == 0:
            out[item] = SurveyChange.unavailable("survey", arm, "no parent answered both waves", _METHOD, item=item)
            continue
        # pandas' mean, not NumPy's: the two can differ in the last digit.
        baseline = pd.Series(scores["baseline"][paired])
        followup = pd.Series(scores["followup"][paired])
        diff = (followup - baseline).to_numpy(dtype=float)
        n = len(diff)
        mean = float(diff.mean())
        half = stats.t.ppf(0.975, n - 1) * diff.std(ddof=1) / np.sqrt(n) if n > 1 else float("nan")
        out[item] = SurveyChange(
            "survey",
            arm,
            mean,
            mean - half,
            mean + half,
            n,
            int(np.unique(fr.codes.person_family[paired]).size),
            _METHOD,
            parts=SurveyParts(
                float(baseline.mean()),
                float(followup.mean()),
                _wilcoxon(diff),
                rose=int((diff > 0).sum()),
                fell=int((diff < 0).sum()),
                unchanged=int((diff == 0).sum()),
            ),
            item=item,
        )
    return out


def _rows_by_value(column: pd.Series) -> dict[str, np.ndarray]:
    """Each value present in the column (as text) → a mask of its rows."""
    codes, values = pd.factorize(column)
    return {str(value): codes == code for code, value in enumerate(values)}


def _wilcoxon(diff: np.ndarray) -> float:
    """Two-sided signed-rank p-value; NaN when every difference is zero."""
    if not np.any(diff != 0):
        return float("nan")
    return float(stats.wilcoxon(diff, zero_method="wilcox").pvalue)
