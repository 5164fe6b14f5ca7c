r"""Report figures: tidy data in, matplotlib ``Figure`` out.

Every function takes already disclosure-controlled tidy data (a suppressed
value is NaN and simply not drawn), optional axes to draw into, and
returns the figure without touching its input. Figures are made without
pyplot, so they need no display and leave no global state behind. One style for all:
the Okabe–Ito colour-blind-safe palette, labelled axes, no chart junk.

Text is never parsed as markup: labels carry site names and other text from
the data, and matplotlib would otherwise read ``$…$`` as mathtext (drawing
``Tilst $x^2$`` as a formula, or failing outright on ``$\frac$``). The
style turns mathtext off for every text artist made inside it, and tick
labels (the ones matplotlib makes anew when it draws) are also set with
``parse_math=False``, so they stay verbatim when an analyst draws into axes
of their own (:func:`~opgang_eval.plot`) and saves the figure outside the
style. Control characters in that text are shown as U+FFFD
(:func:`~.formatting.printable`): no font has a glyph for them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.typing import RcKeyType

from .formatting import printable

__all__ = [
    "PALETTE",
    "before_after",
    "event_study",
    "forest",
    "grouped_bars",
    "love_plot",
    "status_bars",
    "to_svg",
    "tornado",
    "trajectory",
]

#: Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = {
    "intervention": "#0072B2",
    "control": "#E69F00",
    "reference": "#E69F00",
    "neutral": "#999999",
    "work": "#009E73",
    "retired": "#CC79A7",
    "benefit": "#56B4E9",
    "none": "#BBBBBB",
    "negative": "#D55E00",
    "hidden": "#E4E4E4",
}

_RC: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e5e5e5",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.titlesize": 10,
    "legend.frameon": False,
    "svg.fonttype": "path",
    "svg.hashsalt": "opgang-eval",
    "text.parse_math": False,
}

#: Keyword arguments of every text artist whose text may come from the data.
_VERBATIM: dict[str, Any] = {"parse_math": False}


def _labels(values: Iterable[object]) -> list[str]:
    """Tick labels as drawn: the text of each value, control characters replaced."""
    return [printable(str(v)) for v in values]


Fmt = Callable[[float], str]


def _percent(x: float) -> str:
    return f"{x:.0%}"


def _number(x: float) -> str:
    return f"{x:,.0f}"


def _ticks(axis: mpl.axis.Axis, fmt: Fmt, count: int = 5) -> None:
    """Tick labels in the report's number format (Danish or English), a few of them."""
    axis.set_major_locator(mpl.ticker.MaxNLocator(count))
    axis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: fmt(v)))


@contextmanager
def _style() -> Iterator[None]:
    with mpl.rc_context(_RC):
        yield


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig = Figure(figsize=size)
    return fig, fig.add_subplot()


def to_svg(fig: Figure, title: str = "") -> str:
    """The figure as deterministic SVG markup (no date, fixed ids), with a ``<title>`` for screen readers.

    Comments are removed: matplotlib copies label text into them, and a
    comment is the one place where text inside the markup is not escaped.
    """
    buffer = io.StringIO()
    with _style():
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    svg = re.sub(r"<!--.*?-->", "", svg[svg.index("<svg") :], flags=re.S)
    if title:
        escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        svg = re.sub(r"(<svg[^>]*>)", rf"\1<title>{escaped}</title>", svg, count=1)
        svg = svg.replace("<svg ", '<svg role="img" ', 1)
    return svg


def trajectory(
    data: pd.DataFrame, labels: Mapping[str, str], percent: Fmt = _percent, ax: Axes | None = None
) -> Figure:
    """Share in work or education by months since enrolment, one line per arm.

    ``data``: columns arm, k, share (NaN = suppressed).
    """
    with _style():
        fig, ax = _axes(ax, (6.4, 3.0))
        for arm, group in data.groupby("arm", sort=False):
            ax.plot(group["k"], group["share"], color=PALETTE.get(str(arm), "#333"), label=labels[str(arm)], lw=1.8)
        ax.axvline(0, color="#666", lw=0.8, ls=":")
        ax.set_xlabel(labels["x"])
        ax.set_ylabel(labels["y"])
        ax.set_ylim(0, max(0.1, float(np.nanmax(data["share"].to_numpy(dtype=float), initial=0.1)) * 1.15))
        _ticks(ax.yaxis, percent)
        ax.legend(loc="upper left")
    return fig


