"""From an evaluation to its release: every number the report prints, decided by one engine.

:func:`collect` is the only place where the report reads an
:class:`~opgang_eval.Evaluation`. Every number a section, figure, headline or
the CLI prints is put here under a key, as one of:

- a *cell* of the disclosure engine (:class:`~.cells.Cell`): a count of persons
  or families, or an amount in kroner, with the rule it fails on its own
  (primary) and every identity a reader knows between it and other cells
  (:class:`~.cells.Link`: a total and its parts, the same population in two
  tables). :func:`~.engine.protect` decides all of them at once;
- a *statistic* resting on cells or other statistics (a share, a mean, an
  interval, an effect): shown only when its own rule passes (at least
  ``min_cell`` persons, a share's numerator and complement not small, ...) and
  every number it rests on is shown; a share printed beside its denominator
  rests on its numerator and complement, so it is hidden with them;
- a *public* number: a setting, the price year, a count of strata.

Keys (``<arm>`` is an arm of the flow table, ``<m>`` a measure id):

==================================================  ===========================================
``flow/<arm>/<step>``                               participants table (counts)
``measure/<arm>/<m>/numerator|complement``          a share's parts (counts, never printed alone)
``result/<arm>/<m>/estimate|ci_low|ci_high|n``      a measure in an arm (``pre``/``post`` rates)
``effect/<m>/estimate|ci_low|ci_high|n``            the effect against control or comparison
``status/<arm>/<period>/<group>|total``             the status figure's bars (counts)
``trajectory/<arm>/<k>``                            the work share by month since enrolment
``rates/<figure>/<arm>/<period>``                   the before-after figures' rates
``baseline/<i>/<arm>``, ``baseline/<i>/smd``        baseline table (share parts: ``/yes``, ``/no``)
``comparison/...``, ``balance/<i>/<column>``        the comparison group's counts and balance table
``event/<i>/estimate|low|high``, ``pretrend/...``   the event study and its joint test
``inference/...``, ``multiplicity/...``, ``null/...``  the robustness section (:mod:`.collect_inference`)
``survey/<arm>/<item>/<column>``                    the survey table
``savings/...``, ``sensitivity/<i>/savings|net``    the savings account, breakdowns and sensitivity
``site/<site>/<m>/estimate|n``                      results by site (share parts too)
``warnings/<i>``, ``appendix/<table>``              data-quality counts, input row counts
==================================================  ===========================================

Parts that no output prints (the parents without a status in the end month,
the families of no site) are cells with ``printed=False``: the engine keeps
them hidden and protects them when they are small.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..config import MIN_CELL_FLOOR
from ..evaluation import Evaluation
from ..results import Effect, RelativeChange, Share
from .collect_comparison import comparison, observational_effect_ok
from .collect_inference import inference
from .collect_savings import savings
from .collector import Collector, count_ok, result_ok, share_ok
from .values import STATUS_GROUPS, BaselineRow, Facts, Release, Source, Warning

__all__ = ["STATUS_GROUPS", "collect", "count_ok", "observational_effect_ok", "result_ok", "share_ok"]

#: The end-month status group equal to a share's numerator (same parents, same month, same codes).
_GROUP_MEASURE = {"work": "parents_in_work_or_education", "retired": "early_retirement_share"}

#: Share whose denominator is another share's numerator (the flexjob share among those in work).
_NESTED = {"flexjob_share_of_work_or_education": "parents_in_work_or_education"}

#: Shares with the same numerator: the parents in flexjob, of all parents with a status or of those in work.
_SAME_NUMERATOR = {"parents_in_flexjob": "flexjob_share_of_work_or_education"}

#: Shares of all the parents with a status in E besides the status groups' (their denominator is that count).
_OF_STATUS = ("parents_in_flexjob",)

_BASE_TABLES = {"families": "families_enrolled", "parents": "parents_enrolled", "children": "children_enrolled"}

#: A measure's unit → the participants table's count of all its units in an arm.
_UNIT_STEP = {"parents": "parents_enrolled", "children": "children_enrolled", "youths": "children_enrolled"}

#: Baseline means that are a count per family: the participants table's step they divide by the families.
_PER_FAMILY = {"parents_per_family": "parents_enrolled", "children_per_family": "children_enrolled"}

#: Survey groups of fewer than this many times min_cell parents can have their score changes solved for.
_SURVEY_SOLVABLE = 4

#: The parts of a relative change's two rates (pooled: each is a sum over persons).
_RATE_PARTS = ("pre_numerator", "pre_denominator", "post_numerator", "post_denominator")


def collect(ev: Evaluation, *, withheld: Sequence[str] = ()) -> Release:
    """The release of ``ev``: every number of its report, decided (see the module docstring).

    ``withheld`` names populations (keys of ``ev.populations``) the release
    ledger found within ``min_cell − 1`` families of a recorded release: their
    results are hidden.
    """
    m = max(MIN_CELL_FLOOR, ev.config.min_cell)
    c = Collector(m)
    od = ev.observational
    left_out = od.counts.treated - od.counts.treated_used if od is not None and od.available else 0
    # 1–4 intervention families left out of the matched sample: everything sized or summed over the matched
    # intervention families would give them (and their covariates) away by difference with the full group.
    subset_hidden = 0 < left_out < m
    facts: dict[str, Any] = {
        **_flow(c, ev, subset_hidden),
        **_results(c, ev),
        **inference(c, ev),
        **_status(c, ev),
        **_trajectory(c, ev),
        **_rates(c, ev),
        **_baseline(c, ev),
        **comparison(c, ev, subset_hidden),
        **_survey(c, ev),
        **savings(c, ev, subset_hidden),
        **_sites(c, ev, frozenset(withheld)),
        **_warnings(c, ev),
        **_appendix(c, ev),
    }
    values, hidden = c.decide()
    populations = [k for k in ev.populations if k.startswith("arm:")]
    populations += [f"site:{s}/arm:intervention" for s in facts["sites"] if s not in facts["withheld_sites"]]
    described = Facts(
        config=ev.config,
        end=ev.end,
        design=ev.design,
        has_control=ev.has_control,
        has_intervention="intervention" in ev.arms,
        declared=ev.declared,
        **facts,
    )
    return Release(m, values, described, tuple(sorted(populations)), dict(c.cells), tuple(c.links), hidden)


def _flow_steps(flow: pd.DataFrame) -> tuple[tuple[str, str | None], ...]:
    """The participants table's steps in order, each with its measure id (``None`` for the counts of persons)."""
    steps = dict.fromkeys(zip(flow["step"], flow["measure"], strict=True))
    return tuple((str(step), measure if isinstance(measure, str) else None) for step, measure in steps)


