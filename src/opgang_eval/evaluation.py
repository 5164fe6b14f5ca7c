"""``oe.evaluate``: every measure, effect and descriptive table, computed once."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from .comparison import absence_effect, share_effects, youth_effect
from .config import Config
from .costs import savings
from .loading import Extracts, Source
from .measures.descriptive import baseline_table, flow_table, rates_table, trajectory_table, transition_table
from .measures.frames import Frames, build_frames
from .measures.headline import HEADLINE_IDS, absence_change, status_shares, youth_job_change
from .measures.survey import survey_changes
from .results import Amount, Result

__all__ = ["Evaluation", "evaluate"]

_SAVINGS_COMPARE = "savings compare the arms; the estimate is the intervention arm's result"


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
    """

    arms: Mapping[str, Mapping[str, Result]]
    effects: Mapping[str, Result]
    survey_by_arm: Mapping[str, Mapping[str, Result]]
    tables: Mapping[str, pd.DataFrame] = field(repr=False)
    config: Config
    end: pd.Period
    sources: Mapping[str, Source] = field(repr=False)
    warnings: pd.DataFrame = field(repr=False)

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

    def __str__(self) -> str:
        return f"Evaluation to {self.end} ({', '.join(self.arms)})\n{self.summary().to_string()}"

    def _repr_html_(self) -> str:
        return f"<p>Evaluation to {html.escape(str(self.end))}</p>" + self.summary().to_html()


def evaluate(extracts: Extracts, config: Config | Mapping[str, Any] | str | None = None) -> Evaluation:
    """Compute every headline measure, effect and descriptive table.

    Parameters
    ----------
    extracts
        Validated extracts from :func:`opgang_eval.load`.
    config
        A :class:`Config`, a dict of settings applied on top of the extract
        folder's ``evaluation.toml``, a path to another toml, or ``None``.
    """
    cfg = Config.resolve(config, default=extracts.config)
    fr = build_frames(extracts, cfg)
    arms = {arm: _arm_measures(fr, cfg, arm) for arm in fr.arms()}
    account = savings(fr, extracts.unit_costs, cfg)
    if "intervention" in arms:
        arms["intervention"]["savings_per_family"] = account.measure
    effects: dict[str, Result] = {
        **share_effects(fr, cfg, arms),
        "school_absence_change": absence_effect(fr, cfg, arms),
        "youth_job_rate_change": youth_effect(fr, cfg, arms),
        "savings_per_family": account.effect,
    }
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
    }
    survey = {arm: survey_changes(fr, arm) for arm in fr.arms()}
    return Evaluation(arms, effects, survey, tables, cfg, fr.end, extracts.sources, extracts.warnings)


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
