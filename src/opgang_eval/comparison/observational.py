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
from typing import Literal

import numpy as np
import pandas as pd

from ..config import Config
from ..measures.frames import Frames
from ..measures.headline import absence_periods, youth_windows
from ..results import Effect, Result
from .balance import balance_table
from .covariates import family_covariates
from .effects import SE_CONVENTION, regression_effect
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

__all__ = ["ObservationalDesign", "event_study", "observational_design", "observational_effects"]

Kind = Literal["matched", "weighted"]


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

    kind: Kind
    weights: np.ndarray
    covariates: pd.DataFrame = field(repr=False)
    model: PropensityModel | None = field(repr=False)
    matching: Matching | None = field(repr=False)
    balance: pd.DataFrame = field(repr=False)
    counts: dict[str, int]
    description: str
    reason: str | None = None

    @property
    def available(self) -> bool:
        return self.reason is None

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
            f"{self.description}. {c['treated_used']:,} of {c['treated']:,} intervention families compared with "
            f"{c['comparison_used']:,} of {c['comparison']:,} pool families"
            + (f" (left out: {dropped})" if dropped else "")
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
    kind: Kind = "matched" if s.method == "nearest" else "weighted"
    cov = family_covariates(fr, config, ("intervention", "comparison"))
    treated_all = cov["treated"].to_numpy()
    counts = {"treated": int(treated_all.sum()), "comparison": int((~treated_all).sum())}
    weights = np.zeros(fr.codes.n_families)

    def unavailable(reason: str, model: PropensityModel | None = None) -> ObservationalDesign:
        return ObservationalDesign(kind, weights, cov, model, None, pd.DataFrame(), counts, "", reason)

    if counts["treated"] == 0 or counts["comparison"] == 0:
        return unavailable("there are no " + ("intervention" if counts["treated"] == 0 else "comparison") + " families")
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
    counts.update(treated_used=int((used & treated).sum()), comparison_used=int((used & ~treated).sum()))
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


# -- effects ----------------------------------------------------------------------------


def observational_effects(fr: Frames, config: Config, od: ObservationalDesign) -> dict[str, Result]:
    """Difference-in-differences of each headline on the matched or weighted sample."""
    ids = (
        "parents_in_work_or_education",
        "flexjob_share_of_work_or_education",
        "early_retirement_share",
        "school_absence_change",
        "youth_job_rate_change",
    )
    if not od.available:
        return {m: _unavailable(m, od, od.reason or "") for m in ids}
    out = _share_effects(fr, config, od)
    out["school_absence_change"] = _absence_effect(fr, od)
    out["youth_job_rate_change"] = _youth_effect(fr, config, od)
    return out


def _unavailable(measure: str, od: ObservationalDesign, reason: str, method: str = "") -> Result:
    scale = "percentage_points" if "share" in measure or "parents" in measure else "rate_difference"
    return Effect.unavailable(measure, "effect", reason, method or od.description, scale=scale, design=od.kind)


def _weighted_did(
    measure: str, od: ObservationalDesign, rows: pd.DataFrame, weights: np.ndarray, method: str, did: bool = True
) -> Result:
    """WLS of ``y`` on group (× period when ``did``), clustered by family; parts are the weighted cell means."""
    treat = rows["treated"].to_numpy(dtype=float)
    y = rows["y"].to_numpy(dtype=float)
    fc = rows["fc"].to_numpy()
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    parts: dict[str, float] = {}
    for g, name in ((1.0, "intervention"), (0.0, "comparison")):
        for p in (0.0, 1.0) if did else (1.0,):
            mine = (treat == g) & ((rows["post"].to_numpy() == p) if did else True)
            w = weights[mine]
            cell = f"{name}_{'post' if p else 'pre'}"
            parts[cell] = float(w @ y[mine] / w.sum()) if w.sum() > 0 else float("nan")
            # The persons behind each cell, and for a yes/no outcome those with yes: what disclosure control needs.
            parts[f"persons_{cell}"] = float(np.unique(rows["pc"].to_numpy()[mine]).size)
            if binary:
                parts[f"with_{cell}"] = float(np.count_nonzero(y[mine]))
    parts["families_intervention"] = float(np.unique(fc[treat == 1]).size)
    parts["families_comparison"] = float(np.unique(fc[treat == 0]).size)
    n = int(rows["pc"].nunique())
    full = f"{method}; {od.description}; {SE_CONVENTION}"
    scale = "rate_difference" if did and "share" not in measure and "parents" not in measure else "percentage_points"
    if parts["families_intervention"] == 0 or parts["families_comparison"] == 0:
        return _unavailable(measure, od, "no family of one of the groups has the data this measure needs", full)
    if did:
        post = rows["post"].to_numpy(dtype=float)
        design, term = [np.ones(len(rows)), treat, post, treat * post], 3
    else:
        design, term = [np.ones(len(rows)), treat], 1
    result = regression_effect(measure, y, design, term, fc, weights, n, full, scale, parts)
    return result if not isinstance(result, Effect) else _with_design(result, od.kind)