# -- participants and results ----------------------------------------------------------------------


def _flow(c: Collector, ev: Evaluation, subset_hidden: bool) -> dict[str, Any]:
    flow = ev.tables["flow"]
    for arm, step, measure, n in flow[["arm", "step", "measure", "n"]].itertuples(index=False, name=None):
        spec = ev.declaration(measure) if isinstance(measure, str) else None
        # With 1–4 intervention families left out of the matching, the families in a comparison of amounts
        # (the savings) are not given: they are all but those few.
        forced = subset_hidden and arm == "intervention" and spec is not None and spec.kind == "amount"
        headline = str(step).startswith("analysed:") or step == "parents_with_status_in_end"
        c.count(f"flow/{arm}/{step}", n, primary=forced, headline=headline)
    for arm in dict.fromkeys(flow["arm"]):
        enrolled, with_status = f"flow/{arm}/parents_enrolled", f"flow/{arm}/parents_with_status_in_end"
        c.total(enrolled, [with_status], rest=f"flow/{arm}/parents_without_status_in_end")
        for measure in (*_GROUP_MEASURE.values(), *_OF_STATUS):  # shares of the parents with a status in E
            c.equal(with_status, f"flow/{arm}/analysed:{measure}")
    return {"arms": tuple(str(a) for a in dict.fromkeys(flow["arm"])), "flow_steps": _flow_steps(flow)}


