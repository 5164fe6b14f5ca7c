"""The robustness section: each effect's inference panel, the multiplicity table and the randomisation distribution."""

from __future__ import annotations

import math

import pandas as pd

from .. import figures
from ..report import Figure, Section
from ..tables import Entry, Fmt, Table
from .page import Page

__all__ = ["null_figure", "robustness"]

_METHODS = ("CR1", "CR2", "wild_bootstrap", "randomisation")


def robustness(p: Page) -> Section | None:
    facts = p.facts.inference
    if facts is None:
        return None
    intro = p.w(
        "robustness:intro_large" if facts.resampling == "CR2" else "robustness:intro",
        draws=p.f.number(facts.draws),
        assignments=p.w("robustness:all_assignments") if facts.exact else p.f.number(facts.draws),
        resampling=p.w(f"resampling:{facts.resampling}"),
        primary=", ".join(p.w(f"measure:{m}") for m in facts.primary),
    )
    subs = [_panel(p, m, _fmt(p, m)) for m in facts.measures]
    tables = [_multiplicity(p)]
    if facts.summary_index:
        subs.insert(0, _panel(p, "summary_index", "signed2", p.w("robustness:index")))
    if facts.lee:
        tables.append(_lee(p))
    figure = null_figure(p)
    paragraphs = [intro]
    if facts.resampling == "randomisation":
        paragraphs.append(p.w("robustness:exact" if facts.exact else "robustness:monte_carlo"))
    return Section("robustness", p.w("robustness"), paragraphs, tables, [figure] if figure else [], subs)


def _fmt(p: Page, measure: str) -> Fmt:
    spec = next(s for s in p.facts.declared if s.id == measure)
    return "dkk_signed" if spec.effect_scale == "DKK" else "points"


def _panel(p: Page, measure: str, fmt: Fmt, intro: str = "") -> Section:
    prefix = "index" if measure == "summary_index" else f"effect/{measure}"
    rows: list[list[Entry]] = []
    notes = []
    for method in _METHODS:
        key = f"inference/{measure}/{method}"
        label = p.w(f"inference:{method}")
        if p.rel[f"{key}/p_value"].state == "unavailable":
            if p.shown(f"{prefix}/estimate"):  # the reason (e.g. "does not vary") is about the estimate
                rows.append([label, p.w("not_available"), None])
                notes.append(p.w("unavailable_note", group=label, reason=p.rel[f"{key}/p_value"].note))
            else:
                rows.append([label, p.entry(f"{prefix}/estimate", fmt), p.entry(f"{prefix}/estimate", fmt)])
            continue
        rows.append([label, p.span(f"{key}/ci_low", f"{key}/ci_high", fmt), p.entry(f"{key}/p_value", "p_value")])
        bounds = [p.value(f"{key}/{end}") for end in ("ci_low", "ci_high")]
        if any(math.isinf(b) for b in bounds):
            notes.append(p.w("robustness:unbounded", method=label))
    key = f"ancova/{measure}"
    if f"{key}/estimate" in p.rel and p.rel[f"{key}/estimate"].state != "unavailable":
        label = p.w("inference:ancova", estimate=p.say(f"{key}/estimate", fmt))
        rows.append([label, p.span(f"{key}/ci_low", f"{key}/ci_high", fmt), p.entry(f"{key}/p_value", "p_value")])
    header = [p.w("inference:method"), p.w("ci"), p.w("p_value")]
    caption = p.w("robustness:table", measure=p.w(f"measure:{measure}"))
    estimate = p.say(f"{prefix}/estimate", fmt)
    table = p.table(f"robustness_{measure}", caption, header, rows, ["l", "r", "r"], " ".join(notes), {1: "span"})
    text = p.w("robustness:estimate", estimate=estimate)
    return Section(f"robustness_{measure}", p.w(f"measure:{measure}"), [t for t in (intro, text) if t], [table])


def _multiplicity(p: Page) -> Table:
    facts = p.facts.inference
    assert facts is not None
    rows: list[list[Entry]] = []
    for measure in facts.measures:
        key = f"multiplicity/{measure}"
        family = (
            "primary" if measure in facts.primary else "descriptive" if measure in facts.descriptive else "secondary"
        )
        effect = f"effect/{measure}/estimate"
        # A hidden effect's row reads as its estimate does: "–" (no draws, no adjustment) would say more.
        parts = [
            p.entry(f"{key}/{part}", "p_value") if p.shown(effect) else p.entry(effect, "points")
            for part in ("p_value", "p_adjusted", "q_value")
        ]
        rows.append([p.w(f"measure:{measure}"), p.w(f"family:{family}"), *parts])
    header = [p.w("measure"), p.w("family"), p.w("p_value"), p.w("p_adjusted"), p.w("q_value")]
    key = "multiplicity:note_holm" if facts.resampling == "CR2" else "multiplicity:note"
    note = p.w(key, resampling=p.w(f"resampling:{facts.resampling}"))
    return p.table("multiplicity", p.w("multiplicity"), header, rows, ["l", "l", "r", "r", "r"], note)


def _lee(p: Page) -> Table:
    """Lee bounds of each share: what it is selected on, the share trimmed, the bounds and their interval."""
    facts = p.facts.inference
    assert facts is not None
    rows: list[list[Entry]] = []
    for measure, selection in facts.lee:
        key = f"lee/{measure}"
        if p.rel[f"{key}/lower"].state == "unavailable":
            rows.append(
                [
                    p.w(f"measure:{measure}"),
                    p.w(f"lee:selection:{selection}", end=p.end),
                    None,
                    p.w("not_available"),
                    None,
                ]
            )
            continue
        rows.append(
            [
                p.w(f"measure:{measure}"),
                p.w(f"lee:selection:{selection}", end=p.end),
                p.entry(f"{key}/trimmed_share", "percent1"),
                p.span(f"{key}/lower", f"{key}/upper", "points"),
                p.span(f"{key}/ci_low", f"{key}/ci_high", "points"),
            ]
        )
    header = [p.w("measure"), p.w("lee:selection"), p.w("lee:trimmed"), p.w("lee:bounds"), p.w("lee:ci")]
    return p.table(
        "lee_bounds", p.w("lee"), header, rows, ["l", "l", "r", "r", "r"], p.w("lee:note"), {3: "span", 4: "span"}
    )


def null_figure(p: Page) -> Figure | None:
    """The primary outcome's randomisation distribution, with its observed effect."""
    facts = p.facts.inference
    if facts is None or facts.null_measure is None:
        return None
    measure, edges = facts.null_measure, facts.null_edges
    shares = [p.drawn(f"null/{measure}/{i}", "percent1") for i in range(len(edges) - 1)]
    if not any(s == s for s in shares):  # every bin hidden: the effect is
        return None
    data = pd.DataFrame({"left": edges[:-1], "right": edges[1:], "share": shares})
    observed = p.drawn(f"effect/{measure}/estimate", "points") * 100
    labels = {"x": p.w("pp_axis"), "y": p.w("share_of_draws"), "null": p.w("null_draws"), "observed": p.w("observed")}
    fig = figures.null_distribution(data, observed, labels, p.f.number, ax=p.ax("randomisation"))
    return p.figure("randomisation", p.w("figure_null", measure=p.w(f"measure:{measure}")), fig)
