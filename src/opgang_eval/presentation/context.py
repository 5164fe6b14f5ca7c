"""From an :class:`~opgang_eval.Evaluation` to a plain, formatted report context.

This is the only place where numbers become text. Disclosure control is
applied first, on the numbers (see :mod:`.disclosure`); then every value is
formatted once (:mod:`.formatting`). The HTML, PDF and spreadsheet
renderers only lay the context out; none of them computes or formats.
Statistics are read from the evaluation's results and tables, never
recomputed here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Hashable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, TypeGuard, TypeVar

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure

from .. import __version__
from ..comparison.balance import wwc_flag
from ..comparison.covariates import COVARIATE_LABELS
from ..comparison.event_study import EventStudy
from ..comparison.observational import ObservationalDesign
from ..config import MIN_CELL_FLOOR, Lang
from ..costs.savings import CostAccount
from ..errors import ConfigError, Failure, Rule
from ..evaluation import OTHER_SITES, Evaluation
from ..measures.registry import Measure
from ..release.build import STATUS_GROUPS, build_release
from ..results import Amount, Effect, RateChangeParts, RelativeChange, Result, Share, SurveyChange
from . import figures
from .disclosure import complementary, count_ok, marker, share_ok
from .formatting import Formatter
from .texts import missing_words, t

__all__ = ["Context", "Figure", "Section", "Table", "build_context"]

#: A spreadsheet cell: a label or marker, a number, or empty.
Cell = str | float | None

_R = TypeVar("_R", bound=Result)

#: Balance-table covariates that are shares of a family's parents (shown as percentages, hidden like shares).
_SHARE_COVARIATES = {"female_share", "baseline_work_or_education", "baseline_cash_benefit", "baseline_other_benefit"}


@dataclass(frozen=True)
class Table:
    """A formatted table; ``values`` holds the spreadsheet version of each cell."""

    id: str
    caption: str
    header: list[str]
    rows: list[list[str]]
    values: list[list[Any]]
    align: list[str]
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A rendered figure (SVG markup) with its caption and text alternative."""

    id: str
    caption: str
    svg: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """Everything the renderers need, as strings (and SVG)."""

    lang: Lang
    title: str
    subtitle: str
    generated: str
    headline: list[str]
    design_note: str
    sections: list[Section]
    #: The groups whose results this report publishes, as keys of ``Evaluation.populations`` (for the ledger).
    populations: tuple[str, ...] = ()

    def tables(self) -> list[Table]:
        """Every table in reading order (for the spreadsheet)."""
        return [table for section in self._walk() for table in section.tables]

    def figures(self) -> list[Figure]:
        """Every figure in reading order (for the figure files)."""
        return [figure for section in self._walk() for figure in section.figures]

    def _walk(self) -> list[Section]:
        out: list[Section] = []

        def visit(sections: list[Section]) -> None:
            for section in sections:
                out.append(section)
                visit(section.subsections)

        visit(self.sections)
        return out

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-able data (for Typst)."""
        return asdict(self)


class _Builder:
    """Holds the evaluation, language and threshold while sections are built."""

    def __init__(
        self,
        ev: Evaluation,
        lang: Lang,
        axes: Mapping[str, Axes | None] | None = None,
        withheld: Collection[str] = (),
    ) -> None:
        self.ev = ev
        # Population keys the release ledger found within min_cell - 1 families of a recorded release.
        self.withheld = frozenset(withheld)
        self.named_sites: list[str] = []
        # Figures wanted as matplotlib objects (``plot``), by id → the axes to draw into; then no SVG is made.
        self.axes = axes
        self.made: dict[str, MplFigure] = {}
        self.lang = lang
        self.f = Formatter(lang)
        # The configuration cannot hold a lower threshold; the floor is applied here as well, where it matters.
        self.min_cell = max(MIN_CELL_FLOOR, ev.config.min_cell)
        missing = missing_words(f"{kind}:{m.id}" for m in ev.declared for kind in ("measure", "definition"))
        if missing:
            hint = "Add the words of each registered measure with oe.add_words (see CONTRIBUTING.md)."
            failures = [Failure("config", "words", key, None, "", "", Rule.BAD_CONFIG, hint) for key in missing]
            raise ConfigError.from_failures(failures)
        self.hidden = marker(self.min_cell)
        # Hidden only to protect another cell (or failing a rule that is not a small count): no "<m".
        self.withheld_text = self.t("hidden_cell")
        self.release = build_release(ev, self.min_cell, ev.config.dominance_share)
        self.end = self.f.month(ev.end)
        self.observational = ev.design in ("matched", "weighted")
        od = ev.observational
        left_out = od.counts.treated - od.counts.treated_used if od is not None and od.available else 0
        # 1–4 intervention families left out of the matched sample: everything sized or summed over the matched
        # intervention families would give them (and their covariates) away by difference with the full group.
        self.subset_hidden = 0 < left_out < self.min_cell
        self.effect_label = self.t("effect_observational") if self.observational else self.t("effect")

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def _ax(self, figure_id: str) -> Axes | None:
        return None if self.axes is None else self.axes.get(figure_id)

    def _figure(self, figure_id: str, caption: str, fig: MplFigure) -> Figure:
        """The report's figure (SVG), or — when building for :func:`plot` — the matplotlib figure kept aside."""
        if self.axes is not None:
            self.made[figure_id] = fig
            return Figure(figure_id, caption, "")
        return Figure(figure_id, caption, figures.to_svg(fig, caption))

    # -- disclosure of results ------------------------------------------------------------

    def shown(self, r: _R | None) -> TypeGuard[_R]:
        """Whether this result may leave the process (disclosure rules); ``False`` for ``None``."""
        if r is None or not r.available:
            return False
        m = self.min_cell
        if isinstance(r, Share):
            return share_ok(r.parts.numerator, r.parts.denominator, m) and not self._released_away(r)
        if isinstance(r, RelativeChange):
            if r.n < m:
                return False
            p = r.parts
            if p.persons_counted:  # each rate is a share of persons (youths with a job)
                return share_ok(p.pre_numerator, p.pre_denominator, m) and share_ok(
                    p.post_numerator, p.post_denominator, m
                )
            return True
        if isinstance(r, Amount):
            families = [r.parts.families_intervention, r.parts.families_reference]
            return all(n == 0 or n >= m for n in families) and families[0] >= m
        if isinstance(r, Effect):
            spec = self.ev.declaration(r.measure)
            if spec is not None and spec.effect is not None:  # the measure's own comparison (savings)
                return self.shown(self.ev.measures.get(r.measure))
            if self.observational:
                return self._observational_effect_shown(r)
            return all(self.shown(self.ev.arms.get(arm, {}).get(r.measure)) for arm in ("intervention", "control"))
        return r.n >= m

    def _released_away(self, r: Result) -> bool:
        """Whether the release hides a part of this arm-level result (its n, numerator or complement)."""
        if self.ev.arms.get(r.arm, {}).get(r.measure) is not r:
            return False  # a result by site: not in the release
        key = f"measure/{r.arm}/{r.measure}"
        return any(
            self.release.hides(k)
            for k in (f"{key}/numerator", f"{key}/complement", f"flow/{r.arm}/analysed:{r.measure}")
        )

    def released(self, key: str, n: float) -> str:
        """A count of the release as printed: the number, "<m", or the word for a cell hidden for others."""
        if self.release.hides(key):
            return self.hidden if self.release.marked(key) else self.withheld_text
        return self.count(n)

    def released_value(self, key: str, n: float) -> Any:
        """:meth:`released` for the spreadsheet: the number where shown."""
        text = self.released(key, n)
        return int(n) if text == self.count(n) and count_ok(n, self.min_cell) else text

    def _observational_effect_shown(self, r: Effect) -> bool:
        """Enough persons behind every group-period cell of the matched sample, and no cell recoverable.

        The comparison group's rates are never printed. A difference at one
        time point (the flexjob share) and the intervention's printed rate
        give the comparison rate away, so there each cell must pass the
        share rule its own rate would have to pass (as both arms' results must
        in the randomised case). A difference-in-differences mixes four cell
        rates, none of which follows from the printed numbers, so there each
        cell needs ``min_cell`` persons.
        """
        m = self.min_cell
        cells = r.parts.cells
        if not cells or min(r.parts.families_intervention, r.parts.families_reference) < m:
            return False
        single = not any(cell.period == "pre" for cell in cells)
        for cell in cells:
            n, with_ = cell.persons, cell.with_outcome
            if n is None or not (share_ok(with_, n, m) if single and with_ is not None else n >= m):
                return False
        return self.shown(self.ev.measures.get(r.measure))

    def value(self, r: Result, which: str = "estimate") -> str:
        """A result's estimate (or bound) formatted for its kind."""
        x = getattr(r, which)
        if r.kind == "share":
            return self.f.percent(x)
        if r.kind == "relative_change":
            return self.f.percent(x, signed=True)
        if isinstance(r, Effect):
            if r.scale == "DKK":
                return self.f.dkk(x, signed=True)
            return self.f.points(x)
        if r.kind == "amount":
            return self.f.dkk(x)
        return self.f.number(x, 2)

    def ci(self, r: Result) -> str:
        return self.f.interval(self.value(r, "ci_low"), self.value(r, "ci_high"))

    def ci_words(self, r: Result) -> str:
        """The interval for prose: ``95 %-KI 45.159 kr. til 490.417 kr.``."""
        low, high = self.value(r, "ci_low"), self.value(r, "ci_high")
        return f"95\u00a0%-KI {low} til {high}" if self.lang == "da" else f"95% CI {low} to {high}"

    def count(self, n: float) -> str:
        return self.f.number(n) if count_ok(n, self.min_cell) else self.hidden

    def count_value(self, n: float) -> Any:
        return int(n) if count_ok(n, self.min_cell) else self.hidden

    # -- sections ------------------------------------------------------------------------

    def headline(self) -> list[str]:
        if "intervention" not in self.ev.arms:  # only control or comparison families: every measure is missing
            return [self.t("no_intervention")]
        m, f, out = self.ev.measures, self.f, []
        da = self.lang == "da"
        work, flex = m.get("parents_in_work_or_education"), m.get("flexjob_share_of_work_or_education")
        if self.shown(work):
            text = (
                f"{f.percent(work.estimate)} af forældrene er kommet i uddannelse eller beskæftigelse"
                if da
                else f"{f.percent(work.estimate)} of the parents are in work or education"
            )
            if self.shown(flex):
                words = f.fraction_words(flex.estimate) or f.percent(flex.estimate)
                text += f", heraf {words} i fleksjob" if da else f", {words} of them in flexjob"
            out.append(text + f" ({self.end}).")
        er = m.get("early_retirement_share")
        if self.shown(er):
            out.append(
                f"{f.percent(er.estimate)} er afklaret til førtidspension."
                if da
                else f"{f.percent(er.estimate)} have been granted early-retirement pension."
            )
        ab = m.get("school_absence_change")
        if self.shown(ab):
            size = f.percent(abs(ab.estimate))
            assert isinstance(ab, RelativeChange)
            rates = f"{f.percent(ab.parts.pre_rate, 1)} → {f.percent(ab.parts.post_rate, 1)}"
            verb = ("faldet" if ab.estimate < 0 else "steget") if da else ("fell" if ab.estimate < 0 else "rose")
            out.append(
                f"Børnenes skolefravær er {verb} {size} ({rates} af skoledagene)."
                if da
                else f"Children's school absence {verb} by {size} ({rates} of school days)."
            )
        yj = m.get("youth_job_rate_change")
        if self.shown(yj):
            verb = ("steget" if yj.estimate >= 0 else "faldet") if da else ("rose" if yj.estimate >= 0 else "fell")
            size = f.percent(abs(yj.estimate))
            out.append(
                f"Andelen af unge med fritidsjob er {verb} {size}."
                if da
                else f"The share of youths with an after-school job {verb} by {size}."
            )
        sv = m.get("savings_per_family")
        if self.shown(sv):
            assert isinstance(sv, Amount)
            net = sv.parts.net_per_family
            programme = sv.parts.programme_cost_per_family
            text = (
                f"De offentlige udgifter var {f.dkk(sv.estimate)} lavere pr. familie ({self.ci_words(sv)})"
                if da
                else f"Public costs were {f.dkk(sv.estimate)} lower per family ({self.ci_words(sv)})"
            )
            if math.isfinite(programme):
                text += (
                    f"; med en programudgift på {f.dkk(programme)} pr. familie er nettoresultatet "
                    f"{f.dkk(net, signed=True)} pr. familie."
                    if da
                    else f"; against a programme cost of {f.dkk(programme)} per family the net result is "
                    f"{f.dkk(net, signed=True)} per family."
                )
            else:
                text += "."
            out.append(text)
        effect = self.ev.effects.get("parents_in_work_or_education")
        if self.shown(effect) and self.observational:
            size = f.points(abs(effect.estimate), signed=False)
            more = effect.estimate >= 0
            group = ("matchet", "matched") if self.ev.design == "matched" else ("vægtet", "weighted")
            out.append(
                f"Sammenlignet med en {group[0]} sammenligningsgruppe (svagere design end lodtrækning) er andelen i "
                f"beskæftigelse eller uddannelse steget {size} {'mere' if more else 'mindre'} "
                f"({self.ci_words(effect)})."
                if da
                else f"Compared with a {group[1]} comparison group (a weaker design than randomisation) the share in "
                f"work or education rose by {size} {'more' if more else 'less'} ({self.ci_words(effect)})."
            )
        elif self.shown(effect):
            size = f.points(abs(effect.estimate), signed=False)
            more = effect.estimate >= 0
            out.append(
                f"Sammenlignet med kontrolgruppen er andelen i beskæftigelse eller uddannelse {size} "
                f"{'højere' if more else 'lavere'} ({self.ci_words(effect)})."
                if da
                else f"Compared with the control group the share in work or education is {size} "
                f"{'higher' if more else 'lower'} ({self.ci_words(effect)})."
            )
        return out

    def flow(self) -> Section:
        flow = self.ev.tables["flow"]
        arms = list(dict.fromkeys(flow["arm"]))
        steps = list(dict.fromkeys(zip(flow["step"], flow["measure"], strict=True)))
        rows, values = [], []
        for step, measure in steps:
            part = flow[flow["step"] == step].set_index("arm")["n"]
            label = self._step_label(step, measure)
            spec = self.ev.declaration(measure) if isinstance(measure, str) else None
            # With 1–4 intervention families left out of the matching, the families in the comparison are not given.
            amount = spec is not None and spec.kind == "amount"
            hide = {"intervention"} if self.subset_hidden and amount else set()
            rows.append(
                [label]
                + [self.hidden if a in hide else self.released(f"flow/{a}/{step}", part.get(a, 0)) for a in arms]
            )
            values.append(
                [label]
                + [self.hidden if a in hide else self.released_value(f"flow/{a}/{step}", part.get(a, 0)) for a in arms]
            )
        table = Table(
            "flow",
            self.t("flow"),
            [self.t("step")] + [self.t(a) for a in arms],
            rows,
            values,
            ["l"] + ["r"] * len(arms),
            self.t("suppressed_note", min_cell=self.min_cell, marker=self.hidden),
        )
        return Section("flow", self.t("flow"), [self.t("flow_intro")], [table])

    def _step_label(self, step: str, measure: object) -> str:
        if isinstance(measure, str):
            return ("Indgår i: " if self.lang == "da" else "Analysed: ") + self.t(f"measure:{measure}")
        labels = {
            "families_enrolled": ("Familier", "Families"),
            "parents_enrolled": ("Forældre", "Parents"),
            "children_enrolled": ("Børn", "Children"),
            "families_exited_before_end": ("Familier, der stoppede før slut", "Families who left before the end"),
            "parents_with_status_in_end": (f"Forældre med status i {self.end}", f"Parents with a status in {self.end}"),
        }
        da, en = labels[step]
        return da if self.lang == "da" else en

    def baseline(self) -> Section:
        base = self.ev.tables["baseline"]
        arms = [a for a in ("intervention", "control") if a in base.columns]
        m = self.min_cell
        shares = base[base["kind"] == "share"]
        hidden: dict[tuple[Hashable, str], bool] = {}
        status_rows = shares[shares["status"].notna()]
        if len(status_rows):
            counts = status_rows[[f"count_{a}" for a in arms]].to_numpy(dtype=float)
            mask = complementary(counts, m, rows=False)
            for (idx, _), row_mask in zip(status_rows.iterrows(), mask, strict=True):
                for a, h in zip(arms, row_mask, strict=True):
                    hidden[(idx, a)] = bool(h)
        rows: list[list[str]] = []
        values: list[list[Cell]] = []
        for idx, row in base.iterrows():
            label = self._variable_label(row["variable"], row["status"])
            cells: list[str] = [label]
            cell_values: list[Cell] = [label]
            any_hidden = False
            for a in arms:
                n = row[f"n_{a}"]
                if row["kind"] == "share":
                    ok = share_ok(row[f"count_{a}"], n, m) and not hidden.get((idx, a), False)
                    text = self.f.percent(row[a]) if ok else self.hidden
                else:
                    ok = n >= m
                    text = self.f.number(row[a], 1) if ok else self.hidden
                any_hidden |= not ok
                cells.append(text)
                cell_values.append(float(row[a]) if ok else self.hidden)
            if "smd" in row and len(arms) == 2:
                smd_ok = not any_hidden and math.isfinite(row["smd"])
                cells.append(self.f.number(row["smd"], 2) if smd_ok else (self.hidden if any_hidden else "–"))
                cell_values.append(float(row["smd"]) if smd_ok else (self.hidden if any_hidden else None))
            rows.append(cells)
            values.append(cell_values)
        header = [self.t("variable")] + [self.t(a) for a in arms] + ([self.t("smd")] if len(arms) == 2 else [])
        table = Table("baseline", self.t("baseline"), header, rows, values, ["l"] + ["r"] * (len(header) - 1))
        return Section("baseline", self.t("baseline"), [self.t("baseline_intro")], [table])

    def _variable_label(self, variable: str, status: object) -> str:
        if isinstance(status, str):
            prefix = "Status før start: " if self.lang == "da" else "Status before enrolment: "
            return prefix + t(f"status:{status}", self.lang)
        labels = {
            "age": ("Alder (år)", "Age (years)"),
            "female": ("Kvinder", "Women"),
            "months_on_benefits_36m": ("Måneder på ydelse, 36 mdr. før start", "Months on benefits, 36 months before"),
            "children_per_family": ("Børn pr. familie", "Children per family"),
            "parents_per_family": ("Forældre pr. familie", "Parents per family"),
        }
        da, en = labels[variable]
        return da if self.lang == "da" else en

    # -- measures -----------------------------------------------------------------------------

    def measures(self) -> Section:
        # Amounts (the savings) have the economics section of their own.
        subs = [self._measure_section(m) for m in self.ev.declared if m.kind != "amount"]
        forest = self._forest()
        return Section(
            "results",
            self.t("results"),
            [self._design_note()],
            [],
            [forest] if forest is not None else [],
            subs,
        )

    def _design_note(self) -> str:
        if self.observational and self.ev.has_control:
            return self.t("design_forced")
        return self.t(f"design_{self.ev.design}")

    def _definition(self, measure: str) -> str:
        """The measure's definition from the text catalogue (``definition:<id>``), with this evaluation's values."""
        low, high = self.ev.config.youth_ages
        return self.t(f"definition:{measure}", end=self.end, youth_low=low, youth_high=high)

    def _measure_section(self, spec: Measure) -> Section:
        measure = spec.id
        rows, values = [], []
        for arm in ("intervention", "control"):
            r = self.ev.arms.get(arm, {}).get(measure)
            if r is None:
                continue
            rows.append(self._result_row(r, self.t(arm)))
            values.append(self._result_values(r, self.t(arm)))
        effect = self.ev.effects.get(measure)
        if effect is not None and self.ev.design != "before_after":
            rows.append(self._result_row(effect, self.effect_label))
            values.append(self._result_values(effect, self.effect_label))
        header = self._result_header(spec.kind)
        table = Table(
            measure,
            self.t(f"measure:{measure}"),
            header,
            rows,
            values,
            ["l"] + ["r"] * (len(header) - 1),
            self._unavailable_note(measure),
        )
        made = (self._measure_figure(figure_id, measure) for figure_id in spec.figures)
        figs = [f for f in made if f is not None]
        return Section(measure, self.t(f"measure:{measure}"), [self._definition(measure)], [table], figs)

    def _measure_figure(self, figure_id: str, measure: str) -> Figure | None:
        """A figure a measure's declaration asks for in its section (ids as in ``oe.plot``)."""
        if figure_id == "trajectory":
            return self._trajectory()
        if figure_id == "status_flow":
            return self._status_flow()
        if figure_id == "school_absence":
            return self._before_after("school_absence", measure, "figure_absence")
        if figure_id == "youth_jobs":
            return self._before_after("youth_jobs", measure, "figure_youth")
        raise ValueError(f"unknown figure {figure_id!r} in the declaration of {measure}")

    def _unavailable_note(self, measure: str) -> str:
        notes = []
        for arm in ("intervention", "control"):
            r = self.ev.arms.get(arm, {}).get(measure)
            if r is not None and not r.available:
                notes.append(f"{self.t(arm)}: {self.t('not_available')} – {r.reason}.")
        return " ".join(notes)

    def _result_header(self, kind: str | None) -> list[str]:
        if kind == "relative_change":
            return [self.t("group"), self.t("before"), self.t("after"), self.t("change"), self.t("ci"), self.t("n")]
        return [self.t("group"), self.t("estimate"), self.t("ci"), self.t("n")]

    def _rates(self, r: Result) -> tuple[str, str]:
        if not isinstance(r.parts, RateChangeParts):
            return "", ""
        return self.f.percent(r.parts.pre_rate, 1), self.f.percent(r.parts.post_rate, 1)

    def _result_row(self, r: Result, label: str) -> list[str]:
        spec = self.ev.declaration(r.measure)
        relative = spec is not None and spec.kind == "relative_change"
        ok = self.shown(r)
        if not r.available:
            est, ci = self.t("not_available"), "–"
        elif not ok:
            # "<m" says fewer than m persons: a share that passes the rules but is hidden to protect another cell
            # reads only "hidden".
            withheld = isinstance(r, Share) and share_ok(r.parts.numerator, r.parts.denominator, self.min_cell)
            est = ci = self.withheld_text if withheld else self.hidden
        else:
            est, ci = self.value(r), self.ci(r)
        n = self.count(r.n) if r.available else "–"
        if r.available and self.ev.arms.get(r.arm, {}).get(r.measure) is r:
            n = self.released(f"flow/{r.arm}/analysed:{r.measure}", r.n)
        if r.kind == "effect" and r.available and not self._arm_counts_shown(r.measure):
            n = self.hidden  # the total would reveal a hidden arm's count by subtraction
        if relative:
            pre, post = self._rates(r) if ok else ((self.hidden, self.hidden) if r.available else ("–", "–"))
            return [label, pre, post, est, ci, n]
        return [label, est, ci, n]

    def _arm_counts_shown(self, measure: str) -> bool:
        effect = self.ev.effects.get(measure)
        if (
            self.observational
            and effect is not None
            and isinstance(effect, Effect)
            and not count_ok(effect.parts.families_reference, self.min_cell)
        ):
            return False
        return all(
            count_ok(r.n, self.min_cell)
            for r in (self.ev.arms.get(a, {}).get(measure) for a in ("intervention", "control"))
            if r is not None and r.available
        )

    def _result_values(self, r: Result, label: str) -> list[Any]:
        """The spreadsheet cells of a result row: numbers where shown, markers where hidden."""
        text = self._result_row(r, label)
        if not (r.available and self.shown(r)):
            return [None if cell in ("–", self.t("not_available")) else cell for cell in text]
        n = text[-1] if text[-1] in (self.hidden, self.withheld_text) else self.count_value(r.n)
        if len(text) == 6:
            rates = r.parts if isinstance(r.parts, RateChangeParts) else None
            pre = rates.pre_rate if rates is not None else None
            post = rates.post_rate if rates is not None else None
            return [label, pre, post, r.estimate, text[4], n]
        return [label, r.estimate, text[2], n]

    def _trajectory(self) -> Figure | None:
        traj = self.ev.tables["trajectory"]
        if traj.empty:
            return None
        ok = np.array([share_ok(w, n, self.min_cell) for w, n in zip(traj["work"], traj["n"], strict=True)], dtype=bool)
        data = traj.assign(share=traj["share"].where(ok))
        labels = {a: self.t(a) for a in ("intervention", "control")} | {
            "x": self.t("months_since"),
            "y": self.t("share_axis"),
        }
        fig = figures.trajectory(data[["arm", "k", "share"]], labels, self.f.percent, ax=self._ax("trajectory"))
        caption = self.t("figure_trajectory")
        return self._figure("trajectory", caption, fig)

    def _status_flow(self) -> Figure | None:
        trans = self.ev.tables["transitions"]
        if trans.empty:
            return None
        group_of = {s: g for g, members in STATUS_GROUPS.items() for s in members}
        rows = []
        for arm in [a for a in ("intervention", "control") if a in set(trans["arm"])]:
            part = trans[trans["arm"] == arm]
            for period, column in (("baseline_period", "from_status"), ("end_period", "to_status")):
                counts = part.groupby(part[column].map(group_of))["n"].sum()
                counts = counts.reindex(list(STATUS_GROUPS), fill_value=0).drop("none")  # shares among those with one
                total = counts.sum()
                key = f"status/{arm}/{period}"
                bar = f"{self.t(arm)} – {self.t(period)}"
                # The release decides every segment with the tables it is linked to: the bar's total is the
                # participants table's count and its work segment the work share's numerator.
                hidden_bar = total < self.min_cell or self.release.hides(f"{key}/total")
                shown = 0.0
                for group, n in counts.items():
                    share = np.nan if hidden_bar or self.release.hides(f"{key}/{group}") else n / total
                    shown += 0.0 if np.isnan(share) else share
                    rows.append((bar, group, share))
                rows.append((bar, "hidden", max(0.0, 1.0 - shown) if shown < 1 - 1e-9 else np.nan))
        data = pd.DataFrame(rows, columns=["bar", "group", "share"])
        labels = {g: self.t(f"status_group:{g}") for g in STATUS_GROUPS if g != "none"} | {
            "x": self.t("share_axis"),
            "hidden": f"{'Skjult' if self.lang == 'da' else 'Hidden'} ({self.hidden})",
        }
        fig = figures.status_bars(data, labels, self.f.percent, ax=self._ax("status_flow"))
        caption = self.t("figure_status")
        return self._figure("status_flow", caption, fig)

    def _before_after(self, measure: str, result_id: str, caption_key: str) -> Figure | None:
        rates = self.ev.tables["rates"]
        part = rates[rates["measure"] == measure]
        if part.empty:
            return None
        ok = {a: self.shown(self.ev.arms.get(a, {}).get(result_id)) for a in ("intervention", "control")}
        data = part.assign(rate=[r if ok.get(a) else np.nan for r, a in zip(part["rate"], part["arm"], strict=True)])
        labels = {a: self.t(a) for a in ("intervention", "control")} | {
            "pre": self.t("before"),
            "post": self.t("after"),
            "y": self.t("share_axis"),
        }
        fig = figures.before_after(data[["arm", "period", "rate"]], labels, self.f.percent, ax=self._ax(measure))
        caption = self.t(caption_key)
        return self._figure(measure, caption, fig)

    def _forest(self) -> Figure | None:
        rows = []
        for m in self.ev.declared:
            e = self.ev.effects.get(m.id)
            if m.effect_scale == "DKK" or e is None or not self.shown(e):  # the forest is in percentage points
                continue
            rows.append((self.t(f"measure:{m.id}"), e.estimate, e.ci_low, e.ci_high))
        if not rows:
            return None
        data = pd.DataFrame(rows, columns=["label", "estimate", "low", "high"])
        fig = figures.forest(data, {"x": self.t("pp_axis")}, self.f.number, ax=self._ax("forest"))
        caption = self.t("figure_forest_observational" if self.observational else "figure_forest")
        return self._figure("forest", caption, fig)

    # -- survey, savings, sites ------------------------------------------------------------------

    def survey(self) -> Section | None:
        if not any(self.ev.survey_by_arm.values()):
            return None
        header = [
            self.t("item"),
            self.t("group"),
            self.t("before"),
            self.t("after"),
            self.t("change"),
            self.t("ci"),
            self.t("p_value"),
            self.t("n"),
        ]
        rows, values = [], []
        items = sorted({item for per_arm in self.ev.survey_by_arm.values() for item in per_arm})
        for item in items:
            for arm in ("intervention", "control"):
                r = self.ev.survey_by_arm.get(arm, {}).get(item)
                if r is None:
                    continue
                label = self._item_label(item)
                if not isinstance(r, SurveyChange) or not self.shown(r):
                    shown = self.t("not_available") if not r.available else self.hidden
                    cell = None if not r.available else self.hidden
                    rows.append([label, self.t(arm), shown, shown, shown, shown, shown, self.count(r.n)])
                    values.append([label, self.t(arm), cell, cell, cell, cell, cell, self.count_value(r.n)])
                    continue
                rows.append(
                    [
                        label,
                        self.t(arm),
                        self.f.score(r.parts.mean_baseline),
                        self.f.score(r.parts.mean_followup),
                        self.f.signed(r.estimate, 2),
                        self.f.interval(self.f.signed(r.ci_low, 2), self.f.signed(r.ci_high, 2)),
                        self.f.p_value(r.parts.p_value),
                        self.count(r.n),
                    ]
                )
                values.append(
                    [
                        label,
                        self.t(arm),
                        r.parts.mean_baseline,
                        r.parts.mean_followup,
                        r.estimate,
                        self.f.interval(self.f.signed(r.ci_low, 2), self.f.signed(r.ci_high, 2)),
                        r.parts.p_value,
                        self.count_value(r.n),
                    ]
                )
        table = Table("survey", self.t("survey"), header, rows, values, ["l", "l"] + ["r"] * 6)
        return Section("survey", self.t("survey"), [self.t("survey_intro")], [table])

    def _item_label(self, item: str) -> str:
        labels = {
            "surplus": ("Overskud", "Surplus"),
            "quality_of_life": ("Livskvalitet", "Quality of life"),
            "trust": ("Tillid til systemet", "Trust in the system"),
        }
        da, en = labels.get(item, (item, item))
        return da if self.lang == "da" else en

    def savings(self) -> Section | None:
        sv = self.ev.measures.get("savings_per_family")
        if sv is None:
            return None
        paragraphs = [self._definition("savings_per_family")]
        if not sv.available:
            paragraphs.append(f"{self.t('not_available')}: {sv.reason}.")
            return Section("savings", self.t("savings"), paragraphs)
        if not self.shown(sv):
            paragraphs.append(self.t("suppressed_note", min_cell=self.min_cell, marker=self.hidden))
            return Section("savings", self.t("savings"), paragraphs)
        design = self.ev.design
        account = self.ev.savings.account if self.ev.savings is not None else None
        if account is None or not isinstance(sv, Amount):
            return Section("savings", self.t("savings"), paragraphs)
        paragraphs.append(self.method_text("savings_per_family"))
        tables = [self._account(sv, account), self._breakdown("savings_by_domain", "domain", design)]
        tables.append(self._breakdown("savings_by_year", "year", design))
        tables.append(self._sensitivity())
        figs = [self._domain_figure(design), self._year_figure(), self._tornado()]
        return Section("savings", self.t("savings"), paragraphs, tables, [f for f in figs if f is not None])

    def _account(self, sv: Amount, acc: CostAccount) -> Table:
        f = self.f
        da = self.lang == "da"
        items = [
            ("Besparelse pr. familie (brutto)", "Gross savings per family", f.dkk(sv.estimate), sv.estimate),
            ("95 %-konfidensinterval", "95% confidence interval", self.ci(sv), self.ci(sv)),
            (
                "Programudgift i alt",
                "Programme cost, total",
                f.dkk(acc.programme_cost_total),
                acc.programme_cost_total,
            ),
            (
                "Programudgift pr. familie",
                "Programme cost per family",
                f.dkk(acc.programme_cost_per_family),
                acc.programme_cost_per_family,
            ),
            (
                "Nettoresultat pr. familie",
                "Net result per family",
                f.dkk(acc.net_per_family, signed=True),
                acc.net_per_family,
            ),
            (
                "Nettoresultat i alt",
                "Net result, total",
                self.hidden if self.subset_hidden else f.dkk(acc.net_total, signed=True),
                self.hidden if self.subset_hidden else acc.net_total,
            ),
            (
                "Gevinst pr. investeret krone",
                "Benefit-cost ratio",
                f.number(acc.benefit_cost_ratio, 2),
                acc.benefit_cost_ratio,
            ),
            (
                "Break-even (år efter start)",
                "Break-even (years after enrolment)",
                f.number(acc.break_even_years, 1),
                acc.break_even_years,
            ),
            ("Prisniveau", "Price year", str(acc.price_year), acc.price_year),
            (
                "Diskonteringsrente pr. år",
                "Discount rate per year",
                f.percent(acc.discount_rate, 1),
                acc.discount_rate,
            ),
            (
                "Gennemsnitlig opfølgning (måneder)",
                "Mean follow-up (months)",
                f.number(acc.mean_window_months, 1),
                round(float(acc.mean_window_months), 1),  # as printed: the exact mean would give its count
            ),
        ]
        rows = [[d if da else e, text] for d, e, text, _ in items]
        values = [[d if da else e, _plain(v)] for d, e, _, v in items]
        caption = "Regnskab" if da else "Cost-benefit account"
        return Table("cost_account", caption, ["", self.t("value")], rows, values, ["l", "r"])

    @staticmethod
    def _intervention_cost_key(design: str) -> str:
        """Costs per family, or — in the observational difference-in-differences — their change from before."""
        return "intervention_change" if design in ("matched", "weighted") else "intervention_cost"

    def _breakdown(self, name: str, key: str, design: str) -> Table:
        frame = self.ev.tables[name]
        ref_label = self.t(f"reference_{design}")
        header = [self.t(key), ref_label, self.t(self._intervention_cost_key(design)), self.t("savings_col")]
        rows: list[list[str]] = []
        values: list[list[Cell]] = []
        columns = [key, "reference", "intervention", "savings"]
        for group, reference, intervention, savings in frame[columns].itertuples(index=False, name=None):
            label = self._domain_label(group) if key == "domain" else str(group)
            cells = self._breakdown_cells(name, group, reference, intervention, savings)
            text = [self.withheld_text if x is None else self.f.dkk(x, signed=i == 2) for i, x in enumerate(cells)]
            rows.append([label, *text])
            values.append([label, *(self.withheld_text if x is None else float(x) for x in cells)])
        caption = self.t("figure_domain") if key == "domain" else self.t("figure_year")
        return Table(name, caption, header, rows, values, ["l", "r", "r", "r"])

    def _breakdown_cells(
        self, name: str, group: object, reference: float, intervention: float, savings: float
    ) -> list[float | None]:
        """A breakdown row's reference, intervention and savings amounts; ``None`` where the release hides one."""
        row = f"savings/{name}/{group}"
        sides = zip(("reference", "intervention", "savings"), (reference, intervention, savings), strict=True)
        return [None if self.release.hides(f"{row}/{side}") else float(x) for side, x in sides]

    def _domain_label(self, domain: str) -> str:
        labels = {
            "employment": ("Beskæftigelse", "Employment"),
            "social": ("Socialområdet", "Social services"),
            "health": ("Sundhed", "Health"),
            "education": ("Undervisning", "Education"),
            "other": ("Andet", "Other"),
        }
        da, en = labels.get(domain, (domain, domain))
        return da if self.lang == "da" else en

    def _setting_label(self, name: str, setting: float, short: bool = False) -> str:
        da = self.lang == "da"
        if name == "discount rate":
            return self.f.percent(setting, 1)
        if name == "horizon":
            if setting < 0 or short:
                months = self.f.signed(setting)
                return f"{months} måneder" if da else f"{months} months"
            return (
                f"+{self.f.number(setting)} måneder (sidste års besparelse fortsætter)"
                if da
                else f"+{self.f.number(setting)} months (last year's savings continue)"
            )
        return self.f.percent(setting, signed=True)

    def _sensitivity(self) -> Table:
        frame = self.ev.tables["savings_sensitivity"]
        net = "Nettoresultat pr. familie" if self.lang == "da" else "Net result per family"
        header = [self.t("value"), self.t("setting"), self.t("savings_col"), net]
        rows: list[list[str]] = []
        values: list[list[Cell]] = []
        columns = ["input", "setting", "savings_per_family", "net_per_family"]
        for i, (name, setting_value, savings, net_value) in enumerate(
            frame[columns].itertuples(index=False, name=None)
        ):
            label = self._input_label(name)
            setting = self._setting_label(name, float(setting_value))
            if self.release.hides(f"sensitivity/{i}"):  # it rests on 1 to min_cell - 1 families of an arm
                rows.append([label, setting, self.withheld_text, self.withheld_text])
                values.append([label, setting, self.withheld_text, self.withheld_text])
                continue
            rows.append([label, setting, self.f.dkk(savings), self.f.dkk(net_value, signed=True)])
            values.append([label, setting, _plain(savings), _plain(net_value)])
        caption = self.t("figure_tornado")
        return Table("savings_sensitivity", caption, header, rows, values, ["l", "l", "r", "r"])

    def _input_label(self, name: str) -> str:
        labels = {
            "unit costs": ("Enhedspriser", "Unit costs"),
            "expenditure": ("Udgifter", "Expenditure"),
            "discount rate": ("Diskonteringsrente", "Discount rate"),
            "horizon": ("Tidshorisont", "Horizon"),
            "programme cost": ("Programudgift", "Programme cost"),
        }
        da, en = labels.get(name, (name, name))
        return da if self.lang == "da" else en

    def _domain_figure(self, design: str) -> Figure | None:
        frame = self.ev.tables["savings_by_domain"]
        if frame.empty:
            return None
        long = frame.melt(id_vars="domain", value_vars=["reference", "intervention"], var_name="series")
        hidden = [
            self.release.hides(f"savings/savings_by_domain/{d}/{side}")
            for d, side in zip(long["domain"], long["series"], strict=True)
        ]
        long["value"] = long["value"].where(~np.asarray(hidden, dtype=bool))
        long["category"] = long["domain"].map(self._domain_label)
        labels = {
            "reference": self.t(f"reference_{design}"),
            "intervention": self.t(self._intervention_cost_key(design)),
            "y": self.t("dkk_axis"),
        }
        fig = figures.grouped_bars(
            long[["category", "series", "value"]], labels, self.f.number, ax=self._ax("savings_by_domain")
        )
        caption = self.t("figure_domain")
        return self._figure("savings_by_domain", caption, fig)

    def _year_figure(self) -> Figure | None:
        frame = self.ev.tables["savings_by_year"]
        if frame.empty:
            return None
        hidden = [self.release.hides(f"savings/savings_by_year/{y}/savings") for y in frame["year"]]
        values = frame["savings"].where(~np.asarray(hidden, dtype=bool))
        data = pd.DataFrame({"category": frame["year"].astype(str), "series": "savings", "value": values})
        labels = {"savings": self.t("savings_col"), "y": self.t("dkk_axis")}
        fig = figures.grouped_bars(data, labels, self.f.number, ax=self._ax("savings_by_year"))
        caption = self.t("figure_year")
        return self._figure("savings_by_year", caption, fig)

    def _tornado(self) -> Figure | None:
        frame = self.ev.tables["savings_sensitivity"]
        if frame.empty or not np.isfinite(frame["net_per_family"]).any():
            return None
        data = pd.DataFrame(
            {
                "label": [
                    f"{self._input_label(i)}: {self._setting_label(i, float(v), short=True)}"
                    for i, v in zip(frame["input"], frame["setting"], strict=True)
                ],
                "value": [
                    np.nan if self.release.hides(f"sensitivity/{i}") else v
                    for i, v in enumerate(frame["net_per_family"])
                ],
            }
        )
        base = float(frame["base_net_per_family"].iloc[0])
        fig = figures.tornado(data, base, {"x": self.t("dkk_axis")}, self.f.number, ax=self._ax("savings_sensitivity"))
        caption = self.t("figure_tornado")
        return self._figure("savings_sensitivity", caption, fig)

    def by_site(self) -> Section | None:
        # The intervention arm's results in each site group that has intervention families. Sites of fewer
        # than min_cell families are merged into one group by evaluate (their names never reach this table).
        by_site = {site: arms["intervention"] for site, arms in self.ev.by_site.items() if "intervention" in arms}
        if not by_site:
            return None
        names = list(by_site)
        # Families of the arm outside every site group are a further, unpublished part of the arm's total.
        in_sites = sum(len(self.ev.populations.get(f"site:{s}/arm:intervention", ())) for s in names)
        unsited = len(self.ev.populations.get("arm:intervention", ())) - in_sites
        withheld = {s for s in names if f"site:{s}/arm:intervention" in self.withheld}
        self.named_sites = [s for s in names if s not in withheld]
        header = [self.t("variable"), *(self._site_label(s) for s in names)]
        rows: list[list[str]] = []
        values: list[list[Cell]] = []
        for measure in (m.id for m in self.ev.declared if m.per_site):
            label = self.t(f"measure:{measure}")
            results = [by_site[site].get(measure) for site in names]
            hidden = [
                r is not None and r.available and (not self.shown(r) or site in withheld)
                for r, site in zip(results, names, strict=True)
            ]
            # The arm's total is published, so a single hidden part — a hidden site, or the families with no
            # site — could be recovered by subtraction: hide the shown site with the fewest persons as well.
            if sum(hidden) + (unsited > 0) == 1:
                shown = [i for i, r in enumerate(results) if r is not None and r.available and not hidden[i]]
                if shown:
                    hidden[min(shown, key=lambda i: _persons(results[i]))] = True
            cells: list[str] = [label]
            cell_values: list[Cell] = [label]
            for r, h in zip(results, hidden, strict=True):
                if r is None or not r.available:
                    cells.append("–")
                    cell_values.append(None)
                elif h:
                    cells.append(self.hidden)
                    cell_values.append(self.hidden)
                else:
                    cells.append(f"{self.value(r)} (n = {self.count(r.n)})")
                    cell_values.append(r.estimate)
            rows.append(cells)
            values.append(cell_values)
        notes = [self.t("by_site_small", min_cell=self.min_cell)] if OTHER_SITES in names else []
        if withheld:
            notes.append(self.t("by_site_withheld", sites=", ".join(self._site_label(s) for s in sorted(withheld))))
        table = Table("by_site", self.t("by_site"), header, rows, values, ["l"] + ["r"] * len(names), " ".join(notes))
        return Section("by_site", self.t("by_site"), [self.t("by_site_intro")], [table])

    def _site_label(self, site: str) -> str:
        return self.t("other_sites") if site == OTHER_SITES else site

    def published_populations(self) -> tuple[str, ...]:
        """The population keys (:attr:`Evaluation.populations`) of the groups this report publishes results of.

        Every arm, and the intervention families of each site group with results by site (after
        :meth:`by_site` ran): what the release ledger records, so that a later report on a population one
        family apart is caught.
        """
        keys = [k for k in self.ev.populations if k.startswith("arm:")]
        keys += [f"site:{s}/arm:intervention" for s in self.named_sites]
        return tuple(sorted(keys))

    # -- methods, limitations, quality, appendix ----------------------------------------------------

    def method_text(self, measure: str) -> str:
        """How a measure and its interval are computed, in the report's language."""
        cfg = self.ev.config
        da = self.lang == "da"
        boot = (
            f"percentil-bootstrap over familier ({self.f.number(cfg.bootstrap_replicates)} gentagelser, "
            f"seed {cfg.seed})"
            if da
            else f"percentile bootstrap over families ({self.f.number(cfg.bootstrap_replicates)} replicates, "
            f"seed {cfg.seed})"
        )
        spec = self.ev.declaration(measure)
        kind = spec.kind if spec is not None else None
        if kind == "share":
            return (
                "Wilson-konfidensinterval for en andel (forældrene behandles som uafhængige)."
                if da
                else "Wilson score interval for a proportion (parents treated as independent)."
            )
        if kind == "relative_change":
            return f"Konfidensinterval: {boot}." if da else f"Interval: {boot}."
        acc = self.ev.savings.account if self.ev.savings is not None else None
        if acc is None:
            return ""
        basis = {
            "expenditure": (
                "udgiftstabellen (nominelle beløb omregnet med forbrugerprisindekset)",
                "the expenditure table (nominal amounts converted with the consumer price index)",
            ),
            "unit_costs": (
                "forældrenes månedlige status gange enhedspriser",
                "parents' monthly statuses times unit costs",
            ),
        }[str(acc.cost_basis)]
        design = {
            "randomised": ("sammenligning med kontrolgruppen", "comparison with the control group"),
            "before_after": (
                "før-efter-fremskrivning (svagere design: ingen kontrolgruppe)",
                "before-after run rate (a weaker design: no control group)",
            ),
            "matched": (
                "difference-in-differences mod en matchet sammenligningsgruppe (svagere design end lodtrækning)",
                "difference-in-differences against a matched comparison group (weaker than randomisation)",
            ),
            "weighted": (
                "difference-in-differences mod en vægtet sammenligningsgruppe (svagere design end lodtrækning)",
                "difference-in-differences against a weighted comparison group (weaker than randomisation)",
            ),
        }[str(acc.design)]
        rate = self.f.percent(float(acc.discount_rate), 1)
        pre = self._pre_cost_sentence()
        if da:
            return (
                f"Design: {design[0]}. Udgifter fra {basis[0]} i {acc.price_year}-priser, diskonteret med {rate} "
                f"om året fra familiens start. Konfidensinterval: {boot}, stratificeret på gruppe.{pre}"
            )
        return (
            f"Design: {design[1]}. Costs from {basis[1]} in {acc.price_year} prices, discounted at {rate} a year "
            f"from the family's enrolment. Interval: {boot}, stratified by arm.{pre}"
        )

    def _pre_cost_sentence(self) -> str:
        """How far apart the matched groups' monthly costs were before enrolment (observational design only)."""
        sv = self.ev.measures.get("savings_per_family")
        effect = self.ev.effects.get("savings_per_family")
        diff = sv.parts.pre_enrolment_monthly_difference if isinstance(sv, Amount) else None
        if diff is None or not math.isfinite(diff) or not self.shown(effect):
            return ""
        size = self.f.dkk(abs(diff))
        if self.lang == "da":
            side = "højere" if diff >= 0 else "lavere"
            return (
                f" I de 12 måneder før start var sammenligningsgruppens udgifter {size} {side} pr. familie og måned "
                "end indsatsgruppens; besparelsen er en difference-in-differences, der trækker hver families "
                "udgiftsniveau før start fra."
            )
        side = "higher" if diff >= 0 else "lower"
        return (
            f" In the 12 months before enrolment the comparison group's costs were {size} {side} per family and "
            "month than the intervention group's; the savings are a difference-in-differences that takes each "
            "family's level before enrolment out."
        )

    def observational_method_text(self) -> str:
        if self.lang == "da":
            return (
                "Forskelle mod sammenligningsgruppen er difference-in-differences på den matchede eller vægtede "
                f"stikprøve: ændringen fra måneden før start til {self.end} for andelene, fra skoleåret før start til "
                "opfølgningsåret for fravær og fra året før start til det sidste år for fritidsjob, hos "
                "indsatsfamilierne minus hos sammenligningsfamilierne (vægtet mindste kvadraters metode med "
                "familiens vægt). Andelen i fleksjob sammenlignes kun ved slutningen. Standardfejl er klyngerobuste på "
                "familieniveau (CR1) og behandler vægtene som kendte. Propensity score: logistisk regression på "
                "forholdene i balancetabellen."
            )
        return (
            "Differences from the comparison group are difference-in-differences on the matched or weighted sample: "
            f"the change from the month before enrolment to {self.end} for the shares, from the school year before "
            "enrolment to the follow-up year for absence and from the year before enrolment to the last year for "
            "youth jobs, in the intervention families minus in the comparison families (weighted least squares with "
            "the family's weight). The flexjob share is compared at the end only. Standard errors are cluster-robust "
            "by family (CR1) and treat the weights as known. Propensity score: logistic regression on the "
            "characteristics in the balance table."
        )

    def comparison_group(self) -> Section | None:
        od = self.ev.observational
        if od is None:
            return None
        da = self.lang == "da"
        paragraphs = [self._design_note()]
        if not od.available:
            reason = f"{self.t('not_available')}: {od.reason}."
            return Section("comparison_group", self.t("comparison_group"), [*paragraphs, reason])
        c = od.counts
        dropped = c.treated - c.treated_used
        if count_ok(dropped, self.min_cell):
            used = self.count(c.treated_used)
        else:  # the number left out is hidden, so the number included must not give it away
            used = f"Alle på nær {self.hidden}" if da else f"All but {self.hidden}"
        reasons = {
            "outside_common_support": ("uden for fælles støtte", "outside common support"),
            "no_match_within_caliper": ("ingen inden for caliper", "no match within the caliper"),
            "no_comparison_in_exact_cell": ("ingen med samme eksakte værdier", "none with the same exact values"),
            "enrolled_after_end": ("startet efter slutmåneden", "enrolled after the end month"),
        }
        assert od.matching is not None  # an available design has its matching
        counts = {k: n for k, n in od.matching.dropped.items() if k in reasons}
        # Secondary suppression: with one reason hidden, another shown would give it away from the total.
        hide_all = any(not count_ok(n, self.min_cell) for n in counts.values())
        dropped_parts = [
            f"{self.hidden if hide_all else self.count(n)} {reasons[k][0 if da else 1]}" for k, n in counts.items()
        ]
        # The pool's size and the intervention families' add up to the families file's rows (appendix).
        pool = self.count(c.comparison) if count_ok(c.treated, self.min_cell) else self.hidden
        how = (
            f"{pool} registerfamilier uden tilbuddet udgør puljen. {used} af "
            f"{self.count(c.treated)} indsatsfamilier indgår"
            if da
            else f"The pool holds {pool} register families without the programme. {used} of "
            f"{self.count(c.treated)} intervention families are included"
        )
        if dropped_parts:
            how += (" (udeladt: " if da else " (left out: ") + ", ".join(dropped_parts) + ")"
        # With 1–4 left out, the number compared (equal to those included in 1:1 matching) is not given.
        compared = "" if self.subset_hidden else f"{self.count(c.comparison_used)} "
        how += (
            f", sammenlignet med {compared}familier fra puljen. "
            if da
            else f", compared with {compared}families from the pool. "
        )
        how += self._design_words() if da else od.description[0].upper() + od.description[1:] + "."
        paragraphs.append(how)
        table, love = self._balance(od)
        figs = [love] if love is not None else []
        study = self.ev.event_study
        if study is not None and study.reason is None:
            figs.append(self._event_figure(study))
            paragraphs.append(self._pretrend_text(study))
        return Section("comparison_group", self.t("comparison_group"), paragraphs, [table], figs)

    def _design_words(self) -> str:
        """The matching or weighting settings in Danish (the English text is the design's own description)."""
        s = self.ev.config.comparison
        if s.method == "weighting":
            return "Vægte: inverse propensity-vægte for effekten på de behandlede (p/(1−p))."
        caliper = "uden caliper" if s.caliper is None else f"caliper {self.f.number(s.caliper, 2)} SD"
        replace = "med tilbagelægning" if s.replace else "uden tilbagelægning"
        exact = f", eksakt på {', '.join(s.exact)}" if s.exact else ""
        support = "; fælles støtte efter min–max-reglen" if s.common_support else ""
        return (
            f"Matchning: {s.ratio}:1 nærmeste nabo på propensity score ({s.distance}), {replace}, {caliper}"
            f"{exact}{support}."
        )

    def _balance(self, od: ObservationalDesign) -> tuple[Table, Figure | None]:
        bal = od.balance
        m = self.min_cell
        weighted = od.kind == "weighted"
        note = self.t("balance_note")
        if self.subset_hidden:
            # The matched intervention families' means would give the 1–4 left out away (by difference with all
            # of them): the after side compares all intervention families with the matched comparison group.
            bal = bal.copy()
            for column in ("mean", "n", "count"):
                bal[f"{column}_treated_after"] = bal[f"{column}_treated"]
            bal["smd_after"] = bal["smd_after_all_treated"]
            bal["flag"] = [wwc_flag(v) for v in bal["smd_after"]]
            note += " " + self.t("balance_all_treated", marker=self.hidden)
        header = [
            self.t("variable"),
            self.t("intervention"),
            self.t("comparison_all"),
            self.t("smd_before"),
            self.t("intervention") if self.subset_hidden else self.t("intervention_after"),
            self.t("comparison_after_weighted" if weighted else "comparison_after"),
            self.t("smd_after"),
            self.t("wwc"),
        ]
        rows, values, love = [], [], []
        for _, row in bal.iterrows():
            label = self._covariate_label(str(row["covariate"]))
            cells: list[str] = [label]
            cell_values: list[Cell] = [label]
            hidden_side = {"before": False, "after": False}
            for side, columns in (
                ("before", (("treated", ""), ("comparison", ""))),
                ("after", (("treated", "_after"), ("comparison", "_after"))),
            ):
                for group, suffix in columns:
                    n = row[f"n_{group}{suffix}"]
                    mean = row[f"mean_{group}{suffix}"]
                    # The spreadsheet gets the printed precision too: an exact mean of a matched group would give
                    # its size (a count the report may hide) away as its denominator.
                    if row["binary"]:
                        ok = share_ok(row[f"count_{group}{suffix}"], n, m)
                        text, digits = (self.f.percent(mean) if ok else self.hidden), 2
                    elif row["covariate"] in _SHARE_COVARIATES:
                        # A mean of each family's share of parents: hidden when 1–4 families have any.
                        ok = n >= m and count_ok(row[f"count_{group}{suffix}"], m)
                        text, digits = (self.f.percent(mean) if ok else self.hidden), 2
                    else:
                        ok = n >= m
                        digits = 2 if row["covariate"] == "distance" else 1
                        text = self.f.number(mean, digits) if ok else self.hidden
                    hidden_side[side] |= not ok
                    cells.append(text)
                    cell_values.append(round(float(mean), digits) if ok else self.hidden)
                smd = row["smd" if side == "before" else "smd_after"]
                ok = not hidden_side[side] and math.isfinite(smd)
                cells.append(self.f.number(smd, 2) if ok else (self.hidden if hidden_side[side] else "–"))
                cell_values.append(round(float(smd), 2) if ok else (self.hidden if hidden_side[side] else None))
            verdict = self.t(f"wwc:{row['flag']}") if row["flag"] and not hidden_side["after"] else "–"
            cells.append(verdict)
            cell_values.append(verdict)
            rows.append(cells)
            values.append(cell_values)
            shown_before = not hidden_side["before"] and math.isfinite(row["smd"])
            shown_after = not hidden_side["after"] and math.isfinite(row["smd_after"])
            love.append(
                (label, abs(row["smd"]) if shown_before else np.nan, abs(row["smd_after"]) if shown_after else np.nan)
            )
        caption = self.t("balance_weighted" if weighted else "balance")
        table = Table("balance", caption, header, rows, values, ["l"] + ["r"] * (len(header) - 2) + ["l"], note)
        data = pd.DataFrame(love, columns=["label", "before", "after"])
        if data[["before", "after"]].isna().all().all():
            return table, None
        labels = {"before": self.t("before"), "after": self.t("after"), "x": "|SMD|"}
        fig = figures.love_plot(data, labels, lambda v: self.f.number(v, 2), ax=self._ax("love_plot"))
        caption = self.t("figure_love")
        return table, self._figure("love_plot", caption, fig)

    def _covariate_label(self, name: str) -> str:
        if name.startswith("site: "):
            return f"{self.t('site')}: {name[6:]}"
        da, en = COVARIATE_LABELS[name]
        return da if self.lang == "da" else en

    def _event_figure(self, study: EventStudy) -> Figure:
        tab = study.table
        m = self.min_cell
        ok = (tab["persons_treated"] >= m) & (tab["persons_comparison"] >= m)
        reference = tab["period"] == study.reference  # every point is measured against the reference period
        ok &= bool(ok[reference].all())
        data = pd.DataFrame(
            {
                "period": tab["period"],
                "estimate": tab["estimate"].where(ok),
                "low": tab["ci_low"].where(ok),
                "high": tab["ci_high"].where(ok),
            }
        )
        labels = {
            "x": self.t("months_relative"),
            "y": self.t("difference_axis"),
            "estimate": self.t("estimate"),
            "ci": self.t("ci"),
        }
        fig = figures.event_study(data, labels, lambda v: self.f.number(v, 0), ax=self._ax("event_study"))
        caption = self.t("figure_event")
        return self._figure("event_study", caption, fig)

    def _pretrend_text(self, study: EventStudy) -> str:
        da = self.lang == "da"
        test = study.pretrend
        if not math.isfinite(test.p_value):
            why = test.reason or ""
            return (
                f"Test for ens udvikling før start kunne ikke beregnes: {why}."
                if da
                else f"The test of parallel pre-enrolment trends could not be computed: {why}."
            )
        if self.subset_hidden:  # the denominator degrees of freedom count the matched families
            df = ""
        elif da:
            df = f" ({test.df_num:.0f} og {test.df_den:.0f} frihedsgrader)"
        else:
            df = f" ({test.df_num:.0f} and {test.df_den:.0f} degrees of freedom)"
        stat = f"F = {self.f.number(test.statistic, 2)}{df}, p = {self.f.number(test.p_value, 3)}"
        if test.p_value < 0.05:
            verdict = (
                "Grupperne udviklede sig forskelligt før start, hvilket svækker sammenligningen."
                if da
                else "The groups developed differently before enrolment, which weakens the comparison."
            )
        else:
            verdict = (
                "Testen viser ingen tegn på forskellig udvikling før start (men har begrænset styrke)."
                if da
                else "The test shows no sign of different trends before enrolment (but it has limited power)."
            )
        head = "Fælles test af forskellene før start: " if da else "Joint test of the pre-enrolment differences: "
        return f"{head}{stat}. {verdict}"

    def effect_method_text(self) -> str:
        da = self.lang == "da"
        strata = max(
            (e.parts.strata for e in self.ev.effects.values() if isinstance(e, Effect) and e.available), default=0
        )
        fe = (
            (f", med faste effekter for {strata:.0f} strata" if da else f", with fixed effects for {strata:.0f} strata")
            if strata
            else ""
        )
        if da:
            return (
                "Forskelle mod kontrolgruppen er koefficienter i lineære modeller (andele: lineær sandsynlighedsmodel; "
                "fravær og fritidsjob: difference-in-differences, fravær vægtet med skoledage)"
                f"{fe}. Standardfejl er klyngerobuste på familieniveau (CR1, som Statas vce(cluster)), og "
                "intervallerne bruger t-fordelingen med antal familier minus 1 frihedsgrader."
            )
        return (
            "Differences from control are coefficients of linear models (shares: linear probability model; absence and "
            f"youth jobs: difference-in-differences, absence weighted by school days){fe}. Standard errors are "
            "cluster-robust by family (CR1, as Stata's vce(cluster)); intervals use the t distribution with the number "
            "of families minus 1 degrees of freedom."
        )

    def methods(self) -> Section:
        paragraphs = []
        for measure in (m.id for m in self.ev.declared):
            text = f"{self.t(f'measure:{measure}')}: {self._definition(measure)}"
            method = self.method_text(measure)
            if method:
                text += " " + method
            paragraphs.append(text)
        if self.ev.design == "randomised":
            paragraphs.append(self.effect_method_text())
        elif self.observational:
            paragraphs.append(self.observational_method_text())
        paragraphs.append(self.t("suppressed_note", min_cell=self.min_cell, marker=self.hidden))
        return Section("methods", self.t("methods"), paragraphs)

    def limitations(self) -> Section:
        da = self.lang == "da"
        itv = self.ev.measures.get("parents_in_work_or_education")
        n = itv.n if itv is not None else 0
        paragraphs = [
            (
                f"Resultaterne bygger på {self.count(n)} forældre i indsatsgruppen; konfidensintervallerne er derfor "
                "brede, og små forskelle kan skyldes tilfældigheder."
                if da
                else f"The results rest on {self.count(n)} parents in the intervention group, so the confidence "
                "intervals are wide and small differences may be chance."
            ),
            self._design_note(),
            self._cost_limitation(),
            (
                "Forældre i samme familie påvirker hinanden; intervaller for andele behandler dem som uafhængige og "
                "kan derfor være lidt for smalle. Forskelle mod kontrolgruppen bruger klyngerobuste standardfejl."
                if da
                else "Parents in one family influence each other; intervals for shares treat them as independent and "
                "may be slightly narrow. Differences from control use cluster-robust standard errors."
            ),
        ]
        return Section("limitations", self.t("limitations"), paragraphs)

    def _cost_limitation(self) -> str:
        da = self.lang == "da"
        account = self.ev.savings.account if self.ev.savings is not None else None
        basis = account.cost_basis if account is not None else None
        if basis == "unit_costs":
            return (
                "Enhedspriserne er bruttoydelser til borgeren. De omfatter ikke skat, administration, aktivering eller "
                "kursusudgifter og er derfor et groft mål for de offentlige udgifter."
                if da
                else "Unit costs are gross transfers to the citizen. They leave out taxes, administration, activation "
                "and course costs, so they are a rough measure of public costs."
            )
        return (
            "Udgifterne er dem, der er registreret og henført til familierne; udgifter, der ikke kan henføres til en "
            "familie, og skatteindtægter indgår ikke."
            if da
            else "Costs are those recorded and attributed to the families; costs that cannot be attributed to a "
            "family, and tax revenue, are not included."
        )

    def data_quality(self) -> Section:
        warnings = self.ev.warnings
        if warnings is None or warnings.empty:
            return Section("data_quality", self.t("data_quality"), [self.t("data_quality_none")])
        header = [self.t("table"), self.t("rule"), self.t("n"), self.t("message")]
        records = list(warnings[["table", "rule", "n", "message"]].itertuples(index=False, name=None))
        rows = [[str(table), str(rule), self.count(n), str(message)] for table, rule, n, message in records]
        values = [[str(table), str(rule), self.count_value(n), str(message)] for table, rule, n, message in records]
        table = Table("data_quality", self.t("data_quality"), header, rows, values, ["l", "l", "r", "l"])
        return Section("data_quality", self.t("data_quality"), [], [table])

    def _warning_label(self, rule: str) -> str:
        labels = {
            "status_gap": ("Huller i statushistorikken", "Gaps in the status history"),
            "no_status": ("Forældre uden status", "Parents without any status"),
            "no_parents": ("Familier uden forældre", "Families without parents"),
            "no_children": ("Familier uden børn", "Families without children"),
            "no_rows": ("Tabel uden rækker", "Table without rows"),
            "partial_strata": ("Strata mangler for nogle familier", "Stratum missing for some families"),
            "unrecognised_file": ("Ukendt fil ignoreret", "Unrecognised file ignored"),
        }
        da, en = labels.get(rule, (rule, rule))
        return da if self.lang == "da" else en

    def appendix(self) -> Section:
        config = self.ev.config.to_dict()
        config_rows = [[k, _config_text(v, self.f)] for k, v in config.items()]
        config_table = Table(
            "configuration",
            self.t("config"),
            [self.t("setting"), self.t("value")],
            config_rows,
            [list(r) for r in config_rows],
            ["l", "l"],
        )
        input_rows, input_values = [], []
        for name, source in self.ev.sources.items():
            rows_text = self.released(f"appendix/{name}", source.rows)
            rows_value = self.released_value(f"appendix/{name}", source.rows)
            input_rows.append([name, source.path.name, source.format, rows_text, source.sha256])
            input_values.append([name, source.path.name, source.format, rows_value, source.sha256])
        inputs = Table(
            "inputs",
            self.t("inputs"),
            [self.t("table"), self.t("file"), self.t("format"), self.t("rows"), "SHA-256"],
            input_rows,
            input_values,
            ["l", "l", "l", "r", "m"],
        )
        version = f"{self.t('version')}: opgang-eval {__version__}"
        return Section("appendix", self.t("appendix"), [version], [config_table, inputs])