def _results(c: Collector, ev: Evaluation) -> dict[str, Any]:
    m = c.m
    observational = ev.design in ("matched", "weighted")
    for arm, results in ev.arms.items():
        for measure, r in results.items():
            key = f"result/{arm}/{measure}"
            flow_n = f"flow/{arm}/analysed:{measure}"
            if flow_n in c.cells and c.cells[flow_n].value == r.n:
                c.stat(f"{key}/n", r.n, on=[flow_n])  # the participants table's count, printed again
            else:
                c.count(f"{key}/n", r.n, headline=True)
            on = [f"{key}/n"]
            if isinstance(r, Share) and r.available:
                parts = f"measure/{arm}/{measure}"
                c.count(f"{parts}/numerator", r.parts.numerator, headline=True)
                c.count(f"{parts}/complement", r.parts.denominator - r.parts.numerator, headline=True)
                c.total(f"{key}/n" if f"{key}/n" in c.cells else flow_n, [f"{parts}/numerator", f"{parts}/complement"])
                on += [f"{parts}/numerator", f"{parts}/complement"]
            if isinstance(r, RelativeChange) and r.available:
                on += _rate_parts(c, f"measure/{arm}/{measure}", r, headline=True)
            ok = result_ok(r, m)
            c.result(key, r, ok=ok, on=on)
            if isinstance(r, RelativeChange):
                for part, value in (("pre", r.parts.pre_rate), ("post", r.parts.post_rate)):
                    if r.available:
                        c.stat(f"{key}/{part}", value, ok=ok, on=on)
                    else:
                        c.unavailable(f"{key}/{part}", r.reason or "")
        for nested, outer in _NESTED.items():
            c.equal(f"flow/{arm}/analysed:{nested}", f"measure/{arm}/{outer}/numerator")
        for one, other in _SAME_NUMERATOR.items():
            c.equal(f"measure/{arm}/{one}/numerator", f"measure/{arm}/{other}/numerator")
    for measure, e in ev.effects.items():
        if not isinstance(e, Effect):
            continue
        key = f"effect/{measure}"
        spec = ev.declaration(measure)
        if spec is not None and spec.effect is not None:  # the measure's own comparison (the savings)
            c.result(key, e, ok=True, on=["savings/estimate"])
            c.count(f"{key}/n", e.n)
            continue
        arms = [f"result/{arm}/{measure}/estimate" for arm in ("intervention", "control")]
        if observational:
            ok = observational_effect_ok(e, m)
            on = arms[:1]
        else:
            ok = all(ev.arms.get(arm, {}).get(measure) is not None for arm in ("intervention", "control"))
            on = arms if ok else []  # both arms' results: hidden, or not computed, either hides the difference
        c.result(key, e, ok=ok, on=[k for k in on if k in c.stats])
        if not e.available:
            c.unavailable(f"{key}/n", e.reason or "")
            continue
        # The effect's persons are both groups': with one group's count published, it gives the other away.
        reference_small = observational and not count_ok(e.parts.families_reference, m)
        if observational:
            # The matched pool's persons can be worked out (its families and their share with two parents), so the
            # effect's n is shown only with the intervention's count of the same persons.
            unit = _UNIT_STEP.get(spec.unit if spec is not None else "", "families_enrolled")
            c.stat(f"{key}/n", e.n, ok=not reference_small, small=False, on=[f"flow/intervention/{unit}"])
            continue
        c.count(f"{key}/n", e.n, primary=reference_small)
        if not observational:
            counts = [f"result/{arm}/{measure}/n" for arm in ("intervention", "control")]
            behind = [_cell_behind(c, k) for k in counts]
            if all(b is not None for b in behind):
                c.total(f"{key}/n", [b for b in behind if b is not None])
    strata = [e.parts.strata for e in ev.effects.values() if isinstance(e, Effect) and e.available]
    return {"strata": int(max(strata, default=0))}


def _rate_parts(
    c: Collector, prefix: str, r: RelativeChange, *, headline: bool = False, forced: bool = False
) -> list[str]:
    """The numerators and denominators of a relative change's two rates, as cells (``prefix/pre_numerator``, ...).

    A published change with its rates and n all but gives them (a rate to one
    decimal of a known number of youths is a count), so they are published
    cells: a site's parts add up to the arm's, and a site whose own rule fails
    cannot be had by subtracting the others from the arm. A count of persons
    (youths with a job) is primary when small; all four are primary for a
    group of fewer than ``min_cell`` persons (``forced``), whose days of
    absence are as much about them as a count.
    """
    p = r.parts
    keys = []
    for part in _RATE_PARTS:
        value = float(getattr(p, part))
        if not math.isfinite(value) or value < 0:
            continue
        key = f"{prefix}/{part}"
        small = p.persons_counted and 0 < value < c.m
        if value == round(value):
            c.count(key, value, primary=forced or small, headline=headline, marked=False)
        else:
            c.amount(key, value, primary=forced, headline=headline)
        keys.append(key)
    return keys


