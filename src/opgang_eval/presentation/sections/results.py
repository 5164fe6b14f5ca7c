"""The results section: one subsection per measure (both arms and the effect), and its figures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...release.values import STATUS_GROUPS
from .. import figures
from ..formatting import printed
from ..report import Figure, Section
from ..tables import Entry, Fmt, Mark
from .page import Page

__all__ = ["before_after", "forest", "results", "status_flow", "trajectory"]

_ARMS = ("intervention", "control")


def results(p: Page) -> Section:
    # Amounts (the savings) have the economics section of their own.
    subs = [_measure(p, spec.id, spec.kind, spec.figures) for spec in p.facts.declared if spec.kind != "amount"]
    figure = forest(p)
    return Section("results", p.w("results"), [p.design_note()], [], [figure] if figure is not None else [], subs)


def _fmt(kind: str | None, scale: str = "") -> Fmt:
    if kind == "share":
        return "percent"
    if kind == "relative_change":
        return "relative"
    if kind == "effect":
        return "dkk_signed" if scale == "DKK" else "points"
    if kind == "amount":
        return "dkk"
    return "number2"


def _measure(p: Page, measure: str, kind: str, figure_ids: tuple[str, ...]) -> Section:
    relative = kind == "relative_change"
    rows: list[list[Entry]] = []
    notes = []
    for arm in _ARMS:
        prefix = f"result/{arm}/{measure}"
        if f"{prefix}/estimate" not in p.rel:
            continue
        rows.append(_row(p, prefix, p.w(arm), _fmt(kind), relative, rates=True))
        if p.rel[f"{prefix}/estimate"].state == "unavailable":
            notes.append(p.w("unavailable_note", group=p.w(arm), reason=p.rel[f"{prefix}/estimate"].note))
    spec = next(s for s in p.facts.declared if s.id == measure)
    if f"effect/{measure}/estimate" in p.rel and p.facts.design != "before_after":
        label = p.w("effect_observational") if p.observational else p.w("effect")
        if spec.descriptive_effect:
            label = p.w("effect_descriptive")
            notes.append(p.w("descriptive_note", end=p.end))
        rows.append(_row(p, f"effect/{measure}", label, _fmt("effect", spec.effect_scale), relative, rates=False))
    header = (
        [p.w("group"), p.w("before"), p.w("after"), p.w("change"), p.w("ci"), p.w("n")]
        if relative
        else [p.w("group"), p.w("estimate"), p.w("ci"), p.w("n")]
    )
    caption = p.w(f"measure:{measure}")
    align = ["l"] + ["r"] * (len(header) - 1)
    table = p.table(measure, caption, header, rows, align, " ".join(notes), {len(header) - 2: "span"})
    made = (_figure(p, figure_id, measure) for figure_id in figure_ids)
    return Section(measure, caption, [p.definition(measure)], [table], [f for f in made if f is not None])


def _row(p: Page, prefix: str, label: str, fmt: Fmt, relative: bool, *, rates: bool) -> list[Entry]:
    """A result's row: estimate, interval and n (and for a relative change the rates before and after)."""
    state = p.rel[f"{prefix}/estimate"].state
    if state == "unavailable":
        est: Entry = p.w("not_available")
        ci: Entry = None
        n: Entry = None
    else:
        est = p.entry(f"{prefix}/estimate", fmt)
        ci = p.span(f"{prefix}/ci_low", f"{prefix}/ci_high", fmt)
        n = p.count(f"{prefix}/n")
    if not relative:
        return [label, est, ci, n]
    if state == "unavailable":
        pre: Entry = None
        post: Entry = None
    elif rates:
        pre, post = p.entry(f"{prefix}/pre", "percent1"), p.entry(f"{prefix}/post", "percent1")
    else:  # an effect has no rates of its own
        pre = post = "" if state == "shown" else Mark("small" if state == "small" else "withheld")
    return [label, pre, post, est, ci, n]


