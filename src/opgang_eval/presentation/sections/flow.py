"""The participants table: families and persons in each arm, and how many enter each measure."""

from __future__ import annotations

from ..report import Section
from .page import Page

__all__ = ["flow"]


def flow(p: Page) -> Section:
    arms = list(p.facts.arms)
    cells = []
    for step, measure in p.facts.flow_steps:
        label = (
            p.w("step:analysed", measure=p.w(f"measure:{measure}"))
            if measure is not None
            else p.w(f"step:{step}", end=p.end)
        )
        cells.append([label, *(p.count(f"flow/{arm}/{step}") for arm in arms)])
    table = p.table(
        "flow",
        p.w("flow"),
        [p.w("step"), *(p.w(arm) for arm in arms)],
        cells,
        ["l"] + ["r"] * len(arms),
        p.w("suppressed_note", min_cell=p.m, marker=p.marker),
    )
    return Section("flow", p.w("flow"), [p.w("flow_intro")], [table])
