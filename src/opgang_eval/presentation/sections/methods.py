"""Methods and definitions, and the limitations a reader must weigh the results against."""

from __future__ import annotations

import math

from ..report import Section
from .page import Page

__all__ = ["limitations", "method_text", "methods"]


def _bootstrap(p: Page) -> str:
    cfg = p.facts.config
    return p.w("method:bootstrap", replicates=p.f.number(cfg.bootstrap_replicates), seed=cfg.seed)


def method_text(p: Page, measure: str) -> str:
    """How a measure and its interval are computed."""
    spec = next((s for s in p.facts.declared if s.id == measure), None)
    kind = spec.kind if spec is not None else None
    if kind == "share":
        return p.w("method:share")
    if kind == "relative_change":
        return p.w("method:relative_change", bootstrap=_bootstrap(p))
    if p.facts.cost_design is None or p.facts.cost_basis is None:
        return ""
    cfg_rate = p.value("savings/discount_rate") if "savings/discount_rate" in p.rel else math.nan
    return p.w(
        "method:savings",
        design=p.w(f"cost_design:{p.facts.cost_design}"),
        basis=p.w(f"basis:{p.facts.cost_basis}"),
        year=p.f.format(p.value("savings/price_year"), "integer"),
        rate=p.f.percent(cfg_rate, 1),
        bootstrap=_bootstrap(p),
        pre=_pre_cost(p),
    )


def _pre_cost(p: Page) -> str:
    """How far apart the matched groups' monthly costs were before enrolment (observational design only)."""
    if not p.shown("savings/pre_difference"):
        return ""
    diff = p.value("savings/pre_difference")
    return p.w("pre_cost:higher" if diff >= 0 else "pre_cost:lower", size=p.f.dkk(abs(diff)))


def methods(p: Page) -> Section:
    paragraphs = []
    for spec in p.facts.declared:
        text = p.w("method:measure", measure=p.w(f"measure:{spec.id}"), definition=p.definition(spec.id))
        method = method_text(p, spec.id)
        paragraphs.append(f"{text} {method}" if method else text)
    if p.facts.design == "randomised":
        strata = p.facts.strata
        fixed = p.w("method:fixed_effects", strata=strata) if strata else ""
        paragraphs.append(p.w("method:effects", fixed_effects=fixed))
    elif p.observational:
        paragraphs.append(p.w("method:observational", end=p.end))
    if p.facts.inference is not None:
        facts = p.facts.inference
        paragraphs.append(
            p.w(
                "method:inference",
                resampling=p.w(f"resampling:{facts.resampling}"),
                why=p.w(f"method:why:{facts.resampling}"),
                primary=", ".join(p.w(f"measure:{m}") for m in facts.primary),
            )
        )
    paragraphs.append(p.w("suppressed_note", min_cell=p.m, marker=p.marker))
    return Section("methods", p.w("methods"), paragraphs)


def limitations(p: Page) -> Section:
    key = "result/intervention/parents_in_work_or_education/n"
    if key not in p.rel:
        size = p.w("limitations:size", n=p.f.number(0))
    elif p.rel[key].hidden:
        size = p.w("limitations:size_hidden")
    else:
        size = p.w("limitations:size", n=p.say(key, "count"))
    cost = "cost_limitation:unit_costs" if p.facts.cost_basis == "unit_costs" else "cost_limitation:expenditure"
    paragraphs = [size, p.design_note(), p.w(cost), p.w("limitations:clusters")]
    return Section("limitations", p.w("limitations"), paragraphs)