def _figure(p: Page, figure_id: str, measure: str) -> Figure | None:
    """A figure a measure's declaration asks for in its section (ids as in ``oe.plot``)."""
    if figure_id == "trajectory":
        return trajectory(p)
    if figure_id == "status_flow":
        return status_flow(p)
    if figure_id in ("school_absence", "youth_jobs"):
        return before_after(p, figure_id)
    raise ValueError(f"unknown figure {figure_id!r} in the declaration of {measure}")


def trajectory(p: Page) -> Figure | None:
    points = p.facts.trajectory
    if not points:
        return None
    data = pd.DataFrame(
        {
            "arm": [arm for arm, _ in points],
            "k": [k for _, k in points],
            "share": [p.drawn(f"trajectory/{arm}/{k}", "percent") for arm, k in points],
        }
    )
    labels = {a: p.w(a) for a in _ARMS} | {"x": p.w("months_since"), "y": p.w("share_axis")}
    fig = figures.trajectory(data, labels, p.f.percent, ax=p.ax("trajectory"))
    return p.figure("trajectory", p.w("figure_trajectory"), fig)


def status_flow(p: Page) -> Figure | None:
    """The parents' status groups before enrolment and at the end: every segment a released count."""
    rows = []
    for arm in _ARMS:
        for period in ("baseline_period", "end_period"):
            key = f"status/{arm}/{period}"
            if f"{key}/total" not in p.rel:
                continue
            bar = f"{p.w(arm)} – {p.w(period)}"
            total = p.value(f"{key}/total")  # NaN when hidden: then no segment is drawn
            drawn = 0.0
            for group in (g for g in STATUS_GROUPS if g != "none"):
                share = printed(p.value(f"{key}/{group}") / total, "percent", scaled=False) if total else np.nan
                drawn += 0.0 if np.isnan(share) else share
                rows.append((bar, group, share))
            rows.append((bar, "hidden", max(0.0, 1.0 - drawn) if drawn < 1 - 1e-9 else np.nan))
    if not rows:
        return None
    data = pd.DataFrame(rows, columns=["bar", "group", "share"])
    labels = {g: p.w(f"status_group:{g}") for g in STATUS_GROUPS if g != "none"} | {
        "x": p.w("share_axis"),
        "hidden": p.w("status_hidden", marker=p.marker),
    }
    fig = figures.status_bars(data, labels, p.f.percent, ax=p.ax("status_flow"))
    return p.figure("status_flow", p.w("figure_status"), fig)


def before_after(p: Page, figure_id: str) -> Figure | None:
    bars = p.facts.rates.get(figure_id, ())
    if not bars:
        return None
    data = pd.DataFrame(
        {
            "arm": [arm for arm, _ in bars],
            "period": [period for _, period in bars],
            "rate": [p.drawn(f"rates/{figure_id}/{arm}/{period}", "percent1") for arm, period in bars],
        }
    )
    labels = {a: p.w(a) for a in _ARMS} | {"pre": p.w("before"), "post": p.w("after"), "y": p.w("share_axis")}
    fig = figures.before_after(data, labels, p.f.percent, ax=p.ax(figure_id))
    caption = p.w("figure_absence" if figure_id == "school_absence" else "figure_youth")
    return p.figure(figure_id, caption, fig)


def forest(p: Page) -> Figure | None:
    """The effects in percentage points with their intervals (the savings, in kroner, are left out)."""
    rows = []
    for spec in p.facts.declared:
        key = f"effect/{spec.id}"
        if spec.effect_scale == "DKK" or not p.shown(f"{key}/estimate"):
            continue
        bounds = [p.drawn(f"{key}/{part}", "points") for part in ("estimate", "ci_low", "ci_high")]
        rows.append((p.w(f"measure:{spec.id}"), *bounds))
    if not rows:
        return None
    data = pd.DataFrame(rows, columns=["label", "estimate", "low", "high"])
    fig = figures.forest(data, {"x": p.w("pp_axis")}, p.f.number, ax=p.ax("forest"))
    caption = p.w("figure_forest_observational" if p.observational else "figure_forest")
    return p.figure("forest", caption, fig)
