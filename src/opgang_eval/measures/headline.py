"""The headline measures of the data contract (section 3), for one arm.

Each function takes the analysis :class:`~.frames.Frames`, the config and an
arm and returns result objects; none of them raises on thin data — a
measure that cannot be computed comes back with a reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config
from ..results import RelativeChange, Result, Share
from .frames import Frames
from .intervals import bootstrap_ratio_change, rng_for, wilson

__all__ = [
    "HEADLINE_IDS",
    "absence_change",
    "absence_periods",
    "baseline_school_year",
    "followup_school_year",
    "status_shares",
    "youth_job_change",
    "youth_windows",
]

#: Contract ids in report order; savings is computed by the cost module.
HEADLINE_IDS = (
    "parents_in_work_or_education",
    "flexjob_share_of_work_or_education",
    "early_retirement_share",
    "school_absence_change",
    "youth_job_rate_change",
    "savings_per_family",
)

_WILSON = "Wilson score interval for a proportion (parents treated as independent)"


def status_shares(fr: Frames, config: Config, arm: str) -> dict[str, Result]:
    """Work-or-education, flexjob and early-retirement shares in month ``E``.

    The denominator is every parent of the arm's families with a status in
    ``E`` — families that left the programme early included (intention to
    treat); parents with no row in ``E`` (moved, died, left the registers)
    are not counted.
    """
    parents = fr.parents[fr.parents["arm"] == arm]
    status = fr.status_at_end().reindex(parents["person_id"].to_numpy())
    has = status.notna().to_numpy()
    codes = status.astype("str").to_numpy()
    work = np.isin(codes, config.work_or_education) & has
    flex = (codes == "flexjob") & work
    retired = (codes == "early_retirement") & has
    families = parents["family_id"].to_numpy()
    n = int(has.sum())
    n_fam = int(pd.unique(families[has]).size)
    n_work = int(work.sum())
    end = str(fr.end)
    out: dict[str, Result] = {}
    specs = (
        (
            "parents_in_work_or_education",
            int(work.sum()),
            n,
            n_fam,
            f"no parent of the {arm} arm has a status in {end}",
        ),
        (
            "flexjob_share_of_work_or_education",
            int(flex.sum()),
            n_work,
            int(pd.unique(families[work]).size),
            f"no parent of the {arm} arm is in work or education in {end}",
        ),
        ("early_retirement_share", int(retired.sum()), n, n_fam, f"no parent of the {arm} arm has a status in {end}"),
    )
    for measure, k, total, fams, why in specs:
        if total == 0:
            out[measure] = Share.unavailable(measure, arm, why, method=_WILSON)
            continue
        low, high = wilson(k, total, 0.95)
        out[measure] = Share(
            measure,
            arm,
            k / total,
            low,
            high,
            total,
            fams,
            _WILSON,
            parts={"numerator": k, "denominator": total},
        )
    return out


# -- school absence -------------------------------------------------------------------


def baseline_school_year(enrolled_on: pd.Series) -> np.ndarray:
    """Start year of the last school year (1 Aug – 31 Jul) that ended before enrolment."""
    return (enrolled_on.dt.year - np.where(enrolled_on.dt.month >= 8, 1, 2)).to_numpy()


def followup_school_year(end: pd.Period) -> int:
    """Start year of the last school year that ended on or before the last day of ``E``."""
    return end.year - 1 if end.month >= 7 else end.year - 2


def absence_periods(fr: Frames, arm: str) -> pd.DataFrame | None:
    """Children of the arm with rows in both periods (computed once per view); see ``_absence_periods``."""
    return fr.memo(("absence", arm), lambda: _absence_periods(fr, arm))


def _absence_periods(fr: Frames, arm: str) -> pd.DataFrame | None:
    """Children of the arm with rows in both their baseline and the follow-up year.

    One row per child: family, pre/post days absent and school days. A
    child whose baseline year is not before the follow-up year (enrolled
    too close to ``E``) has no follow-up and is left out. ``None`` when the
    table was not given.
    """
    if fr.school_absence is None:
        return None
    kids = fr.children[fr.children["arm"] == arm]
    base = pd.Series(baseline_school_year(kids["enrolled_on"]), index=kids["person_id"].to_numpy())
    fu = followup_school_year(fr.end)
    base = base[base < fu]
    rows = fr.school_absence[fr.school_absence["person_id"].isin(base.index)]
    start = rows["start"].to_numpy()
    mine = base.reindex(rows["person_id"].to_numpy()).to_numpy()
    pre = rows[start == mine].set_index("person_id")[["days_absent", "school_days"]]
    post = rows[start == fu].set_index("person_id")[["days_absent", "school_days"]]
    both = pre.add_suffix("_pre").join(post.add_suffix("_post"), how="inner")
    family = kids.set_index("person_id")["family_id"]
    both.insert(0, "family_id", family.reindex(both.index).to_numpy())
    return both


def absence_change(fr: Frames, config: Config, arm: str, rng_labels: tuple[str, ...] = ()) -> Result:
    """Relative change of the pooled absence rate, baseline → follow-up school year."""
    measure = "school_absence_change"
    method = (
        f"pooled rate Σ days absent / Σ school days; percentile bootstrap over families "
        f"({config.bootstrap_replicates:,} replicates, seed {config.seed})"
    )
    periods = absence_periods(fr, arm)
    if periods is None:
        return RelativeChange.unavailable(measure, arm, "the school_absence table was not given", method)
    if periods.empty:
        return RelativeChange.unavailable(
            measure, arm, "no child has absence rows in both the baseline and the follow-up school year", method
        )
    fam = periods.groupby("family_id", sort=True).sum()
    return _ratio_change(
        measure,
        arm,
        method,
        fam["days_absent_post"].to_numpy(),
        fam["school_days_post"].to_numpy(),
        fam["days_absent_pre"].to_numpy(),
        fam["school_days_pre"].to_numpy(),
        len(periods),
        config,
        ("absence", arm, *rng_labels),
        zero_reason="the baseline absence rate is zero, so a relative change is undefined",
        names=("days_absent", "school_days"),
    )


# -- youth jobs -------------------------------------------------------------------------


def youth_windows(fr: Frames, config: Config, arm: str) -> pd.DataFrame | None:
    """Youth-windows of the arm (computed once per view and age band); see ``_youth_windows``."""
    return fr.memo(("youth", arm, config.youth_ages), lambda: _youth_windows(fr, config, arm))


def _youth_windows(fr: Frames, config: Config, arm: str) -> pd.DataFrame | None:
    """Youth-windows of the arm: one row per child and window in which the child is a youth.

    Columns: person_id, family_id, period (``pre``/``post``), job (bool).
    A youth is a child whose calendar-year age in the year the window ends
    lies in ``config.youth_ages``. ``None`` when youth_jobs was not given.
    """
    if fr.youth_jobs is None:
        return None
    low, high = config.youth_ages
    kids = fr.children[fr.children["arm"] == arm]
    m_f = kids["m_f"].to_numpy()
    birth = kids["birth_year"].to_numpy()
    e = fr.e
    pre_end_year = pd.PeriodIndex.from_ordinals(m_f - 1, freq="M").year.to_numpy() if len(kids) else m_f
    windows = []
    for period, first, last, year in (
        ("pre", m_f - 12, m_f - 1, pre_end_year),
        ("post", np.full(len(kids), e - 11), np.full(len(kids), e), np.full(len(kids), fr.end.year)),
    ):
        age = year - birth
        youth = (age >= low) & (age <= high)
        windows.append(
            pd.DataFrame(
                {
                    "person_id": kids["person_id"].to_numpy()[youth],
                    "family_id": kids["family_id"].to_numpy()[youth],
                    "period": period,
                    "first": first[youth],
                    "last": last[youth],
                }
            )
        )
    win = pd.concat(windows, ignore_index=True)
    jobs = fr.youth_jobs[fr.youth_jobs["person_id"].isin(set(win["person_id"]))]
    hits = win.reset_index().merge(jobs, on="person_id")
    inside = (hits["t"] >= hits["first"]) & (hits["t"] <= hits["last"])
    with_job = set(hits.loc[inside, "index"])
    win["job"] = win.index.isin(with_job)
    return win.drop(columns=["first", "last"])


def youth_job_change(fr: Frames, config: Config, arm: str, rng_labels: tuple[str, ...] = ()) -> Result:
    """Relative change of the share of youths with a job month, baseline → follow-up window."""
    measure = "youth_job_rate_change"
    low, high = config.youth_ages
    method = (
        f"share of youths ({low}–{high}) with ≥ 1 job month in the window; percentile bootstrap over families "
        f"({config.bootstrap_replicates:,} replicates, seed {config.seed})"
    )
    win = youth_windows(fr, config, arm)
    if win is None:
        return RelativeChange.unavailable(measure, arm, "the youth_jobs table was not given", method)
    counts = {p: win[win["period"] == p] for p in ("pre", "post")}
    if counts["pre"].empty or counts["post"].empty:
        which = "baseline" if counts["pre"].empty else "follow-up"
        return RelativeChange.unavailable(measure, arm, f"no child of the arm is a youth in the {which} window", method)
    grouped = win.groupby(["family_id", "period"])["job"].agg(["sum", "size"]).unstack("period", fill_value=0)
    return _ratio_change(
        measure,
        arm,
        method,
        grouped[("sum", "post")].to_numpy(),
        grouped[("size", "post")].to_numpy(),
        grouped[("sum", "pre")].to_numpy(),
        grouped[("size", "pre")].to_numpy(),
        int(win["person_id"].nunique()),
        config,
        ("youth", arm, *rng_labels),
        zero_reason="no youth had a job month in the baseline window (zero baseline rate)",
        names=("with_job", "youths"),
    )


def _ratio_change(
    measure: str,
    arm: str,
    method: str,
    post_num: np.ndarray,
    post_den: np.ndarray,
    pre_num: np.ndarray,
    pre_den: np.ndarray,
    n: int,
    config: Config,
    labels: tuple[str, ...],
    zero_reason: str,
    names: tuple[str, str],
) -> Result:
    """Shared tail of the two relative-change measures: estimate, parts, bootstrap."""
    num, den = names
    pre_rate = pre_num.sum() / pre_den.sum() if pre_den.sum() > 0 else float("nan")
    post_rate = post_num.sum() / post_den.sum() if post_den.sum() > 0 else float("nan")
    parts = {
        "pre_rate": float(pre_rate),
        "post_rate": float(post_rate),
        f"pre_{num}": float(pre_num.sum()),
        f"pre_{den}": float(pre_den.sum()),
        f"post_{num}": float(post_num.sum()),
        f"post_{den}": float(post_den.sum()),
    }
    n_fam = len(post_num)
    if not pre_rate > 0:
        return RelativeChange.unavailable(measure, arm, zero_reason, method, n, n_fam, parts=parts)
    boot = bootstrap_ratio_change(
        post_num, post_den, pre_num, pre_den, config.bootstrap_replicates, rng_for(config.seed, *labels)
    )
    parts["bootstrap_undefined"] = boot.undefined
    return RelativeChange(
        measure, arm, float(post_rate / pre_rate - 1), boot.low, boot.high, n, n_fam, method, parts=parts
    )
