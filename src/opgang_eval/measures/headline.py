"""The headline measures of the data contract (section 3), for one arm.

Each function takes the analysis :class:`~.frames.Frames`, the config and an
arm and returns result objects; none of them raises on thin data — a
measure that cannot be computed comes back with a reason.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..config import Config
from ..results import RateChangeParts, RelativeChange, Result, Share, ShareParts
from .frames import Frames
from .intervals import bootstrap_ratio_change, rng_for, wilson
from .registry import AnalysisRows, Contrast, Inputs

__all__ = [
    "absence_change",
    "absence_periods",
    "absence_rows",
    "baseline_school_year",
    "followup_school_year",
    "share_rows",
    "status_shares",
    "youth_job_change",
    "youth_rows",
    "youth_windows",
]

_WILSON = "Wilson score interval for a proportion (parents treated as independent)"

#: The three shares in ``E``: measure id → (the statuses counted, whether the denominator is those in work or
#: education instead of every parent with a status).
SHARES: dict[str, tuple[str, bool]] = {
    "parents_in_work_or_education": ("work_or_education", False),
    "flexjob_share_of_work_or_education": ("flexjob", True),
    "parents_in_flexjob": ("flexjob", False),
    "early_retirement_share": ("early_retirement", False),
}


def _statuses(config: Config, which: str) -> tuple[str, ...]:
    return config.work_or_education if which == "work_or_education" else (which,)


def status_shares(fr: Frames, config: Config, arm: str) -> dict[str, Result]:
    """Work-or-education, flexjob and early-retirement shares in month ``E`` (computed once per view and arm).

    The denominator is every parent of the arm's families with a status in
    ``E`` — families that left the programme early included (intention to
    treat); parents with no row in ``E`` (moved, died, left the registers)
    are not counted.
    """
    key = ("status_shares", arm, config.work_or_education)
    return fr.memo(key, lambda: _status_shares(fr, config, arm))


def _status_shares(fr: Frames, config: Config, arm: str) -> dict[str, Result]:
    parents = fr.parents[fr.parents["arm"] == arm]
    status = fr.status_at_end()[parents["pc"].to_numpy()]
    has = status >= 0
    work = fr.status_in(status, config.work_or_education)
    families = parents["fc"].to_numpy()
    end = str(fr.end)
    out: dict[str, Result] = {}
    for measure, (which, among_work) in SHARES.items():
        among = work if among_work else has
        k = int((fr.status_in(status, _statuses(config, which)) & among).sum())
        total = int(among.sum())
        if total == 0:
            why = "is in work or education" if among_work else "has a status"
            out[measure] = Share.unavailable(measure, arm, f"no parent of the {arm} arm {why} in {end}", method=_WILSON)
            continue
        low, high = wilson(k, total, 0.95)
        fams = int(np.unique(families[among]).size)
        out[measure] = Share(measure, arm, k / total, low, high, total, fams, _WILSON, parts=ShareParts(k, total))
    return out


def share_rows(inputs: Inputs, arms: tuple[str, str], contrast: Contrast, measure: str) -> AnalysisRows | str:
    """Rows of a share's effect: each parent of the two arms with a status (in the month before enrolment and) in ``E``.

    Parents run in the order of the parents table. A difference uses the
    status in ``E``; a difference-in-differences stacks the status in the
    month before enrolment (``m_f − 1``) and in ``E``. The flexjob share is
    among the parents in work or education in ``E`` only, so it is a
    difference at the end in every design (and descriptive: it conditions on
    an outcome).
    """
    fr, config = inputs.frames, inputs.config
    which, among_work = SHARES[measure]
    par = fr.parents[fr.parents["arm"].isin(list(arms)).to_numpy()]
    pc, fc = par["pc"].to_numpy(), par["fc"].to_numpy()
    treated = (par["arm"] == arms[0]).to_numpy()
    post = fr.status_at_end()[pc]
    end = fr.end
    observational = inputs.design.family == "observational"
    if among_work:
        keep = fr.status_in(post, config.work_or_education)
        y = fr.status_in(post, _statuses(config, which))
        how = (
            f"difference of the flexjob share among parents in work or education in {end} (descriptive: it "
            "conditions on an outcome); weighted least squares"
            if observational
            else f"linear probability model of the status in {end} on arm"
        )
        return AnalysisRows(pc[keep], fc[keep], treated[keep], np.ones(int(keep.sum()), dtype=bool), y[keep], None, how)
    if contrast == "difference":
        keep = post >= 0
        y = fr.status_in(post, _statuses(config, which))
        how = f"linear probability model of the status in {end} on arm"
        return AnalysisRows(pc[keep], fc[keep], treated[keep], np.ones(int(keep.sum()), dtype=bool), y[keep], None, how)
    m_f = np.zeros(fr.codes.n_persons, dtype=np.int64)
    m_f[pc] = par["m_f"].to_numpy()
    status = np.concatenate([fr.status_at(m_f - 1)[pc], post])
    keep = status >= 0
    how = f"difference-in-differences of the share in the month before enrolment and in {end}: " + (
        "weighted least squares" if observational else "least squares"
    )
    return AnalysisRows(
        np.concatenate([pc, pc])[keep],
        np.concatenate([fc, fc])[keep],
        np.concatenate([treated, treated])[keep],
        np.repeat([False, True], len(pc))[keep],
        fr.status_in(status, _statuses(config, which))[keep],
        None,
        how,
    )


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

    One row per child, in the order of their baseline rows in
    ``school_absence``: person and family code (``pc``, ``fc``), pre/post
    days absent and school days. A child whose baseline year is not before
    the follow-up year (enrolled too close to ``E``) has no follow-up and is
    left out. ``None`` when the table was not given.
    """
    if fr.school_absence is None:
        return None
    kids = fr.children[fr.children["arm"] == arm]
    fu = followup_school_year(fr.end)
    base = baseline_school_year(kids["enrolled_on"])
    eligible = base < fu
    # Each person code's baseline year; a year no row can have for everybody else.
    never = np.iinfo(np.int64).min
    base_of = np.full(fr.codes.n_persons, never, dtype=np.int64)
    base_of[kids["pc"].to_numpy()[eligible]] = base[eligible]
    rows = fr.school_absence
    pc = rows["pc"].to_numpy()
    start = rows["start"].to_numpy()
    mine = base_of[pc]
    pre = np.flatnonzero(start == mine)
    post = np.flatnonzero((start == fu) & (mine != never))
    # (person, school year) is unique, so each child has at most one row of each.
    post_row = np.full(fr.codes.n_persons, -1, dtype=np.int64)
    post_row[pc[post]] = post
    pre = pre[post_row[pc[pre]] >= 0]
    post = post_row[pc[pre]]
    absent, days = rows["days_absent"].to_numpy(), rows["school_days"].to_numpy()
    return pd.DataFrame(
        {
            "pc": pc[pre],
            "fc": fr.codes.person_family[pc[pre]],
            "days_absent_pre": absent[pre],
            "school_days_pre": days[pre],
            "days_absent_post": absent[post],
            "school_days_post": days[post],
        }
    )


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
    fam = periods.drop(columns="pc").groupby("fc", sort=True).sum()
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
        persons_counted=False,
    )


