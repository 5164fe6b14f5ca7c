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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..comparison.balance import wwc_flag
from ..config import MIN_CELL_FLOOR
from ..evaluation import Evaluation
from ..results import Amount, Effect, RelativeChange, Result, Share
from ..rounding import rounded
from .cells import Cell, Link, shows_marker
from .engine import protect
from .values import (
    STATUS_GROUPS,
    BaselineRow,
    Covariate,
    Facts,
    ObservationalFacts,
    Release,
    Source,
    State,
    Value,
    Warning,
)

__all__ = ["STATUS_GROUPS", "collect", "count_ok", "observational_effect_ok", "result_ok", "share_ok"]


#: The end-month status group equal to a share's numerator (same parents, same month, same codes).
_GROUP_MEASURE = {"work": "parents_in_work_or_education", "retired": "early_retirement_share"}

#: Share whose denominator is another share's numerator (the flexjob share among those in work).
_NESTED = {"flexjob_share_of_work_or_education": "parents_in_work_or_education"}

#: The cost of hiding a count a headline result rests on, against 1 for any other cell.
_HEADLINE = 10.0

_BASE_TABLES = {"families": "families_enrolled", "parents": "parents_enrolled", "children": "children_enrolled"}

#: Balance-table covariates that are shares of a family's parents (shown as percentages, hidden like shares).
_SHARE_COVARIATES = {"female_share", "baseline_work_or_education", "baseline_cash_benefit", "baseline_other_benefit"}

#: The matching's reasons for leaving an intervention family out, in the order the report lists them.
_DROP_REASONS = (
    "outside_common_support",
    "no_match_within_caliper",
    "no_comparison_in_exact_cell",
    "enrolled_after_end",
)

_BREAKDOWNS = (("savings_by_domain", "domain"), ("savings_by_year", "year"))

#: A measure's unit → the participants table's count of all its units in an arm.
_UNIT_STEP = {"parents": "parents_enrolled", "children": "children_enrolled", "youths": "children_enrolled"}

#: Baseline means that are a count per family: the participants table's step they divide by the families.
_PER_FAMILY = {"parents_per_family": "parents_enrolled", "children_per_family": "children_enrolled"}

#: Survey groups of fewer than this many times min_cell parents can have their score changes solved for.
_SURVEY_SOLVABLE = 4

#: The parts of a relative change's two rates (pooled: each is a sum over persons).
_RATE_PARTS = ("pre_numerator", "pre_denominator", "post_numerator", "post_denominator")


def share_ok(k: float, n: float, min_cell: int) -> bool:
    """A share ``k / n`` may be shown: ``n`` at least ``min_cell``, ``k`` and ``n − k`` each 0 or at least it."""
    return bool(n >= min_cell and count_ok(k, min_cell) and count_ok(n - k, min_cell))


def count_ok(n: float, min_cell: int) -> bool:
    """A count may be shown on its own: zero or at least ``min_cell``."""
    return bool(n == 0 or n >= min_cell)


@dataclass(frozen=True)
class _Stat:
    value: float
    rule: State
    on: tuple[str, ...]
    note: str