def _cell_behind(c: Collector, key: str) -> str | None:
    """The engine's cell a count statistic repeats (the participants table's), or the cell itself."""
    if key in c.cells:
        return key
    stat = c.stats.get(key)
    if stat is not None and len(stat.on) == 1 and stat.on[0] in c.cells:
        return stat.on[0]
    return None


# -- figures' data -----------------------------------------------------------------------------------


def _status(c: Collector, ev: Evaluation) -> dict[str, Any]:
    trans = ev.tables["transitions"]
    group_of = {s: g for g, members in STATUS_GROUPS.items() for s in members}
    for arm in [a for a in ("intervention", "control") if a in set(trans["arm"])]:
        part = trans[trans["arm"] == arm]
        for period, column in (("baseline_period", "from_status"), ("end_period", "to_status")):
            counts = part.groupby(part[column].map(group_of))["n"].sum()
            counts = counts.reindex(list(STATUS_GROUPS), fill_value=0).drop("none")
            key = f"status/{arm}/{period}"
            at_end = period == "end_period"
            for group, n in counts.items():
                c.count(f"{key}/{group}", n, headline=at_end and group in _GROUP_MEASURE)
            # The bar's total: the parents with a status that month (the shares drawn are of it).
            c.count(f"{key}/total", counts.sum(), headline=at_end)
            c.total(f"{key}/total", [f"{key}/{g}" for g in counts.index])
        end = f"status/{arm}/end_period"
        c.equal(f"{end}/total", f"flow/{arm}/parents_with_status_in_end")
        for group, measure in _GROUP_MEASURE.items():
            c.equal(f"{end}/{group}", f"measure/{arm}/{measure}/numerator")
    return {}


def _trajectory(c: Collector, ev: Evaluation) -> dict[str, Any]:
    """The work share by month since enrolment: each point's parents in and out of work are cells.

    A figure's point is drawn at its printed precision, but a point is a share
    of known parents all the same, and where the families enrolled in the same
    month one point is the end month's work share: the point's counts are
    linked to the share's when they are equal, so the figure cannot show what
    the table hides.
    """
    traj = ev.tables["trajectory"]
    for arm, k, work, n, share in traj[["arm", "k", "work", "n", "share"]].itertuples(index=False, name=None):
        key = f"trajectory/{arm}/{int(k)}"
        c.count(f"{key}/work", work)
        c.count(f"{key}/rest", n - work)
        for part, measure_part in (("work", "numerator"), ("rest", "complement")):
            c.equal(f"{key}/{part}", f"measure/{arm}/parents_in_work_or_education/{measure_part}")
        c.stat(key, share, ok=share_ok(work, n, c.m), on=[f"{key}/work", f"{key}/rest"])
    return {"trajectory": tuple((str(arm), int(k)) for arm, k in zip(traj["arm"], traj["k"], strict=True))}


def _rates(c: Collector, ev: Evaluation) -> dict[str, Any]:
    """The before-after figures' rates: shown with the result of the measure that draws them."""
    rates = ev.tables["rates"]
    for spec in ev.declared:
        for figure in spec.figures:
            part = rates[rates["measure"] == figure]
            for arm, period, rate in part[["arm", "period", "rate"]].itertuples(index=False, name=None):
                result = f"result/{arm}/{spec.id}/estimate"
                c.stat(f"rates/{figure}/{arm}/{period}", rate, ok=result in c.stats, on=[result])
    bars = {
        str(figure): tuple((str(a), str(p)) for a, p in part[["arm", "period"]].itertuples(index=False, name=None))
        for figure, part in rates.groupby("measure", sort=False)
    }
    return {"rates": bars}


# -- baseline and comparison group -------------------------------------------------------------------