def absence_rows(inputs: Inputs, arms: tuple[str, str], contrast: Contrast) -> AnalysisRows | str:
    """Rows of the absence effect: each child's rate in the baseline and the follow-up year, weighted by school days.

    Weighted by school days, the difference-in-differences of the rates is
    that of the pooled rates Σ days absent / Σ school days. Arm by arm, the
    baseline rows first.
    """
    fr = inputs.frames
    blocks: list[tuple[np.ndarray, ...]] = []
    for arm in arms:
        periods = absence_periods(fr, arm)
        if periods is None:
            return "the school_absence table was not given"
        if periods.empty and inputs.design.family != "observational":
            return f"no child of the {arm} arm has absence rows in both periods"
        pc, fc = periods["pc"].to_numpy(), periods["fc"].to_numpy()
        for period in ("pre", "post"):
            days = periods[f"school_days_{period}"].to_numpy(dtype=float)
            rate = periods[f"days_absent_{period}"].to_numpy() / periods[f"school_days_{period}"].to_numpy()
            blocks.append((pc, fc, np.full(len(pc), arm == arms[0]), np.full(len(pc), period == "post"), rate, days))
    group = "group" if inputs.design.family == "observational" else "arm"
    weight = "school days × the family's weight" if group == "group" else "school days"
    how = (
        f"difference-in-differences of pooled absence rates: weighted least squares of each child's rate on {group}, "
        f"period and {group} × period, weighted by {weight}"
    )
    pc, fc, treated, post, y, days = (np.concatenate(column) for column in zip(*blocks, strict=True))
    return AnalysisRows(pc, fc, treated, post, y, days, how)


# -- youth jobs -------------------------------------------------------------------------


def youth_windows(fr: Frames, config: Config, arm: str) -> pd.DataFrame | None:
    """Youth-windows of the arm (computed once per view and age band); see ``_youth_windows``."""
    return fr.memo(("youth", arm, config.youth_ages), lambda: _youth_windows(fr, config, arm))


