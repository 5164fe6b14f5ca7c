"""The release of an observational design: the comparison group's counts, the balance table, the event study.

The comparison group's own rates are never printed; what is printed about it
(its counts, the balance table's means, the event study's differences) rests
on the numbers of families it averages over, and an effect against it passes
the rule that keeps its end-point share from following (see
:func:`observational_effect_ok`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..comparison.balance import wwc_flag
from ..results import Effect
from ..rounding import rounded
from .collector import Collector, count_ok, share_ok
from .values import Covariate, ObservationalFacts

if TYPE_CHECKING:  # pragma: no cover - types only
    from ..evaluation import Evaluation

__all__ = ["comparison", "observational_effect_ok"]

#: Balance-table covariates that are shares of a family's parents (shown as percentages, hidden like shares).
_SHARE_COVARIATES = {"female_share", "baseline_work_or_education", "baseline_cash_benefit", "baseline_other_benefit"}

#: The matching's reasons for leaving an intervention family out, in the order the report lists them.
_DROP_REASONS = (
    "outside_common_support",
    "no_match_within_caliper",
    "no_comparison_in_exact_cell",
    "enrolled_after_end",
)

#: What each balance column rests on besides its own rule: the families it averages over, as released counts.
_BALANCE_FAMILIES = {
    ("treated", "before"): "flow/intervention/families_enrolled",
    ("comparison", "before"): "comparison/pool",
    ("treated", "after"): "comparison/used",
    ("comparison", "after"): "comparison/compared",
}


def observational_effect_ok(r: Effect, m: int) -> bool:
    """Enough persons behind every group-period cell of the matched sample, and no cell recoverable.

    The comparison group's rates are never printed. A difference at one time
    point (the flexjob share) and the intervention's printed rate give the
    comparison rate away, so there each cell must pass the share rule its own
    rate would have to pass (as both arms' results must in the randomised
    case). A difference-in-differences mixes four cell rates; the
    comparison's end point is the one a reader who knows the other three gets,
    so it passes the share rule, and every cell needs ``min_cell`` persons.
    """
    cells = r.parts.cells
    if not r.available or not cells or min(r.parts.families_intervention, r.parts.families_reference) < m:
        return False
    single = not any(cell.period == "pre" for cell in cells)
    for cell in cells:
        n, with_ = cell.persons, cell.with_outcome
        # The comparison group's end-point share follows from the difference-in-differences as soon as the other
        # three rates are known, and they can be (the intervention's are printed; a pool that was on benefits all
        # 36 months before was in work 0 % the month before): it passes the share rule, as in the single case.
        shared = single or (cell.group != "intervention" and cell.period == "post")
        if n is None or not (share_ok(with_, n, m) if shared and with_ is not None else n >= m):
            return False
    return True


def comparison(c: Collector, ev: Evaluation, subset_hidden: bool) -> dict[str, Any]:
    od = ev.observational
    study = ev.event_study
    facts: dict[str, Any] = {
        "observational": None,
        "event_periods": tuple(int(p) for p in study.table["period"]) if study is not None else (),
        "event_reason": study.reason if study is not None else None,
        "pretrend_reason": (study.pretrend.reason or "") if study is not None else "",
    }
    if od is None:
        return facts
    if not od.available or od.matching is None:
        return facts | {"observational": ObservationalFacts(False, od.reason or "", str(od.kind), od.description)}
    counts = od.counts
    c.count("comparison/pool", counts.comparison)
    c.count("comparison/treated", counts.treated)
    c.equal("comparison/treated", "flow/intervention/families_enrolled")
    c.count("comparison/used", counts.treated_used)
    dropped = {k: n for k, n in od.matching.dropped.items() if k in _DROP_REASONS}
    c.count("comparison/dropped", counts.treated - counts.treated_used)
    c.total("comparison/treated", ["comparison/used", "comparison/dropped"])
    for reason, n in dropped.items():
        c.count(f"comparison/dropped/{reason}", n)
    c.total("comparison/dropped", [f"comparison/dropped/{r}" for r in dropped])
    # With 1–4 left out, the number compared (equal to those included in 1:1 matching) is not given.
    c.count("comparison/compared", counts.comparison_used, primary=subset_hidden)
    covariates = _balance(c, od.balance, subset_hidden)
    if study is not None and study.reason is None:
        tab = study.table
        ok = (tab["persons_treated"] >= c.m) & (tab["persons_comparison"] >= c.m)
        # A point is the intervention's share minus the comparison's, both against the reference month: with the
        # intervention's drawn (the trajectory) a reader gets the comparison's change since the reference month,
        # and its share itself where the reference share is printed (0 or a share that passes the rule, as the
        # balance table's work the month before does). Then each point's comparison share passes the rule too.
        with_ = (tab["share_comparison"] * tab["persons_comparison"]).round()
        shares = pd.Series(
            [share_ok(k, n, c.m) for k, n in zip(with_, tab["persons_comparison"], strict=True)], index=tab.index
        )
        reference = tab["period"] == study.reference  # every point is measured against the reference period
        if bool(shares[reference].all()):
            ok &= shares
        ok &= bool(ok[reference].all())
        for i, (row, good) in enumerate(zip(tab.to_dict("records"), ok, strict=True)):
            for part, column in (("estimate", "estimate"), ("low", "ci_low"), ("high", "ci_high")):
                c.stat(f"event/{i}/{part}", row[column], ok=bool(good))
        test = study.pretrend
        for part in ("statistic", "df_num", "p_value"):
            c.public(f"pretrend/{part}", getattr(test, part))
        # The denominator degrees of freedom count the matched families.
        c.stat("pretrend/df_den", test.df_den, ok=not subset_hidden, small=False)
    described = ObservationalFacts(True, "", str(od.kind), od.description, tuple(dropped), covariates, subset_hidden)
    return facts | {"observational": described}


def _balance(c: Collector, bal: pd.DataFrame, subset_hidden: bool) -> tuple[Covariate, ...]:
    """The balance table's cells, each under its own rule and resting on the families it averages over.

    A mean per family times its families is a count: the number of children
    per family of the intervention group gives the families back from the
    children, and the share of matched pool families with two parents gives
    the matched pool's size (and with it the intervention families left out)
    when only a few sizes are possible. So every column rests on the count of
    its families (hidden with it), the intervention's number of children per
    family on the children too, and its share of two-parent families, a count
    of families, is linked to the parents: families + two-parent families =
    parents. A site of the exact covariates is named only when at least
    ``min_cell`` families (of both groups) live there.
    """
    m = c.m
    if subset_hidden:
        # The matched intervention families' means would give the 1–4 left out away (by difference with all
        # of them): the after side compares all intervention families with the matched comparison group.
        bal = bal.copy()
        for column in ("mean", "n", "count"):
            bal[f"{column}_treated_after"] = bal[f"{column}_treated"]
        bal["smd_after"] = bal["smd_after_all_treated"]
        bal["flag"] = [wwc_flag(v) for v in bal["smd_after"]]
    out = []
    for i, row in enumerate(bal.to_dict("records")):
        name = str(row["covariate"])
        site = name[6:] if name.startswith("site: ") else None
        if site is not None and row["count_treated"] + row["count_comparison"] < m:
            site = None  # a site of 1–4 families can be an address: its name is not printed
            label = "covariate_small_site"
        else:
            label = f"covariate:{name}"
        share = name in _SHARE_COVARIATES
        digits = 2 if row["binary"] or share or name == "distance" else 1
        out.append(Covariate(name, label, site, bool(row["binary"]), share, digits, str(row["flag"] or "")))
        for side, columns in (
            ("before", (("treated", ""), ("comparison", ""))),
            ("after", (("treated", "_after"), ("comparison", "_after"))),
        ):
            keys = []
            for group, suffix in columns:
                n = row[f"n_{group}{suffix}"]
                mean = row[f"mean_{group}{suffix}"]
                if row["binary"]:
                    ok = share_ok(row[f"count_{group}{suffix}"], n, m)
                elif share:
                    # A mean of each family's share of parents: hidden when 1–4 families have any, or 1–4 have none.
                    count = row[f"count_{group}{suffix}"]
                    ok = n >= m and count_ok(count, m) and count_ok(n - count, m)
                else:
                    ok = n >= m
                key = f"balance/{i}/{group}_{side}"
                # With 1–4 left out the after side's intervention column is all intervention families (as before).
                as_before = "before" if subset_hidden and group == "treated" else side
                on = [_BALANCE_FAMILIES[group, as_before]]
                if group == "treated":
                    # Also after matching: with every intervention family included it is the same group.
                    on += _family_counts(c, key, name, row[f"count_treated{suffix}"])
                # The printed precision only: an exact mean of a matched group would give its size away.
                c.stat(key, rounded(float(mean), digits), ok=ok, on=on)
                keys.append(key)
            smd = row["smd" if side == "before" else "smd_after"]
            c.stat(f"balance/{i}/smd_{side}", rounded(float(smd), 2), on=keys)
    return tuple(out)


def _family_counts(c: Collector, key: str, covariate: str, count: float) -> list[str]:
    """The counts an intervention mean per family gives away with its families: children, two-parent families."""
    if covariate == "children":
        return ["flow/intervention/children_enrolled"]
    if covariate == "two_parents" and math.isfinite(count):
        c.count(f"{key}/families", count)
        families, parents = "flow/intervention/families_enrolled", "flow/intervention/parents_enrolled"
        c.total(parents, [families, f"{key}/families"])  # when every family has one or two parents
        return [f"{key}/families"]
    return []
