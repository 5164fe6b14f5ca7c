"""Costs and savings: the account, the breakdowns by domain and year, the sensitivity rows, and their figures."""

from __future__ import annotations

import math

import pandas as pd

from .. import figures
from ..report import Figure, Section
from ..tables import Entry, Fmt, Table
from .methods import method_text
from .page import Page

__all__ = ["domain_figure", "savings", "tornado", "year_figure"]

#: The account's rows: catalogue key of the label, value key, format.
_ACCOUNT: tuple[tuple[str, str, Fmt], ...] = (
    ("account:gross", "savings/estimate", "dkk"),
    ("account:ci", "", "dkk"),
    ("account:programme_total", "savings/programme_total", "dkk"),
    ("account:programme_per_family", "savings/programme_per_family", "dkk"),
    ("account:net_per_family", "savings/net_per_family", "dkk_signed"),
    ("account:net_total", "savings/net_total", "dkk_signed"),
    ("account:benefit_cost_ratio", "savings/benefit_cost_ratio", "number2"),
    ("account:break_even_years", "savings/break_even_years", "number1"),
    ("account:price_year", "savings/price_year", "integer"),
    ("account:discount_rate", "savings/discount_rate", "percent1"),
    ("account:mean_window_months", "savings/mean_window_months", "number1"),
)


def savings(p: Page) -> Section | None:
    if not p.facts.savings:
        return None
    title = p.w("savings")
    paragraphs = [p.definition("savings_per_family")]
    estimate = p.rel.values.get("savings/estimate")
    if estimate is None or estimate.state == "unavailable":
        paragraphs.append(f"{p.w('not_available')}: {p.facts.savings_note}.")
        return Section("savings", title, paragraphs)
    if not estimate.shown:
        paragraphs.append(p.w("savings_hidden", min_cell=p.m))
        return Section("savings", title, paragraphs)
    if p.facts.cost_design is None:
        return Section("savings", title, paragraphs)
    paragraphs.append(method_text(p, "savings_per_family"))
    tables = [_account(p), _breakdown(p, "savings_by_domain"), _breakdown(p, "savings_by_year"), _sensitivity(p)]
    figs = [domain_figure(p), year_figure(p), tornado(p)]
    return Section("savings", title, paragraphs, tables, [f for f in figs if f is not None])


def _account(p: Page) -> Table:
    cells: list[list[Entry]] = []
    for label, key, fmt in _ACCOUNT:
        if key:
            cells.append([p.w(label), p.entry(key, fmt)])
        else:
            cells.append([p.w(label), p.span("savings/ci_low", "savings/ci_high", fmt)])
    return p.table("cost_account", p.w("cost_account"), ["", p.w("value")], cells, ["l", "r"])


def _reference_labels(p: Page) -> tuple[str, str]:
    """The two sides' column words; in the observational difference-in-differences, changes from before."""
    design = p.facts.cost_design or p.facts.design
    intervention = "intervention_change" if design in ("matched", "weighted") else "intervention_cost"
    return p.w(f"reference_{design}"), p.w(intervention)


def _rows(p: Page, name: str) -> list[str]:
    return [str(r) for r in (p.facts.domains if name == "savings_by_domain" else p.facts.years)]


def _label(p: Page, name: str, row: str) -> str:
    return p.w.get(f"domain:{row}", row) if name == "savings_by_domain" else row


def _breakdown(p: Page, name: str) -> Table:
    key = "domain" if name == "savings_by_domain" else "year"
    reference, intervention = _reference_labels(p)
    header = [p.w(key), reference, intervention, p.w("savings_col")]
    cells: list[list[Entry]] = []
    for row in _rows(p, name):
        prefix = f"savings/{name}/{row}"
        cells.append(
            [
                _label(p, name, row),
                p.entry(f"{prefix}/reference", "dkk"),
                p.entry(f"{prefix}/intervention", "dkk"),
                p.entry(f"{prefix}/savings", "dkk_signed"),
            ]
        )
    caption = p.w("figure_domain" if key == "domain" else "figure_year")
    return p.table(name, caption, header, cells, ["l", "r", "r", "r"])


def _setting(p: Page, name: str, setting: float, short: bool = False) -> str:
    if name == "discount rate":
        return p.f.percent(setting, 1)
    if name == "horizon":
        if setting < 0 or short:
            return p.w("setting:months", months=p.f.signed(setting))
        return p.w("setting:horizon_continued", months=p.f.number(setting))
    return p.f.percent(setting, signed=True)


def _sensitivity(p: Page) -> Table:
    header = [p.w("value"), p.w("setting"), p.w("savings_col"), p.w("net_col")]
    cells: list[list[Entry]] = []
    for i, (name, setting) in enumerate(p.facts.sensitivity):
        label = p.w.get(f"input:{name}", name)
        cells.append(
            [
                label,
                _setting(p, name, setting),
                p.entry(f"sensitivity/{i}/savings", "dkk"),
                p.entry(f"sensitivity/{i}/net", "dkk_signed"),
            ]
        )
    return p.table("savings_sensitivity", p.w("figure_tornado"), header, cells, ["l", "l", "r", "r"])


def domain_figure(p: Page) -> Figure | None:
    if not p.shown("savings/estimate"):
        return None  # as the section: no savings, no breakdowns
    rows = _rows(p, "savings_by_domain")
    if not rows:
        return None
    series = ("reference", "intervention")
    data = pd.DataFrame(
        [
            (_label(p, "savings_by_domain", row), side, p.drawn(f"savings/savings_by_domain/{row}/{side}", "dkk"))
            for side in series
            for row in rows
        ],
        columns=["category", "series", "value"],
    )
    reference, intervention = _reference_labels(p)
    labels = {"reference": reference, "intervention": intervention, "y": p.w("dkk_axis")}
    fig = figures.grouped_bars(data, labels, p.f.number, ax=p.ax("savings_by_domain"))
    return p.figure("savings_by_domain", p.w("figure_domain"), fig)


def year_figure(p: Page) -> Figure | None:
    if not p.shown("savings/estimate"):
        return None  # as the section: no savings, no breakdowns
    rows = _rows(p, "savings_by_year")
    if not rows:
        return None
    data = pd.DataFrame(
        {
            "category": rows,
            "series": "savings",
            "value": [p.drawn(f"savings/savings_by_year/{row}/savings", "dkk") for row in rows],
        }
    )
    labels = {"savings": p.w("savings_col"), "y": p.w("dkk_axis")}
    fig = figures.grouped_bars(data, labels, p.f.number, ax=p.ax("savings_by_year"))
    return p.figure("savings_by_year", p.w("figure_year"), fig)


def tornado(p: Page) -> Figure | None:
    if not p.shown("savings/estimate"):
        return None  # as the section: no savings, no breakdowns
    values = [p.drawn(f"sensitivity/{i}/net", "dkk") for i in range(len(p.facts.sensitivity))]
    if not any(math.isfinite(v) for v in values):
        return None
    labels = [
        p.w("tornado_label", input=p.w.get(f"input:{name}", name), setting=_setting(p, name, setting, short=True))
        for name, setting in p.facts.sensitivity
    ]
    data = pd.DataFrame({"label": labels, "value": values})
    base = p.drawn("savings/net_per_family", "dkk")
    fig = figures.tornado(data, base, {"x": p.w("dkk_axis")}, p.f.number, ax=p.ax("savings_sensitivity"))
    return p.figure("savings_sensitivity", p.w("figure_tornado"), fig)
