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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from ..measures.frames import Frames
from ..measures.intervals import bootstrap_means, percentile_interval, rng_for
from ..results import Amount, Effect, Result
from .prices import price_factors, resolve_unit_costs

__all__ = ["CostData", "Reference", "SavingsAccount", "monthly_costs", "savings"]

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
    kind: str
    description: str


@dataclass(frozen=True)
class SavingsAccount:
    """The savings estimate with its account, breakdowns and sensitivity."""

    measure: Result
    effect: Result
    account: pd.DataFrame
    by_domain: pd.DataFrame
    by_year: pd.DataFrame
    by_month: pd.DataFrame
    sensitivity: pd.DataFrame


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
        pd.Categorical.from_codes(np.zeros(len(status), dtype=np.int8), categories=["employment"]),
        by_code[status["status"].cat.codes.to_numpy()],
        "unit_costs",
        f"parents' monthly statuses × {description}",
        target,
    )


def _cost_data(
    fr: Frames,
    fc: np.ndarray,
    t: np.ndarray,
    domain: pd.Categorical,
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
) -> dict[str, object]:
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
    out: dict[str, object] = {"actual_rows": _discounted(itv_rows, rate, scale)}
    if len(ref):
        out["design"] = "randomised" if reference is None else reference.kind
        ref_rows = _rows(other_rows, np.isin(other_rows["fc"].to_numpy(), ref))
        ref_rows = _discounted(ref_rows, rate, scale)
        if reference is not None:
            # Difference-in-differences: in both groups each family's costs minus its pre-enrolment run rate
            # continued over the same months (the before-after counterfactual). The run rate enters as negative
            # rows, so the estimate, the bootstrap and every breakdown split the difference-in-differences.
            out["actual_rows"] = _less_baseline(out["actual_rows"], cd, fr, itv, end, rate, scale)
            ref_rows = _less_baseline(ref_rows, cd, fr, ref, end, rate, scale)
        if factor is not None:
            f = factor[ref_rows["fc"].to_numpy()]
            ref_rows["cost"] = ref_rows["cost"].to_numpy() * f
            ref_rows["value"] = ref_rows["value"].to_numpy() * f
        out["reference_rows"] = ref_rows
        out["reference"] = _totals(out["reference_rows"], ref)
        out["actual"] = _totals(out["actual_rows"], itv)
        out["estimate"] = float(np.mean(out["reference"]) - np.mean(out["actual"])) if len(itv) else np.nan
    else:
        out["design"] = "before_after"
        out["actual"] = _totals(out["actual_rows"], itv)
        out["reference_rows"] = _discounted(_counterfactual_rows(cd, fr, itv, end), rate, scale)
        out["reference"] = _totals(out["reference_rows"], itv)
        out["estimate"] = float(np.mean(out["reference"] - out["actual"])) if len(itv) else np.nan
    out["n_intervention"] = len(itv)
    out["n_control"] = len(ref)
    out["intervention_families"], out["reference_families"] = itv, ref
    out["months"] = float((end - fr.codes.families["m_f"].to_numpy()[itv] + 1).mean()) if len(itv) else np.nan
    return out


def _less_baseline(
    rows: pd.DataFrame, cd: CostData, fr: Frames, families: np.ndarray, end: int, rate: float, scale: float
) -> pd.DataFrame:
    """Cost rows of ``families`` with their pre-enrolment run rate, continued to ``end``, as negative rows."""
    baseline = _discounted(_counterfactual_rows(cd, fr, families, end), rate, scale)
    baseline["cost"] = -baseline["cost"].to_numpy()
    baseline["value"] = -baseline["value"].to_numpy()
    return pd.concat([rows, baseline[list(rows.columns)]], ignore_index=True)


def _last_year_savings(est: dict[str, object], end: int) -> float:
    """Savings per family over the calendar months ``E−11 … E`` (undiscounted basis of extrapolation)."""
    actual = est["actual_rows"]
    reference = est["reference_rows"]
    n_itv = est["n_intervention"]
    n_ref = est["n_control"] if est["design"] != "before_after" else n_itv
    if not n_itv or not n_ref:
        return float("nan")
    last_actual = actual.loc[actual["t"] > end - 12, "cost"].sum() / n_itv
    last_ref = reference.loc[reference["t"] > end - 12, "cost"].sum() / n_ref
    return float(last_ref - last_actual)


