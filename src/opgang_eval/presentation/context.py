"""From an :class:`~opgang_eval.Evaluation` to the report's context: release first, then sections.

This is the one place in the presentation layer that reads the evaluation,
and all it does with it is hand it to :func:`~opgang_eval.release.collect.collect`:
the release decides every number at once, and the section modules
(:mod:`.sections`) turn the released values into text, typed tables and
figures. Nothing after this step can reach an unreleased number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from ..config import Lang
from ..errors import ConfigError, Failure, Rule
from ..evaluation import Evaluation
from ..release.collect import collect
from ..release.values import Release
from .report import Context, Figure, Section, Table
from .sections import FIGURE_BUILDERS, Page, build
from .texts import missing_words

if TYPE_CHECKING:  # pragma: no cover - matplotlib is imported only when a figure is made
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

__all__ = ["Context", "Figure", "Section", "Table", "build_context", "release_of", "report_figures"]


def release_of(ev: Evaluation, withheld: Collection[str] = ()) -> Release:
    """The release of ``ev`` (every number of its report, decided), after checking every measure has words."""
    missing = missing_words(f"{kind}:{m.id}" for m in ev.declared for kind in ("measure", "definition"))
    if missing:
        hint = "Add the words of each registered measure with oe.add_words (see CONTRIBUTING.md)."
        failures = [Failure("config", "words", key, None, "", "", Rule.BAD_CONFIG, hint) for key in missing]
        raise ConfigError.from_failures(failures)
    return collect(ev, withheld=tuple(withheld))


def build_context(
    ev: Evaluation, lang: Lang | None = None, today: dt.date | None = None, *, withheld: Collection[str] = ()
) -> Context:
    """Build the report context of ``ev`` in ``lang`` (default: the config's).

    ``withheld`` names populations (keys of ``ev.populations``) whose results
    must not be published: those the release ledger found within
    ``min_cell - 1`` families of a recorded release. A withheld site's
    results are hidden and the table's note says why.
    """
    page = Page(release_of(ev, withheld), lang or ev.config.lang)
    return build(page, today or dt.date.today())


def report_figures(
    ev: Evaluation, lang: Lang | None = None, axes: Mapping[str, Axes | None] | None = None
) -> dict[str, MplFigure]:
    """The figures named in ``axes`` as matplotlib figures, disclosure-controlled exactly as in the report.

    ``axes`` maps a figure id to the axes to draw it into (``None``: a new
    figure). Only those figures are drawn; nothing is rendered to SVG.
    """
    wanted = dict(axes or {})
    page = Page(release_of(ev), lang or ev.config.lang, axes=wanted)
    for name in wanted:
        FIGURE_BUILDERS[name](page)
    return page.made
