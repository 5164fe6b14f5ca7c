"""Plain-pandas computation of the headline figures from raw sample files.

Written straight from the contract's definitions (section 3), independently
of the package's loader and measures, so the generator's calibration can be
checked against it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read(folder: Path) -> dict[str, pd.DataFrame]:
    names = ("families", "parents", "children", "parent_status", "school_absence", "youth_jobs", "expenditure")
    tables = {n: pd.read_csv(folder / f"{n}.csv", dtype={"person_id": str, "family_id": str}) for n in names}
    tables["families"]["enrolled_on"] = pd.to_datetime(tables["families"]["enrolled_on"])
    return tables


def headline(t: dict[str, pd.DataFrame], end: str) -> pd.DataFrame:
    """One row per arm: the contract's headline figures, computed naively."""
    fam = t["families"].set_index("family_id")
    par = t["parents"].assign(arm=lambda d: d["family_id"].map(fam["arm"]))
    status = t["parent_status"]
    at_end = status[status["month"] == end].merge(par, on="person_id")
    rows = {}
    for arm, g in at_end.groupby("arm"):
        work = g["status"].isin(["job", "flexjob", "education"])
        rows[arm] = {
            "n_end": len(g),
            "work_or_education": work.mean(),
            "flexjob_of_work": (g.loc[work, "status"] == "flexjob").mean(),
            "early_retirement": (g["status"] == "early_retirement").mean(),
        }
    out = pd.DataFrame(rows).T
    out["absence_change"] = _absence(t, fam, end)
    out["youth_job_change"] = _youth(t, fam, end)
    cost = _cost(t, fam, end)
    out.loc["intervention", "savings_vs_control"] = cost["control"] - cost["intervention"]
    return out


def _absence(t: dict[str, pd.DataFrame], fam: pd.DataFrame, end: str) -> pd.Series:
    kids = t["children"].assign(
        arm=lambda d: d["family_id"].map(fam["arm"]), enrolled=lambda d: d["family_id"].map(fam["enrolled_on"])
    )
    # Baseline: last school year that ended (31 July) before enrolment.
    kids["base"] = [(e.year - 1 if (e.month, e.day) > (7, 31) else e.year - 2) for e in kids["enrolled"]]
    e = pd.Period(end, "M")
    followup = e.year - 1 if e.end_time.date() >= pd.Timestamp(e.year, 7, 31).date() else e.year - 2
    ab = t["school_absence"].copy()
    ab["start"] = ab["school_year"].str[:4].astype(int)
    ab = ab.merge(kids[["person_id", "arm", "base"]], on="person_id")
    pre = ab[ab["start"] == ab["base"]]
    post = ab[ab["start"] == followup]
    both = set(pre["person_id"]) & set(post["person_id"])
    pre, post = pre[pre["person_id"].isin(both)], post[post["person_id"].isin(both)]
    rate_pre = pre.groupby("arm")["days_absent"].sum() / pre.groupby("arm")["school_days"].sum()
    rate_post = post.groupby("arm")["days_absent"].sum() / post.groupby("arm")["school_days"].sum()
    return rate_post / rate_pre - 1


def _youth(t: dict[str, pd.DataFrame], fam: pd.DataFrame, end: str) -> pd.Series:
    kids = t["children"].assign(
        arm=lambda d: d["family_id"].map(fam["arm"]),
        m_f=lambda d: d["family_id"].map(fam["enrolled_on"]).dt.to_period("M"),
    )
    jobs = t["youth_jobs"].assign(month=lambda d: pd.PeriodIndex(d["month"], freq="M"))
    jobs = jobs[jobs["earnings_dkk"] > 0]
    e = pd.Period(end, "M")
    rates = {}
    for label in ("pre", "post"):
        rows = []
        for kid in kids.itertuples():
            first, last = (kid.m_f - 12, kid.m_f - 1) if label == "pre" else (e - 11, e)
            age = last.year - kid.birth_year
            if not 13 <= age <= 17:
                continue
            mine = jobs[(jobs["person_id"] == kid.person_id) & (jobs["month"] >= first) & (jobs["month"] <= last)]
            rows.append((kid.arm, len(mine) > 0))
        frame = pd.DataFrame(rows, columns=["arm", "job"])
        rates[label] = frame.groupby("arm")["job"].mean()
    return rates["post"] / rates["pre"] - 1


#: Danmarks Statistik, PRIS113 consumer price index (2015 = 100), annual means of the monthly values.
CPI = {
    2015: 100.00,
    2016: 100.25,
    2017: 101.40,
    2018: 102.23,
    2019: 103.00,
    2020: 103.43,
    2021: 105.35,
    2022: 113.46,
    2023: 117.21,
}


def _cost(t: dict[str, pd.DataFrame], fam: pd.DataFrame, end: str) -> pd.Series:
    """Mean cost per family and arm over the window, in prices of the year of ``end``."""
    ex = t["expenditure"].assign(month=lambda d: pd.PeriodIndex(d["month"], freq="M"))
    target = CPI[pd.Period(end, "M").year]
    ex["amount_dkk"] = ex["amount_dkk"] * target / ex["month"].dt.year.map(CPI)
    ex["m_f"] = ex["family_id"].map(fam["enrolled_on"]).dt.to_period("M")
    window = ex[(ex["month"] >= ex["m_f"]) & (ex["month"] <= pd.Period(end, "M"))]
    per_family = window.groupby("family_id")["amount_dkk"].sum().reindex(fam.index, fill_value=0)
    return per_family.groupby(fam["arm"]).mean()