def _baseline(c: Collector, ev: Evaluation) -> dict[str, Any]:
    base = ev.tables["baseline"]
    arms = tuple(a for a in ("intervention", "control") if a in base.columns)
    rows: list[BaselineRow] = []
    status_parts: dict[str, list[str]] = {arm: [] for arm in arms}
    status_n: dict[str, float] = {}
    for i, row in enumerate(base.to_dict("records")):
        status = row["status"] if isinstance(row["status"], str) else None
        share = row["kind"] == "share"
        rows.append(BaselineRow(str(row["variable"]), status, "share" if share else "mean"))
        for arm in arms:
            n = row[f"n_{arm}"]
            key = f"baseline/{i}/{arm}"
            if share:
                yes, no = f"{key}/yes", f"{key}/no"
                c.count(yes, row[f"count_{arm}"])
                c.count(no, n - row[f"count_{arm}"], printed=False)
                c.count(f"{key}/n", n, printed=False)
                c.total(f"{key}/n", [yes, no])
                c.equal(f"{key}/n", f"flow/{arm}/parents_enrolled", when=f"flow/{arm}/parents_enrolled")
                if status is not None:
                    status_parts[arm].append(yes)
                    status_n[arm] = n
                    c.baseline_status[arm][status] = yes
                c.stat(key, row[arm], ok=share_ok(row[f"count_{arm}"], n, c.m), on=[yes, no])
            else:
                # Parents or children per family, with the families printed, is their count (to its rounding).
                counted = _PER_FAMILY.get(str(row["variable"]))
                on = [f"flow/{arm}/{counted}", f"flow/{arm}/families_enrolled"] if counted else []
                c.stat(key, row[arm], ok=n >= c.m, on=on)
        if "smd" in row and len(arms) == 2:
            c.stat(f"baseline/{i}/smd", row["smd"], on=[f"baseline/{i}/{arm}" for arm in arms])
    for arm, parts in status_parts.items():
        _status_bar_is_the_table(c, arm)
        if parts:
            # Every parent has at most one status the month before: the status rows add up to at most n.
            c.count(f"baseline/status/{arm}/n", status_n[arm], printed=False)
            c.equal(f"baseline/status/{arm}/n", f"flow/{arm}/parents_enrolled", when=f"flow/{arm}/parents_enrolled")
            c.total(f"baseline/status/{arm}/n", parts, rest=f"baseline/status/{arm}/none")
    return {"baseline_rows": tuple(rows), "baseline_arms": arms}


def _status_bar_is_the_table(c: Collector, arm: str) -> None:
    """The status figure's bar before enrolment adds up the baseline table's status rows of each group."""
    rows = c.baseline_status.get(arm, {})
    for group, members in STATUS_GROUPS.items():
        c.total(f"status/{arm}/baseline_period/{group}", [rows[s] for s in members if s in rows])


# -- survey, savings, sites ---------------------------------------------------------------------------


def _survey(c: Collector, ev: Evaluation) -> dict[str, Any]:
    """The survey table's cells.

    An item answered by fewer than ``min_cell`` families (over every arm) is
    left out, name and all: an item's name is text from the data, and a rare
    item can name a family's situation.
    """
    arms = tuple(a for a in ("intervention", "control") if ev.survey_by_arm.get(a))
    every = sorted({item for per_arm in ev.survey_by_arm.values() for item in per_arm})
    families = {
        item: sum(ev.survey_by_arm[a][item].n_families for a in arms if item in ev.survey_by_arm[a]) for item in every
    }
    items = [item for item in every if families[item] >= c.m]
    for item in items:
        for arm in arms:
            r = ev.survey_by_arm.get(arm, {}).get(item)
            if r is None:
                continue
            key = f"survey/{arm}/{item}"
            c.count(f"{key}/n", r.n)
            parts = {"before": "mean_baseline", "after": "mean_followup", "p": "p_value"}
            # Whole-number scores: with the mean change, its interval and the signed-rank p-value a small group's
            # changes can be solved for (one solution for 5 or 11 parents), so in a group of fewer than
            # _SURVEY_SOLVABLE × min_cell the parents who rose, fell and stayed pass the count rule too.
            moved = [getattr(r.parts, k, 0) for k in ("rose", "fell", "unchanged")]
            small = r.n < _SURVEY_SOLVABLE * c.m
            ok = r.available and r.n >= c.m and not (small and not all(count_ok(k, c.m) for k in moved))
            for part in ("change", "ci_low", "ci_high", *parts):
                if not r.available:
                    c.unavailable(f"{key}/{part}", r.reason or "")
                    continue
                attr = {"change": "estimate", "ci_low": "ci_low", "ci_high": "ci_high"}.get(part)
                value = getattr(r, attr) if attr else getattr(r.parts, parts[part], math.nan)
                c.stat(f"{key}/{part}", value, ok=ok)
    return {"survey_items": tuple(items), "survey_arms": arms, "survey_small_items": len(every) - len(items)}


