"""Synthetic extracts of a randomised family-employment evaluation.

The generator simulates what an evaluator of Opgang til Opgang receives from
the registers: families randomised within strata (site × family type),
parents' monthly status histories, children's school absence per school
year, youth job months, monthly public expenditure by domain and a
wellbeing survey. Nothing in it is real data.

Calibration
-----------
With the default :class:`Scenario` the intervention arm reproduces the
published results — 52 % of parents in work or education at the end, two
out of three of them in flexjob, 21 % on early-retirement pension, pooled
school absence down 25 %, the youth after-school job rate up 66 % and gross
savings of 250,000 DKK per family against the control arm — and the control
arm shows the weaker changes one would expect without the programme.

Calibration is by *allocation*, not by hoping a random draw lands near the
target: each arm's parents are allotted to end states in the target
proportions (rounded to whole persons), youths to job/no-job windows likewise,
and the follow-up absence and post-enrolment social expenditure are scaled
so the pooled figures meet their targets. Expenditure is simulated in the
prices of the end year and written in nominal prices (Danmarks Statistik's
consumer price index), so the savings target holds after price conversion.

Timing is random: how soon a parent reaches the end state follows a monthly hazard after enrolment,
through the intermediate steps the Danish system uses (ressourceforløb or
jobafklaring, then ledighedsydelse, then fleksjob), and before enrolment the
status history is a Markov chain over the benefit states. Everything is
vectorised over persons; the only Python loops run over calendar months or
a handful of path steps.

Comparison pool
---------------
With ``Scenario.comparison_families`` above zero the extracts also hold
register families that were not randomised (arm ``comparison``), for an
observational design that matches them to the intervention arm on baseline
covariates. They differ *on observables* through a latent family type. The
randomised arms are all type A, "far from the labour market": the process
above. A share ``comparison_near_share`` of the comparison families are
type B, "near the labour market": their status chain starts mostly in a
job or on unemployment benefit and finds jobs far more often, their
parents are younger and they have fewer children. Type A comparison
families are the randomised arms' population without the programme: same
chain, and end states allotted to the control arm's targets; type B has its
own (``comparison_near``). A comparison of the intervention arm with the
whole pool is therefore biased, and one that balances the baseline
covariates is not (up to what the covariates miss). :func:`simulate`
returns the effects the data were built to have, so an estimator can be
checked against them.

Comparison families' ``enrolled_on`` is written empty: the evaluation gives
them a pseudo-enrolment month. Internally each has an anchor month drawn
from the intervention's enrolment calendar, which places its outcomes; its
status history and expenditure start early enough that any enrolment month
in ``enrol_from … enrol_to`` has the full history before it.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

from .costs.prices import default_price_index
from .schema import STATUS, TABLES

__all__ = ["ArmTargets", "Scenario", "Simulation", "generate", "simulate", "write_extracts", "write_sample"]

Format = Literal["csv", "parquet"]

_CODES = STATUS.codes
_S = {code: i for i, code in enumerate(_CODES)}
_WORK = ("job", "flexjob", "education")
_END_STATES = ("job", "flexjob", "education", "early_retirement")
_SCHOOL_DAYS = 200

#: Monthly gross public cost per status used for the synthetic expenditure
#: (DKK, roughly 2024 levels; benefit states include activation). Synthetic
#: parameters, not the package's unit-cost table.
_MONTHLY_COST = {
    "job": 600.0,
    "flexjob": 17_000.0,
    "education": 8_000.0,
    "early_retirement": 20_370.0,
    "cash_benefit": 18_400.0,
    "unemployment_benefit": 19_000.0,
    "sickness_benefit": 19_500.0,
    "resource_course": 20_400.0,
    "job_clarification": 19_400.0,
    "flexjob_waiting": 18_600.0,
    "other": 9_000.0,
}

# Status chain before enrolment (and for parents who stay on benefits):
# from-state -> {to-state: monthly probability}; the rest stays.
_CHAIN = {
    "cash_benefit": {
        "resource_course": 0.010,
        "sickness_benefit": 0.008,
        "job_clarification": 0.004,
        "job": 0.008,
        "unemployment_benefit": 0.003,
        "education": 0.003,
        "other": 0.005,
    },
    "resource_course": {"cash_benefit": 0.03, "job_clarification": 0.005, "flexjob_waiting": 0.004},
    "sickness_benefit": {"cash_benefit": 0.10, "job_clarification": 0.04},
    "job_clarification": {"cash_benefit": 0.03, "resource_course": 0.04},
    "flexjob_waiting": {"cash_benefit": 0.03, "flexjob": 0.03},
    "flexjob": {"flexjob_waiting": 0.05},
    "unemployment_benefit": {"cash_benefit": 0.10, "job": 0.05},
    "job": {"cash_benefit": 0.20},
    "education": {"cash_benefit": 0.15},
    "other": {"cash_benefit": 0.20},
    "early_retirement": {},
}

_START = {
    "cash_benefit": 0.72,
    "resource_course": 0.08,
    "sickness_benefit": 0.05,
    "job_clarification": 0.04,
    "flexjob_waiting": 0.02,
    "unemployment_benefit": 0.02,
    "job": 0.03,
    "education": 0.01,
    "other": 0.03,
}

# Type B comparison parents, "near the labour market": benefit spells are
# short and end in a job, jobs last. Most months are spent in work.
_CHAIN_NEAR = {
    "cash_benefit": {
        "job": 0.06,
        "unemployment_benefit": 0.02,
        "education": 0.01,
        "sickness_benefit": 0.005,
        "other": 0.005,
    },
    "resource_course": {"cash_benefit": 0.05, "job": 0.03},
    "sickness_benefit": {"job": 0.12, "cash_benefit": 0.05},
    "job_clarification": {"job": 0.05, "cash_benefit": 0.05},
    "flexjob_waiting": {"flexjob": 0.08, "cash_benefit": 0.02},
    "flexjob": {"flexjob_waiting": 0.01},
    "unemployment_benefit": {"job": 0.15, "cash_benefit": 0.02, "education": 0.01},
    "job": {"unemployment_benefit": 0.015, "sickness_benefit": 0.003, "cash_benefit": 0.002},
    "education": {"job": 0.05, "cash_benefit": 0.01},
    "other": {"job": 0.10, "cash_benefit": 0.05},
    "early_retirement": {},
}

_START_NEAR = {
    "job": 0.40,
    "unemployment_benefit": 0.30,
    "cash_benefit": 0.15,
    "education": 0.05,
    "sickness_benefit": 0.05,
    "other": 0.05,
}


@dataclass(frozen=True)
class ArmTargets:
    """What one arm looks like at the evaluation end.

    Attributes
    ----------
    work_or_education
        Share of parents with a status in ``E`` who are in job, flexjob or
        education.
    flexjob_share
        Share of those in flexjob.
    job_share
        Of the rest (not flexjob), the share in ordinary jobs; others study.
    early_retirement
        Share on early-retirement pension in ``E``.
    absence_change
        Relative change of the pooled absence rate, baseline → follow-up.
    youth_job_change
        Relative change of the youth job rate, baseline → follow-up window.
    survey_change
        Mean change of each wellbeing score (1–5 scale).
    social_change
        Relative change of social expenditure after enrolment (the
        intervention arm's is recalibrated to meet the savings target).
    """

    work_or_education: float
    flexjob_share: float
    job_share: float
    early_retirement: float
    absence_change: float
    youth_job_change: float
    survey_change: float
    social_change: float = 0.0


@dataclass(frozen=True)
class Scenario:
    """Parameters of one simulated evaluation; defaults match Opgang til Opgang.

    The published figures: 62 families, 97 adults, 188 children; enrolment
    from autumn 2019; follow-up to August 2023; savings of 250,000 DKK per
    family (Aarhus University). The control arm's targets are assumptions of
    this generator: "ordinary services" improve a little.

    ``control_families=0`` leaves out the control arm; ``None`` makes it as
    large as the intervention arm. The ``comparison_*`` fields describe the
    pool of non-randomised families (none by default, so the default sample
    is the randomised evaluation alone); see the module docstring.

    Attributes
    ----------
    comparison_families
        Families in the comparison pool (arm ``comparison``).
    comparison_near_share
        Share of them that are type B, "near the labour market" (a whole
        number of families, rounded).
    comparison_near
        End-state targets of type B parents at ``E``. Only the end-state
        fields (``work_or_education``, ``flexjob_share``, ``job_share``,
        ``early_retirement``) are used: absence, youth jobs, the survey and
        expenditure of every comparison family follow ``control``, as no
        comparison family is in the programme. Type A comparison parents
        are allotted to ``control``'s end states.
    comparison_near_age_gap
        How many years younger type B parents are drawn. Parents are then
        made at least 18 years older than their oldest child, which narrows
        the realised gap a little (about 4 years with the defaults).
    comparison_near_children
        Children per type B family (type A families have
        ``children_per_family``).
    comparison_sites
        Where comparison families live, with weights: mostly other areas of
        the municipality, with some overlap with ``sites`` so that site can
        enter the matching. Comparison families have no stratum.
    """

    intervention_families: int = 62
    control_families: int | None = None
    adults_per_family: float = 97 / 62
    children_per_family: float = 188 / 62
    enrol_from: str = "2019-09"
    enrol_to: str = "2020-12"
    end: str = "2023-08"
    history_months: int = 36
    expenditure_months_before: int = 24
    sites: tuple[tuple[str, float], ...] = (("Gellerup", 0.7), ("Toveshøj", 0.3))
    intervention: ArmTargets = field(default_factory=lambda: ArmTargets(0.52, 2 / 3, 0.7, 0.21, -0.25, 0.66, 0.7, -0.5))
    control: ArmTargets = field(default_factory=lambda: ArmTargets(0.30, 0.40, 0.7, 0.10, -0.03, 0.08, 0.1, 0.0))
    savings_per_family: float = 250_000.0
    baseline_absence_rate: float = 0.11
    baseline_youth_job_rate: float = 0.18
    moved_away: float = 0.03
    exited: float = 0.10
    survey_response: float = 0.9
    survey_retention: float = 0.8
    comparison_families: int = 0
    comparison_near_share: float = 0.5
    comparison_near: ArmTargets = field(default_factory=lambda: ArmTargets(0.75, 0.05, 0.85, 0.01, -0.03, 0.08, 0.1))
    comparison_near_age_gap: float = 5.0
    comparison_near_children: float = 1.8
    comparison_sites: tuple[tuple[str, float], ...] = (("Gellerup", 0.2), ("Aarhus Vest", 0.4), ("Aarhus Nord", 0.4))

    @property
    def n_control(self) -> int:
        return self.intervention_families if self.control_families is None else self.control_families

    def check(self) -> None:
        """Refuse parameter combinations the generator cannot honour."""
        end = pd.Period(self.end, "M")
        last = pd.Period(self.enrol_to, "M")
        if pd.Period(self.enrol_from, "M") > last:
            raise ValueError("enrol_from must not be after enrol_to")
        if (end - last).n < 24:
            raise ValueError("end must be at least 24 months after enrol_to (baseline and follow-up must not overlap)")
        if self.intervention_families < 1 or self.n_control < 0 or self.comparison_families < 0:
            raise ValueError("need at least one intervention family and non-negative control and comparison arms")
        if not 0 <= self.comparison_near_share <= 1:
            raise ValueError("comparison_near_share must lie between 0 and 1")
        if self.comparison_near_children < 1:
            raise ValueError("comparison_near_children must be at least 1")
        for name in ("sites", "comparison_sites"):
            weights = [w for _, w in getattr(self, name)]
            if not weights or min(weights) < 0 or sum(weights) <= 0:
                raise ValueError(f"{name} needs at least one site and non-negative weights with a positive sum")
        if not 1 <= self.adults_per_family <= 2:
            raise ValueError("adults_per_family must lie between 1 and 2")
        if self.children_per_family < 1:
            raise ValueError("children_per_family must be at least 1")


@dataclass(frozen=True)
class Simulation:
    """One simulated evaluation: the contract tables and the truth behind them.

    Attributes
    ----------
    tables
        Table name → frame, as :func:`generate` returns them.
    truth
        The effects the data were built to have, computed from the generated
        statuses in ``E`` among parents who have one (those who moved away
        do not). Shares are of parents in job, flexjob or education
        (``*_work_or_education``) or on early-retirement pension
        (``*_early_retirement``):

        * ``intervention_*``: the intervention arm's share;
        * ``counterfactual_*``: the share type A parents reach without the
          programme, pooled over the control arm and the type A comparison
          families (both allotted to the ``control`` targets). The
          intervention arm is all type A, so this is its counterfactual;
        * ``comparison_*``: the share of all comparison parents, types A
          and B together;
        * ``work_or_education_effect``, ``early_retirement_effect``: the true
          effect on the intervention arm, intervention − counterfactual;
        * ``naive_work_or_education_effect``,
          ``naive_early_retirement_effect``: intervention − comparison, the
          estimate an unadjusted comparison with the whole pool gives
          (biased, because type B parents reach work without the
          programme);
        * ``comparison_near_share``: the share of type B among comparison
          families.

        A value is NaN when its groups are empty (no comparison pool, or
        neither a control arm nor type A comparison families).
    comparison_type
        Comparison families' latent type, ``"A"`` (far from the labour
        market, like the randomised arms) or ``"B"`` (near it), indexed by
        ``family_id`` in sorted order (empty without a pool). Not in the
        extracts: an evaluator cannot see it, a test can.
    """

    tables: dict[str, pd.DataFrame]
    truth: Mapping[str, float]
    comparison_type: pd.Series


def generate(scenario: Scenario | None = None, seed: int = 20190901) -> dict[str, pd.DataFrame]:
    """Simulate the contract tables of one evaluation.

    Parameters
    ----------
    scenario
        Sizes and calibration targets; :class:`Scenario` defaults reproduce
        the published Opgang til Opgang results.
    seed
        Seed of the random generator: the same seed gives the same tables.

    Returns
    -------
    dict
        Table name → frame with the contract's columns: ``families``,
        ``parents``, ``children``, ``parent_status``, ``school_absence``,
        ``youth_jobs``, ``expenditure`` and ``survey``.

    See Also
    --------
    simulate : the same tables with the true effects behind them.
    """
    return simulate(scenario, seed).tables


def simulate(scenario: Scenario | None = None, seed: int = 20190901) -> Simulation:
    """Simulate one evaluation and keep the truth its tables were built from.

    Parameters
    ----------
    scenario
        Sizes and calibration targets, as for :func:`generate`.
    seed
        Seed of the random generator; the tables are exactly those
        :func:`generate` returns for the same scenario and seed.

    Returns
    -------
    Simulation
        The tables, the true and the naive effects (see
        :class:`Simulation`) and the comparison families' latent types.
    """
    sc = scenario or Scenario()
    sc.check()
    rng = np.random.default_rng(seed)
    fam = _families(sc, rng)
    par = _parents(sc, fam, rng)
    chi = _children(sc, fam, rng)
    _older_than_children(par, chi, fam, rng)
    ids = _person_ids(len(par), len(chi), rng)
    par["person_id"] = ids[: len(par)]
    chi["person_id"] = ids[len(par) :]
    grid, first_col, last_col, t0 = _status_grid(sc, fam, par, rng)
    tables = {
        "families": _families_table(fam),
        "parents": par[["person_id", "family_id", "birth_year", "sex"]].reset_index(drop=True),
        "children": chi[["person_id", "family_id", "birth_year", "sex"]].reset_index(drop=True),
        "parent_status": _status_table(par, grid, first_col, last_col, t0),
        "school_absence": _absence(sc, fam, chi, rng),
        "youth_jobs": _youth_jobs(sc, fam, chi, rng),
        "expenditure": _expenditure(sc, fam, par, chi, grid, first_col, last_col, t0, rng),
        "survey": _survey(sc, fam, par, rng),
    }
    comparison = fam[fam["arm"] == "comparison"].sort_values("family_id")
    kind = pd.Series(
        np.where(comparison["near"], "B", "A"), index=pd.Index(comparison["family_id"], name="family_id"), name="type"
    )
    return Simulation(tables, MappingProxyType(_truth(fam, par, grid, last_col)), kind)


def _truth(fam: pd.DataFrame, par: pd.DataFrame, grid: np.ndarray, last_col: np.ndarray) -> dict[str, float]:
    """The realised end-state shares and effects of :class:`Simulation`, from the status grid."""
    in_end = last_col == grid.shape[1] - 1
    status = grid[:, -1]
    arm = par["arm"].to_numpy()
    near = par["near"].to_numpy()
    groups = {
        "intervention": arm == "intervention",
        "counterfactual": (arm == "control") | ((arm == "comparison") & ~near),
        "comparison": arm == "comparison",
    }
    outcomes = {
        "work_or_education": np.isin(status, [_S[s] for s in _WORK]),
        "early_retirement": status == _S["early_retirement"],
    }
    truth: dict[str, float] = {}
    for outcome, hit in outcomes.items():
        for group, members in groups.items():
            who = members & in_end
            truth[f"{group}_{outcome}"] = float(hit[who].mean()) if who.any() else math.nan
        truth[f"{outcome}_effect"] = truth[f"intervention_{outcome}"] - truth[f"counterfactual_{outcome}"]
        truth[f"naive_{outcome}_effect"] = truth[f"intervention_{outcome}"] - truth[f"comparison_{outcome}"]
    near_families = fam.loc[fam["arm"] == "comparison", "near"]
    truth["comparison_near_share"] = float(near_families.mean()) if len(near_families) else math.nan
    return truth


# -- families and persons ---------------------------------------------------------


def _ordinal(month: str) -> int:
    return int(pd.Period(month, "M").ordinal)


def _quota(n: int, share: float, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask with exactly ``round(share * n)`` random true entries."""
    k = min(n, max(0, round(share * n)))
    mask = np.zeros(n, dtype=bool)
    mask[rng.permutation(n)[:k]] = True
    return mask