class _Collector:
    """Cells, links and statistics as they are declared; :meth:`release` decides them."""

    def __init__(self, min_cell: int) -> None:
        self.m = min_cell
        self.cells: dict[str, Cell] = {}
        self.links: list[Link] = []
        self.stats: dict[str, _Stat] = {}
        #: Links a reader has only while a cell is published: (that cell, the link).
        self.conditional: list[tuple[str, Link]] = []
        #: Arm → status → the baseline table's count of parents with that status the month before enrolment.
        self.baseline_status: dict[str, dict[str, str]] = {"intervention": {}, "control": {}}

    # -- cells of the engine -----------------------------------------------------------------

    def count(
        self,
        key: str,
        n: float,
        *,
        primary: bool | None = None,
        headline: bool = False,
        printed: bool = True,
        marked: bool = True,
    ) -> None:
        """A count: primary when 1 to ``min_cell − 1`` (or when ``primary`` says so: a rule other than size)."""
        n = float(n)
        small = 0 < n < self.m
        self.cells[key] = Cell(
            key,
            n,
            "count",
            small or bool(primary),
            cost=_HEADLINE if headline else 1.0,
            marked=marked,
            printed=printed,
        )

    def amount(self, key: str, value: float, *, primary: bool, signed: bool = False, headline: bool = False) -> None:
        lower = -math.inf if signed or value < 0 else 0.0
        cost = _HEADLINE if headline else 1.0
        self.cells[key] = Cell(key, float(value), "amount", primary, lower=lower, cost=cost)

    def equal(self, a: str, b: str, *, when: str | None = None) -> None:
        """``a`` and ``b`` count the same population (linked only when both exist and agree).

        ``when``: the link holds for a reader only while the cell ``when`` is
        published (a share's count is known from the share only with its
        denominator): it is added after a first protection in which that cell
        stayed published, and the release is protected again with it.
        """
        if a in self.cells and b in self.cells and self.cells[a].value == self.cells[b].value:
            link = Link(((a, 1.0), (b, -1.0)))
            if when is None:
                self.links.append(link)
            else:
                self.conditional.append((when, link))

    def total(self, total: str, parts: Iterable[str], *, rest: str | None = None) -> None:
        """``total`` is the sum of ``parts`` (and an unprinted ``rest`` of what no part holds, when it is ≥ 0)."""
        parts = [p for p in parts]
        if total not in self.cells or not all(p in self.cells for p in parts):
            return
        if rest is not None:
            values = [self.cells[total].value, *(self.cells[p].value for p in parts)]
            gap = values[0] - math.fsum(values[1:])
            if abs(gap) <= 1e-9 * max(1.0, math.fsum(abs(v) for v in values)):
                gap = 0.0  # amounts add up to within the rounding of floating point
            if gap < 0:
                return
            if gap == 0:
                # Everything is in the parts, as a reader may well assume: a zero rest is known, never a cell to
                # hide (hiding it would protect nothing), so its a-priori bounds are [0, 0].
                self.cells[rest] = Cell(rest, 0.0, "count", False, upper=0.0)
            else:
                # A reader cannot know a rest no output prints; a small one is protected all the same.
                self.count(rest, gap, printed=False)
            parts.append(rest)
        elif not _close(self.cells[total].value, math.fsum(self.cells[p].value for p in parts)):
            return  # amounts add up to within the rounding of floating point; a link holds to 1e-9 of its scale
        self.links.append(Link.total(total, parts))

    # -- statistics ----------------------------------------------------------------------------

    def stat(self, key: str, value: float, *, ok: bool = True, on: Iterable[str] = (), small: bool = True) -> None:
        """A statistic: hidden unless ``ok`` (its own rule) holds and everything it rests ``on`` is shown.

        ``small``: a failed own rule means too few persons (printed "<min_cell"); otherwise it is withheld.
        """
        rule: State = "shown" if ok else ("small" if small else "withheld")
        self.stats[key] = _Stat(float(value) if value is not None else math.nan, rule, tuple(on), "")

    def unavailable(self, key: str, note: str) -> None:
        self.stats[key] = _Stat(math.nan, "unavailable", (), note)

    def public(self, key: str, value: float) -> None:
        self.stat(key, value)

    def result(self, prefix: str, r: Result, *, ok: bool, on: Iterable[str] = (), small: bool = True) -> None:
        """A result's estimate and interval (``prefix/estimate|ci_low|ci_high``)."""
        for part in ("estimate", "ci_low", "ci_high"):
            if r.available:
                self.stat(f"{prefix}/{part}", getattr(r, part), ok=ok, on=on, small=small)
            else:
                self.unavailable(f"{prefix}/{part}", r.reason or "")

    # -- deciding ----------------------------------------------------------------------------

    def _guards(self, key: str) -> bool:
        """Whether hiding ``key`` hides what rests on it (every key but an unprinted part that is not primary)."""
        cell = self.cells.get(key)
        return cell is None or cell.printed or cell.primary

    def decide(self) -> tuple[dict[str, Value], frozenset[str]]:
        """Protect the cells; then each statistic is shown when its own rule and everything it rests on allow.

        The conditional links whose cell a first protection left published are
        added, and the cells protected again with them: the second answer is
        safe whichever way the condition then falls (with the link, the
        reader is assumed to know at least what they do).
        """
        hidden = protect(self.cells.values(), self.links, self.m)
        holding = [link for when, link in self.conditional if when not in hidden]
        if holding:
            self.links.extend(holding)
            hidden = protect(self.cells.values(), self.links, self.m)
        values: dict[str, Value] = {}
        for key, cell in self.cells.items():
            if key not in hidden:
                values[key] = Value("shown", cell.value)
            else:
                values[key] = Value("small" if shows_marker(cell, self.m) else "withheld")

        def state_of(key: str, seen: frozenset[str]) -> State:
            if key in values:
                return values[key].state
            stat = self.stats.get(key)
            if stat is None or key in seen:  # a basis nobody declared hides (never shows) what rests on it
                return "withheld"
            state = stat.rule
            if state == "shown":
                # A part no output prints rests on nothing a reader sees: it hides what rests on it only when it
                # is protected itself (a small complement of a share).
                bases = [state_of(k, seen | {key}) for k in stat.on if self._guards(k)]
                # A number resting on one the evaluation could not compute is withheld: printed beside the reason
                # (the control arm's absence rate was zero before), it would give the missing number away.
                hiding = {"withheld", "unavailable"}
                state = "small" if "small" in bases else "withheld" if hiding & set(bases) else "shown"
            values[key] = Value(state, stat.value if state == "shown" else None, stat.note)
            return state

        for key in self.stats:
            state_of(key, frozenset())
        return values, hidden


