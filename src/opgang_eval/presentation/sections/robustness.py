"""The robustness section: each effect's inference panel, the multiplicity table and the randomisation distribution."""

from __future__ import annotations

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
        "robustness:intro",
        draws=p.f.number(facts.draws),
        resampling=p.w(f"resampling:{facts.resampling}"),
        primary=", ".join(p.w(f"measure:{m}") for m in facts.primary),
    )
    subs = [_panel(p, m) for m in facts.measures]
    tables = [_multiplicity(p)]
    figure = null_figure(p)
    paragraphs = [intro, p.w("robustness:exact" if facts.exact else "robustness:monte_carlo")]
    return Section("robustness", p.w("robustness"), paragraphs, tables, [figure] if figure else [], subs)


def _fmt(p: Page, measure: str) -> Fmt:
    spec = next(s for s in p.facts.declared if s.id == measure)
    return "dkk_signed" if spec.effect_scale == "DKK" else "points"


def _panel(p: Page, measure: str) -> Section:
    fmt = _fmt(p, measure)
    rows: list[list[Entry]] = []
    notes = []
    for method in _METHODS:
        key = f"inference/{measure}/{method}"
        label = p.w(f"inference:{method}")
        if p.rel[f"{key}/p_value"].state == "unavailable":
            rows.append([label, p.w("not_available"), None, None])
            notes.append(p.w("unavailable_note", group=label, reason=p.rel[f"{key}/p_value"].note))
            continue
        df = p.entry(f"{key}/df", "number1") if f"{key}/df" in p.rel else None
        rows.append([label, p.span(f"{key}/ci_low", f"{key}/ci_high", fmt), p.entry(f"{key}/p_value", "p_value"), df])
    header = [p.w("inference:method"), p.w("ci"), p.w("p_value"), p.w("inference:df")]
    caption = p.w("robustness:table", measure=p.w(f"measure:{measure}"))
    estimate = p.say(f"effect/{measure}/estimate", fmt)
    table = p.table(f"robustness_{measure}", caption, header, rows, ["l", "r", "r", "r"], " ".join(notes), {1: "span"})
    text = p.w("robustness:estimate", estimate=estimate)
    return Section(f"robustness_{measure}", p.w(f"measure:{measure}"), [text], [table])


def _multiplicity(p: Page) -> Table:
    facts = p.facts.inference
    assert facts is not None
    rows: list[list[Entry]] = []
    for measure in facts.measures:
        key = f"multiplicity/{measure}"
        family = "primary" if measure in facts.primary else "secondary"
        rows.append(
            [
                p.w(f"measure:{measure}"),
                p.w(f"family:{family}"),
                p.entry(f"{key}/p_value", "p_value"),
                p.entry(f"{key}/p_adjusted", "p_value"),
                p.entry(f"{key}/q_value", "p_value"),
            ]
        )
    header = [p.w("measure"), p.w("family"), p.w("p_value"), p.w("p_adjusted"), p.w("q_value")]
    note = p.w("multiplicity:note", resampling=p.w(f"resampling:{facts.resampling}"))
    return p.table("multiplicity", p.w("multiplicity"), header, rows, ["l", "l", "r", "r", "r"], note)


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