def status_bars(
    data: pd.DataFrame, labels: Mapping[str, str], percent: Fmt = _percent, ax: Axes | None = None
) -> Figure:
    """Stacked horizontal bars of status groups, before and at the end, per arm.

    ``data``: columns bar (label), group, share (NaN = suppressed; drawn as a gap).
    """
    with _style():
        bars = list(dict.fromkeys(data["bar"]))
        fig, ax = _axes(ax, (6.4, 0.45 * len(bars) + 1.2))
        left = np.zeros(len(bars))
        for group in dict.fromkeys(data["group"]):
            part = data[data["group"] == group].set_index("bar").reindex(bars)["share"].to_numpy(dtype=float)
            shown = np.nan_to_num(part)
            ax.barh(bars, shown, left=left, color=PALETTE.get(str(group), "#888"), label=labels[str(group)])
            left += shown
        ax.set_yticks(np.arange(len(bars)), _labels(bars), **_VERBATIM)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        _ticks(ax.xaxis, percent)
        ax.set_xlabel(labels["x"])
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=5, fontsize=7)
    return fig


def before_after(
    data: pd.DataFrame, labels: Mapping[str, str], percent: Fmt = _percent, ax: Axes | None = None
) -> Figure:
    """Grouped bars of a rate before and after, per arm.

    ``data``: columns arm, period (``pre``/``post``), rate.
    """
    with _style():
        fig, ax = _axes(ax, (6.4, 2.6))
        arms = list(dict.fromkeys(data["arm"]))
        x = np.arange(2)
        width = 0.8 / max(len(arms), 1)
        for i, arm in enumerate(arms):
            rates = data[data["arm"] == arm].set_index("period").reindex(["pre", "post"])["rate"].to_numpy(dtype=float)
            ax.bar(
                x + (i - (len(arms) - 1) / 2) * width,
                np.nan_to_num(rates),
                width,
                color=PALETTE[arm],
                label=labels[arm],
            )
        ax.set_xticks(x, _labels([labels["pre"], labels["post"]]), **_VERBATIM)
        ax.set_ylabel(labels["y"])
        _ticks(ax.yaxis, percent)
        ax.grid(axis="x", visible=False)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(arms))
    return fig


def forest(data: pd.DataFrame, labels: Mapping[str, str], number: Fmt = _number, ax: Axes | None = None) -> Figure:
    """Effects with their confidence intervals, one row each.

    ``data``: columns label, estimate, low, high (percentage points as fractions).
    """
    with _style():
        fig, ax = _axes(ax, (6.4, 0.45 * len(data) + 1.0))
        y = np.arange(len(data))
        est = data["estimate"].to_numpy(dtype=float) * 100
        low = data["low"].to_numpy(dtype=float) * 100
        high = data["high"].to_numpy(dtype=float) * 100
        ax.hlines(y, low, high, color=PALETTE["intervention"], lw=2)
        ax.plot(est, y, "o", color=PALETTE["intervention"], ms=6)
        ax.axvline(0, color="#666", lw=0.8)
        ax.set_yticks(y, _labels(data["label"]), **_VERBATIM)
        ax.invert_yaxis()
        ax.set_xlabel(labels["x"])
        _ticks(ax.xaxis, number)
        ax.grid(axis="y", visible=False)
    return fig


def null_distribution(
    data: pd.DataFrame, observed: float, labels: Mapping[str, str], number: Fmt = _number, ax: Axes | None = None
) -> Figure:
    """The randomisation distribution of an effect as a histogram, with the observed effect as a line.

    ``data``: columns left, right (bin edges, percentage points) and share
    (of the draws); ``observed`` in percentage points (NaN: no line).
    """
    with _style():
        fig, ax = _axes(ax, (6.4, 3.0))
        left = data["left"].to_numpy(dtype=float)
        width = data["right"].to_numpy(dtype=float) - left
        ax.bar(
            left,
            data["share"].to_numpy(dtype=float),
            width=width,
            align="edge",
            color=PALETTE["control"],
            edgecolor="white",
            linewidth=0.5,
            label=labels["null"],
        )
        if np.isfinite(observed):
            ax.axvline(observed, color=PALETTE["intervention"], lw=2, label=labels["observed"])
        ax.set_xlabel(labels["x"])
        ax.set_ylabel(labels["y"])
        low, high = float(left.min()), float((left + width).max())
        if np.isfinite(observed):
            low, high = min(low, observed), max(high, observed)
        ax.set_xlim(low - 0.05 * (high - low), high + 0.05 * (high - low))
        _ticks(ax.xaxis, number)
        _ticks(ax.yaxis, _percent)
        # Whole per cents only: a tick at 2.5 % would be labelled "2%".
        ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(5, steps=[1, 2, 5, 10]))
        ax.legend(loc="upper left")
    return fig