def collect(ev: Evaluation, *, withheld: Sequence[str] = ()) -> Release:
    """The release of ``ev``: every number of its report, decided (see the module docstring).

    ``withheld`` names populations (keys of ``ev.populations``) the release
    ledger found within ``min_cell − 1`` families of a recorded release: their
    results are hidden.
    """
    m = max(MIN_CELL_FLOOR, ev.config.min_cell)
    c = _Collector(m)
    od = ev.observational
    left_out = od.counts.treated - od.counts.treated_used if od is not None and od.available else 0
    # 1–4 intervention families left out of the matched sample: everything sized or summed over the matched
    # intervention families would give them (and their covariates) away by difference with the full group.
    subset_hidden = 0 < left_out < m
    facts: dict[str, Any] = {
        **_flow(c, ev, subset_hidden),
        **_results(c, ev),
        **_status(c, ev),
        **_trajectory(c, ev),
        **_rates(c, ev),
        **_baseline(c, ev),
        **_comparison(c, ev, subset_hidden),
        **_survey(c, ev),
        **_savings(c, ev, subset_hidden),
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


def _column(ev: Evaluation, table: str, column: str) -> list[object]:
    frame = ev.tables.get(table)
    return [] if frame is None or column not in frame else frame[column].tolist()


# -- participants and results ----------------------------------------------------------------------


def _flow(c: _Collector, ev: Evaluation, subset_hidden: bool) -> dict[str, Any]:
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
        for measure in _GROUP_MEASURE.values():  # shares of the parents with a status in E
            c.equal(with_status, f"flow/{arm}/analysed:{measure}")
    return {"arms": tuple(str(a) for a in dict.fromkeys(flow["arm"])), "flow_steps": _flow_steps(flow)}


def _results(c: _Collector, ev: Evaluation) -> dict[str, Any]:
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
    c: _Collector, prefix: str, r: RelativeChange, *, headline: bool = False, forced: bool = False
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


def _cell_behind(c: _Collector, key: str) -> str | None:
    """The engine's cell a count statistic repeats (the participants table's), or the cell itself."""
    if key in c.cells:
        return key
    stat = c.stats.get(key)
    if stat is not None and len(stat.on) == 1 and stat.on[0] in c.cells:
        return stat.on[0]
    return None


def result_ok(r: Result, m: int) -> bool:
    """A result's own rule (contract section 5): enough persons, and a share's parts not small."""
    if not r.available:
        return False
    if isinstance(r, Share):
        return share_ok(r.parts.numerator, r.parts.denominator, m)
    if isinstance(r, RelativeChange):
        if r.n < m:
            return False
        p = r.parts
        if p.persons_counted:  # each rate is a share of persons (youths with a job)
            return share_ok(p.pre_numerator, p.pre_denominator, m) and share_ok(p.post_numerator, p.post_denominator, m)
        return True
    if isinstance(r, Amount):
        families = [r.parts.families_intervention, r.parts.families_reference]
        return all(n == 0 or n >= m for n in families) and families[0] >= m
    return r.n >= m


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


# -- figures' data -----------------------------------------------------------------------------------


def _status(c: _Collector, ev: Evaluation) -> dict[str, Any]:
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


def _trajectory(c: _Collector, ev: Evaluation) -> dict[str, Any]:
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


def _rates(c: _Collector, ev: Evaluation) -> dict[str, Any]:
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


def _baseline(c: _Collector, ev: Evaluation) -> dict[str, Any]:
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


def _status_bar_is_the_table(c: _Collector, arm: str) -> None:
    """The status figure's bar before enrolment adds up the baseline table's status rows of each group."""
    rows = c.baseline_status.get(arm, {})
    for group, members in STATUS_GROUPS.items():
        c.total(f"status/{arm}/baseline_period/{group}", [rows[s] for s in members if s in rows])


def _comparison(c: _Collector, ev: Evaluation, subset_hidden: bool) -> dict[str, Any]:
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


#: What each balance column rests on besides its own rule: the families it averages over, as released counts.
_BALANCE_FAMILIES = {
    ("treated", "before"): "flow/intervention/families_enrolled",
    ("comparison", "before"): "comparison/pool",
    ("treated", "after"): "comparison/used",
    ("comparison", "after"): "comparison/compared",
}


def _balance(c: _Collector, bal: pd.DataFrame, subset_hidden: bool) -> tuple[Covariate, ...]:
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


def _family_counts(c: _Collector, key: str, covariate: str, count: float) -> list[str]:
    """The counts an intervention mean per family gives away with its families: children, two-parent families."""
    if covariate == "children":
        return ["flow/intervention/children_enrolled"]
    if covariate == "two_parents" and math.isfinite(count):
        c.count(f"{key}/families", count)
        families, parents = "flow/intervention/families_enrolled", "flow/intervention/parents_enrolled"
        c.total(parents, [families, f"{key}/families"])  # when every family has one or two parents
        return [f"{key}/families"]
    return []


# -- survey, savings, sites ---------------------------------------------------------------------------


def _survey(c: _Collector, ev: Evaluation) -> dict[str, Any]:
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


def _savings(c: _Collector, ev: Evaluation, subset_hidden: bool) -> dict[str, Any]:
    sv = ev.measures.get("savings_per_family")
    account = ev.savings.account if ev.savings is not None else None
    facts: dict[str, Any] = {
        "savings": sv is not None,
        "savings_note": (sv.reason or "") if sv is not None else "",
        "cost_basis": str(account.cost_basis) if account is not None else None,
        "cost_design": str(account.design) if account is not None else None,
        "domains": tuple(str(d) for d in _column(ev, "savings_by_domain", "domain")),
        "years": tuple(int(str(y)) for y in _column(ev, "savings_by_year", "year")),
        "sensitivity": tuple(
            (str(name), float(str(setting)))
            for name, setting in zip(
                _column(ev, "savings_sensitivity", "input"), _column(ev, "savings_sensitivity", "setting"), strict=True
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
    for name, column in _BREAKDOWNS:
        frame = ev.tables.get(name)
        if frame is None or frame.empty:
            continue
        rows = []
        for record in frame.to_dict("records"):
            row = f"savings/{name}/{record[column]}"
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


def _sensitivity(c: _Collector, ev: Evaluation, sv: Amount, years: list[str]) -> None:
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
            if _close(c.cells[f"{row}/savings"].value, annual):
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
            if _close(savings, factor * gross):
                c.links.append(Link(((f"{key}/savings", 1.0), ("savings/estimate", -factor))))
        if name == "horizon" and "savings/last_year" in c.cells and annual != 0:
            # The reader knows the coefficient (the discount rate and the mean follow-up are printed).
            weight = (savings - gross) / annual
            expected = (1 + ev.config.discount_rate) ** -(sv.parts.mean_window_months / 12) if setting > 0 else -1.0
            if _close(weight, expected):
                terms = ((f"{key}/savings", 1.0), ("savings/estimate", -1.0), ("savings/last_year", -weight))
                c.links.append(Link(terms))


def _close(a: float, b: float) -> bool:
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


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


def _sites(c: _Collector, ev: Evaluation, withheld: frozenset[str]) -> dict[str, Any]:
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


def _warnings(c: _Collector, ev: Evaluation) -> dict[str, Any]:
    warnings = ev.warnings
    if warnings is None or warnings.empty:
        return {"warnings": ()}
    out = []
    for i, (table, rule, n, message) in enumerate(warnings[["table", "rule", "n", "message"]].itertuples(index=False)):
        c.count(f"warnings/{i}", n)
        out.append(Warning(str(table), str(rule), str(message)))
    return {"warnings": tuple(out)}


def _appendix(c: _Collector, ev: Evaluation) -> dict[str, Any]:
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
