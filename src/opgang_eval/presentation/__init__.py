"""Presentation: report context, figures and the HTML / PDF / spreadsheet renderers.

Nothing here computes a statistic; everything starts from an
:class:`~opgang_eval.Evaluation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from ..config import Lang
from ..errors import ConfigError, Failure, Rule
from ..evaluation import Evaluation
from ..progress import Progress
from .publish import FIGURE_DIR, FILES, out_failure, report_set

if TYPE_CHECKING:  # pragma: no cover - matplotlib is imported only when a figure is made
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

__all__ = ["FIGURES", "Format", "plot", "render_report", "report_date"]

#: Ids of the report's figures (those of an absent table or design are simply not drawn).
FIGURES = (
    "trajectory",
    "status_flow",
    "school_absence",
    "youth_jobs",
    "forest",
    "love_plot",
    "event_study",
    "savings_by_domain",
    "savings_by_year",
    "savings_sensitivity",
)

Format = Literal["html", "pdf", "xlsx"]


def report_date() -> dt.date:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    from ..source_date import source_date

    return source_date() or dt.date.today()


def _check_formats(formats: Iterable[str]) -> tuple[Format, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in chosen if f not in get_args(Format)]
    if unknown or not chosen:
        raise ConfigError.from_failures(
            [
                Failure(
                    "config",
                    "formats",
                    "formats",
                    None,
                    "",
                    ", ".join(unknown),
                    Rule.BAD_CONFIG,
                    f"Choose report formats from: {', '.join(get_args(Format))}.",
                )
            ]
        )
    return chosen  # type: ignore[return-value]


def _check_out(ev: Evaluation, out: Path) -> None:
    """Refuse an output folder that would pollute the extract or cannot be created.

    The report set written into the input folder would be read as an unknown
    file by the next ``validate``; a dangling symbolic link would otherwise end
    in a bare "File exists".
    """
    if out.is_symlink() and not out.exists():
        raise out_failure(
            out,
            "The output folder (--out) is a symbolic link to something that does not exist; "
            "create its target or give another folder.",
        )
    target = out.resolve()
    inputs = {Path(source.path).resolve().parent for source in ev.sources.values()}
    if any(target == folder or folder in target.parents for folder in inputs):
        raise out_failure(
            out,
            "The output folder (--out) is the input folder or inside it; choose a folder outside the extracts.",
        )


def render_report(
    ev: Evaluation,
    out: str | Path,
    formats: Iterable[str] = ("html", "pdf", "xlsx"),
    lang: Lang | None = None,
    *,
    progress: bool | None = None,
) -> list[Path]:
    """Write the evaluation report into ``out``.

    Files: ``report.html`` (self-contained), ``report.pdf``, ``tables.xlsx``
    (every table, one sheet each) and ``figures/*.svg``. The set is
    published whole or not at all (:mod:`.publish`): rendered into a hidden
    version folder inside ``out`` and switched in with one atomic step only
    when all of it succeeded, so a failure, a kill or a second run at the
    same time never leaves files of two runs side by side. Files of an
    earlier report that this one does not write are gone; nothing else in
    ``out`` is touched.
    Output is disclosure-controlled (``min_cell``) and deterministic: the
    same evaluation gives byte-identical files (the date shown honours
    ``SOURCE_DATE_EPOCH``). ``progress`` shows a progress bar (``None``: when
    a terminal or notebook is watching).
    """
    from .context import build_context
    from .render import render_html, render_pdf, render_xlsx, write_figures

    chosen = _check_formats(formats)
    if lang is not None and lang not in get_args(Lang):
        raise ConfigError.from_failures(
            [Failure("config", "lang", "lang", None, "", str(lang), Rule.BAD_CONFIG, "lang must be da or en.")]
        )
    out = Path(out)
    _check_out(ev, out)
    if out.exists() and not out.is_dir():
        raise ConfigError.from_failures(
            [
                Failure(
                    "config",
                    str(out),
                    "",
                    None,
                    "",
                    "",
                    Rule.BAD_CONFIG,
                    "The output path is a file; give a folder for the report.",
                )
            ]
        )
    day = report_date()
    with Progress(2 + len(chosen), "report", progress) as bar:
        bar.step("tables, texts, figures")
        ctx = build_context(ev, lang, today=day)
        with report_set(out.resolve(), frozenset(f"{name}.svg" for name in FIGURES)) as staging:
            bar.step("figure files")
            staged = write_figures(ctx, staging / FIGURE_DIR)
            if "html" in chosen:
                bar.step("HTML")
                path = staging / FILES["html"]
                path.write_text(render_html(ctx), encoding="utf-8")
                staged.append(path)
            if "pdf" in chosen:
                bar.step("PDF (Typst)")
                path = staging / FILES["pdf"]
                path.write_bytes(render_pdf(ctx, staging, FIGURE_DIR, day))
                staged.append(path)
            if "xlsx" in chosen:
                bar.step("spreadsheet")
                path = staging / FILES["xlsx"]
                path.write_bytes(render_xlsx(ctx, day))
                staged.append(path)
        return [out / path.relative_to(staging) for path in staged]


def plot(ev: Evaluation, name: str, ax: Axes | None = None, lang: Lang | None = None) -> MplFigure:
    """One of the report's figures as a matplotlib ``Figure``, to show in a notebook or restyle.

    The figure is the report's own — the same data, labels and disclosure
    control (cells under ``min_cell`` are not drawn) — so a figure pasted
    into a slide is as safe as the report.

    Parameters
    ----------
    ev
        The evaluation.
    name
        One of :data:`FIGURES`, e.g. ``"trajectory"`` or ``"event_study"``.
    ax
        Axes to draw into (e.g. one panel of the analyst's own figure);
        ``None`` makes a new figure.
    lang
        Language of the labels (default: the evaluation's config).
    """
    from .context import report_figures

    if name not in FIGURES:
        raise ConfigError.from_failures(
            [
                Failure(
                    "config", "plot", "name", None, "", name, Rule.BAD_CONFIG, f"Choose one of: {', '.join(FIGURES)}."
                )
            ]
        )
    made = report_figures(ev, lang, {name: ax})
    if name not in made:
        why = (
            "there is no comparison pool (observational design)"
            if name in ("love_plot", "event_study")
            else "the evaluation has no data for it (a table not given, or every value below min_cell)"
        )
        raise ConfigError.from_failures(
            [Failure("config", "plot", "name", None, "", name, Rule.BAD_CONFIG, f"No '{name}' figure: {why}.")]
        )
    return made[name]
