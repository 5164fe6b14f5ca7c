"""Baseline covariates of each family, for the propensity model and the balance table.

Matching is done on families, the unit that takes part in the programme
(and that the effects are clustered by): parents' and children's
characteristics are summarised per family at its (pseudo-)enrolment month
``m_f``. Every covariate describes the family *before* ``m_f``, so nothing
the programme changed can enter the score.

=============================  ===============================================
``parent_age``                 mean calendar-year age of the parents in ``m_f``
``female_share``               share of women among the parents whose sex is recorded
``two_parents``                1 when the family has two or more parents
``children``                   number of children born by the enrolment year
``youngest_child_age``         calendar-year age of the youngest child (0 without children)
``children_0_5``               children aged 0–5
``children_13_17``             children aged 13–17
``benefit_months``             parents' mean months on a benefit in ``m_f−36 … m_f−1``
``baseline_work_or_education`` share of parents in work or education in ``m_f−1``
``baseline_cash_benefit``      share on cash benefit in ``m_f−1``
``baseline_other_benefit``     share on another benefit in ``m_f−1``
``site``                       one indicator per site found in both groups
=============================  ===============================================

"On a benefit" is any of :data:`BENEFITS`; a month without a status row
counts as not on a benefit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..config import Config
from ..measures.descriptive import BENEFIT_STATUSES
from ..measures.frames import Frames

__all__ = ["BENEFITS", "family_covariates"]

#: Statuses that count as being on public income support: the baseline table's definition.
BENEFITS = BENEFIT_STATUSES

_HISTORY = 36


def family_covariates(fr: Frames, config: Config, arms: tuple[str, str]) -> pd.DataFrame:
    """One row per family of the two arms: ``fc``, ``treated`` and the configured covariates.

    Parameters
    ----------
    fr
        Analysis frames; comparison families already carry their
        pseudo-enrolment month.
    config
        ``config.comparison.covariates`` chooses the columns;
        ``work_or_education`` defines the baseline work status.
    arms
        (treated arm, comparison arm), e.g. ``("intervention", "comparison")``.

    Returns
    -------
    DataFrame
        Rows in family-code order. Site indicators are named
        ``site: <name>``; a site found in one group only is left out (it
        would separate the groups perfectly) and so is the most common
        shared site (the reference).
    """
    fam = fr.families[fr.families["arm"].isin(arms)].sort_values("fc")
    fc = fam["fc"].to_numpy()
    n_all = fr.codes.n_families
    year_of_mf = 1970 + np.floor_divide(fr.codes.families["m_f"].to_numpy(), 12)
    out: dict[str, np.ndarray] = {"fc": fc, "treated": (fam["arm"] == arms[0]).to_numpy()}

    par = fr.parents
    pfc = par["fc"].to_numpy()
    n_par = np.bincount(pfc, minlength=n_all).astype(float)
    per_parent = np.maximum(n_par, 1)
    age = year_of_mf[pfc] - par["birth_year"].to_numpy()
    # Parents of unknown sex count in neither direction: the share is among those whose sex is recorded
    # (a family with none recorded gets the overall share).
    sex = par["sex"].astype("str") if "sex" in par else pd.Series(pd.NA, index=par.index, dtype="str")
    known = sex.notna().to_numpy()
    female = (sex == "F").fillna(False).to_numpy(dtype=float)
    wanted = config.comparison.covariates

    def mean_over_parents(values: np.ndarray) -> np.ndarray:
        return (np.bincount(pfc, weights=values, minlength=n_all) / per_parent)[fc]

    if "parent_age" in wanted:
        out["parent_age"] = mean_over_parents(age.astype(float))
    if "female_share" in wanted:
        n_known = np.bincount(pfc, weights=known.astype(float), minlength=n_all)
        n_female = np.bincount(pfc, weights=female, minlength=n_all)
        overall = n_female[fc].sum() / n_known[fc].sum() if n_known[fc].sum() else 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            out["female_share"] = np.where(n_known[fc] > 0, n_female[fc] / n_known[fc], overall)
    if "two_parents" in wanted:
        out["two_parents"] = (n_par[fc] >= 2).astype(float)
    out.update(_children(fr, fc, year_of_mf, wanted))
    out.update(_history(fr, config, mean_over_parents, wanted))
    frame = pd.DataFrame(out)
    if "site" in wanted:
        frame = pd.concat([frame, _sites(fam, out["treated"])], axis=1)
    return frame


def _children(fr: Frames, fc: np.ndarray, year_of_mf: np.ndarray, wanted: tuple[str, ...]) -> dict[str, np.ndarray]:
    kids = fr.children
    kfc = kids["fc"].to_numpy()
    n_all = fr.codes.n_families
    age = year_of_mf[kfc] - kids["birth_year"].to_numpy()
    born = age >= 0  # a child born after the enrolment year is not part of the family's baseline
    kfc, age = kfc[born], age[born]
    out: dict[str, np.ndarray] = {}
    if "children" in wanted:
        out["children"] = np.bincount(kfc, minlength=n_all)[fc].astype(float)
    if "youngest_child_age" in wanted:
        youngest = np.full(n_all, np.iinfo(np.int64).max)
        np.minimum.at(youngest, kfc, age)
        out["youngest_child_age"] = np.where(youngest[fc] == np.iinfo(np.int64).max, 0, youngest[fc]).astype(float)
    for name, low, high in (("children_0_5", 0, 5), ("children_13_17", 13, 17)):
        if name in wanted:
            inside = ((age >= low) & (age <= high)).astype(float)
            out[name] = np.bincount(kfc, weights=inside, minlength=n_all)[fc]
    return out


def _history(
    fr: Frames, config: Config, mean_over_parents: Callable[[np.ndarray], np.ndarray], wanted: tuple[str, ...]
) -> dict[str, np.ndarray]:
    """Benefit months before ``m_f`` and the status in ``m_f−1``, averaged over each family's parents."""
    out: dict[str, np.ndarray] = {}
    par = fr.parents
    pc = par["pc"].to_numpy()
    m_f = np.zeros(fr.codes.n_persons, dtype=np.int64)
    m_f[pc] = par["m_f"].to_numpy()
    rows_pc = fr.status["pc"].to_numpy()
    k = fr.status["t"].to_numpy() - m_f[rows_pc]
    if "benefit_months" in wanted:
        on_benefit = fr.status_in(fr.status["status"].cat.codes.to_numpy(), BENEFITS)
        window = (k >= -_HISTORY) & (k <= -1) & on_benefit
        months = np.bincount(rows_pc[window], minlength=fr.codes.n_persons)[pc]
        out["benefit_months"] = mean_over_parents(months.astype(float))
    groups = {
        "baseline_work_or_education": config.work_or_education,
        "baseline_cash_benefit": ("cash_benefit",),
        "baseline_other_benefit": tuple(b for b in BENEFITS if b != "cash_benefit"),
    }
    if any(g in wanted for g in groups):
        before = fr.status_at(m_f - 1)[pc]
        for name, statuses in groups.items():
            if name in wanted:
                out[name] = mean_over_parents(fr.status_in(before, statuses).astype(float))
    return out


def _sites(fam: pd.DataFrame, treated: np.ndarray) -> pd.DataFrame:
    """Indicators of the sites found in both groups, the most common shared one left out as reference."""
    site = fam["site"].astype("str").fillna("").to_numpy()
    shared = sorted((set(site[treated]) & set(site[~treated])) - {""})
    if len(shared) < 2:
        return pd.DataFrame(index=range(len(fam)))
    counts = pd.Series(site).value_counts()
    reference = max(shared, key=lambda s: (counts[s], s))
    return pd.DataFrame({f"site: {s}": (site == s).astype(float) for s in shared if s != reference})
