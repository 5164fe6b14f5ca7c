"""Savings per family and the cost-benefit account around it (contract section 3).

Cost of a family = the sum of its public costs over the months from its
enrolment month ``m_f`` to ``E``, in one price year and discounted to
``m_f``. Costs come from the ``expenditure`` table when it is given, else
from its parents' monthly statuses times unit costs.

* With a control arm: savings = mean cost per control family − mean cost
  per intervention family (randomised comparison).
* With a matched or weighted comparison group (observational design): a
  difference-in-differences — each family's cost minus its pre-enrolment
  run rate continued (below), weighted mean over the comparison families
  minus the mean over the matched intervention families.
* Without one: each intervention family's counterfactual is its mean
  monthly cost over ``m_f−12 … m_f−1`` continued through its window; savings
  = mean(counterfactual − actual). This before-after design assumes nothing
  would have changed without the programme and is much weaker.

The interval is a percentile bootstrap over families, resampling each arm
separately (stratified by arm).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..config import Config
from ..measures.frames import Frames
from ..measures.intervals import bootstrap_means, percentile_interval, rng_for
from ..results import Amount, Design, Effect, EffectCell, EffectParts, SavingsParts
from .prices import price_factors, resolve_unit_costs

if TYPE_CHECKING:  # pragma: no cover - the registry imports this module's hooks
    from ..measures.registry import Inputs

__all__ = [
    "CostAccount",
    "CostData",
    "Reference",
    "SavingsAccount",
    "monthly_costs",
    "savings",
    "savings_account",
    "savings_effect",
    "savings_measure",
]

MEASURE = "savings_per_family"

#: The Danish Ministry of Finance's discount rate, used as the documented alternative.
MINISTRY_DISCOUNT_RATE = 0.035

_BREAK_EVEN_LIMIT_YEARS = 50


@dataclass(frozen=True)
class CostData:
    """Monthly public cost per family and domain, in ``price_year`` prices, undiscounted.

    ``costs`` has columns fc (the family's code, see
    :class:`~opgang_eval.measures.frames.Codes`), t (month ordinal), domain
    (categorical, categories in alphabetical order), cost, k (months since
    the family's enrolment month) and intervention (the family is in the
    intervention arm). Families are integer codes so that every window,
    total and resample below is plain NumPy, however many families and
    months there are.
    """

    costs: pd.DataFrame
    source: str
    description: str
    price_year: int
    _memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False, compare=False)

    def window(self, end: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Cost rows inside each family's window ``m_f … end``: the intervention families' and the others'.

        Computed once per end month: the sensitivity analysis re-estimates
        with other scales and discount rates over the same windows, and
        selecting them from tens of millions of cost rows is the costly
        part. Rows keep their order in ``costs``.
        """
        key = ("window", end)
        if key not in self._memo:
            k = self.costs["k"].to_numpy()
            inside = (k >= 0) & (self.costs["t"].to_numpy() <= end)
            intervention = self.costs["intervention"].to_numpy()
            self._memo[key] = (_rows(self.costs, inside & intervention), _rows(self.costs, inside & ~intervention))
        return self._memo[key]

    def run_rates(self) -> pd.DataFrame:
        """Mean monthly cost per family and domain over ``m_f−12 … m_f−1`` (the pre-enrolment sum / 12).

        One row per family code and domain, in that order; computed once.
        """
        if ("run_rates",) not in self._memo:
            k = self.costs["k"].to_numpy()
            pre = _rows(self.costs, (k >= -12) & (k <= -1))
            rates = pre.groupby(["fc", "domain"], observed=True)["cost"].sum() / 12
            self._memo[("run_rates",)] = rates.rename("run_rate").reset_index()
        return self._memo[("run_rates",)]


@dataclass(frozen=True)
class Reference:
    """A weighted comparison group as the savings reference (the observational design)."""

    weights: np.ndarray
    kind: Design
    description: str


#: Unit of each numeric item of the cost account (its tidy frame's ``unit`` column).
_ACCOUNT_UNITS = {
    "price_year": "year",
    "discount_rate": "per year",
    "intervention_families": "families",
    "reference_families": "families",
    "mean_window_months": "months",
    "mean_cost_reference": "DKK per family",
    "mean_cost_intervention": "DKK per family",
    "gross_savings_per_family": "DKK per family",
    "programme_cost_total": "DKK",
    "programme_cost_per_family": "DKK per family",
    "net_per_family": "DKK per family",
    "net_total": "DKK",
    "benefit_cost_ratio": "ratio",
    "last_year_savings_per_family": "DKK per family and year",
    "break_even_years": "years after enrolment",
}


