"""The key results: a few sentences a director reads first, each only from released values."""

from __future__ import annotations

import math

from .page import Page

__all__ = ["headline"]

_WORK = "result/intervention/parents_in_work_or_education"
_FLEX = "result/intervention/flexjob_share_of_work_or_education"
_RETIRED = "result/intervention/early_retirement_share"
_ABSENCE = "result/intervention/school_absence_change"
_YOUTH = "result/intervention/youth_job_rate_change"
_EFFECT = "effect/parents_in_work_or_education"


def headline(p: Page) -> list[str]:
    """The key-results sentences (also what the CLI prints)."""
    if not p.facts.has_intervention:  # only control or comparison families: every measure is missing
        return [p.w("no_intervention")]
    w, f, out = p.w, p.f, []
    if p.shown(f"{_WORK}/estimate"):
        flexjob = ""
        if p.shown(f"{_FLEX}/estimate"):
            share = p.value(f"{_FLEX}/estimate")
            flexjob = w("headline:flexjob", words=f.fraction_words(share) or f.percent(share))
        out.append(w("headline:work", share=f.percent(p.value(f"{_WORK}/estimate")), flexjob=flexjob, end=p.end))
    if p.shown(f"{_RETIRED}/estimate"):
        out.append(w("headline:retired", share=f.percent(p.value(f"{_RETIRED}/estimate"))))
    if p.shown(f"{_ABSENCE}/estimate") and p.shown(f"{_ABSENCE}/pre"):
        change = p.value(f"{_ABSENCE}/estimate")
        out.append(
            w(
                "headline:absence_fell" if change < 0 else "headline:absence_rose",
                size=f.percent(abs(change)),
                before=f.percent(p.value(f"{_ABSENCE}/pre"), 1),
                after=f.percent(p.value(f"{_ABSENCE}/post"), 1),
            )
        )
    if p.shown(f"{_YOUTH}/estimate"):
        change = p.value(f"{_YOUTH}/estimate")
        out.append(w("headline:youth_rose" if change >= 0 else "headline:youth_fell", size=f.percent(abs(change))))
    if p.shown("savings/estimate"):
        programme = p.value("savings/programme_per_family")
        net = "."
        if math.isfinite(programme):
            net = w(
                "headline:net", programme=f.dkk(programme), net=f.dkk(p.value("savings/net_per_family"), signed=True)
            )
        saved = p.value("savings/estimate")
        key = "headline:savings" if saved >= 0 else "headline:savings_higher"
        out.append(w(key, amount=f.dkk(abs(saved)), ci=p.ci_words("savings", "dkk"), net=net))
    if p.shown(f"{_EFFECT}/estimate"):
        effect = p.value(f"{_EFFECT}/estimate")
        size = f.points(abs(effect), signed=False)
        ci = p.ci_words(_EFFECT, "points")
        if p.observational:
            key = "headline:observational_more" if effect >= 0 else "headline:observational_less"
            out.append(w(key, group=w(f"group:{p.facts.design}"), size=size, ci=ci))
        else:
            out.append(w("headline:effect_higher" if effect >= 0 else "headline:effect_lower", size=size, ci=ci))
    return out + _primary(p)


def _primary(p: Page) -> list[str]:
    """The primary outcome(s), each with the p-value of the test the evaluation rests its inference on."""
    facts = p.facts.inference
    if facts is None:
        return []
    key = {"randomisation": "headline:primary", "wild_bootstrap": "headline:primary_observational"}.get(
        facts.resampling, "headline:primary_cr2"
    )
    out = []
    for m in (m for m in facts.primary if p.shown(f"multiplicity/{m}/p_value")):
        shown = p.say(f"multiplicity/{m}/p_value", "p_value")  # "<0.001" when it is that small
        out.append(p.w(key, measure=p.w(f"measure:{m}"), p=f"p {shown}" if shown.startswith("<") else f"p = {shown}"))
    return out