def _families(sc: Scenario, rng: np.random.Generator) -> pd.DataFrame:
    """One row per family: arm, dates, site, stratum, size and (comparison only) type B.

    ``enrolled_on`` holds every family's anchor, for comparison families too;
    :func:`_families_table` writes theirs empty. Draws that only comparison
    families need are empty without them and leave the random stream as it
    was, so the randomised arms of a scenario without a pool are unchanged.
    """
    sizes = {"intervention": sc.intervention_families, "control": sc.n_control, "comparison": sc.comparison_families}
    arm = np.repeat(list(sizes), list(sizes.values()))
    n = len(arm)
    comparison = arm == "comparison"
    two = np.concatenate([_quota(k, sc.adults_per_family - 1, rng) for k in sizes.values()])
    site = np.concatenate(
        [_sites(sc.sites, n - sc.comparison_families, rng), _sites(sc.comparison_sites, sc.comparison_families, rng)]
    )
    first = pd.Period(sc.enrol_from, "M").start_time
    last = pd.Period(sc.enrol_to, "M").end_time.normalize()
    days = (last - first).days + 1
    enrolled = first + pd.to_timedelta(rng.integers(0, days, size=n), unit="D")
    end_day = pd.Period(sc.end, "M").end_time.normalize()
    exited = pd.Series(pd.NaT, index=range(n), dtype="datetime64[s]")
    leaves = np.zeros(n, dtype=bool)
    leaves[arm == "intervention"] = _quota(sc.intervention_families, sc.exited, rng)
    span = (end_day - enrolled).days.to_numpy() - 90
    exit_days = enrolled + pd.to_timedelta(90 + (rng.random(n) * np.maximum(span, 1)).astype(int), unit="D")
    exited[leaves] = exit_days[leaves]
    number = rng.permutation(n) + 1
    width = max(4, len(str(n)))
    near = np.zeros(n, dtype=bool)
    near[comparison] = _quota(sc.comparison_families, sc.comparison_near_share, rng)
    fam = pd.DataFrame(
        {
            "family_id": _numbered("F", number, width),
            "arm": arm,
            "enrolled_on": enrolled.astype("datetime64[s]"),
            "site": site.astype(str),
            "stratum": np.where(two, "to forældre", "enlig forsørger"),
            "exited_on": exited,
            "n_parents": np.where(two, 2, 1),
            "near": near,
        }
    )
    # Strata are the randomisation's blocks: comparison families were not randomised.
    fam["stratum"] = (fam["site"] + " / " + fam["stratum"]).where(~comparison)
    fam["m_f"] = fam["enrolled_on"].dt.to_period("M").array.asi8
    fam["n_children"] = _children_per_family(sc, fam, rng)
    return fam


