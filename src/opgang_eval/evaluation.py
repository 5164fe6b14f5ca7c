"""``oe.evaluate``: every measure, effect and descriptive table, computed once."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from .comparison import (
    EventStudy,
    ObservationalDesign,
    absence_effect,
    event_study,
    observational_design,
    observational_effects,
    share_effects,
    youth_effect,
)
from .config import Config
from .costs import savings
from .costs.savings import Reference
from .loading import Extracts, Source
from .measures.descriptive import baseline_table, flow_table, rates_table, trajectory_table, transition_table
from .measures.frames import Frames, build_frames
from .measures.headline import HEADLINE_IDS, absence_change, status_shares, youth_job_change
from .measures.survey import survey_changes
from .progress import Progress
from .results import Amount, Design, Effect, Result

__all__ = ["Evaluation", "evaluate"]

_SAVINGS_COMPARE = "savings compare the arms; the estimate is the intervention arm's result"

_DESIGN_WORDS = {
    "randomised": "randomised control arm",
    "matched": "matched comparison group (observational, weaker than randomisation)",
    "weighted": "weighted comparison group (observational, weaker than randomisation)",
    "none": "no comparison group",
    "before_after": "no comparison group",
}


@dataclass(frozen=True)
class Evaluation:
    """Everything an evaluation reports; presentation reads it and never recomputes.

    Attributes
    ----------
    arms
        Arm → measure id → result: the headline measures in each arm.
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
        ``none`` (no comparison; savings are a before-after estimate).
    observational
        The matched or weighted comparison group, its balance and
        propensity model (``None`` unless the design is observational).
    event_study
        Event study of the work share (observational design only).
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

    def __post_init__(self) -> None:
        freeze = MappingProxyType
        object.__setattr__(self, "arms", freeze({k: freeze(dict(v)) for k, v in self.arms.items()}))
        object.__setattr__(self, "survey_by_arm", freeze({k: freeze(dict(v)) for k, v in self.survey_by_arm.items()}))
        object.__setattr__(self, "effects", freeze(dict(self.effects)))
        object.__setattr__(self, "tables", freeze(dict(self.tables)))

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
        for measure in HEADLINE_IDS:
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
        groups = ", ".join(self.arms)
        if self.observational is not None:
            c = self.observational.counts
            groups += f"; comparison pool of {c['comparison']:,} families"
        words = _DESIGN_WORDS[self.design]
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
    """Compute every headline measure, effect and descriptive table.

    Parameters
    ----------
    extracts
        Validated extracts from :func:`opgang_eval.load`.
    config
        A :class:`Config`, a dict of settings applied on top of the extract
        folder's ``evaluation.toml``, a path to another toml, or ``None``.
    progress
        Show a progress bar (``None``: when a terminal or notebook is watching).
    """
    cfg = Config.resolve(config, default=extracts.config)
    with Progress(7, "evaluate", progress) as bar:
        bar.step("analysis frames")
        fr = build_frames(extracts, cfg)
        bar.step("headline measures and bootstrap")
        arms = {arm: _arm_measures(fr, cfg, arm) for arm in fr.arms()}
        design = _choose_design(fr, cfg)
        bar.step("propensity score and matching" if design == "observational" else "design")
        od = observational_design(fr, cfg) if design == "observational" else None
        bar.step("savings")
        reference = None
        if od is not None and od.available:
            reference = Reference(od.weights, od.kind, od.description)
        account = savings(fr, extracts.unit_costs, cfg, reference)
        if "intervention" in arms:
            arms["intervention"]["savings_per_family"] = account.measure
        bar.step("effects")
        effects = _effects(fr, cfg, arms, od, account.effect)
        bar.step("event study")
        extra: dict[str, pd.DataFrame] = {}
        study = None
        if od is not None:
            extra["balance"] = od.balance
            if od.available:
                study = event_study(fr, cfg, od)
                extra["event_study"] = study.table
        bar.step("descriptive tables, sites and survey")
        tables = {
            "flow": flow_table(fr, arms),
            "baseline": baseline_table(fr),
            "transitions": transition_table(fr),
            "trajectory": trajectory_table(fr, cfg),
            "rates": rates_table(fr, cfg),
            "by_site": _by_site(fr, cfg),
            "cost_account": account.account,
            "savings_by_domain": account.by_domain,
            "savings_by_year": account.by_year,
            "savings_by_month": account.by_month,
            "savings_sensitivity": account.sensitivity,
            **extra,
        }
        survey = {arm: survey_changes(fr, arm) for arm in fr.arms()}
    kind: Design = od.kind if od is not None else "randomised" if "control" in arms else "none"
    return Evaluation(arms, effects, survey, tables, cfg, fr.end, extracts.sources, extracts.warnings, kind, od, study)


def _effects(
    fr: Frames,
    cfg: Config,
    arms: dict[str, dict[str, Result]],
    od: ObservationalDesign | None,
    savings_effect: Result,
) -> dict[str, Result]:
    """Effects against the control arm, or against the matched or weighted comparison group."""
    if od is None:
        return {
            **share_effects(fr, cfg, arms),
            "school_absence_change": absence_effect(fr, cfg, arms),
            "youth_job_rate_change": youth_effect(fr, cfg, arms),
            "savings_per_family": savings_effect,
        }
    effects = observational_effects(fr, cfg, od)
    effects["savings_per_family"] = (
        savings_effect
        if od.available
        else Effect.unavailable("savings_per_family", "effect", od.reason or "", scale="DKK", design=od.kind)
    )
    return effects


def _choose_design(fr: Frames, cfg: Config) -> str:
    """``randomised`` or ``observational`` (see ``Config.design``); ``auto`` prefers the control arm."""
    present = set(fr.families["arm"].unique())
    if cfg.design == "auto":
        return "randomised" if "control" in present or "comparison" not in present else "observational"
    return cfg.design


def _arm_measures(fr: Frames, cfg: Config, arm: str, labels: tuple[str, ...] = ()) -> dict[str, Result]:
    out = status_shares(fr, cfg, arm)
    out["school_absence_change"] = absence_change(fr, cfg, arm, labels)
    out["youth_job_rate_change"] = youth_job_change(fr, cfg, arm, labels)
    out["savings_per_family"] = Amount.unavailable("savings_per_family", arm, _SAVINGS_COMPARE)
    return out


def _by_site(fr: Frames, cfg: Config) -> pd.DataFrame:
    """Headline measures per site and arm (the site's families only; savings are not split by site)."""
    sites = sorted(fr.families["site"].dropna().astype("str").unique())
    rows = []
    for site in sites:
        sub = fr.subset(site)
        for arm in sub.arms():
            for result in _arm_measures(sub, cfg, arm, ("site", site)).values():
                rows.append({"site": site, **result.summary()})
    return pd.DataFrame(rows)
