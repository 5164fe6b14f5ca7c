"""The comparison group of an observational design: who was compared, the balance table, the event study."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...release.values import Covariate, ObservationalFacts
from .. import figures
from ..report import Figure, Section, Table
from ..tables import Entry, Fmt, Num
from .page import Page

__all__ = ["comparison_group", "event_study", "love_plot"]


def comparison_group(p: Page) -> Section | None:
    od = p.facts.observational
    if od is None:
        return None
    title = p.w("comparison_group")
    paragraphs = [p.design_note()]
    if not od.available:
        return Section("comparison_group", title, [*paragraphs, f"{p.w('not_available')}: {od.reason}."])
    paragraphs.append(_who(p, od))
    table = _balance(p, od)
    figs = [f for f in (love_plot(p), event_study(p)) if f is not None]
    if p.facts.event_reason is None and p.facts.event_periods:
        paragraphs.append(_pretrend(p))
    return Section("comparison_group", title, paragraphs, [table], figs)


def _who(p: Page, od: ObservationalFacts) -> str:
    """Who was compared: the pool, the intervention families included and left out by reason."""
    used = p.rel["comparison/used"]
    if not used.shown and p.rel["comparison/dropped"].state == "small":
        used_text = p.w("comparison:all_but", marker=p.marker)  # the number left out is small and hidden
    else:
        used_text = p.say("comparison/used", "count")
    parts = [
        p.w("comparison:left_out_part", n=p.say(f"comparison/dropped/{reason}", "count"), reason=p.w(f"drop:{reason}"))
        for reason in od.dropped_reasons
    ]
    text = p.w(
        "comparison:pool",
        pool=p.say("comparison/pool", "count"),
        used=used_text,
        treated=p.say("comparison/treated", "count"),
    )
    if parts:
        text += p.w("comparison:left_out", parts=", ".join(parts))
    compared = p.rel["comparison/compared"]
    text += p.w("comparison:compared", compared=f"{p.f.number(compared.number)} " if compared.shown else "")
    return text + _design_words(p, od)


def _design_words(p: Page, od: ObservationalFacts) -> str:
    """The matching or weighting settings (in English the design's own description)."""
    s = p.facts.config.comparison
    description = od.description[0].upper() + od.description[1:]
    if s.method == "weighting":
        return p.w("comparison:weighting", description=description)
    caliper = p.w("caliper:none") if s.caliper is None else p.w("caliper:sd", caliper=p.f.number(s.caliper, 2))
    return p.w(
        "comparison:matching",
        description=description,
        ratio=s.ratio,
        distance=s.distance,
        replace=p.w("replace:yes" if s.replace else "replace:no"),
        caliper=caliper,
        exact=p.w("exact_on", names=", ".join(s.exact)) if s.exact else "",
        support=p.w("common_support") if s.common_support else "",
    )


def _label(p: Page, covariate: Covariate) -> str:
    if covariate.site is not None:
        return p.w("covariate_site", site=covariate.site)
    if covariate.label_key == "covariate_small_site":
        return p.w(covariate.label_key, min_cell=p.m)
    return p.w.get(covariate.label_key, covariate.name)


def _balance(p: Page, od: ObservationalFacts) -> Table:
    weighted = od.kind == "weighted"
    note = p.w("balance_note")
    if od.subset_hidden:
        note += " " + p.w("balance_all_treated", marker=p.marker)
    header = [
        p.w("variable"),
        p.w("intervention"),
        p.w("comparison_all"),
        p.w("smd_before"),
        p.w("intervention") if od.subset_hidden else p.w("intervention_after"),
        p.w("comparison_after_weighted" if weighted else "comparison_after"),
        p.w("smd_after"),
        p.w("wwc"),
    ]
    rows: list[list[Entry]] = []
    for i, cov in enumerate(od.covariates):
        line: list[Entry] = [_label(p, cov)]
        for side in ("before", "after"):
            for group in ("treated", "comparison"):
                key = f"balance/{i}/{group}_{side}"
                fmt: Fmt = "percent" if cov.binary or cov.share else _digits(cov)
                line.append(p.entry(key, fmt))
            line.append(p.entry(f"balance/{i}/smd_{side}", "number2"))
        verdict = p.w(f"wwc:{cov.flag}") if cov.flag and isinstance(line[-1], Num) else None
        line.append(verdict)
        rows.append(line)
    caption = p.w("balance_weighted" if weighted else "balance")
    return p.table("balance", caption, header, rows, ["l"] + ["r"] * (len(header) - 2) + ["l"], note)


def _digits(cov: Covariate) -> Fmt:
    return "number2" if cov.digits == 2 else "number1"


def love_plot(p: Page) -> Figure | None:
    od = p.facts.observational
    if od is None or not od.available:
        return None
    data = pd.DataFrame(
        [
            (_label(p, cov), abs(p.value(f"balance/{i}/smd_before")), abs(p.value(f"balance/{i}/smd_after")))
            for i, cov in enumerate(od.covariates)
        ],
        columns=["label", "before", "after"],
    )
    if data[["before", "after"]].isna().all().all():
        return None
    labels = {"before": p.w("before"), "after": p.w("after"), "x": "|SMD|"}
    fig = figures.love_plot(data, labels, lambda v: p.f.number(v, 2), ax=p.ax("love_plot"))
    return p.figure("love_plot", p.w("figure_love"), fig)


def event_study(p: Page) -> Figure | None:
    periods = p.facts.event_periods
    if p.facts.event_reason is not None or not periods:
        return None
    data = pd.DataFrame(
        {
            "period": list(periods),
            "estimate": [p.drawn(f"event/{i}/estimate", "points") for i in range(len(periods))],
            "low": [p.drawn(f"event/{i}/low", "points") for i in range(len(periods))],
            "high": [p.drawn(f"event/{i}/high", "points") for i in range(len(periods))],
        }
    )
    labels = {
        "x": p.w("months_relative"),
        "y": p.w("difference_axis"),
        "estimate": p.w("estimate"),
        "ci": p.w("ci"),
    }
    fig = figures.event_study(data, labels, lambda v: p.f.number(v, 0), ax=p.ax("event_study"))
    return p.figure("event_study", p.w("figure_event"), fig)


def _pretrend(p: Page) -> str:
    statistic, p_value = p.value("pretrend/statistic"), p.value("pretrend/p_value")
    if not (math.isfinite(p_value) and math.isfinite(statistic)):
        return p.w("pretrend:unavailable", reason=p.facts.pretrend_reason)
    df_den = p.value("pretrend/df_den")
    df = (
        ""
        if np.isnan(df_den)
        else p.w("pretrend:df", df_num=f"{p.value('pretrend/df_num'):.0f}", df_den=f"{df_den:.0f}")
    )
    verdict = p.w("pretrend:diverged" if p_value < 0.05 else "pretrend:parallel")
    return p.w(
        "pretrend:test", statistic=p.f.number(statistic, 2), df=df, p_value=p.f.number(p_value, 3), verdict=verdict
    )
