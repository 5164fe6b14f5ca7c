"""What every section module works with: the release, the words and the formatter of one report.

A section reads numbers only through :class:`Page`: :meth:`Page.entry` turns
a released value into a table cell (a number with its format, or the marker
of a hidden value), :meth:`Page.say` into text for a sentence. Nothing here
knows the evaluation; nothing here decides what may be shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...config import Lang
from ...release.values import Facts, Release
from .. import figures
from ..formatting import Formatter, printed
from ..report import Figure
from ..tables import CellStyle, Entry, Fmt, Mark, Num, Span, Table
from ..texts import Words

if TYPE_CHECKING:  # pragma: no cover - matplotlib is imported only when a figure is made
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

__all__ = ["Page"]


@dataclass
class Page:
    """One report being built: the release, its language, and (for ``oe.plot``) the axes to draw into."""

    rel: Release
    lang: Lang
    #: Figures wanted as matplotlib objects (``oe.plot``), by id → the axes to draw into; then no SVG is made.
    axes: Mapping[str, Axes | None] | None = None
    made: dict[str, MplFigure] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.w = Words(self.lang)
        self.f = Formatter(self.lang)
        self.marker = f"<{self.rel.min_cell}"
        self.style = CellStyle(self.f, self.marker, self.w("hidden_cell"), self.w("lower"), self.w("upper"))
        self.end = self.f.month(self.facts.end)

    @property
    def facts(self) -> Facts:
        return self.rel.facts

    @property
    def m(self) -> int:
        return self.rel.min_cell

    # -- values ------------------------------------------------------------------------------

    def shown(self, key: str) -> bool:
        return self.rel.shown(key)

    def value(self, key: str) -> float:
        """A shown value (NaN when hidden: for figures, which leave such points out)."""
        return self.rel.number(key)

    def drawn(self, key: str, fmt: Fmt) -> float:
        """A value as a figure draws it: at the precision the report prints it with (NaN when hidden).

        A figure's coordinates are data too: an exact 7/13 drawn as a line's
        height gives its denominator away where the printed 54 % does not.
        """
        return printed(self.value(key), fmt, scaled=False)

    def entry(self, key: str, fmt: Fmt) -> Entry:
        """The table cell of a released value: the number, the marker of a hidden one, or "–"."""
        value = self.rel[key]
        if value.shown:
            return Num(value.number, fmt)
        if value.state in ("small", "withheld"):
            return Mark("small" if value.state == "small" else "withheld")
        return None

    def count(self, key: str) -> Entry:
        return self.entry(key, "count")

    def span(self, low: str, high: str, fmt: Fmt) -> Entry:
        """An interval's cell (its bounds are released together)."""
        first = self.entry(low, fmt)
        second = self.entry(high, fmt)
        if isinstance(first, Num) and isinstance(second, Num):
            return Span(first.value, second.value, fmt)
        return first if not isinstance(first, Num) else second

    def text(self, entry: Entry) -> str:
        return self.style.text(entry)

    def say(self, key: str, fmt: Fmt) -> str:
        """A released value as text for a sentence (the marker when hidden)."""
        return self.text(self.entry(key, fmt))

    def ci_words(self, prefix: str, fmt: Fmt) -> str:
        """An interval in prose: ``95 %-KI 45.159 kr. til 490.417 kr.``."""
        return self.w("ci_words", low=self.say(f"{prefix}/ci_low", fmt), high=self.say(f"{prefix}/ci_high", fmt))

    def definition(self, measure: str) -> str:
        low, high = self.facts.config.youth_ages
        return self.w(f"definition:{measure}", end=self.end, youth_low=low, youth_high=high)

    def design_note(self) -> str:
        if self.facts.design in ("matched", "weighted") and self.facts.has_control:
            return self.w("design_forced")
        return self.w(f"design_{self.facts.design}")

    @property
    def observational(self) -> bool:
        return self.facts.design in ("matched", "weighted")

    # -- building blocks -----------------------------------------------------------------------

    def table(
        self,
        table_id: str,
        caption: str,
        header: list[str],
        cells: list[list[Entry]],
        align: list[str],
        note: str = "",
        split: dict[int, str] | None = None,
    ) -> Table:
        return Table(table_id, caption, header, cells, align, self.style, note, split or {})

    def ax(self, figure_id: str) -> Axes | None:
        return None if self.axes is None else self.axes.get(figure_id)

    def figure(self, figure_id: str, caption: str, fig: MplFigure) -> Figure:
        """The report's figure (SVG), or — when building for ``oe.plot`` — the matplotlib figure kept aside."""
        if self.axes is not None:
            self.made[figure_id] = fig
            return Figure(figure_id, caption, "")
        return Figure(figure_id, caption, figures.to_svg(fig, caption))
