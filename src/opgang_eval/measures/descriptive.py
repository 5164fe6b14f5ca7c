"""Descriptive tables: participant flow, baseline balance, transitions, trajectory, rates.

All are tidy frames (one row per arm and quantity) carrying the counts
behind every share or mean, so the presentation layer can apply the
disclosure rule without recomputing anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..config import Config
from ..results import Amount, Design, Result
from ..schema import STATUS
from .frames import Frames
from .headline import absence_periods, youth_windows
from .registry import Measure

__all__ = [
    "BENEFIT_STATUSES",
    "baseline_table",
    "flow_table",
    "rates_table",
    "trajectory_table",
    "transition_table",
]

#: Statuses counted as "on benefits" in the baseline table: public income
#: transfers, excluding (subsidised) work, education and "other".
BENEFIT_STATUSES = (
    "cash_benefit",
    "unemployment_benefit",
    "sickness_benefit",
    "resource_course",
    "job_clarification",
    "flexjob_waiting",
    "early_retirement",
)

NO_STATUS = "no_status"

#: Baseline rows of the status before enrolment are named ``baseline_status:<code>``; their ``status`` column
#: holds the code, so no reader parses it out of the name.
_STATUS_PREFIX = "baseline_status:"


def flow_table(
    fr: Frames, arms: Mapping[str, Mapping[str, Result]], design: Design, declared: Sequence[Measure]
) -> pd.DataFrame:
    """CONSORT-style flow per arm: enrolled, exited, observed in ``E``, analysed per measure.

    The savings compare both arms in one estimate: each arm counts its
    families in it (the control arm none when the savings' comparison —
    ``design`` — is another group).
    ``measure`` is the measure id of an ``analysed:<id>`` step (``None`` for
    the others), so nothing has to parse it out of the step's name.
    """
    end_day = fr.end.end_time
    status_end = fr.status_at_end()
    rows: list[tuple[str, str | None, str, str, int]] = []
    for arm in fr.arms():
        fam = fr.families[fr.families["arm"] == arm]
        par = fr.parents[fr.parents["arm"] == arm]
        kids = fr.children[fr.children["arm"] == arm]
        exited = (fam["exited_on"].notna() & (fam["exited_on"] <= end_day)).sum()
        steps: list[tuple[str, str | None, str, int]] = [
            ("families_enrolled", None, "families", len(fam)),
            ("parents_enrolled", None, "parents", len(par)),
            ("children_enrolled", None, "children", len(kids)),
            ("families_exited_before_end", None, "families", int(exited)),
            ("parents_with_status_in_end", None, "parents", int((status_end[par["pc"].to_numpy()] >= 0).sum())),
        ]
        for m in declared:
            result = arms.get(arm, {}).get(m.id)
            if result is None:
                continue
            n = int(result.n)
            own = arms.get("intervention", {}).get(m.id)
            if m.compares_arms and isinstance(own, Amount) and own.available:  # one estimate, counted per arm
                reference = own.parts.families_reference if design == "randomised" else 0
                n = own.parts.families_intervention if arm == "intervention" else reference
            steps.append((f"analysed:{m.id}", m.id, m.unit, n))
        rows.extend((step, measure, unit, arm, n) for step, measure, unit, n in steps)
    return pd.DataFrame(rows, columns=["step", "measure", "unit", "arm", "n"])


def _smd(a: np.ndarray, b: np.ndarray, binary: bool) -> float:
    """Standardised mean difference with the pooled SD of the two groups (sqrt of mean variance)."""
    if len(a) == 0 or len(b) == 0:
        return float("nan")
    if binary:
        pa, pb = a.mean(), b.mean()
        var = (pa * (1 - pa) + pb * (1 - pb)) / 2
    else:
        var = (a.var(ddof=1) + b.var(ddof=1)) / 2 if len(a) > 1 and len(b) > 1 else float("nan")
    return float((a.mean() - b.mean()) / np.sqrt(var)) if var > 0 else 0.0


def baseline_table(fr: Frames) -> pd.DataFrame:
    """Baseline characteristics per arm with standardised mean differences.

    Parents: age in the enrolment year, share female, months on benefits in
    the 36 months before enrolment, status in the month before enrolment.
    Families: children per family, parents per family. ``count_*`` holds the
    number of persons with the attribute for shares (for disclosure control).
    """
    arms = fr.arms()
    par = fr.parents
    before = _months_on_benefits(fr)
    base_status = _status_at_offset(fr, -1)
    variables: list[tuple[str, str, bool, dict[str, np.ndarray]]] = []

    def by_arm(frame: pd.DataFrame, values: np.ndarray) -> dict[str, np.ndarray]:
        return {arm: values[(frame["arm"] == arm).to_numpy()] for arm in arms}

    age = (par["enrolled_on"].dt.year - par["birth_year"]).to_numpy(dtype=float)
    variables.append(("age", "parents", False, by_arm(par, age)))
    known_sex = par["sex"].notna().to_numpy()
    female = (par["sex"].astype("str") == "F").to_numpy(dtype=float)
    variables.append(("female", "parents", True, by_arm(par[known_sex], female[known_sex])))
    variables.append(("months_on_benefits_36m", "parents", False, by_arm(par, before)))
    for code in (*STATUS.codes, NO_STATUS):
        flag = (base_status == code).astype(float)
        if flag.sum() == 0:
            continue
        variables.append((f"{_STATUS_PREFIX}{code}", "parents", True, by_arm(par, flag)))
    fam = fr.families
    n_families, fc = fr.codes.n_families, fam["fc"].to_numpy()
    kids = np.bincount(fr.children["fc"].to_numpy(), minlength=n_families)[fc].astype(float)
    adults = np.bincount(fr.parents["fc"].to_numpy(), minlength=n_families)[fc].astype(float)
    variables.append(("children_per_family", "families", False, by_arm(fam, kids)))
    variables.append(("parents_per_family", "families", False, by_arm(fam, adults)))
    rows = []
    for name, unit, binary, values in variables:
        status = name.split(":", 1)[1] if name.startswith(_STATUS_PREFIX) else None
        row: dict[str, object] = {
            "variable": name,
            "status": status,
            "unit": unit,
            "kind": "share" if binary else "mean",
        }
        for arm in arms:
            v = values[arm]
            row[arm] = float(v.mean()) if len(v) else float("nan")
            row[f"n_{arm}"] = len(v)
            row[f"count_{arm}"] = int(v.sum()) if binary else np.nan
        row["smd"] = (
            _smd(values["intervention"], values["control"], binary)
            if {"intervention", "control"} <= set(arms)
            else np.nan
        )
        rows.append(row)
    return pd.DataFrame(rows)


def _months_on_benefits(fr: Frames) -> np.ndarray:
    """Per parent (in ``fr.parents`` order): months on a benefit in ``m_f−36 … m_f−1``."""
    pc = fr.status["pc"].to_numpy()
    t = fr.status["t"].to_numpy()
    start = _enrolment_month(fr)[pc]
    window = (t >= start - 36) & (t <= start - 1)
    on = window & fr.status_in(fr.status["status"].cat.codes.to_numpy(), BENEFIT_STATUSES)
    counts = np.bincount(pc[on], minlength=fr.codes.n_persons)
    return counts[fr.parents["pc"].to_numpy()].astype(float)


def _enrolment_month(fr: Frames) -> np.ndarray:
    """Enrolment month ``m_f`` per person code (their family's)."""
    return fr.codes.families["m_f"].to_numpy()[fr.codes.person_family]


def _status_at_offset(fr: Frames, offset: int) -> np.ndarray:
    """Status name per parent in month ``m_f + offset`` (``no_status`` when missing)."""
    codes = fr.status_at(_enrolment_month(fr) + offset)
    return fr.status_labels(codes[fr.parents["pc"].to_numpy()], NO_STATUS)


def transition_table(fr: Frames) -> pd.DataFrame:
    """Counts of parents by status in the month before enrolment and status in ``E``, per arm."""
    par = fr.parents
    before = _status_at_offset(fr, -1)
    after = fr.status_labels(fr.status_at_end()[par["pc"].to_numpy()], NO_STATUS)
    table = pd.DataFrame({"arm": par["arm"].to_numpy(), "from_status": before, "to_status": after})
    table = table[table["arm"].isin(fr.arms())]  # a comparison pool has its own balance table
    out = table.groupby(["arm", "from_status", "to_status"], sort=True).size().rename("n").reset_index()
    return out


def trajectory_table(fr: Frames, config: Config) -> pd.DataFrame:
    """Monthly share of parents in work or education by months since enrolment, per arm.

    ``k`` runs from −36 to the longest follow-up; the denominator of each
    point (``n``) is the parents with a status in that month, so later points
    rest on the families enrolled earliest; ``families`` are theirs.

    The parent-months are counted with ``np.bincount`` over one integer
    cell per (arm, k) — the cells run in the order a sorted group-by gives,
    and only cells with parent-months are kept, as a group-by would.
    """
    s = fr.status
    pc = s["pc"].to_numpy()
    t = s["t"].to_numpy()
    k = t - _enrolment_month(fr)[pc]
    keep = (k >= -36) & (t <= fr.e)
    arm_names, family_arm = np.unique(fr.codes.families["arm"].to_numpy(dtype=object), return_inverse=True)
    arm = family_arm[fr.codes.person_family[pc[keep]]]
    k = k[keep]
    work = fr.status_in(s["status"].cat.codes.to_numpy()[keep], config.work_or_education)
    k_low = int(k.min()) if len(k) else 0
    n_k = int(k.max()) - k_low + 1 if len(k) else 0
    cell = arm * n_k + (k - k_low)
    n = np.bincount(cell, minlength=len(arm_names) * n_k)
    with_work = np.bincount(cell[work], minlength=len(arm_names) * n_k)
    # Families per cell: each (cell, family) pair once.
    fc = fr.codes.person_family[pc[keep]].astype(np.int64)
    pairs = np.unique(cell.astype(np.int64) * fr.codes.n_families + fc)
    families = np.bincount(pairs // fr.codes.n_families, minlength=len(arm_names) * n_k)
    seen = np.flatnonzero(n)
    out = pd.DataFrame(
        {
            "arm": arm_names[seen // n_k] if n_k else arm_names[:0],
            "k": seen % n_k + k_low if n_k else seen,
            "n": n[seen],
            "families": families[seen],
            "work": with_work[seen],
        }
    )
    out["share"] = out["work"] / out["n"]
    return out[out["arm"].isin(fr.arms())].reset_index(drop=True)  # the pool is shown through the event study


def rates_table(fr: Frames, config: Config) -> pd.DataFrame:
    """Pooled absence rate and youth job rate per arm and period (the parts of the changes)."""
    rows = []
    for arm in fr.arms():
        periods = absence_periods(fr, arm)
        if periods is not None and not periods.empty:
            for period in ("pre", "post"):
                days = float(periods[f"days_absent_{period}"].sum())
                total = float(periods[f"school_days_{period}"].sum())
                families = int(periods["fc"].nunique())
                rate = days / total if total else np.nan
                rows.append(("school_absence", arm, period, len(periods), families, days, total, rate))
        win = youth_windows(fr, config, arm)
        if win is not None:
            for period in ("pre", "post"):
                w = win[win["period"] == period]
                jobs = int(w["job"].sum())
                rate = jobs / len(w) if len(w) else np.nan
                rows.append(("youth_jobs", arm, period, len(w), int(w["fc"].nunique()), jobs, len(w), rate))
    columns = ["measure", "arm", "period", "persons", "families", "numerator", "denominator", "rate"]
    return pd.DataFrame(rows, columns=columns)
