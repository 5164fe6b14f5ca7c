"""The release of the savings: the gross savings, the account, the breakdowns by domain and year, the sensitivity.

Amounts follow the contributor and the (2, k) dominance rules, for each
breakdown row and for each side's costs as a whole; the breakdowns add up to
the gross savings across both tables, and the sensitivity rows are linked to
the gross where a reader knows how they follow from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..results import Amount, Effect
from ..rounding import rounded
from .cells import Link
from .collector import Collector, close, column, result_ok

if TYPE_CHECKING:  # pragma: no cover - types only
    from ..evaluation import Evaluation

__all__ = ["savings"]

_BREAKDOWNS = (("savings_by_domain", "domain"), ("savings_by_year", "year"))


def savings(c: Collector, ev: Evaluation, subset_hidden: bool) -> dict[str, Any]:
    sv = ev.measures.get("savings_per_family")
    account = ev.savings.account if ev.savings is not None else None
    facts: dict[str, Any] = {
        "savings": sv is not None,
        "savings_note": (sv.reason or "") if sv is not None else "",
        "cost_basis": str(account.cost_basis) if account is not None else None,
        "cost_design": str(account.design) if account is not None else None,
        "domains": tuple(str(d) for d in column(ev, "savings_by_domain", "domain")),
        "years": tuple(int(str(y)) for y in column(ev, "savings_by_year", "year")),
        "sensitivity": tuple(
            (str(name), float(str(setting)))
            for name, setting in zip(
                column(ev, "savings_sensitivity", "input"), column(ev, "savings_sensitivity", "setting"), strict=True
            )
        ),
    }
    if ev.savings is None or sv is None or not isinstance(sv, Amount):
        return facts
    if not sv.available:
        c.unavailable("savings/estimate", sv.reason or "")
        return facts
    m = c.m
    c.amount(
        "savings/estimate", sv.estimate, primary=not result_ok(sv, m) or _dominated(ev, m), signed=True, headline=True
    )
    gross = ["savings/estimate"]
    for part in ("ci_low", "ci_high"):
        c.stat(f"savings/{part}", getattr(sv, part), on=gross)
    acc = ev.savings.account
    if acc is not None:
        c.public("savings/programme_total", acc.programme_cost_total)
        c.public("savings/programme_per_family", acc.programme_cost_per_family)
        c.stat("savings/net_per_family", acc.net_per_family, on=gross)
        c.stat("savings/net_total", acc.net_total, on=gross, ok=not subset_hidden, small=False)
        c.stat("savings/benefit_cost_ratio", acc.benefit_cost_ratio, on=gross)
        # From the gross, the programme cost and the last twelve months' savings (linked to the horizon rows).
        annual = ["savings/last_year"] if math.isfinite(sv.parts.last_year_savings_per_family) else []
        c.stat("savings/break_even_years", acc.break_even_years, on=[*gross, *annual])
        c.public("savings/price_year", acc.price_year)
        c.public("savings/discount_rate", acc.discount_rate)
        # As printed: the exact mean would give its count away.
        c.stat("savings/mean_window_months", rounded(float(acc.mean_window_months), 1), on=gross)
    effect = ev.effects.get("savings_per_family")
    diff = sv.parts.pre_enrolment_monthly_difference
    if isinstance(effect, Effect) and effect.available and math.isfinite(diff):
        c.stat("savings/pre_difference", diff, on=gross, ok=result_ok(sv, m))
    sides: dict[str, list[str]] = {}
    for name, by in _BREAKDOWNS:
        frame = ev.tables.get(name)
        if frame is None or frame.empty:
            continue
        rows = []
        for record in frame.to_dict("records"):
            row = f"savings/{name}/{record[by]}"
            for side in ("reference", "intervention"):
                primary = _amount_primary(record, side, m, ev.config.dominance_share)
                c.amount(f"{row}/{side}", record[side], primary=primary)
            c.amount(f"{row}/savings", record["savings"], primary=False, signed=True)
            c.links.append(Link(((f"{row}/savings", 1.0), (f"{row}/reference", -1.0), (f"{row}/intervention", 1.0))))
            rows.append(row)
        sides[name] = rows
        c.total("savings/estimate", [f"{row}/savings" for row in rows])
    if len(sides) == 2:
        domain, year = sides.values()
        for side in ("reference", "intervention"):
            terms = [(f"{r}/{side}", 1.0) for r in domain] + [(f"{r}/{side}", -1.0) for r in year]
            values = [c.cells[k].value * w for k, w in terms]
            if abs(math.fsum(values)) <= 1e-9 * max(1.0, math.fsum(abs(v) for v in values)):
                c.links.append(Link(tuple(terms)))
    _sensitivity(c, ev, sv, sides.get("savings_by_year", []))
    return facts


def _sensitivity(c: Collector, ev: Evaluation, sv: Amount, years: list[str]) -> None:
    """The sensitivity rows: each row's savings a cell (its net result is that minus the public programme cost).

    A row of costs moved by a factor is that factor times the gross savings,
    and a row of the programme cost moved the gross savings themselves
    (linked). The horizon rows are the gross savings plus or minus the last twelve
    months' savings (``savings/last_year``, also what the break-even horizon
    is computed from): with the gross and a year row they are linked, so a
    year row hidden for its families cannot come back as a difference of two
    sensitivity rows.
    """
    sens = ev.tables.get("savings_sensitivity")
    if sens is None or sens.empty:
        return
    m = c.m
    gross = sv.estimate
    annual = sv.parts.last_year_savings_per_family
    if math.isfinite(annual):
        c.amount("savings/last_year", annual, primary=False, signed=True)
        for row in years:  # the last twelve months are a calendar year when E is a December
            if close(c.cells[f"{row}/savings"].value, annual):
                c.equal(f"{row}/savings", "savings/last_year")
    families = sens[["families_intervention", "families_reference"]]
    small = ((families > 0) & (families < m)).any(axis=1).tolist()
    columns = ["input", "setting", "savings_per_family", "net_per_family"]
    for i, ((name, setting, savings, net), primary) in enumerate(
        zip(sens[columns].itertuples(index=False), small, strict=True)
    ):
        key = f"sensitivity/{i}"
        if not math.isfinite(savings):
            c.stat(f"{key}/savings", savings, ok=not primary, small=False)
            c.stat(f"{key}/net", net, ok=not primary, small=False)
            continue
        c.amount(f"{key}/savings", savings, primary=bool(primary), signed=True)
        c.stat(f"{key}/net", net, on=[f"{key}/savings"])
        if name in ("expenditure", "unit costs", "programme cost"):
            # Costs moved by a factor move the savings by it; the programme cost does not move them at all.
            factor = 1.0 + setting if name != "programme cost" else 1.0
            if close(savings, factor * gross):
                c.links.append(Link(((f"{key}/savings", 1.0), ("savings/estimate", -factor))))
        if name == "horizon" and "savings/last_year" in c.cells and annual != 0:
            # The reader knows the coefficient (the discount rate and the mean follow-up are printed).
            weight = (savings - gross) / annual
            expected = (1 + ev.config.discount_rate) ** -(sv.parts.mean_window_months / 12) if setting > 0 else -1.0
            if close(weight, expected):
                terms = ((f"{key}/savings", 1.0), ("savings/estimate", -1.0), ("savings/last_year", -weight))
                c.links.append(Link(terms))


def _amount_primary(record: Mapping[Any, Any], side: str, m: int, share: float) -> bool:
    """An amount fails on its own: 1 to ``m − 1`` families contribute, or its two largest carry more than ``share``."""
    contributors = int(record[f"contributors_{side}"])
    return 0 < contributors < m or (contributors > 0 and record[f"dominance_{side}"] > share)


def _dominated(ev: Evaluation, m: int) -> bool:
    """Whether either side's costs as a whole fail the contributor or the dominance rule (the gross savings)."""
    total = ev.tables.get("savings_total")
    if total is None or total.empty:
        return False
    (record,) = total.to_dict("records")
    return any(_amount_primary(record, side, m, ev.config.dominance_share) for side in ("reference", "intervention"))