def _sites(c: Collector, ev: Evaluation, withheld: frozenset[str]) -> dict[str, Any]:
    """Results by site group (the intervention arm), linked to the arm's totals through the families of no site.

    Sites of fewer than ``min_cell`` families are one group, ``OTHER_SITES``
    (evaluate merged them), so a small site's name never leaves. A site the
    release ledger flags is withheld.
    """
    by_site = {site: arms["intervention"] for site, arms in ev.by_site.items() if "intervention" in arms}
    names = tuple(by_site)
    flagged = tuple(s for s in names if f"site:{s}/arm:intervention" in withheld)
    for measure in (spec.id for spec in ev.declared if spec.per_site):
        arm = ev.measures.get(measure)
        parts: dict[str, list[str]] = {"n": [], "numerator": [], "complement": [], **{p: [] for p in _RATE_PARTS}}
        for site in names:
            r = by_site[site].get(measure)
            key = f"site/{site}/{measure}"
            if r is None:
                continue
            if not r.available:
                c.unavailable(f"{key}/estimate", r.reason or "")
                continue
            forced = site in flagged
            c.count(f"{key}/n", r.n, primary=forced)
            parts["n"].append(f"{key}/n")
            on = [f"{key}/n"]
            if isinstance(r, Share):
                for part, n in (
                    ("numerator", r.parts.numerator),
                    ("complement", r.parts.denominator - r.parts.numerator),
                ):
                    # Not printed, but the site's share and n give it: a published cell like any other.
                    c.count(f"{key}/{part}", n, primary=forced)
                    parts[part].append(f"{key}/{part}")
                    on.append(f"{key}/{part}")
            if isinstance(r, RelativeChange):
                added = _rate_parts(c, key, r, forced=forced or 0 < r.n < c.m)
                for part_key in added:
                    parts[part_key.rsplit("/", 1)[1]].append(part_key)
                on += added
            c.stat(f"{key}/estimate", r.estimate, ok=result_ok(r, c.m), on=on)
        if arm is None or not arm.available:
            continue
        totals: dict[str, str | None] = {
            "n": _cell_behind(c, f"result/intervention/{measure}/n"),
            "numerator": f"measure/intervention/{measure}/numerator",
            "complement": f"measure/intervention/{measure}/complement",
            **{part: f"measure/intervention/{measure}/{part}" for part in _RATE_PARTS},
        }
        for part, keys in parts.items():
            total = totals[part]
            if keys and total is not None:
                # The families of no site (or of none shown) are a further, unprinted part of the arm's total.
                c.total(total, keys, rest=f"site/none/{measure}/{part}")
    for site in names:
        key = f"site/{site}"
        # The same parents: those with a status in E are both end-month shares' n; those in work, flexjob's n.
        c.equal(f"{key}/parents_in_work_or_education/n", f"{key}/early_retirement_share/n")
        for nested, outer in _NESTED.items():
            c.equal(f"{key}/{nested}/n", f"{key}/{outer}/numerator")
    return {"sites": names, "withheld_sites": flagged}


# -- data quality and appendix ---------------------------------------------------------------------------


def _warnings(c: Collector, ev: Evaluation) -> dict[str, Any]:
    warnings = ev.warnings
    if warnings is None or warnings.empty:
        return {"warnings": ()}
    out = []
    for i, (table, rule, n, message) in enumerate(warnings[["table", "rule", "n", "message"]].itertuples(index=False)):
        c.count(f"warnings/{i}", n)
        out.append(Warning(str(table), str(rule), str(message)))
    return {"warnings": tuple(out)}


def _appendix(c: Collector, ev: Evaluation) -> dict[str, Any]:
    """The input files: the row counts of the families, parents and children files, linked to the arms'.

    The other files hold a row per person and month, school year, answer or
    cost: divided by what a reader assumes of them (two school years a child)
    their row counts give counts the report hides, so they are withheld; the
    checksum identifies each file all the same.
    """
    out = []
    for table, source in ev.sources.items():
        key = f"appendix/{table}"
        step = _BASE_TABLES.get(table)
        if step is None:
            c.stat(key, source.rows, ok=False, small=False)
        else:
            c.count(key, source.rows)
            parts = [k for k in c.cells if k.startswith("flow/") and k.endswith(f"/{step}")]
            if table == "families" and "comparison/pool" in c.cells:
                parts.append("comparison/pool")
            # Rows of no arm in the participants table (comparison families outside the pool, say): unprinted.
            c.total(key, parts, rest=f"appendix/{table}/rest")
        out.append(Source(table, source.path.name, source.format, source.sha256))
    return {"sources": tuple(out)}
