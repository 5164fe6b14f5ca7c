"""The observational design: a comparison group built from a register pool.

Where there is no randomised control arm (Tilst, Viby), the intervention
families are compared with register families who were not offered the
programme. Those differ at baseline, so a naive comparison is biased. The
design here is the one evaluators build today with MatchIt/cobalt and
Stata's teffects/pstest:

1. baseline covariates per family (:mod:`.covariates`), timed from the
   (pseudo-)enrolment month;
2. a logistic propensity score; common support by the min–max rule,
   reported as dropped families, never silent;
3. nearest-neighbour matching on the logit of the score (caliper, k:1,
   with or without replacement, exact cells) or inverse-probability
   weights for the effect on the treated (:mod:`.matching`);
4. balance before and after (:mod:`.balance`);
5. difference-in-differences on the matched or weighted sample for each
   headline measure, and an event study of the work share
   (:mod:`.event_study`).

It rests on *selection on observables*: that, given the covariates, the
comparison families' change is what the intervention families' change
would have been without the programme. Randomisation needs no such
assumption; every result of this design says which design it rests on.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..config import Config
from ..measures.frames import Frames
from ..results import Design, Parts
from .balance import balance_table
from .covariates import family_covariates
from .design import ComparisonDesign
from .event_study import EventStudy, event_study_from_rows
from .matching import (
    Matching,
    PropensityModel,
    common_support,
    ipw_weights,
    nearest_neighbour,
    pooled_sd,
    propensity_model,
)

__all__ = ["GroupCounts", "ObservationalDesign", "event_study", "observational_design"]


@dataclass(frozen=True)
class GroupCounts(Parts):
    """Families in the two groups, and those with a positive weight (used in every estimate)."""

    treated: int
    comparison: int
    treated_used: int = 0
    comparison_used: int = 0


@dataclass(frozen=True)
class ObservationalDesign:
    """How the comparison group was built, and how well it balances the covariates.

    Attributes
    ----------
    kind
        ``matched`` or ``weighted``.
    weights
        Per family code: the family's weight in every estimate (0 = not used).
    covariates
        One row per family of the two groups (``fc``, ``treated``, covariates).
    model
        The propensity model (``None`` when it could not be fitted).
    matching
        Weights, pairs and the intervention families left out, by reason.
    balance
        Balance table before/after, the propensity score's logit first.
    counts
        ``treated``, ``comparison`` (families in the groups) and
        ``treated_used``, ``comparison_used`` (with a positive weight).
    description
        The design in words, for every result's method.
    reason
        Why the design could not be built (``None`` when it was).
    """

    kind: Design
    weights: np.ndarray
    covariates: pd.DataFrame = field(repr=False)
    model: PropensityModel | None = field(repr=False)
    matching: Matching | None = field(repr=False)
    balance: pd.DataFrame = field(repr=False)
    counts: GroupCounts
    description: str
    reason: str | None = None

    @property
    def available(self) -> bool:
        return self.reason is None

    def comparison(self) -> ComparisonDesign:
        """The design the effects rest on: the comparison families, weighted by their matching or IPW weights."""
        return ComparisonDesign(
            self.kind,
            "comparison",
            self.description,
            weights=self.weights,
            reason=self.reason,
        )

    def to_frame(self) -> pd.DataFrame:
        """The balance table (the tidy view of how well the comparison group resembles the intervention)."""
        return self.balance

    def _heading(self) -> str:
        c = self.counts
        if self.reason is not None:
            return f"Observational design ({self.kind}): not available – {self.reason}"
        dropped = ", ".join(
            f"{k.replace('_', ' ')}: {v}" for k, v in (self.matching.dropped if self.matching else {}).items()
        )
        return (
            f"{self.description}. {c.treated_used:,} of {c.treated:,} intervention families compared with "
            f"{c.comparison_used:,} of {c.comparison:,} pool families" + (f" (left out: {dropped})" if dropped else "")
        )

    def __str__(self) -> str:
        columns = ["covariate", "mean_treated", "mean_comparison", "smd", "mean_comparison_after", "smd_after", "flag"]
        body = self.balance[columns].to_string(index=False) if len(self.balance) else ""
        return f"{self._heading()}\n{body}"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self._heading())}</p>" + (
            self.balance.to_html(index=False) if len(self.balance) else ""
        )


def observational_design(fr: Frames, config: Config) -> ObservationalDesign:
    """Build the comparison group from the ``comparison`` families for the intervention families."""
    s = config.comparison
    kind: Design = "matched" if s.method == "nearest" else "weighted"
    cov = family_covariates(fr, config, ("intervention", "comparison"))
    treated_all = cov["treated"].to_numpy()
    counts = GroupCounts(int(treated_all.sum()), int((~treated_all).sum()))
    weights = np.zeros(fr.codes.n_families)

    def unavailable(reason: str, model: PropensityModel | None = None) -> ObservationalDesign:
        return ObservationalDesign(kind, weights, cov, model, None, pd.DataFrame(), counts, "", reason)

    if counts.treated == 0 or counts.comparison == 0:
        return unavailable("there are no " + ("intervention" if counts.treated == 0 else "comparison") + " families")
    # Families (pseudo-)enrolled after E have no follow-up: they take no part in the matching, so every
    # estimate rests on the same matched families (intervention ones are counted as left out).
    late = fr.codes.families["m_f"].to_numpy()[cov["fc"].to_numpy()] > fr.e
    if late[~treated_all].all():
        return unavailable(
            f"every comparison family is (pseudo-)enrolled after the evaluation end {fr.end}; set "
            "[comparison] pseudo_enrolment to a month within the enrolment period"
        )
    if late[treated_all].all():
        return unavailable(f"every intervention family enrolled after the evaluation end {fr.end}")
    late_treated = int((late & treated_all).sum())
    cov = cov[~late].reset_index(drop=True)
    treated = cov["treated"].to_numpy()
    x = cov.drop(columns=["fc", "treated"])
    model = propensity_model(x, treated)
    distance = model.logit if s.distance == "logit" else model.score
    support = common_support(distance, treated) if s.common_support else np.ones(len(cov), dtype=bool)
    # A model that did not converge because *some* pool families are perfectly predicted (p → 0) is usable:
    # they fall outside common support. Only when no intervention family is inside it is nothing comparable.
    apart = distance[treated].min() > distance[~treated].max() or distance[treated].max() < distance[~treated].min()
    if not np.all(np.isfinite(distance[treated])) or not support[treated].any() or (not model.converged and apart):
        return unavailable(
            "no common support: the covariates separate the intervention families from the comparison pool "
            "completely, so no comparison family resembles any intervention family",
            model,
        )
    if kind == "matched":
        caliper = None if s.caliper is None else s.caliper * pooled_sd(distance, treated)
        exact = _exact_cells(cov, s.exact)
        matching = nearest_neighbour(
            distance, treated, ratio=s.ratio, caliper=caliper, replace=s.replace, exact=exact, support=support
        )
    else:
        matching = ipw_weights(model.score, treated, support)
    if not (matching.weights[treated] > 0).any():
        return unavailable(
            "no intervention family found a comparison family within the caliper; widen the caliper or add "
            "comparison families",
            model,
        )
    if late_treated:
        matching = replace(matching, dropped={"enrolled_after_end": late_treated, **matching.dropped})
    weights[cov["fc"].to_numpy()] = matching.weights
    used = matching.weights > 0
    counts = replace(counts, treated_used=int((used & treated).sum()), comparison_used=int((used & ~treated).sum()))
    with_distance = pd.concat([pd.DataFrame({"distance": model.logit}), x[list(model.columns)]], axis=1)
    balance = balance_table(with_distance, treated, matching.weights)
    return ObservationalDesign(kind, weights, cov, model, matching, balance, counts, _describe(config, matching), None)


def _exact_cells(cov: pd.DataFrame, names: tuple[str, ...]) -> np.ndarray | None:
    """One integer cell per family from the exact-matching covariates (``None`` when there are none)."""
    if not names:
        return None
    return cov.groupby(list(names), sort=True).ngroup().to_numpy()


def _describe(config: Config, matching: Matching) -> str:
    s = config.comparison
    if s.method == "nearest":
        caliper = "no caliper" if s.caliper is None else f"caliper {s.caliper:g} SD of the {s.distance}"
        exact = f", exact on {', '.join(s.exact)}" if s.exact else ""
        how = (
            f"{s.ratio}:1 nearest-neighbour matching on the {s.distance} of a logistic propensity score, "
            f"{'with' if s.replace else 'without'} replacement, {caliper}{exact}"
        )
    else:
        how = "inverse-probability weights for the effect on the treated (p/(1−p)) from a logistic propensity score"
    support = "; common support by the min–max rule" if s.common_support else ""
    return f"observational design (weaker than randomisation): {how}{support}"


# -- event study ------------------------------------------------------------------------


def event_study(fr: Frames, config: Config, od: ObservationalDesign) -> EventStudy:
    """Event study of the monthly (or quarterly) share of parents in work or education."""
    s = config.comparison
    w_f = od.weights
    status = fr.status
    pc = status["pc"].to_numpy()
    fc = fr.codes.person_family[pc]
    keep = (w_f[fc] > 0) & (status["t"].to_numpy() <= fr.e)  # nothing after the evaluation end E
    pc, fc = pc[keep], fc[keep]
    families = fr.codes.families
    k = status["t"].to_numpy()[keep] - families["m_f"].to_numpy()[fc]
    y = fr.status_in(status["status"].cat.codes.to_numpy()[keep], config.work_or_education).astype(float)
    treated = (families["arm"] == "intervention").to_numpy()[fc]
    return event_study_from_rows(fc, treated, k, y, w_f[fc], pc, window=s.event_window, bin_months=s.event_bin)
