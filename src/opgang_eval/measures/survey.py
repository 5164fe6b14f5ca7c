"""Wellbeing survey: paired baseline → follow-up change per item."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..results import Result, SurveyChange
from .frames import Frames

__all__ = ["survey_changes"]

_METHOD = (
    "mean paired change among parents answering both waves; t interval of the paired differences; "
    "Wilcoxon signed-rank test (scipy, zero differences dropped) as p_value"
)


def survey_changes(fr: Frames, arm: str) -> dict[str, Result]:
    """One :class:`SurveyChange` per item for the arm; empty when there is no survey."""
    if fr.survey is None:
        return {}
    parents = fr.parents[fr.parents["arm"] == arm].set_index("person_id")["family_id"]
    answers = fr.survey[fr.survey["person_id"].isin(parents.index)]
    wide = (
        answers.assign(item=answers["item"].astype("str"), wave=answers["wave"].astype("str"))
        .groupby(["item", "person_id", "wave"])["score"]
        .first()
        .unstack("wave")
        .reindex(columns=["baseline", "followup"])
        .dropna()
    )
    out: dict[str, Result] = {}
    for item in sorted(fr.survey["item"].astype("str").unique()):
        pairs = wide.loc[item] if item in wide.index.get_level_values("item") else wide.iloc[0:0]
        if pairs.empty:
            out[item] = SurveyChange.unavailable("survey", arm, "no parent answered both waves", _METHOD, item=item)
            continue
        diff = (pairs["followup"] - pairs["baseline"]).to_numpy(dtype=float)
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
            int(pd.unique(parents.reindex(pairs.index)).size),
            _METHOD,
            parts={
                "mean_baseline": float(pairs["baseline"].mean()),
                "mean_followup": float(pairs["followup"].mean()),
                "p_value": _wilcoxon(diff),
            },
            item=item,
        )
    return out


def _wilcoxon(diff: np.ndarray) -> float:
    """Two-sided signed-rank p-value; NaN when every difference is zero."""
    if not np.any(diff != 0):
        return float("nan")
    return float(stats.wilcoxon(diff, zero_method="wilcox").pvalue)