def _sites(sites: tuple[tuple[str, float], ...], n: int, rng: np.random.Generator) -> np.ndarray:
    names, weights = zip(*sites, strict=True)
    return rng.choice(np.array(names, dtype=object), size=n, p=np.array(weights) / sum(weights))


def _children_per_family(sc: Scenario, fam: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """At least one child each; each arm's total (type B's, in the pool) matches its children per family."""
    out = np.ones(len(fam), dtype=int)
    arm = fam["arm"].to_numpy()
    near = fam["near"].to_numpy()
    groups = (
        (arm == "intervention", sc.children_per_family),
        (arm == "control", sc.children_per_family),
        ((arm == "comparison") & ~near, sc.children_per_family),
        (near, sc.comparison_near_children),
    )
    for members, per_family in groups:
        idx = np.flatnonzero(members)
        extra = max(0, round(per_family * len(idx)) - len(idx))
        if len(idx):
            out[idx] += rng.multinomial(extra, np.full(len(idx), 1 / len(idx)))
    return out


def _parents(sc: Scenario, fam: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    f = np.repeat(np.arange(len(fam)), fam["n_parents"].to_numpy())
    second = np.zeros(len(f), dtype=bool)
    second[1:] = f[1:] == f[:-1]
    couple = fam["n_parents"].to_numpy()[f] == 2
    female = np.where(couple, ~second, rng.random(len(f)) < 0.85)
    year = fam["enrolled_on"].dt.year.to_numpy()[f]
    near = fam["near"].to_numpy()[f]
    age = np.clip(np.round(rng.normal(37, 7, len(f)) - sc.comparison_near_age_gap * near), 21, 62).astype(int)
    return pd.DataFrame(
        {
            "fam": f,
            "family_id": fam["family_id"].to_numpy()[f],
            "arm": fam["arm"].to_numpy()[f],
            "near": near,
            "birth_year": year - age,
            "sex": np.where(female, "F", "M"),
        }
    )


def _children(sc: Scenario, fam: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    f = np.repeat(np.arange(len(fam)), fam["n_children"].to_numpy())
    year = fam["enrolled_on"].dt.year.to_numpy()[f]
    age = rng.integers(0, 18, len(f))
    return pd.DataFrame(
        {
            "fam": f,
            "family_id": fam["family_id"].to_numpy()[f],
            "arm": fam["arm"].to_numpy()[f],
            "birth_year": year - age,
            "sex": np.where(rng.random(len(f)) < 0.5, "F", "M"),
        }
    )


def _older_than_children(par: pd.DataFrame, chi: pd.DataFrame, fam: pd.DataFrame, rng: np.random.Generator) -> None:
    """Parents are at least 18 years older than their oldest child."""
    oldest = np.full(len(fam), 9999)
    np.minimum.at(oldest, chi["fam"].to_numpy(), chi["birth_year"].to_numpy())
    limit = oldest[par["fam"].to_numpy()] - 18 - rng.integers(0, 6, len(par))
    par["birth_year"] = np.minimum(par["birth_year"].to_numpy(), limit)


def _person_ids(n_parents: int, n_children: int, rng: np.random.Generator) -> np.ndarray:
    n = n_parents + n_children
    width = max(5, len(str(n)))
    return _numbered("P", rng.permutation(n) + 1, width)


def _numbered(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """``f"{prefix}{i:0{width}d}"`` for each positive ``i``, as an object array, without a Python loop."""
    return np.strings.add(prefix, np.strings.zfill(numbers.astype(str), width)).astype(object)


def _families_table(fam: pd.DataFrame) -> pd.DataFrame:
    """The contract's families table; comparison families' anchors are not written (enrolled_on empty)."""
    cols = ["family_id", "arm", "enrolled_on", "site", "stratum", "exited_on"]
    out = fam[cols].sort_values("family_id").reset_index(drop=True)
    out["enrolled_on"] = out["enrolled_on"].where(out["arm"] != "comparison")
    return out


# -- parents' monthly status --------------------------------------------------------


def _status_grid(
    sc: Scenario, fam: pd.DataFrame, par: pd.DataFrame, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Persons × calendar months of status codes, and each row's observed span.

    Column ``j`` is calendar month ``t0 + j`` (period ordinal). Returns the
    grid, the first and last observed column per parent, and ``t0``.

    A randomised parent is observed from ``history_months`` before enrolment;
    a comparison parent from ``history_months`` before ``enrol_from``, so
    that whatever pseudo-enrolment month the evaluation gives the family, its
    history is complete. Each row follows its type's chain (type B parents
    the one near the labour market); after the anchor month, parents are
    allotted to end states by quota within each group of
    :func:`_outcome_groups` and walk their path there.
    """
    end = _ordinal(sc.end)
    m_f = fam["m_f"].to_numpy()[par["fam"].to_numpy()]
    arm = par["arm"].to_numpy()
    near = par["near"].to_numpy()
    first_month = np.where(arm == "comparison", _ordinal(sc.enrol_from), m_f) - sc.history_months
    t0 = int(first_month.min())
    n_cols = end - t0 + 1
    n = len(par)
    grid = np.empty((n, n_cols), dtype=np.int8)
    state = rng.choice(len(_CODES), size=n, p=_start_vector(_START))
    state[near] = rng.choice(len(_CODES), size=int(near.sum()), p=_start_vector(_START_NEAR))
    # Cumulative transition rows of both chains; row (chain, state) is a person's next-state CDF.
    cum = np.cumsum(np.stack([_transition_matrix(_CHAIN), _transition_matrix(_CHAIN_NEAR)]), axis=2)
    chain = near.astype(np.intp)
    for j in range(n_cols):
        grid[:, j] = state
        u = rng.random(n)
        state = (u[:, None] > cum[chain, state]).sum(axis=1).astype(np.int8)
    first_col = first_month - t0
    last_col = np.full(n, n_cols - 1)
    col_mf = m_f - t0
    moved = np.zeros(n, dtype=bool)
    dest = np.full(n, -1)
    for members, targets in _outcome_groups(sc, arm, near):
        idx = np.flatnonzero(members)
        moved[idx] = _quota(len(idx), sc.moved_away, rng)
        present = idx[~moved[idx]]
        dest[present] = _allocate(present, targets, rng)
    months_left = (n_cols - 1) - col_mf
    moved_cols = col_mf + 6 + (rng.random(n) * np.maximum(months_left - 6, 1)).astype(int)
    last_col = np.where(moved, np.minimum(moved_cols, n_cols - 2), last_col)
    _write_paths(grid, dest, col_mf, months_left, rng)
    # Stayers end the window on a benefit, whatever the chain did.
    stayers = dest < 0
    end_state = grid[:, n_cols - 1]
    not_benefit = np.isin(end_state, [_S[s] for s in _END_STATES])
    grid[stayers & not_benefit, n_cols - 1] = _S["cash_benefit"]
    return grid, first_col, last_col, t0


def _outcome_groups(sc: Scenario, arm: np.ndarray, near: np.ndarray) -> list[tuple[np.ndarray, ArmTargets]]:
    """Groups of parents allotted to end states each on its own, with their targets.

    The randomised arms, then the comparison pool by type: type A as the
    control arm (the randomised population without the programme), type B
    with ``comparison_near``. Quotas within each group keep every group's
    shares on target, however the groups mix.
    """
    comparison = arm == "comparison"
    return [
        (arm == "intervention", sc.intervention),
        (arm == "control", sc.control),
        (comparison & ~near, sc.control),
        (comparison & near, sc.comparison_near),
    ]


def _arm_targets(sc: Scenario) -> tuple[tuple[str, ArmTargets], ...]:
    """Each arm with the targets of its children's and survey outcomes: no programme, no change beyond control's."""
    return (("intervention", sc.intervention), ("control", sc.control), ("comparison", sc.control))


def _transition_matrix(chain: dict[str, dict[str, float]]) -> np.ndarray:
    k = len(_CODES)
    m = np.zeros((k, k))
    for src, moves in chain.items():
        i = _S[src]
        for dst, p in moves.items():
            m[i, _S[dst]] = p
        m[i, i] = 1 - sum(moves.values())
    return m


def _start_vector(start: dict[str, float]) -> np.ndarray:
    p = np.zeros(len(_CODES))
    for code, share in start.items():
        p[_S[code]] = share
    return p / p.sum()


def _allocate(present: np.ndarray, t: ArmTargets, rng: np.random.Generator) -> np.ndarray:
    """End state per present parent (-1 = stays on benefits), in target proportions."""
    n = len(present)
    n_work = round(t.work_or_education * n)
    n_flex = round(t.flexjob_share * n_work)
    n_job = round(t.job_share * (n_work - n_flex))
    n_edu = n_work - n_flex - n_job
    n_er = min(round(t.early_retirement * n), n - n_work)
    codes = np.full(n, -1)
    order = rng.permutation(n)
    counts = [(_S["flexjob"], n_flex), (_S["job"], n_job), (_S["education"], n_edu), (_S["early_retirement"], n_er)]
    start = 0
    for code, k in counts:
        codes[order[start : start + k]] = code
        start += k
    return codes


def _arrival(months_left: np.ndarray, minimum: int, hazard: float, rng: np.random.Generator) -> np.ndarray:
    """Months from enrolment to arrival: geometric with ``hazard``, within [minimum, months_left]."""
    span = np.maximum(months_left - minimum + 1, 1)
    u = rng.random(len(months_left))
    tail = 1 - (1 - hazard) ** span
    k = np.ceil(np.log1p(-u * tail) / math.log1p(-hazard)).astype(int)
    return minimum - 1 + np.clip(k, 1, span)


def _write_paths(
    grid: np.ndarray, dest: np.ndarray, col_mf: np.ndarray, months_left: np.ndarray, rng: np.random.Generator
) -> None:
    """Overwrite each destined parent's months after enrolment with their path.

    A path is up to three (column, state) steps; from each step on the parent
    holds that state.
    """
    n, n_cols = grid.shape
    steps: list[tuple[np.ndarray, np.ndarray]] = []
    flex = dest == _S["flexjob"]
    er = dest == _S["early_retirement"]
    direct = np.isin(dest, [_S["job"], _S["education"]])
    k_direct = _arrival(months_left, 1, 1 / 14, rng)
    k_flex = _arrival(months_left, 3, 1 / 18, rng)
    k_er = _arrival(months_left, 2, 1 / 20, rng)
    k = np.where(flex, k_flex, np.where(er, k_er, k_direct))
    arrive = col_mf + k
    # Step 1: into a clarification course (flexjob and pension paths).
    c1 = col_mf + 1 + (rng.random(n) * (k - 1) * 0.4).astype(int)
    course = np.where(rng.random(n) < 0.5, _S["resource_course"], _S["job_clarification"])
    course = np.where(er, _S["resource_course"], course)
    steps.append((np.where(flex | er, c1, n_cols), course))
    # Step 2: ledighedsydelse while waiting for a flexjob.
    c2 = np.maximum(c1 + 1, c1 + ((arrive - c1) * 0.6).astype(int))
    steps.append((np.where(flex & (c2 < arrive), c2, n_cols), np.full(n, _S["flexjob_waiting"])))
    # Step 3: the end state.
    steps.append((np.where(flex | er | direct, arrive, n_cols), np.where(dest >= 0, dest, 0)))
    cols = np.arange(n_cols)
    for at, state in steps:
        on = cols[None, :] >= at[:, None]
        grid[on] = np.broadcast_to(state[:, None], grid.shape)[on].astype(np.int8)


def _status_table(
    par: pd.DataFrame, grid: np.ndarray, first_col: np.ndarray, last_col: np.ndarray, t0: int
) -> pd.DataFrame:
    n, n_cols = grid.shape
    # Each parent is observed in one run of columns, first_col..last_col: the
    # (row, column) pairs of np.nonzero(observed), built run by run.
    low = np.clip(first_col, 0, n_cols)
    count = np.maximum(np.minimum(last_col, n_cols - 1) - low + 1, 0)
    rows = np.repeat(np.arange(n), count)
    col = np.arange(len(rows)) + np.repeat(low - (np.cumsum(count) - count), count)
    months = _month_labels(t0, n_cols)
    return pd.DataFrame(
        {
            "person_id": pd.Categorical.from_codes(rows, categories=pd.Index(par["person_id"].to_numpy())),
            "month": pd.Categorical.from_codes(col, categories=pd.Index(months)),
            "status": pd.Categorical.from_codes(grid[rows, col], categories=pd.Index(list(_CODES))),
        }
    )


def _months(ordinals: np.ndarray) -> pd.PeriodIndex:
    """Monthly periods from their ordinals (months since January 1970)."""
    # pandas-stubs lack PeriodIndex.from_ordinals (public API since pandas 2.2).
    months: pd.PeriodIndex = pd.PeriodIndex.from_ordinals(ordinals, freq="M")  # type: ignore[attr-defined]
    return months


def _month_labels(t0: int, n: int) -> list[str]:
    return list(_months(np.arange(t0, t0 + n)).strftime("%Y-%m"))


def _string_rank(labels: np.ndarray | list[str]) -> np.ndarray:
    """Dense rank of each label in the order ``sort_values`` sorts strings; equal labels share a rank."""
    return pd.factorize(pd.Index(pd.array(np.asarray(labels, dtype=object), dtype="str")), sort=True)[0]


def _string_order(labels: np.ndarray | list[str]) -> np.ndarray:
    """Positions that sort ``labels`` as ``sort_values`` sorts strings (stable)."""
    return np.argsort(_string_rank(labels), kind="stable")


def _take_labels(labels: np.ndarray, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """String column ``labels[codes]``, built from the few distinct labels without a Python object per row."""
    return pd.array(labels, dtype="str").take(codes)


# -- children: absence and youth jobs ------------------------------------------------


def _school_year_ends(enrolled: pd.Series) -> np.ndarray:
    """Start year of the last school year that ended before the enrolment date."""
    return (enrolled.dt.year - np.where(enrolled.dt.month >= 8, 1, 2)).to_numpy()


def _followup_school_year(end: str) -> int:
    e = pd.Period(end, "M")
    return e.year - 1 if e.month >= 7 else e.year - 2


def _absence(sc: Scenario, fam: pd.DataFrame, chi: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    y_fu = _followup_school_year(sc.end)
    base = _school_year_ends(fam["enrolled_on"])[chi["fam"].to_numpy()]
    years = np.arange(int(base.min()) - 3, y_fu + 1)
    c_grid, y_grid = np.meshgrid(np.arange(len(chi)), np.arange(len(years)), indexing="ij")
    c_idx, y_idx = c_grid.ravel(), y_grid.ravel()
    year = years[y_idx]
    age = year - chi["birth_year"].to_numpy()[c_idx]
    keep = (age >= 6) & (age <= 15)
    c_idx, y_idx, year = c_idx[keep], y_idx[keep], year[keep]
    latent = rng.gamma(2.0, sc.baseline_absence_rate / 2, len(chi))
    arm = chi["arm"].to_numpy()[c_idx]
    change = np.where(arm == "intervention", sc.intervention.absence_change, sc.control.absence_change)
    after = year - base[c_idx]
    factor = np.where(after >= 2, 1 + change, np.where(after == 1, 1 + change / 2, 1.0))
    rate = np.clip(latent[c_idx] * factor, 0, 0.9)
    days = np.where(rng.random(len(c_idx)) < 0.05, _SCHOOL_DAYS - rng.integers(20, 100, len(c_idx)), _SCHOOL_DAYS)
    absent = rng.binomial(days, rate).astype(float)
    # Scale the follow-up year of the children the measure uses to the target.
    is_base = year == base[c_idx]
    is_fu = year == y_fu
    has_base = np.zeros(len(chi), dtype=bool)
    has_base[c_idx[is_base]] = True
    has_fu = np.zeros(len(chi), dtype=bool)
    has_fu[c_idx[is_fu]] = True
    pair = has_base & has_fu
    for name, targets in _arm_targets(sc):
        in_arm = (arm == name) & pair[c_idx]
        pre, post = in_arm & is_base, in_arm & is_fu
        if not pre.any() or absent[pre].sum() == 0 or absent[post].sum() == 0:
            continue
        pre_rate = absent[pre].sum() / days[pre].sum()
        post_rate = absent[post].sum() / days[post].sum()
        scale = pre_rate * (1 + targets.absence_change) / post_rate
        absent[post] = np.minimum(np.round(absent[post] * scale), days[post])
    # Sorted by person_id and school_year as sort_values would sort the strings.
    person_ids = chi["person_id"].to_numpy()
    labels = np.array([f"{y}/{(y + 1) % 100:02d}" for y in years], dtype=object)  # a dozen years
    order = np.lexsort((_string_rank(labels)[y_idx], _string_rank(person_ids)[c_idx]))
    return pd.DataFrame(
        {
            "person_id": _take_labels(person_ids, c_idx[order]),
            "school_year": _take_labels(labels, y_idx[order]),
            "days_absent": absent.astype(int)[order],
            "school_days": days.astype(int)[order],
        }
    )


def _youth_counts(n_base: int, n_fu: int, rate: float, change: float) -> tuple[int, int]:
    """Whole numbers of working youths before and after whose rate ratio is closest to ``1 + change``.

    With a few dozen youths per window, rounding each count on its own can
    miss the ratio by several points; trying the counts next to the target
    rate keeps the sample on target.
    """
    target = 1 + change
    centre = round(rate * n_base)
    best = (math.inf, max(centre, 1), 0)
    for k_b in range(max(1, centre - 2), min(n_base, centre + 2) + 1):
        k_f = min(n_fu, round(k_b / n_base * target * n_fu))
        miss = abs((k_f / max(n_fu, 1)) / (k_b / n_base) - target) if n_fu else 0.0
        if miss < best[0] - 1e-12:
            best = (miss, k_b, k_f)
    return best[1], best[2]


def _youth_jobs(sc: Scenario, fam: pd.DataFrame, chi: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    low, high = 13, 17
    end = _ordinal(sc.end)
    m_f = fam["m_f"].to_numpy()[chi["fam"].to_numpy()]
    birth = chi["birth_year"].to_numpy()
    arm = chi["arm"].to_numpy()
    base_end_year = _months(m_f - 1).year.to_numpy()
    fu_year = pd.Period(sc.end, "M").year
    base_youth = (base_end_year - birth >= low) & (base_end_year - birth <= high)
    fu_youth = (fu_year - birth >= low) & (fu_year - birth <= high)
    base_job = np.zeros(len(chi), dtype=bool)
    fu_job = np.zeros(len(chi), dtype=bool)
    for name, targets in _arm_targets(sc):
        b = np.flatnonzero(base_youth & (arm == name))
        f = np.flatnonzero(fu_youth & (arm == name))
        if len(b) == 0:
            continue
        k_b, k_f = _youth_counts(len(b), len(f), sc.baseline_youth_job_rate, targets.youth_job_change)
        base_job[b[_quota(len(b), k_b / len(b), rng)]] = True
        if len(f):
            fu_job[f[_quota(len(f), k_f / len(f), rng)]] = True
    # Young adults (18–19) also work; they are not youths and must not count.
    adults = (fu_year - birth >= high + 1) & (fu_year - birth <= high + 2) & (rng.random(len(chi)) < 0.4)
    windows = [(base_job, m_f - 12), (fu_job | adults, np.full(len(chi), end - 11))]
    person, month = [], []
    for chosen, start in windows:
        idx = np.flatnonzero(chosen)
        n_months = 1 + rng.binomial(11, 0.3, len(idx))
        order = np.argsort(rng.random((len(idx), 12)), axis=1)
        take = np.arange(12)[None, :] < n_months[:, None]
        rows, pos = np.nonzero(take)
        person.append(idx[rows])
        month.append(start[idx][rows] + order[rows, pos])
    p = np.concatenate(person)
    m = np.concatenate(month)
    earnings = np.round(rng.lognormal(math.log(2500), 0.6, len(p)))
    frame = pd.DataFrame(
        {
            "person_id": chi["person_id"].to_numpy()[p],
            "month": _months(m).strftime("%Y-%m"),
            "earnings_dkk": np.maximum(earnings, 1).astype(int),
        }
    )
    return frame.sort_values(["person_id", "month"]).reset_index(drop=True)


# -- expenditure and survey ----------------------------------------------------------


def _expenditure(
    sc: Scenario,
    fam: pd.DataFrame,
    par: pd.DataFrame,
    chi: pd.DataFrame,
    grid: np.ndarray,
    first_col: np.ndarray,
    last_col: np.ndarray,
    t0: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Monthly public expenditure per family and domain, calibrated to the savings target."""
    # Families × months matrices are updated in place where that gives the
    # same numbers (a product is the same either way round, and multiplying
    # by 1.0 changes nothing): fewer large temporaries, same amounts.
    n_fam, n_cols = len(fam), grid.shape[1]
    cols = np.arange(n_cols)
    observed = (cols[None, :] >= first_col[:, None]) & (cols[None, :] <= last_col[:, None])
    cost = np.array([_MONTHLY_COST[c] for c in _CODES])[grid]
    cost *= observed
    employment = np.zeros((n_fam, n_cols))
    np.add.at(employment, par["fam"].to_numpy(), cost)
    del cost, observed
    m_f = fam["m_f"].to_numpy()
    col_mf = m_f - t0
    # Comparison families' rows start before the earliest enrolment month, as their statuses do.
    first = np.where(fam["arm"].to_numpy() == "comparison", _ordinal(sc.enrol_from), m_f) - t0
    in_range = cols[None, :] >= (first - sc.expenditure_months_before)[:, None]
    post = cols[None, :] >= col_mf[:, None]
    intervention = (fam["arm"].to_numpy() == "intervention")[:, None]
    post_intervention = post & intervention
    kids = np.bincount(chi["fam"].to_numpy(), minlength=n_fam)
    noise = rng.gamma(6.0, 1 / 6, (n_fam, n_cols))
    has_social = rng.random(n_fam) < 0.75
    social_level = np.where(has_social, rng.lognormal(math.log(14_000), 0.6, n_fam), 0.0)
    social = rng.gamma(4.0, 1 / 4, (n_fam, n_cols))
    social *= social_level[:, None]
    np.multiply(social, 1 + sc.control.social_change, out=social, where=post & ~intervention)
    health = noise
    health *= (900 * fam["n_parents"].to_numpy() + 300 * kids)[:, None]
    has_support = rng.random(n_fam) < 0.3
    support_level = np.where(has_support, rng.lognormal(math.log(5_000), 0.5, n_fam), 0.0)
    education = rng.gamma(6.0, 1 / 6, (n_fam, n_cols))
    education *= support_level[:, None]
    np.multiply(education, 0.9, out=education, where=post_intervention)
    np.multiply(health, 0.95, out=health, where=post_intervention)
    social_post_int = social * post_intervention
    fixed = employment + health
    fixed += education
    fixed += social
    fixed -= social_post_int
    factor = _savings_factor(sc, fam, fixed, social_post_int, post)
    del fixed
    social -= social_post_int
    social_post_int *= factor
    social += social_post_int
    del social_post_int
    domains = {"employment": employment, "social": social, "health": health, "education": education}
    nominal = _to_nominal(t0, n_cols, pd.Period(sc.end, "M").year)
    for amounts in domains.values():
        amounts *= nominal[None, :]
    return _expenditure_rows(fam["family_id"].to_numpy(), _month_labels(t0, n_cols), domains, in_range)


def _to_nominal(t0: int, n_cols: int, price_year: int) -> np.ndarray:
    """Per calendar-month column: the factor from ``price_year`` prices to that month's own prices.

    Amounts are simulated (and the savings calibrated) in the prices of the
    end year, then written in nominal prices as a register would hold them,
    so an evaluation that converts them back with the consumer price index
    finds the target. Years outside the shipped index keep the nearest
    year's level.
    """
    index = default_price_index()
    years = _months(np.arange(t0, t0 + n_cols)).year.to_numpy()
    clipped = np.clip(years, index.index.min(), index.index.max())
    base = index.loc[int(np.clip(price_year, index.index.min(), index.index.max()))]
    return index.reindex(clipped).to_numpy() / base


def _expenditure_rows(
    family_ids: np.ndarray, months: list[str], domains: dict[str, np.ndarray], in_range: np.ndarray
) -> pd.DataFrame:
    """The long table: one row per family, month in range and domain whose amount rounds to a non-zero krone.

    Rows come out sorted by ``family_id``, ``month`` and ``domain`` without
    building or sorting millions of strings: the amounts are laid out as a
    families × months × domains cube whose axes are each in the order of
    their labels, so the kept cells, read in memory order, are the rows
    already sorted (the three labels identify a row: no ties to break).
    """
    fam_order = _string_order(family_ids)
    month_order = _string_order(months)
    names = sorted(domains)
    cube = np.empty((len(family_ids), len(months), len(names)))
    for k, name in enumerate(names):
        cube[:, :, k] = domains[name][fam_order][:, month_order]
    # A positive amount rounds (half to even) to a non-zero krone exactly when it exceeds 0.5.
    keep = (cube > 0.5) & in_range[fam_order][:, month_order, None]
    amount = cube[keep]
    del cube
    np.round(amount, out=amount)
    f, c, d = np.nonzero(keep)
    return pd.DataFrame(
        {
            "family_id": _take_labels(family_ids[fam_order], f),
            "month": _take_labels(np.asarray(months, dtype=object)[month_order], c),
            "domain": _take_labels(np.asarray(names, dtype=object), d),
            "amount_dkk": amount.astype(int),
        },
        copy=False,
    )


def _savings_factor(
    sc: Scenario, fam: pd.DataFrame, fixed: np.ndarray, scalable: np.ndarray, post: np.ndarray
) -> float:
    """Multiplier of the intervention arm's post-enrolment social spending that meets the savings target.

    Costs are summed over each family's window (enrolment month to ``end``),
    rounded as they will be written, and the target is the difference of
    arm means (control − intervention).
    """
    arm = fam["arm"].to_numpy()
    rounded = np.round(fixed)
    rounded *= post
    total_fixed = rounded.sum(axis=1)
    total_scalable = (scalable * post).sum(axis=1)
    ctl, itv = arm == "control", arm == "intervention"
    if not ctl.any():
        return 1 + sc.intervention.social_change
    mean_ctl = total_fixed[ctl].mean()
    need = itv.sum() * (mean_ctl - sc.savings_per_family) - total_fixed[itv].sum()
    available = total_scalable[itv].sum()
    factor = need / available if available > 0 else 1.0
    if not 0 <= factor <= 2:
        raise ValueError(
            f"the savings target of {sc.savings_per_family:,.0f} DKK cannot be met with these parameters "
            f"(social spending would need a factor of {factor:.2f})"
        )
    return float(factor)


def _survey(sc: Scenario, fam: pd.DataFrame, par: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    items = ("surplus", "quality_of_life", "trust")
    n = len(par)
    answered_base = rng.random(n) < sc.survey_response
    answered_fu = answered_base & (rng.random(n) < sc.survey_retention) | (~answered_base & (rng.random(n) < 0.1))
    change = np.where(par["arm"].to_numpy() == "intervention", sc.intervention.survey_change, sc.control.survey_change)
    wellbeing = rng.normal(0, 0.8, n)
    waves = np.array(["baseline", "followup"], dtype=object)
    parts: list[tuple[np.ndarray, int, int, np.ndarray]] = []  # (parents, wave, item, scores)
    for wave, (who, shift) in enumerate(((answered_base, 0.0), (answered_fu, 1.0))):
        idx = np.flatnonzero(who)
        for j, item in enumerate(items):
            level = 2.6 + (0.2 if item == "trust" else 0.0) + wellbeing[idx] + shift * change[idx]
            score = np.clip(np.round(level + rng.normal(0, 0.5, len(idx))), 1, 5).astype(int)
            parts.append((idx, wave, j, score))
    person = np.concatenate([p for p, _, _, _ in parts])
    wave_no = np.concatenate([np.full(len(p), w) for p, w, _, _ in parts])
    item_no = np.concatenate([np.full(len(p), j) for p, _, j, _ in parts])
    # Sorted by person_id, wave and item number, as sort_values would sort them.
    person_ids = par["person_id"].to_numpy()
    order = np.lexsort((item_no, _string_rank(waves)[wave_no], _string_rank(person_ids)[person]))
    return pd.DataFrame(
        {
            "person_id": _take_labels(person_ids, person[order]),
            "wave": _take_labels(waves, wave_no[order]),
            "item": _take_labels(np.array(items, dtype=object), item_no[order]),
            "score": np.concatenate([s for _, _, _, s in parts])[order],
        }
    )


# -- writing --------------------------------------------------------------------------


def write_extracts(tables: dict[str, pd.DataFrame], out: str | Path, fmt: Format = "csv") -> list[Path]:
    """Write tables as contract files (``families.csv``, …) into ``out``.

    CSV is written byte-for-byte deterministically: ISO dates, ``YYYY-MM``
    months, UTF-8 without BOM, Unix line ends.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        if name not in tables:
            continue
        frame = tables[name]
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False, lineterminator="\n", date_format="%Y-%m-%d")
        else:
            plain = frame.copy()
            for col in plain.columns:
                if isinstance(plain[col].dtype, pd.CategoricalDtype):
                    plain[col] = _text_categorical(plain[col])
            plain.to_parquet(path, index=False)
        written.append(path)
    return written


def _text_categorical(values: pd.Series) -> pd.Categorical[str]:
    """``values.astype("str").astype("category")``, worked out on the categories alone.

    The result has the sorted texts of the categories that occur, as after a
    round trip through text, but no string is built per row: only the codes
    are renumbered.
    """
    codes = values.cat.codes.to_numpy()
    categories = values.cat.categories
    used = np.bincount(codes[codes >= 0], minlength=len(categories)) > 0
    text = pd.Series(categories[used]).astype("str")
    inferred = text.astype("category").dtype
    assert isinstance(inferred, pd.CategoricalDtype)
    dtype: pd.CategoricalDtype[str] = inferred
    position = np.full(len(categories) + 1, -1, dtype=np.intp)
    position[np.flatnonzero(used)] = dtype.categories.get_indexer(pd.Index(text))
    return pd.Categorical.from_codes(position[codes], dtype=dtype)


SAMPLE_CONFIG = """\
# Configuration of the synthetic Opgang til Opgang sample (see docs/).
end = "{end}"                      # evaluation end month E
work_or_education = ["job", "flexjob", "education"]
youth_ages = [13, 17]
bootstrap_replicates = 2000
seed = 20190901
discount_rate = 0.0
programme_cost_dkk = 23363875     # Den A.P. Møllerske Støttefond's grant
min_cell = 5                       # disclosure threshold
lang = "da"
"""


def write_sample(
    out: str | Path,
    *,
    families: int = 62,
    seed: int = 20190901,
    fmt: Format = "csv",
    scenario: Scenario | None = None,
    force: bool = False,
    control: int | None = None,
    comparison: int | None = None,
) -> list[Path]:
    """Generate a sample evaluation and write it, with ``evaluation.toml``.

    ``families`` intervention families are simulated; ``control`` and
    ``comparison``, when given, replace the scenario's numbers of control
    families (0: no control arm) and comparison families. Files are written
    to a temporary folder first and moved into place only when all
    succeeded. Without ``force`` an existing non-empty ``out`` is refused, so
    nothing is overwritten by accident.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not force)):
        raise FileExistsError(f"{out} exists and is not empty; choose another folder or pass force=True (--force).")
    sc = scenario or Scenario()
    sc = replace(
        sc,
        intervention_families=families,
        control_families=sc.control_families if control is None else control,
        comparison_families=sc.comparison_families if comparison is None else comparison,
    )
    tables = generate(sc, seed=seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as tmp:
        staged = write_extracts(tables, tmp, fmt)
        config = Path(tmp) / "evaluation.toml"
        config.write_text(SAMPLE_CONFIG.format(end=sc.end), encoding="utf-8")
        out.mkdir(exist_ok=True)
        written = []
        for path in [*staged, config]:
            target = out / path.name
            path.replace(target)
            written.append(target)
    return written