def _by_month(est: dict[str, object]) -> pd.DataFrame:
    """Mean discounted cost per family by months since enrolment, each arm; cumulative savings.

    Every family of the arm is in the denominator of every month: a month
    without rows costs nothing. The cumulative savings therefore end at the
    estimate.
    """
    itv = est["actual_rows"]
    ref = est["reference_rows"]
    n_itv = max(int(est["n_intervention"]), 1)
    n_ref = max(int(est["n_control"] if est["design"] != "before_after" else est["n_intervention"]), 1)
    per_k = pd.DataFrame(
        {
            "intervention": itv.groupby("k")["value"].sum() / n_itv,
            "reference": ref.groupby("k")["value"].sum() / n_ref,
        }
    ).fillna(0.0)
    per_k["savings"] = per_k["reference"] - per_k["intervention"]
    per_k["cumulative_savings"] = per_k["savings"].cumsum()
    per_k.index.name = "k"
    return per_k.reset_index()


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
    design = est["design"]
    n_itv, n_ctl = est["n_intervention"], est["n_control"]
    what = "the expenditure table" if cd.source == "expenditure" else "parents' statuses × unit costs"
    if design == "randomised":
        method = (
            f"mean cost per control family − mean cost per intervention family, enrolment month to {fr.end}; "
            f"costs from {what} in {cd.price_year} prices, discounted at {rate:.1%} a year from enrolment; "
            f"percentile bootstrap over families, stratified by arm ({config.bootstrap_replicates:,} replicates)"
        )
    elif design != "before_after":
        assert reference is not None
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
        measure = Amount.unavailable(MEASURE, "intervention", why, method)
        effect = Effect.unavailable(MEASURE, "effect", why, method, scale="DKK")
        empty = pd.DataFrame()
        return SavingsAccount(measure, effect, empty, empty, empty, empty, empty)
    replicates = config.bootstrap_replicates
    rng = rng_for(config.seed, "savings")
    if design != "before_after":
        boot = bootstrap_means(est["reference"], replicates, rng) - bootstrap_means(est["actual"], replicates, rng)
    else:
        boot = bootstrap_means(est["reference"] - est["actual"], replicates, rng)
    low, high = percentile_interval(boot)
    gross = est["estimate"]
    programme_total = float(config.programme_cost_dkk) if config.programme_cost_dkk is not None else float("nan")
    # The grant paid for every intervention family, also those enrolled after E.
    programme = programme_total / int((fr.families["arm"] == "intervention").sum())
    annual = _last_year_savings(est, fr.e)
    by_month = _by_month(est)
    break_even = _break_even_years(by_month, programme, est["months"] / 12, gross, annual)
    parts = {
        "mean_cost_reference": float(np.mean(est["reference"])),
        "mean_cost_intervention": float(np.mean(est["actual"])),
        "programme_cost_per_family": programme,
        "net_per_family": gross - programme,
        "net_total": (gross - programme) * n_itv,
        "benefit_cost_ratio": gross / programme if programme > 0 else float("nan"),
        "last_year_savings_per_family": annual,
        "break_even_years": break_even,
        "mean_window_months": est["months"],
        "price_year": float(cd.price_year),
        "discount_rate": rate,
        "families_intervention": float(n_itv),
        # The reference group: the control arm, or the matched/weighted comparison families.
        ("families_control" if design in ("randomised", "before_after") else "families_comparison"): float(n_ctl),
    }
    if reference is not None and design != "before_after":
        parts["pre_enrolment_monthly_difference"] = _pre_difference(cd, est, reference)
    n = n_itv + (n_ctl if design != "before_after" else 0)
    measure = Amount(MEASURE, "intervention", gross, low, high, n, n, method, parts=parts)
    if design != "before_after":
        effect = Effect(MEASURE, "effect", gross, low, high, n, n, method, parts=parts, scale="DKK", design=design)
    else:
        effect = Effect.unavailable(MEASURE, "effect", "there is no control arm to compare with", method, scale="DKK")
    account = _account(cd, est, parts, gross, programme_total, design)
    sensitivity = _sensitivity(cd, fr, config, gross, programme, annual, est["months"] / 12, reference)
    return SavingsAccount(
        measure,
        effect,
        account,
        _breakdown(est, "domain"),
        _breakdown(est, "year"),
        by_month,
        sensitivity,
    )