def _youth_windows(fr: Frames, config: Config, arm: str) -> pd.DataFrame | None:
    """Youth-windows of the arm: one row per child and window in which the child is a youth.

    Columns: pc, fc (person and family code), period (``pre``/``post``),
    job (bool); the pre windows first, children in ``fr.children`` order. A
    youth is a child whose calendar-year age in the year the window ends
    lies in ``config.youth_ages``. ``None`` when youth_jobs was not given.
    """
    if fr.youth_jobs is None:
        return None
    low, high = config.youth_ages
    kids = fr.children[fr.children["arm"] == arm]
    m_f = kids["m_f"].to_numpy()
    birth = kids["birth_year"].to_numpy()
    pc = kids["pc"].to_numpy()
    fc = kids["fc"].to_numpy()
    e = fr.e
    pre_end_year = m_f
    if len(kids):
        # pandas-stubs 3.1.0 lacks PeriodIndex.from_ordinals (a pandas classmethod since 2.2).
        pre_end_year = pd.PeriodIndex.from_ordinals(m_f - 1, freq="M").year.to_numpy()  # type: ignore[attr-defined]
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
                    "pc": pc[youth],
                    "fc": fc[youth],
                    "period": period,
                    "job": _any_month_between(fr.youth_jobs, pc[youth], first[youth], last[youth]),
                }
            )
        )
    return pd.concat(windows, ignore_index=True)


def _any_month_between(months: pd.DataFrame, pc: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Whether person ``pc[i]`` has a row in ``months`` with ``first[i] <= t <= last[i]``.

    ``months`` is sorted by ``pc`` and ``t``, so one key ``pc × span + t``
    (``span`` wider than any window or month range) is sorted too and each
    window is a range of keys: two binary searches per window instead of a
    join of windows and months.
    """
    t = months["t"].to_numpy()
    if len(t) == 0 or len(pc) == 0:
        return np.zeros(len(pc), dtype=bool)
    low = min(int(t.min()), int(first.min()))
    span = max(int(t.max()), int(last.max())) - low + 1
    keys = months["pc"].to_numpy() * span + (t - low)
    base = pc * span - low
    return np.searchsorted(keys, base + last, side="right") > np.searchsorted(keys, base + first, side="left")


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
    grouped = win.groupby(["fc", "period"])["job"].agg(["sum", "size"]).unstack("period", fill_value=0)
    return _ratio_change(
        measure,
        arm,
        method,
        grouped[("sum", "post")].to_numpy(),
        grouped[("size", "post")].to_numpy(),
        grouped[("sum", "pre")].to_numpy(),
        grouped[("size", "pre")].to_numpy(),
        int(win["pc"].nunique()),
        config,
        ("youth", arm, *rng_labels),
        zero_reason="no youth had a job month in the baseline window (zero baseline rate)",
        persons_counted=True,
    )


def youth_rows(inputs: Inputs, arms: tuple[str, str], contrast: Contrast) -> AnalysisRows | str:
    """Rows of the youth-job effect: one per youth and window (job yes/no), arm by arm."""
    blocks = []
    for arm in arms:
        win = youth_windows(inputs.frames, inputs.config, arm)
        if win is None:
            return "the youth_jobs table was not given"
        if win.empty and inputs.design.family != "observational":
            return f"the {arm} arm has no youths"
        blocks.append(win.assign(treated=arm == arms[0]))
    rows = pd.concat(blocks, ignore_index=True)
    observational = inputs.design.family == "observational"
    how = (
        "difference-in-differences of youth job rates: "
        + ("weighted linear probability model" if observational else "linear probability model")
        + " of job (yes/no) per youth and window on "
        + ("group, period and group × period" if observational else "arm, period and arm × period")
    )
    return AnalysisRows(
        rows["pc"].to_numpy(),
        rows["fc"].to_numpy(),
        rows["treated"].to_numpy(dtype=bool),
        (rows["period"] == "post").to_numpy(),
        rows["job"].to_numpy(dtype=float),
        None,
        how,
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
    persons_counted: bool,
) -> Result:
    """Shared tail of the two relative-change measures: estimate, parts, bootstrap."""
    pre_rate = pre_num.sum() / pre_den.sum() if pre_den.sum() > 0 else float("nan")
    post_rate = post_num.sum() / post_den.sum() if post_den.sum() > 0 else float("nan")
    parts = RateChangeParts(
        float(pre_rate),
        float(post_rate),
        float(pre_num.sum()),
        float(pre_den.sum()),
        float(post_num.sum()),
        float(post_den.sum()),
        persons_counted,
    )
    n_fam = len(post_num)
    if not pre_rate > 0:
        return RelativeChange.unavailable(measure, arm, zero_reason, method, n, n_fam, parts=parts)
    boot = bootstrap_ratio_change(
        post_num, post_den, pre_num, pre_den, config.bootstrap_replicates, rng_for(config.seed, *labels)
    )
    parts = replace(parts, bootstrap_undefined=boot.undefined)
    return RelativeChange(
        measure, arm, float(post_rate / pre_rate - 1), boot.low, boot.high, n, n_fam, method, parts=parts
    )