@dataclass(frozen=True)
class CostAccount:
    """The cost-benefit account of the savings estimate.

    ``design``, ``cost_basis`` (``expenditure`` or ``unit_costs``) and
    ``cost_source`` say what it rests on; every other field is a number
    (see :data:`_ACCOUNT_UNITS` for its unit). ``reference_families`` are the
    control (or matched comparison) families; in the before-after design the
    intervention families are their own reference, and it is 0.
    """

    design: Design
    cost_basis: str
    cost_source: str
    price_year: int
    discount_rate: float
    intervention_families: int
    reference_families: int
    mean_window_months: float
    mean_cost_reference: float
    mean_cost_intervention: float
    gross_savings_per_family: float
    programme_cost_total: float
    programme_cost_per_family: float
    net_per_family: float
    net_total: float
    benefit_cost_ratio: float
    last_year_savings_per_family: float
    break_even_years: float

    def to_frame(self) -> pd.DataFrame:
        """The numeric items as a tidy table: item, value (a number), unit."""
        rows = [
            (f.name, float(getattr(self, f.name)), _ACCOUNT_UNITS[f.name])
            for f in fields(self)
            if f.name in _ACCOUNT_UNITS
        ]
        return pd.DataFrame(rows, columns=["item", "value", "unit"])


@dataclass(frozen=True)
class SavingsAccount:
    """The savings estimate with its account, breakdowns and sensitivity.

    Every breakdown row carries the families behind each side
    (``families_reference``, ``families_intervention``: the denominators)
    and those with a cost in it (``contributors_reference``,
    ``contributors_intervention``) and the share of the two largest
    contributions (``dominance_reference``, ``dominance_intervention``);
    every sensitivity row the families its
    estimate rests on — what disclosure control needs for an amount.
    ``total`` is the same for each side's costs as a whole (one row), so the
    dominance rule can be applied to the gross savings too.
    """

    measure: Amount
    effect: Effect
    account: CostAccount | None
    by_domain: pd.DataFrame
    by_year: pd.DataFrame
    by_month: pd.DataFrame
    sensitivity: pd.DataFrame
    total: pd.DataFrame = field(default_factory=pd.DataFrame)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The account and its breakdowns as the evaluation's tidy tables."""
        return {
            "cost_account": self.account.to_frame() if self.account is not None else pd.DataFrame(),
            "savings_by_domain": self.by_domain,
            "savings_by_year": self.by_year,
            "savings_by_month": self.by_month,
            "savings_sensitivity": self.sensitivity,
            "savings_total": self.total,
        }


@dataclass(frozen=True)
class _Estimate:
    """One estimate of the savings and the family-month rows and per-family totals it rests on.

    ``actual_rows`` are the intervention families' cost rows (with ``value``
    discounted), ``reference_rows`` the reference's (control or comparison
    families, or the intervention families' own run rate continued);
    ``actual`` and ``reference`` the per-family totals in family-code order.
    """

    design: Design
    actual_rows: pd.DataFrame
    reference_rows: pd.DataFrame
    actual: np.ndarray
    reference: np.ndarray
    estimate: float
    n_intervention: int
    n_control: int
    intervention_families: np.ndarray
    reference_families: np.ndarray
    months: float

    @property
    def n_reference(self) -> int:
        """The families the reference side's means divide by (the intervention's own in the before-after design)."""
        return self.n_control if self.design != "before_after" else self.n_intervention