def love_plot(data: pd.DataFrame, labels: Mapping[str, str], number: Fmt = _number, ax: Axes | None = None) -> Figure:
    """Absolute standardised mean differences before and after adjustment, one row per covariate.

    ``data``: columns label, before, after (|SMD|; NaN = hidden). Dotted
    lines mark the What Works Clearinghouse limits 0.05 and 0.25.
    """
    with _style():
        fig, ax = _axes(ax, (6.4, 0.32 * len(data) + 1.2))
        y = np.arange(len(data))
        before = data["before"].to_numpy(dtype=float)
        after = data["after"].to_numpy(dtype=float)
        ax.hlines(y, np.fmin(before, after), np.fmax(before, after), color="#cccccc", lw=1)
        ax.plot(before, y, "o", mfc="white", color=PALETTE["reference"], ms=6, label=labels["before"])
        ax.plot(after, y, "o", color=PALETTE["intervention"], ms=6, label=labels["after"])
        for limit in (0.05, 0.25):
            ax.axvline(limit, color="#666", lw=0.8, ls=":")
        ax.set_xlim(left=0)
        ax.set_yticks(y, _labels(data["label"]), **_VERBATIM)
        ax.invert_yaxis()
        ax.set_xlabel(labels["x"])
        _ticks(ax.xaxis, number)
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right")
    return fig


def event_study(data: pd.DataFrame, labels: Mapping[str, str], number: Fmt = _number, ax: Axes | None = None) -> Figure:
    """Event-study coefficients with their intervals by period relative to enrolment.

    ``data``: columns period, estimate, low, high (fractions; NaN = hidden
    or the reference period's interval).
    """
    with _style():
        fig, ax = _axes(ax, (6.4, 3.2))
        x = data["period"].to_numpy(dtype=float)
        est = data["estimate"].to_numpy(dtype=float) * 100
        ax.fill_between(
            x,
            data["low"].to_numpy(dtype=float) * 100,
            data["high"].to_numpy(dtype=float) * 100,
            color=PALETTE["intervention"],
            alpha=0.18,
            lw=0,
            label=labels["ci"],
        )
        ax.plot(x, est, "o-", color=PALETTE["intervention"], ms=3, lw=1.2, label=labels["estimate"])
        ax.axhline(0, color="#666", lw=0.8)
        ax.axvline(-0.5, color="#666", lw=0.8, ls=":")
        ax.set_xlabel(labels["x"])
        ax.set_ylabel(labels["y"])
        _ticks(ax.yaxis, number)
        ax.legend(loc="upper left")
    return fig


def grouped_bars(
    data: pd.DataFrame, labels: Mapping[str, str], number: Fmt = _number, ax: Axes | None = None
) -> Figure:
    """Bars per category for one or more series (e.g. cost per family by domain, each side).

    ``data``: columns category, series, value.
    """
    with _style():
        fig, ax = _axes(ax, (6.4, 2.8))
        categories = list(dict.fromkeys(data["category"]))
        series = list(dict.fromkeys(data["series"]))
        x = np.arange(len(categories))
        width = 0.8 / max(len(series), 1)
        for i, name in enumerate(series):
            values = (
                data[data["series"] == name].set_index("category").reindex(categories)["value"].to_numpy(dtype=float)
            )
            colour = PALETTE.get(str(name), PALETTE["neutral"])
            ax.bar(
                x + (i - (len(series) - 1) / 2) * width,
                np.nan_to_num(values),
                width,
                color=colour,
                label=labels[str(name)],
            )
        ax.set_xticks(x, _labels(categories), **_VERBATIM)
        ax.set_ylabel(labels["y"])
        _ticks(ax.yaxis, number)
        ax.axhline(0, color="#666", lw=0.8)
        ax.grid(axis="x", visible=False)
        if len(series) > 1:
            ax.legend()
    return fig


def tornado(
    data: pd.DataFrame, base: float, labels: Mapping[str, str], number: Fmt = _number, ax: Axes | None = None
) -> Figure:
    """Net result when each input moves, as bars from the base value.

    ``data``: columns label, value (net result per family in that setting).
    """
    with _style():
        fig, ax = _axes(ax, (6.4, 0.35 * len(data) + 1.0))
        y = np.arange(len(data))
        values = data["value"].to_numpy(dtype=float)
        colours = [PALETTE["work"] if v >= base else PALETTE["negative"] for v in values]
        ax.barh(y, values - base, left=base, color=colours)
        ax.axvline(base, color="#333", lw=1)
        ax.axvline(0, color="#999", lw=0.8, ls=":")
        ax.set_yticks(y, _labels(data["label"]), **_VERBATIM)
        ax.invert_yaxis()
        ax.set_xlabel(labels["x"])
        _ticks(ax.xaxis, number, count=4)
        ax.grid(axis="y", visible=False)
    return fig