def _with_design(result: Effect, kind: Kind) -> Effect:
    return replace(result, design=kind)


def _share_effects(fr: Frames, config: Config, od: ObservationalDesign) -> dict[str, Result]:
    """Shares in ``E`` against the month before enrolment (difference-in-differences), flexjob share at ``E``."""
    w_f = od.weights
    par = fr.parents[w_f[fr.parents["fc"].to_numpy()] > 0]
    pc, fc = par["pc"].to_numpy(), par["fc"].to_numpy()
    treated = (par["arm"] == "intervention").to_numpy()
    m_f = np.zeros(fr.codes.n_persons, dtype=np.int64)
    m_f[pc] = par["m_f"].to_numpy()
    pre = fr.status_at(m_f - 1)[pc]
    post = fr.status_at_end()[pc]
    out: dict[str, Result] = {}
    base = {
        "pc": np.concatenate([pc, pc]),
        "fc": np.concatenate([fc, fc]),
        "treated": np.concatenate([treated, treated]),
    }
    period = np.repeat([0, 1], len(pc))
    status = np.concatenate([pre, post])
    has = status >= 0
    for measure, statuses in (
        ("parents_in_work_or_education", config.work_or_education),
        ("early_retirement_share", ("early_retirement",)),
    ):
        rows = pd.DataFrame({**base, "post": period, "y": fr.status_in(status, statuses)})[has]
        method = (
            f"difference-in-differences of the share in the month before enrolment and in {fr.end}: "
            "weighted least squares"
        )
        out[measure] = _weighted_did(measure, od, rows, w_f[rows["fc"].to_numpy()], method)
    work = fr.status_in(post, config.work_or_education)
    rows = pd.DataFrame({"pc": pc, "fc": fc, "treated": treated, "y": fr.status_in(post, ["flexjob"])})[work]
    method = (
        f"difference of the flexjob share among parents in work or education in {fr.end} (descriptive: it "
        "conditions on an outcome); weighted least squares"
    )
    measure = "flexjob_share_of_work_or_education"
    out[measure] = _weighted_did(measure, od, rows, w_f[rows["fc"].to_numpy()], method, did=False)
    return out


def _absence_effect(fr: Frames, od: ObservationalDesign) -> Result:
    measure = "school_absence_change"
    frames = []
    for arm, treated in (("intervention", True), ("comparison", False)):
        periods = absence_periods(fr, arm)
        if periods is None:
            return _unavailable(measure, od, "the school_absence table was not given")
        periods = periods[od.weights[periods["fc"].to_numpy()] > 0]
        for post, suffix in ((0, "pre"), (1, "post")):
            frames.append(
                pd.DataFrame(
                    {
                        "pc": periods["pc"].to_numpy(),
                        "fc": periods["fc"].to_numpy(),
                        "treated": treated,
                        "post": post,
                        "y": periods[f"days_absent_{suffix}"].to_numpy() / periods[f"school_days_{suffix}"].to_numpy(),
                        "days": periods[f"school_days_{suffix}"].to_numpy(dtype=float),
                    }
                )
            )
    rows = pd.concat(frames, ignore_index=True)
    method = (
        "difference-in-differences of pooled absence rates: weighted least squares of each child's rate on group, "
        "period and group × period, weighted by school days × the family's weight"
    )
    weights = rows["days"].to_numpy() * od.weights[rows["fc"].to_numpy()]
    return _weighted_did(measure, od, rows, weights, method)


def _youth_effect(fr: Frames, config: Config, od: ObservationalDesign) -> Result:
    measure = "youth_job_rate_change"
    frames = []
    for arm, treated in (("intervention", True), ("comparison", False)):
        win = youth_windows(fr, config, arm)
        if win is None:
            return _unavailable(measure, od, "the youth_jobs table was not given")
        win = win[od.weights[win["fc"].to_numpy()] > 0]
        frames.append(
            pd.DataFrame(
                {
                    "pc": win["pc"].to_numpy(),
                    "fc": win["fc"].to_numpy(),
                    "treated": treated,
                    "post": (win["period"] == "post").to_numpy(dtype=int),
                    "y": win["job"].to_numpy(dtype=float),
                }
            )
        )
    rows = pd.concat(frames, ignore_index=True)
    method = (
        "difference-in-differences of youth job rates: weighted linear probability model of job (yes/no) per "
        "youth and window on group, period and group × period"
    )
    return _weighted_did(measure, od, rows, od.weights[rows["fc"].to_numpy()], method)


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