def _pre_difference(cd: CostData, est: dict[str, object], reference: Reference) -> float:
    """Weighted mean monthly cost of the comparison group − the intervention's, in the 12 months before enrolment.

    Matching balances the covariates, not the costs themselves; this shows
    how far apart the groups' costs already were before enrolment (the
    savings estimate compares the months after it).
    """
    rates = cd.run_rates().groupby("fc")["run_rate"].sum()
    ref, itv = est["reference_families"], est["intervention_families"]
    w = reference.weights[ref]
    ref_rates = rates.reindex(ref, fill_value=0.0).to_numpy()
    itv_rates = rates.reindex(itv, fill_value=0.0).to_numpy()
    return float(w @ ref_rates / w.sum() - itv_rates.mean()) if len(itv) and w.sum() > 0 else float("nan")


def _account(
    cd: CostData, est: dict[str, object], parts: dict[str, float], gross: float, programme_total: float, design: str
) -> pd.DataFrame:
    rows = [
        ("design", design, ""),
        ("cost_basis", cd.source, ""),
        ("cost_source", cd.description, ""),
        ("price_year", cd.price_year, "year"),
        ("discount_rate", parts["discount_rate"], "per year"),
        ("intervention_families", est["n_intervention"], "families"),
        ("control_families", est["n_control"], "families"),
        ("mean_window_months", parts["mean_window_months"], "months"),
        ("mean_cost_reference", parts["mean_cost_reference"], "DKK per family"),
        ("mean_cost_intervention", parts["mean_cost_intervention"], "DKK per family"),
        ("gross_savings_per_family", gross, "DKK per family"),
        ("programme_cost_total", programme_total, "DKK"),
        ("programme_cost_per_family", parts["programme_cost_per_family"], "DKK per family"),
        ("net_per_family", parts["net_per_family"], "DKK per family"),
        ("net_total", parts["net_total"], "DKK"),
        ("benefit_cost_ratio", parts["benefit_cost_ratio"], "ratio"),
        ("last_year_savings_per_family", parts["last_year_savings_per_family"], "DKK per family and year"),
        ("break_even_years", parts["break_even_years"], "years after enrolment"),
    ]
    return pd.DataFrame(rows, columns=["item", "value", "unit"])


def _breakdown(est: dict[str, object], by: str) -> pd.DataFrame:
    """Mean discounted cost per family by domain or calendar year, each side, and the savings."""
    n_itv = est["n_intervention"]
    n_ref = est["n_control"] if est["design"] != "before_after" else n_itv
    actual = est["actual_rows"]
    reference = est["reference_rows"]

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
    return out.reset_index()


def _sensitivity(
    cd: CostData,
    fr: Frames,
    config: Config,
    gross: float,
    programme: float,
    annual: float,
    window_years: float,
    reference: Reference | None,
) -> pd.DataFrame:
    """Net result per family when one key input moves (for a tornado chart).

    ``setting`` is numeric: the relative change for costs and programme
    cost (−0.2 / +0.2), the annual rate for the discount rate, and the
    months added to the horizon (−12: ``E`` a year earlier; +12: the last
    year's savings continue one more year, discounted).
    """
    base_net = gross - programme
    label = "unit costs" if cd.source == "unit_costs" else "expenditure"
    rows: list[tuple[str, str, float]] = []

    def point(end: int | None = None, rate: float | None = None, scale: float = 1.0) -> float:
        return float(
            _estimate(
                cd,
                fr,
                config,
                fr.e if end is None else end,
                config.discount_rate if rate is None else rate,
                scale,
                reference,
            )["estimate"]
        )

    for change in (-0.2, 0.2):
        rows.append((label, change, point(scale=1 + change)))
    for rate in sorted({0.0, MINISTRY_DISCOUNT_RATE} - {config.discount_rate}):
        rows.append(("discount rate", rate, point(rate=rate)))
    if reference is None:  # matching weights hold for the families enrolled by E, not by E − 12
        rows.append(("horizon", -12.0, point(end=fr.e - 12)))
    rows.append(("horizon", 12.0, gross + annual * (1 + config.discount_rate) ** -window_years))
    frame = pd.DataFrame(rows, columns=["input", "setting", "savings_per_family"])
    frame["net_per_family"] = frame["savings_per_family"] - programme
    programme_rows = pd.DataFrame(
        {
            "input": "programme cost",
            "setting": [-0.2, 0.2],
            "savings_per_family": gross,
            "net_per_family": [gross - 0.8 * programme, gross - 1.2 * programme],
        }
    )
    frame = pd.concat([frame, programme_rows], ignore_index=True)
    frame["base_net_per_family"] = base_net
    return frame
