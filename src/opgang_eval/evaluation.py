"""``oe.evaluate``: every measure, effect and descriptive table, computed once."""

from __future__ import annotations

import html
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .comparison import (
    DESIGN_WORDS,
    ComparisonDesign,
    EventStudy,
    ObservationalDesign,
    estimate_effect,
    event_study,
    no_comparison,
    observational_design,
    randomised,
    resamples,
)
from .comparison.ancova import ancova_table
from .comparison.bounds import lee_table
from .comparison.multiplicity import multiplicity_table
from .comparison.summary_index import summary_index
from .config import MIN_CELL_FLOOR, Config, config_failure
from .costs.savings import SavingsAccount, savings_account
from .errors import ConfigError
from .loading import Extracts, Source
from .measures.descriptive import baseline_table, flow_table, rates_table, trajectory_table, transition_table
from .measures.frames import Frames, build_frames
from .measures.registry import Inputs, Measure, measures
from .measures.survey import survey_changes
from .progress import Progress
from .release.values import OTHER_SITES
from .results import Design, Effect, Result

__all__ = ["Evaluation", "evaluate"]


#: Results by site: site → arm → measure id → result.
BySite = Mapping[str, Mapping[str, Mapping[str, Result]]]


@dataclass(frozen=True)
class Evaluation:
    """Everything an evaluation reports; presentation reads it and never recomputes.

    Attributes
    ----------
    arms
        Arm → measure id → result: every registered measure in each arm
        (:func:`opgang_eval.measures.registry.measures`, in report order).
    effects
        Measure id → intervention − control effect (reason when no control).
    survey_by_arm
        Arm → survey item → paired change.
    tables
        Descriptive tables: ``flow``, ``baseline``, ``transitions``,
        ``trajectory``, ``rates`` and ``by_site``.
    config, end
        The resolved configuration and evaluation end month ``E``.
    sources
        Input files with their sha256, for the report's appendix.
    warnings
        Data-quality warnings from loading and notes from the evaluation.
    design
        What the effects rest on: ``randomised`` (control arm), ``matched``
        or ``weighted`` (observational design on a comparison pool) or
        ``before_after`` (no comparison; savings are a before-after estimate).
    observational
        The matched or weighted comparison group, its balance and
        propensity model (``None`` unless the design is observational).
    event_study
        Event study of the work share (observational design only).
    savings
        The savings account: estimate, cost account and breakdowns
        (``None`` without intervention families).
    by_site
        Site → arm → measure id → result, for the measures computed per site.
        Sites of fewer than ``min_cell`` families are one group,
        :data:`OTHER_SITES`, so that a small site's name never leaves.
    declared
        The measure declarations this evaluation computed, in report order (the
        registry at the time of :func:`evaluate`): every view of it lists these,
        so a measure registered or removed afterwards changes nothing here.
    populations
        The family ids behind each group the report publishes (``arm:<arm>``,
        ``site:<site>/arm:<arm>``), sorted. Kept for the release ledger, which
        stores them only as salted digests, so that a later report on almost
        the same families is caught (:mod:`opgang_eval.release.ledger`).
        Never rendered.
    summary_index
        The effect on the Kling–Liebman–Katz summary index of the families'
        outcomes, in control standard deviations, with its inference panel
        (:mod:`opgang_eval.comparison.summary_index`; components in
        ``tables["summary_index"]``).
    """

    arms: Mapping[str, Mapping[str, Result]]
    effects: Mapping[str, Result]
    survey_by_arm: Mapping[str, Mapping[str, Result]]
    tables: Mapping[str, pd.DataFrame] = field(repr=False)
    config: Config
    end: pd.Period
    sources: Mapping[str, Source] = field(repr=False)
    warnings: pd.DataFrame = field(repr=False)
    design: Design = "randomised"
    observational: ObservationalDesign | None = field(default=None, repr=False)
    event_study: EventStudy | None = field(default=None, repr=False)
    savings: SavingsAccount | None = field(default=None, repr=False)
    by_site: BySite = field(default_factory=dict, repr=False)
    declared: tuple[Measure, ...] = field(default=(), repr=False)
    populations: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)
    summary_index: Effect | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        freeze = MappingProxyType
        object.__setattr__(self, "arms", freeze({k: freeze(dict(v)) for k, v in self.arms.items()}))
        by_site = {site: freeze({a: freeze(dict(r)) for a, r in arms.items()}) for site, arms in self.by_site.items()}
        object.__setattr__(self, "by_site", freeze(by_site))
        object.__setattr__(self, "survey_by_arm", freeze({k: freeze(dict(v)) for k, v in self.survey_by_arm.items()}))
        object.__setattr__(self, "effects", freeze(dict(self.effects)))
        object.__setattr__(self, "tables", freeze(dict(self.tables)))
        object.__setattr__(self, "populations", freeze(dict(self.populations)))

    @property
    def measures(self) -> Mapping[str, Result]:
        """Headline measures of the intervention arm (contract ids)."""
        return self.arms.get("intervention", MappingProxyType({}))

    @property
    def survey(self) -> Mapping[str, Result]:
        """Survey changes of the intervention arm, by item."""
        return self.survey_by_arm.get("intervention", MappingProxyType({}))

    @property
    def has_control(self) -> bool:
        return "control" in self.arms

    def declaration(self, measure_id: str) -> Measure | None:
        """The declaration of a measure this evaluation computed (``None`` for an id it did not)."""
        return next((m for m in self.declared if m.id == measure_id), None)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table of every result: measures per arm, effects, survey items."""
        results: list[Result] = []
        for per_arm in self.arms.values():
            results.extend(per_arm.values())
        results.extend(self.effects.values())
        for per_arm in self.survey_by_arm.values():
            results.extend(per_arm.values())
        return pd.DataFrame([r.summary() for r in results])

    def summary(self) -> pd.DataFrame:
        """Compact view: one row per headline with both arms and the effect."""
        rows = []
        for measure in (m.id for m in self.declared):
            row: dict[str, Any] = {"measure": measure}
            for arm, per_arm in self.arms.items():
                r = per_arm.get(measure)
                row[arm] = r.estimate if r is not None else float("nan")
            effect = self.effects.get(measure)
            if effect is not None:
                row["effect"] = effect.estimate
                row["effect_ci"] = f"[{effect.ci_low:.3g}, {effect.ci_high:.3g}]" if effect.available else ""
            r = self.measures.get(measure)
            row["note"] = r.reason if r is not None and r.reason else ""
            rows.append(row)
        return pd.DataFrame(rows).set_index("measure")

    def _heading(self) -> str:
        groups = ", ".join(self.arms) if "intervention" in self.arms else ", ".join(["no intervention arm", *self.arms])
        if self.observational is not None:
            c = self.observational.counts
            groups += f"; comparison pool of {c.comparison:,} families"
        words = DESIGN_WORDS[self.design]
        if self.observational is not None and not self.observational.available:
            words += f" – not available: {self.observational.reason}"
        return f"Evaluation to {self.end} ({groups}); effects: {words}"

    def __str__(self) -> str:
        return f"{self._heading()}\n{self.summary().to_string()}"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self._heading())}</p>" + self.summary().to_html()


def evaluate(
    extracts: Extracts, config: Config | Mapping[str, Any] | str | None = None, *, progress: bool | None = None
) -> Evaluation:
    """Compute every registered measure in every arm, its effect, and the descriptive tables.

    Parameters
    ----------
    extracts
        Validated extracts from :func:`opgang_eval.load`.
    config
        A :class:`Config`, a dict of settings applied on top of the extract
        folder's ``evaluation.toml``, a path to another toml, or ``None``.
    progress
        Show a progress bar (``None``: when a terminal or notebook is watching).

    Returns
    -------
    Evaluation
        Measures per arm (``ev.measures``: the intervention arm's), effects
        against the control arm or the comparison group (``ev.effects``),
        survey changes, descriptive tables (``ev.tables``), the savings
        account, results by site, and — in the observational design — the
        matching and event study. ``ev.to_frame()`` is the tidy view of it all.

    Raises
    ------
    ConfigError
        The settings are invalid, or do not fit the extracts (an ``end``
        after the last month of ``parent_status``, prices of a year outside
        the price index).
    """
    cfg = Config.resolve(config, default=extracts.config)
    with Progress(6, "evaluate", progress) as bar:
        bar.step("analysis frames")
        fr = build_frames(extracts, cfg)
        choice = _choose_design(fr, cfg)
        bar.step("propensity score and matching" if choice == "observational" else "design")
        od = observational_design(fr, cfg) if choice == "observational" else None
        design = _design(fr, od)
        inputs = Inputs(fr, cfg, extracts.unit_costs, design)
        bar.step("measures, bootstrap and savings")
        declared = measures()  # the registry as it is now: what this evaluation computed and reports
        arms = {arm: {m.id: m.compute(inputs, arm) for m in declared} for arm in fr.arms()}
        bar.step("effects")
        _check_primary(cfg, declared)
        shared = resamples(fr, design, cfg)
        # Effects are independent of each other and their draws' products release the GIL: two threads, BLAS held
        # at one thread each (its threads cost more than they save on these small matrices).
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(estimate_effect, m, inputs, arms, shared) for m in declared]
            index_future = pool.submit(summary_index, declared, inputs, shared)
            effects = {m.id: f.result() for m, f in zip(declared, futures, strict=True)}
            index, components = index_future.result()
        bar.step("event study")
        extra: dict[str, pd.DataFrame] = {}
        study = None
        if od is not None:
            extra["balance"] = od.balance
            if od.available:
                study = event_study(fr, cfg, od)
                extra["event_study"] = study.table
        bar.step("descriptive tables, sites and survey")
        account = savings_account(inputs)
        by_site = _by_site(inputs, declared)
        # The savings may rest on the control arm although the effects do not (an observational design that
        # could not be built falls back to it): the flow counts the families of the comparison the savings made.
        savings_design = account.account.design if account.account is not None else design.kind
        tables = {
            "flow": flow_table(fr, arms, savings_design, declared),
            "baseline": baseline_table(fr),
            "transitions": transition_table(fr),
            "trajectory": trajectory_table(fr, cfg),
            "rates": rates_table(fr, cfg),
            "by_site": _by_site_frame(by_site),
            "multiplicity": multiplicity_table(
                effects, cfg.primary_outcomes, [m.id for m in declared if m.descriptive_effect]
            ),
            "summary_index": components,
            "lee_bounds": lee_table(fr, cfg) if design.family == "randomised" else pd.DataFrame(),
            "ancova": ancova_table(declared, inputs, effects) if design.family == "randomised" else pd.DataFrame(),
            **account.tables(),
            **extra,
        }
        survey = {arm: survey_changes(fr, arm) for arm in fr.arms()}
    return Evaluation(
        arms,
        effects,
        survey,
        tables,
        cfg,
        fr.end,
        extracts.sources,
        extracts.warnings,
        design.kind,
        od,
        study,
        account,
        by_site,
        declared,
        _populations(fr, max(MIN_CELL_FLOOR, cfg.min_cell)),
        index,
    )


def _populations(fr: Frames, min_cell: int) -> dict[str, np.ndarray]:
    """The units behind each group a report publishes, for the release ledger.

    The families of each arm and of each site group's arm (as in
    :attr:`Evaluation.by_site`), and the parents and children of each arm.
    """
    families = fr.families.assign(family_id=fr.families["family_id"].astype("str"))
    group = {site: name for name, sites in site_groups(families, min_cell).items() for site in sites}
    families = families.assign(group=families["site"].astype("str").map(group))
    out: dict[str, np.ndarray] = {}
    for arm, part in families.groupby(families["arm"].astype("str"), sort=True):
        out[f"arm:{arm}"] = np.sort(part["family_id"].to_numpy())
        for site, members in part.groupby("group", sort=True, dropna=True):
            out[f"site:{site}/arm:{arm}"] = np.sort(members["family_id"].to_numpy())
    # The persons behind the counts of persons (parents, children): a report one parent apart from an earlier
    # one gives that parent's statuses by subtraction even when the families are the same.
    for unit, prefix in (("parents", "parent"), ("children", "child")):
        persons = getattr(fr, unit)
        for arm, part in persons.groupby(persons["arm"].astype("str"), sort=True):
            ids = fr.codes.person_ids[part["pc"].to_numpy()]
            out[f"arm:{arm}/{unit}"] = np.sort(np.array([f"{prefix}:{i}" for i in ids], dtype=object))
    return out


def _check_primary(cfg: Config, declared: tuple[Measure, ...]) -> None:
    """Every primary outcome must be a measure this evaluation computes an effect of."""
    ids = [m.id for m in declared]
    unknown = [m for m in cfg.primary_outcomes if m not in ids]
    if unknown:
        hint = f"primary_outcomes must name measures of this evaluation: {', '.join(ids)}."
        raise ConfigError.from_failures([config_failure("config", "primary_outcomes", repr(unknown[0]), hint)])


def _choose_design(fr: Frames, cfg: Config) -> str:
    """``randomised`` or ``observational`` (see ``Config.design``); ``auto`` prefers the control arm."""
    present = set(fr.families["arm"].unique())
    if cfg.design == "auto":
        return "randomised" if "control" in present or "comparison" not in present else "observational"
    return cfg.design


def _design(fr: Frames, od: ObservationalDesign | None) -> ComparisonDesign:
    """The comparison every effect rests on: the observational group, the control arm, or none."""
    if od is not None:
        return od.comparison()
    if "control" in fr.arms():
        return randomised(fr)
    return no_comparison()


def site_groups(families: pd.DataFrame, min_cell: int) -> dict[str, list[str]]:
    """Each site group the report may name → its sites; sites of fewer than ``min_cell`` families merge.

    The merged group is :data:`OTHER_SITES`. A site's name is published with its results, and the name of a site with
    one or two families can be an address (it was in one extract): it is
    shown only for at least ``min_cell`` families, counted over every arm.
    """
    sizes = families["site"].dropna().astype("str").value_counts()
    groups: dict[str, list[str]] = {}
    for site in sorted(sizes.index):
        groups.setdefault(site if sizes[site] >= min_cell else OTHER_SITES, []).append(site)
    return groups


def _by_site(inputs: Inputs, declared: tuple[Measure, ...]) -> dict[str, dict[str, dict[str, Result]]]:
    """The per-site measures of each site group and arm (its families only; savings are not split by site)."""
    fr = inputs.frames
    out: dict[str, dict[str, dict[str, Result]]] = {}
    for site, members in site_groups(fr.families, max(MIN_CELL_FLOOR, inputs.config.min_cell)).items():
        sub = fr.subset(members)
        view = Inputs(sub, inputs.config, inputs.unit_costs, inputs.design, ("site", site))
        if sub.arms():  # a site of comparison families only has no arm of its own
            out[site] = {arm: {m.id: m.compute(view, arm) for m in declared if m.per_site} for arm in sub.arms()}
    return out


def _by_site_frame(by_site: BySite) -> pd.DataFrame:
    """The tidy view of the by-site results: one row per site, arm and measure."""
    rows = [
        {"site": site, **result.summary()}
        for site, arms in by_site.items()
        for per_arm in arms.values()
        for result in per_arm.values()
    ]
    return pd.DataFrame(rows)
