"""The families' own assessment: survey items before and at follow-up, per arm."""

from __future__ import annotations

from ..report import Section
from ..tables import Entry
from .page import Page

__all__ = ["survey"]


def survey(p: Page) -> Section | None:
    items, arms = p.facts.survey_items, p.facts.survey_arms
    if not arms:
        return None
    header = [p.w(k) for k in ("item", "group", "before", "after", "change", "ci", "p_value", "n")]
    rows: list[list[Entry]] = []
    for item in items:
        for arm in arms:
            key = f"survey/{arm}/{item}"
            if f"{key}/n" not in p.rel:
                continue
            label = p.w.get(f"item:{item}", item)
            if p.rel[f"{key}/change"].state == "unavailable":
                rows.append([label, p.w(arm), *[p.w("not_available")] * 5, p.count(f"{key}/n")])
                continue
            rows.append(
                [
                    label,
                    p.w(arm),
                    p.entry(f"{key}/before", "number2"),
                    p.entry(f"{key}/after", "number2"),
                    p.entry(f"{key}/change", "signed2"),
                    p.span(f"{key}/ci_low", f"{key}/ci_high", "signed2"),
                    p.entry(f"{key}/p", "p_value"),
                    p.count(f"{key}/n"),
                ]
            )
    note = (
        p.w("survey_small_items", count=p.facts.survey_small_items, min_cell=p.m) if p.facts.survey_small_items else ""
    )
    table = p.table("survey", p.w("survey"), header, rows, ["l", "l"] + ["r"] * 6, note, {5: "span"})
    return Section("survey", p.w("survey"), [p.w("survey_intro")], [table])