def monthly_costs(fr: Frames, unit_costs: pd.DataFrame | None, config: Config) -> CostData:
    """Family-month costs from expenditure, or from parent statuses × unit costs."""
    if fr.expenditure is not None:
        exp = fr.expenditure
        target = config.price_year or fr.end.year
        factor = price_factors(_year_of(exp["t"].to_numpy()), target, config, "The expenditure table")
        domain = exp["domain"].astype("category")
        return _cost_data(
            fr,
            exp["fc"].to_numpy(),
            exp["t"].to_numpy(),
            # Alphabetical categories: domains group and sort as their names do.
            domain.cat.reorder_categories(sorted(domain.cat.categories)).array,
            exp["amount_dkk"].to_numpy(dtype=float) * factor,
            "expenditure",
            "the expenditure table (amounts in nominal prices)",
            target,
        )
    table, description = resolve_unit_costs(unit_costs)
    target = config.price_year or int(table["price_year"].max())
    factor = price_factors(table["price_year"].to_numpy(), target, config, "The unit-cost table")
    monthly = pd.Series(table["monthly_cost_dkk"].to_numpy(dtype=float) * factor, index=table["status"].astype("str"))
    status = fr.status
    by_code = monthly.reindex(status["status"].cat.categories.astype("str")).to_numpy()
    return _cost_data(
        fr,
        fr.codes.person_family[status["pc"].to_numpy()],
        status["t"].to_numpy(),
        pd.Categorical.from_codes(np.zeros(len(status), dtype=np.int8), categories=pd.Index(["employment"])),
        by_code[status["status"].cat.codes.to_numpy()],
        "unit_costs",
        f"parents' monthly statuses × {description}",
        target,
    )


def _cost_data(
    fr: Frames,
    fc: np.ndarray,
    t: np.ndarray,
    domain: pd.Categorical[Any],
    cost: np.ndarray,
    source: str,
    description: str,
    price_year: int,
) -> CostData:
    """Cost rows with each row's month since enrolment and arm looked up once from its family code."""
    families = fr.codes.families
    costs = pd.DataFrame(
        {
            "fc": fc,
            "t": t,
            "domain": domain,
            "cost": cost,
            "k": t - families["m_f"].to_numpy()[fc],
            "intervention": (families["arm"] == "intervention").to_numpy()[fc],
        },
        copy=False,
    )
    return CostData(costs, source, description, price_year)


def _year_of(t: np.ndarray) -> np.ndarray:
    """Calendar year of monthly period ordinals (ordinal 0 is January 1970).

    The same as ``pd.PeriodIndex.from_ordinals(t, freq="M").year`` without
    building a PeriodIndex of tens of millions of months.
    """
    return 1970 + np.floor_divide(t, 12)