def _plain(value: Any) -> Any:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return value
    return x if math.isfinite(x) else None


def _config_text(value: Any, f: Formatter) -> str:
    if value is None:
        return "–"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {_config_text(v, f)}" for k, v in value.items()) or "–"
    if isinstance(value, list | tuple):
        return ", ".join(_config_text(v, f) for v in value)
    if isinstance(value, float):
        return f.number(value, 0) if value.is_integer() else f.number(value, 4).rstrip("0")
    return str(value)


def _persons(r: Result | None) -> int:
    return r.n if r is not None else 0


def _sections(b: _Builder) -> list[Section]:
    sections = [b.flow(), b.baseline()]
    comparison = b.comparison_group()
    if comparison is not None:
        sections.append(comparison)
    sections.append(b.measures())
    for optional in (b.survey(), b.savings(), b.by_site()):
        if optional is not None:
            sections.append(optional)
    sections.extend([b.methods(), b.limitations(), b.data_quality(), b.appendix()])
    return sections


def build_context(
    ev: Evaluation, lang: Lang | None = None, today: dt.date | None = None, *, withheld: Collection[str] = ()
) -> Context:
    """Build the report context of ``ev`` in ``lang`` (default: the config's).

    ``withheld`` names populations (keys of ``ev.populations``) whose results
    must not be published: those the release ledger found within
    ``min_cell - 1`` families of a recorded release. A withheld site's
    results are hidden and the table's note says why.
    """
    lang = lang or ev.config.lang
    b = _Builder(ev, lang, withheld=withheld)
    today = today or dt.date.today()
    sections = _sections(b)
    return Context(
        lang=lang,
        title=b.t("title"),
        subtitle=b.t("subtitle", end=b.end),
        generated=b.t("generated", date=b.f.date(today), version=__version__),
        headline=b.headline(),
        design_note=b._design_note(),
        sections=sections,
        populations=b.published_populations(),
    )


def report_figures(
    ev: Evaluation, lang: Lang | None = None, axes: Mapping[str, Axes | None] | None = None
) -> dict[str, MplFigure]:
    """The report's figures as matplotlib figures, by id, disclosure-controlled exactly as in the report.

    ``axes`` maps a figure id to the axes to draw it into (others get a new
    figure each). Nothing is rendered to SVG.
    """
    b = _Builder(ev, lang or ev.config.lang, axes=dict(axes or {}))
    _sections(b)
    return b.made
