"""The report's sections, one module each: a function from released values, words and a formatter to a section.

No section module reads the evaluation or branches on the language; each asks
its :class:`~.page.Page` for released values and words. :func:`build` puts the
report together; :data:`FIGURE_BUILDERS` makes any single figure (``oe.plot``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ... import __version__
from ..report import Context, Figure, Section
from .baseline import baseline
from .comparison import comparison_group, event_study, love_plot
from .flow import flow
from .headline import headline
from .methods import limitations, methods
from .page import Page
from .quality import appendix, data_quality
from .results import before_after, forest, results, status_flow, trajectory
from .robustness import null_figure, robustness
from .savings import domain_figure, savings, tornado, year_figure
from .sites import by_site
from .survey import survey

__all__ = ["FIGURE_BUILDERS", "Page", "build"]

#: Figure id → the function that draws it from a page (ids as in ``oe.plot``).
FIGURE_BUILDERS: dict[str, Callable[[Page], Figure | None]] = {
    "trajectory": trajectory,
    "status_flow": status_flow,
    "school_absence": lambda p: before_after(p, "school_absence"),
    "youth_jobs": lambda p: before_after(p, "youth_jobs"),
    "forest": forest,
    "randomisation": null_figure,
    "love_plot": love_plot,
    "event_study": event_study,
    "savings_by_domain": domain_figure,
    "savings_by_year": year_figure,
    "savings_sensitivity": tornado,
}

#: The sections in reading order (an optional one returns ``None`` when it has nothing to show).
_SECTIONS: tuple[Callable[[Page], Section | None], ...] = (
    flow,
    baseline,
    comparison_group,
    results,
    robustness,
    survey,
    savings,
    by_site,
    methods,
    limitations,
    data_quality,
    appendix,
)


def build(p: Page, today: dt.date) -> Context:
    """The whole report of ``p``'s release in its language."""
    sections = [s for s in (make(p) for make in _SECTIONS) if s is not None]
    return Context(
        lang=p.lang,
        title=p.w("title"),
        subtitle=p.w("subtitle", end=p.end),
        generated=p.w("generated", date=p.f.date(today), version=__version__),
        headline=headline(p),
        design_note=p.design_note(),
        sections=sections,
        populations=p.rel.populations,
    )