def _rows(costs: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """The cost rows where ``mask`` holds (without the arm), selected column by column."""
    return pd.DataFrame({name: costs[name].array[mask] for name in ("fc", "t", "domain", "cost", "k")}, copy=False)


def _discounted(rows: pd.DataFrame, rate: float, scale: float) -> pd.DataFrame:
    """``rows`` with cost scaled and the value discounted to enrolment at ``rate`` a year, then scaled."""
    cost = rows["cost"].to_numpy()
    value = cost * (1 + rate) ** (-rows["k"].to_numpy() / 12)
    columns = {name: rows[name].array for name in rows.columns}
    columns.update(cost=cost * scale, value=value * scale)
    return pd.DataFrame(columns, copy=False)


def _counterfactual_rows(cd: CostData, fr: Frames, families: np.ndarray, end: int) -> pd.DataFrame:
    """Counterfactual family-month rows: the pre-enrolment run rate continued to ``end``.

    One row per month for each of the family codes ``families`` and each
    domain with a run rate, ordered by family code, domain and month.
    """
    rates = cd.run_rates()
    rates = rates[np.isin(rates["fc"].to_numpy(), families)].reset_index(drop=True)
    m_f = fr.codes.families["m_f"].to_numpy()[rates["fc"].to_numpy()]
    months = np.clip(end - m_f + 1, 0, None)
    rows = rates.loc[rates.index.repeat(months)].reset_index(drop=True)
    start = np.repeat(np.cumsum(months) - months, months)
    rows["k"] = np.arange(len(rows)) - start
    rows["t"] = np.repeat(m_f, months) + rows["k"].to_numpy()
    rows["cost"] = rows["run_rate"].to_numpy()
    return rows[["fc", "t", "k", "domain", "cost"]]


def _totals(rows: pd.DataFrame, families: np.ndarray) -> np.ndarray:
    """Sum of discounted cost per family code in ``families`` (in that order), zero for families without rows.

    A pandas group sum, not ``np.bincount``: pandas adds each group's rows
    in row order with compensated (Kahan) summation, so the totals — and
    the estimate and its bootstrap — are exactly those of grouping by
    family id, not equal only up to rounding.
    """
    sums = rows.groupby("fc")["value"].sum()
    return sums.reindex(families, fill_value=0.0).to_numpy()


def _estimate(
    cd: CostData,
    fr: Frames,
    config: Config,
    end: int,
    rate: float,
    scale: float = 1.0,
    reference: Reference | None = None,
) -> _Estimate:
    """Point estimate and the per-family totals it rests on, for one set of inputs.

    The reference group is the control arm, or, when ``reference`` is given,
    the comparison families with a positive weight: their cost rows are
    multiplied by weight × (families / Σ weights), so that plain means over
    families — the estimate, the bootstrap, the breakdowns — are weighted means.
    """
    # Families in code order (= family-id order), the order the bootstrap resamples them in: the interval
    # does not depend on the order of the rows in families.csv.
    fam = fr.families.sort_values("fc")
    enrolled = (fam["m_f"] <= end).to_numpy()
    codes = fam["fc"].to_numpy()
    itv = codes[enrolled & (fam["arm"] == "intervention").to_numpy()]
    if reference is None:
        ref = codes[enrolled & (fam["arm"] == "control").to_numpy()]
        factor = None
    else:
        ref = codes[enrolled & (fam["arm"] == "comparison").to_numpy() & (reference.weights[codes] > 0)]
        itv = itv[reference.weights[itv] > 0]  # the effect is on the matched intervention families
        factor = reference.weights * (len(ref) / reference.weights[ref].sum()) if len(ref) else None
    itv_rows, other_rows = cd.window(end)
    if reference is not None:  # the matched intervention families only
        itv_rows = _rows(itv_rows, np.isin(itv_rows["fc"].to_numpy(), itv))
    actual_rows = _discounted(itv_rows, rate, scale)
    months = float((end - fr.codes.families["m_f"].to_numpy()[itv] + 1).mean()) if len(itv) else np.nan
    if not len(ref):
        reference_rows = _discounted(_counterfactual_rows(cd, fr, itv, end), rate, scale)
        actual, counterfactual = _totals(actual_rows, itv), _totals(reference_rows, itv)
        estimate = float(np.mean(counterfactual - actual)) if len(itv) else np.nan
        return _Estimate(
            "before_after", actual_rows, reference_rows, actual, counterfactual, estimate, len(itv), 0, itv, ref, months
        )
    ref_rows = _discounted(_rows(other_rows, np.isin(other_rows["fc"].to_numpy(), ref)), rate, scale)
    if reference is not None:
        # Difference-in-differences: in both groups each family's costs minus its pre-enrolment run rate
        # continued over the same months (the before-after counterfactual). The run rate enters as negative
        # rows, so the estimate, the bootstrap and every breakdown split the difference-in-differences.
        actual_rows = _less_baseline(actual_rows, cd, fr, itv, end, rate, scale)
        ref_rows = _less_baseline(ref_rows, cd, fr, ref, end, rate, scale)
    if factor is not None:
        f = factor[ref_rows["fc"].to_numpy()]
        ref_rows["cost"] = ref_rows["cost"].to_numpy() * f
        ref_rows["value"] = ref_rows["value"].to_numpy() * f
    ref_totals, actual = _totals(ref_rows, ref), _totals(actual_rows, itv)
    estimate = float(np.mean(ref_totals) - np.mean(actual)) if len(itv) else np.nan
    design: Design = "randomised" if reference is None else reference.kind
    return _Estimate(design, actual_rows, ref_rows, actual, ref_totals, estimate, len(itv), len(ref), itv, ref, months)


def _less_baseline(
    rows: pd.DataFrame, cd: CostData, fr: Frames, families: np.ndarray, end: int, rate: float, scale: float
) -> pd.DataFrame:
    """Cost rows of ``families`` with their pre-enrolment run rate, continued to ``end``, as negative rows."""
    baseline = _discounted(_counterfactual_rows(cd, fr, families, end), rate, scale)
    baseline["cost"] = -baseline["cost"].to_numpy()
    baseline["value"] = -baseline["value"].to_numpy()
    return pd.concat([rows, baseline[list(rows.columns)]], ignore_index=True)


def _last_year_savings(est: _Estimate, end: int) -> float:
    """Savings per family over the calendar months ``E−11 … E`` (undiscounted basis of extrapolation)."""
    actual = est.actual_rows
    reference = est.reference_rows
    n_itv = est.n_intervention
    n_ref = est.n_reference
    if not n_itv or not n_ref:
        return float("nan")
    last_actual = actual.loc[actual["t"] > end - 12, "cost"].sum() / n_itv
    last_ref = reference.loc[reference["t"] > end - 12, "cost"].sum() / n_ref
    return float(last_ref - last_actual)


def _by_month(est: _Estimate) -> pd.DataFrame:
    """Mean discounted cost per family by months since enrolment, each arm; cumulative savings.

    Every family of the arm is in the denominator of every month: a month
    without rows costs nothing. The cumulative savings therefore end at the
    estimate.
    """
    itv = est.actual_rows
    ref = est.reference_rows
    n_itv = max(est.n_intervention, 1)
    n_ref = max(est.n_reference, 1)
    per_k = pd.DataFrame(
        {
            "intervention": itv.groupby("k")["value"].sum() / n_itv,
            "reference": ref.groupby("k")["value"].sum() / n_ref,
        }
    ).fillna(0.0)
    per_k["savings"] = per_k["reference"] - per_k["intervention"]
    per_k["cumulative_savings"] = per_k["savings"].cumsum()
    per_k.index.name = "k"
    table = per_k.reset_index()
    return _with_families(table, est, ref, itv, ref["k"].to_numpy(), itv["k"].to_numpy(), table["k"].to_numpy())


def _with_families(
    table: pd.DataFrame,
    est: _Estimate,
    reference: pd.DataFrame,
    actual: pd.DataFrame,
    reference_keys: np.ndarray,
    actual_keys: np.ndarray,
    row_keys: np.ndarray,
) -> pd.DataFrame:
    """A breakdown with the families behind each row: denominators and families with a cost in the row.

    ``*_keys`` are integer row keys (month since enrolment, year, domain
    code) of each cost row and of each row of ``table``. A family
    contributes to a row when its cost rows in it sum to a non-zero amount;
    these are the contributions a disclosure rule for amounts (a minimum
    number of families, dominance) needs.
    """
    out = table.copy()
    out["families_reference"] = est.n_reference
    out["families_intervention"] = est.n_intervention
    for side, rows, keys in (("reference", reference, reference_keys), ("intervention", actual, actual_keys)):
        out[f"contributors_{side}"], out[f"dominance_{side}"] = _contributors(rows, keys, row_keys)
    return out


def _contributors(rows: pd.DataFrame, keys: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per key in ``wanted``: families whose cost rows sum to a non-zero amount, and the two largest's share.

    The share is the part of the row's total (of absolute family sums) held
    by its two largest contributing families — what the (2, k) dominance
    rule of the release step compares with ``k``: a cell where two families
    carry nearly all the money gives each of them an estimate of the other's
    costs, however many others contribute.

    One integer per (key, family) pair and a bincount of the values over the
    pairs, rather than a group-by on a frame of the cost rows: breakdowns of
    tens of millions of family-months stay in a few integer arrays.
    """
    if len(rows) == 0:
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted))
    fc = rows["fc"].to_numpy().astype(np.int64)
    keys = np.asarray(keys, dtype=np.int64)
    low, span = int(keys.min()), int(fc.max()) + 1
    pairs, inverse = np.unique((keys - low) * span + fc, return_inverse=True)
    sums = np.abs(np.bincount(inverse, weights=rows["value"].to_numpy(), minlength=len(pairs)))
    size = int(keys.max()) - low + 1
    pair_key = pairs // span
    counted = np.bincount(pair_key[sums != 0], minlength=size)
    # Rank each family within its key by its absolute sum, largest first (pairs are sorted by key).
    order = np.lexsort((-sums, pair_key))
    first = np.searchsorted(pair_key[order], pair_key[order], side="left")
    top = order[(np.arange(len(order)) - first) < 2]
    total = np.bincount(pair_key, weights=sums, minlength=size)
    largest = np.bincount(pair_key[top], weights=sums[top], minlength=size)
    share = np.divide(largest, total, out=np.zeros(size), where=total > 0)
    position = np.asarray(wanted, dtype=np.int64) - low
    inside = (position >= 0) & (position < size)
    clipped = np.clip(position, 0, size - 1)
    return np.where(inside, counted[clipped], 0), np.where(inside, share[clipped], 0.0)


def _break_even_years(
    cumulative: pd.DataFrame, programme: float, window_years: float, gross: float, annual: float
) -> float:
    """Years after enrolment until cumulative savings cover the programme cost per family.

    Within the window the cumulative savings curve decides; beyond it, the
    savings of the last year are assumed to continue unchanged
    (undiscounted). NaN when they never would.
    """
    if not np.isfinite(programme) or programme <= 0:
        return float("nan")
    reached = cumulative[cumulative["cumulative_savings"] >= programme]
    if len(reached) and gross >= programme:
        return float((reached["k"].iloc[0] + 1) / 12)
    if not np.isfinite(annual) or annual <= 0:
        return float("nan")
    years = window_years + (programme - gross) / annual
    return float(years) if years <= _BREAK_EVEN_LIMIT_YEARS else float("nan")


def savings(
    fr: Frames, unit_costs: pd.DataFrame | None, config: Config, reference: Reference | None = None
) -> SavingsAccount:
    """The savings estimate, its bootstrap interval, account, breakdowns and sensitivity.

    ``reference`` replaces the control arm by a matched or weighted
    comparison group (the observational design).
    """
    cd = monthly_costs(fr, unit_costs, config)
    rate = config.discount_rate
    est = _estimate(cd, fr, config, fr.e, rate, reference=reference)
    design = est.design
    n_itv, n_ctl = est.n_intervention, est.n_control
    what = "the expenditure table" if cd.source == "expenditure" else "parents' statuses × unit costs"
    if design == "randomised":
        method = (
            f"mean cost per control family − mean cost per intervention family, enrolment month to {fr.end}; "
            f"costs from {what} in {cd.price_year} prices, discounted at {rate:.1%} a year from enrolment; "
            f"percentile bootstrap over families, stratified by arm ({config.bootstrap_replicates:,} replicates)"
        )
    elif design != "before_after" and reference is not None:
        method = (
            f"difference-in-differences of costs: each family's costs from its (pseudo-)enrolment month to "
            f"{fr.end} minus its mean monthly cost in the 12 months before continued over the same months; the "
            f"comparison families' weighted mean of that change minus the matched intervention families' mean; "
            f"costs from {what} in {cd.price_year} prices, discounted at {rate:.1%} a year; {reference.description}; "
            f"percentile bootstrap over families, stratified by group, the weights held fixed "
            f"({config.bootstrap_replicates:,} replicates)"
        )
    else:
        method = (
            f"before-after run rate (weaker design: no control arm): each family's mean monthly cost in the 12 "
            f"months before enrolment continued to {fr.end}, minus its actual cost; costs from {what} in "
            f"{cd.price_year} prices, discounted at {rate:.1%} a year; percentile bootstrap over families "
            f"({config.bootstrap_replicates:,} replicates)"
        )
    if n_itv == 0:
        why = f"no intervention family enrolled by {fr.end}"
        empty = pd.DataFrame()
        return SavingsAccount(
            Amount.unavailable(MEASURE, "intervention", why, method),
            Effect.unavailable(MEASURE, "effect", why, method, scale="DKK", design=design),
            None,
            empty,
            empty,
            empty,
            empty,
        )
    replicates = config.bootstrap_replicates
    rng = rng_for(config.seed, "savings")
    if design != "before_after":
        boot = bootstrap_means(est.reference, replicates, rng) - bootstrap_means(est.actual, replicates, rng)
    else:
        boot = bootstrap_means(est.reference - est.actual, replicates, rng)
    low, high = percentile_interval(boot)
    gross = est.estimate
    programme_total = float(config.programme_cost_dkk) if config.programme_cost_dkk is not None else float("nan")
    # The grant paid for every intervention family, also those enrolled after E.
    programme = programme_total / int((fr.families["arm"] == "intervention").sum())
    annual = _last_year_savings(est, fr.e)
    by_month = _by_month(est)
    break_even = _break_even_years(by_month, programme, est.months / 12, gross, annual)
    observational = reference is not None and design != "before_after"
    parts = SavingsParts(
        mean_cost_reference=float(np.mean(est.reference)),
        mean_cost_intervention=float(np.mean(est.actual)),
        programme_cost_per_family=programme,
        net_per_family=gross - programme,
        net_total=(gross - programme) * n_itv,
        benefit_cost_ratio=gross / programme if programme > 0 else float("nan"),
        last_year_savings_per_family=annual,
        break_even_years=break_even,
        mean_window_months=est.months,
        price_year=cd.price_year,
        discount_rate=rate,
        families_intervention=n_itv,
        # The reference group: the control arm, or the matched/weighted comparison families.
        families_reference=n_ctl,
        pre_enrolment_monthly_difference=_pre_difference(cd, est, reference)
        if observational and reference
        else float("nan"),
    )
    n = n_itv + (n_ctl if design != "before_after" else 0)
    measure = Amount(MEASURE, "intervention", gross, low, high, n, n, method, parts=parts)
    if design != "before_after":
        cells = _savings_cells(est, parts, "control" if reference is None else "comparison")
        effect = Effect(MEASURE, "effect", gross, low, high, n, n, method, parts=cells, scale="DKK", design=design)
    else:
        effect = Effect.unavailable(
            MEASURE, "effect", "there is no control arm to compare with", method, scale="DKK", design=design
        )
    account = _account(cd, est, parts, gross, programme_total)
    sensitivity = _sensitivity(cd, fr, config, gross, programme, annual, est.months / 12, reference, est)
    return SavingsAccount(
        measure,
        effect,
        account,
        _breakdown(est, "domain"),
        _breakdown(est, "year"),
        by_month,
        sensitivity,
        _total(est),
    )


def _savings_cells(est: _Estimate, parts: SavingsParts, reference: str) -> EffectParts:
    """The savings effect's two sides: mean cost per family in the window and the families behind it."""
    cells = (
        EffectCell(
            "intervention", "post", parts.mean_cost_intervention, None, est.n_intervention, None, est.n_intervention
        ),
        EffectCell(reference, "post", parts.mean_cost_reference, None, est.n_control, None, est.n_control),
    )
    return EffectParts(cells, families_intervention=est.n_intervention, families_reference=est.n_control)


def _pre_difference(cd: CostData, est: _Estimate, reference: Reference) -> float:
    """Weighted mean monthly cost of the comparison group − the intervention's, in the 12 months before enrolment.

    Matching balances the covariates, not the costs themselves; this shows
    how far apart the groups' costs already were before enrolment (the
    savings estimate compares the months after it).
    """
    rates = cd.run_rates().groupby("fc")["run_rate"].sum()
    ref, itv = est.reference_families, est.intervention_families
    w = reference.weights[ref]
    ref_rates = rates.reindex(ref, fill_value=0.0).to_numpy()
    itv_rates = rates.reindex(itv, fill_value=0.0).to_numpy()
    return float(w @ ref_rates / w.sum() - itv_rates.mean()) if len(itv) and w.sum() > 0 else float("nan")


def _account(cd: CostData, est: _Estimate, parts: SavingsParts, gross: float, programme_total: float) -> CostAccount:
    return CostAccount(
        design=est.design,
        cost_basis=cd.source,
        cost_source=cd.description,
        price_year=cd.price_year,
        discount_rate=parts.discount_rate,
        intervention_families=est.n_intervention,
        reference_families=est.n_control,
        mean_window_months=parts.mean_window_months,
        mean_cost_reference=parts.mean_cost_reference,
        mean_cost_intervention=parts.mean_cost_intervention,
        gross_savings_per_family=gross,
        programme_cost_total=programme_total,
        programme_cost_per_family=parts.programme_cost_per_family,
        net_per_family=parts.net_per_family,
        net_total=parts.net_total,
        benefit_cost_ratio=parts.benefit_cost_ratio,
        last_year_savings_per_family=parts.last_year_savings_per_family,
        break_even_years=parts.break_even_years,
    )


def _total(est: _Estimate) -> pd.DataFrame:
    """Each side's mean cost per family over the whole window (one row), with the families behind it."""
    table = pd.DataFrame(
        {
            "reference": [float(np.mean(est.reference)) if len(est.reference) else 0.0],
            "intervention": [float(np.mean(est.actual)) if len(est.actual) else 0.0],
        }
    )
    table["savings"] = table["reference"] - table["intervention"]
    reference, actual = est.reference_rows, est.actual_rows
    one = np.zeros(1, dtype=np.int64)
    return _with_families(table, est, reference, actual, one.repeat(len(reference)), one.repeat(len(actual)), one)


def _breakdown(est: _Estimate, by: str) -> pd.DataFrame:
    """Mean discounted cost per family by domain or calendar year, each side, and the savings."""
    n_itv = est.n_intervention
    n_ref = est.n_reference
    actual = est.actual_rows
    reference = est.reference_rows

    def keys(rows: pd.DataFrame, names: list[str]) -> np.ndarray:
        """Each cost row's year, or its domain's position among ``names``."""
        if by != "domain":
            return _year_of(rows["t"].to_numpy())
        codes, uniques = pd.factorize(rows["domain"])
        return np.append(pd.Index(names).get_indexer(pd.Index(uniques).astype("str")), -1)[codes]

    def per_family(rows: pd.DataFrame, n: int) -> pd.Series:
        if by == "domain":
            sums = rows.groupby("domain", observed=True)["value"].sum()
            sums.index = sums.index.astype("str")
        else:
            sums = rows.groupby(_year_of(rows["t"].to_numpy()))["value"].sum()
        return sums / max(n, 1)

    out = pd.DataFrame({"reference": per_family(reference, n_ref), "intervention": per_family(actual, n_itv)})
    out = out.fillna(0.0)
    out["savings"] = out["reference"] - out["intervention"]
    out.index.name = by
    table = out.reset_index()
    names = [str(v) for v in table[by]] if by == "domain" else []
    row_keys = np.arange(len(table)) if by == "domain" else table[by].to_numpy()
    return _with_families(table, est, reference, actual, keys(reference, names), keys(actual, names), row_keys)


def _sensitivity(
    cd: CostData,
    fr: Frames,
    config: Config,
    gross: float,
    programme: float,
    annual: float,
    window_years: float,
    reference: Reference | None,
    base: _Estimate,
) -> pd.DataFrame:
    """Net result per family when one key input moves (for a tornado chart).

    ``setting`` is numeric: the relative change for costs and programme
    cost (−0.2 / +0.2), the annual rate for the discount rate, and the
    months added to the horizon (−12: ``E`` a year earlier; +12: the last
    year's savings continue one more year, discounted). Each row carries the
    families its estimate rests on (fewer for the horizon −12: those
    enrolled a year before ``E``).
    """
    base_net = gross - programme
    label = "unit costs" if cd.source == "unit_costs" else "expenditure"
    rows: list[tuple[str, float, float, int, int]] = []

    def point(name: str, setting: float, end: int | None = None, rate: float | None = None, scale: float = 1.0) -> None:
        est = _estimate(
            cd,
            fr,
            config,
            fr.e if end is None else end,
            config.discount_rate if rate is None else rate,
            scale,
            reference,
        )
        rows.append((name, setting, float(est.estimate), est.n_intervention, est.n_reference))

    for change in (-0.2, 0.2):
        point(label, change, scale=1 + change)
    for rate in sorted({0.0, MINISTRY_DISCOUNT_RATE} - {config.discount_rate}):
        point("discount rate", rate, rate=rate)
    if reference is None:  # matching weights hold for the families enrolled by E, not by E − 12
        point("horizon", -12.0, end=fr.e - 12)
    extended = gross + annual * (1 + config.discount_rate) ** -window_years
    rows.append(("horizon", 12.0, extended, base.n_intervention, base.n_reference))
    for change in (-0.2, 0.2):
        rows.append(("programme cost", change, gross, base.n_intervention, base.n_reference))
    columns = ["input", "setting", "savings_per_family", "families_intervention", "families_reference"]
    frame = pd.DataFrame(rows, columns=columns)
    cost = np.where(frame["input"] == "programme cost", 1 + frame["setting"].to_numpy(), 1.0) * programme
    frame.insert(3, "net_per_family", frame["savings_per_family"].to_numpy() - cost)
    frame["base_net_per_family"] = base_net
    return frame


# -- the registry's hooks -----------------------------------------------------------------

_SAVINGS_COMPARE = "savings compare the arms; the estimate is the intervention arm's result"


def savings_account(inputs: Inputs) -> SavingsAccount:
    """The savings account of the evaluation (computed once per analysis view).

    The reference is the design's: the control arm, or — when the
    observational design could be built — its matched or weighted
    comparison group; without either, the intervention families' own
    before-enrolment run rate.
    """
    design = inputs.design
    reference = None
    if design.family == "observational" and design.available and design.weights is not None:
        reference = Reference(design.weights, design.kind, design.description)
    key = ("savings_account",)
    compute = lambda: savings(inputs.frames, inputs.unit_costs, inputs.config, reference)  # noqa: E731
    return inputs.frames.memo(key, compute)


def savings_measure(inputs: Inputs, arm: str) -> Amount:
    """Savings per family: one comparison, reported as the intervention arm's result."""
    if arm != "intervention":
        return Amount.unavailable(MEASURE, arm, _SAVINGS_COMPARE)
    return savings_account(inputs).measure


def savings_effect(inputs: Inputs) -> Effect:
    """The savings as an effect (the same comparison), unless the observational design could not be built."""
    design = inputs.design
    if design.family == "observational" and not design.available:
        return Effect.unavailable(MEASURE, "effect", design.reason or "", scale="DKK", design=design.kind)
    return savings_account(inputs).effect
