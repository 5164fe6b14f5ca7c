"""Presentation: report context, figures and the HTML / PDF / spreadsheet renderers.

Nothing here computes a statistic; everything starts from an
:class:`~opgang_eval.Evaluation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from ..config import MIN_CELL_FLOOR, Lang
from ..errors import ConfigError, Failure, Rule, ValidationError
from ..evaluation import Evaluation
from ..progress import Progress
from .publish import FIGURE_DIR, FILES, out_failure, report_set

if TYPE_CHECKING:  # pragma: no cover - matplotlib is imported only when a figure is made
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

    from ..release.ledger import Ledger
    from .context import Context

__all__ = ["FIGURES", "Format", "plot", "render_report", "report_date"]

#: Ids of the report's figures (those of an absent table or design are simply not drawn).
FIGURES = (
    "trajectory",
    "status_flow",
    "school_absence",
    "youth_jobs",
    "forest",
    "randomisation",
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
    ledger: bool = True,
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

    ``ledger`` (default ``True``) checks the report against the release
    ledger of the extract folder (:mod:`opgang_eval.release.ledger`) and
    records it there once it is published: a report whose arm rests on
    families 1 to ``min_cell − 1`` apart from those of an earlier report is
    refused (:class:`~opgang_eval.ConfigError`), since one report subtracted
    from the other would give those families away; a site group that close
    to an earlier one is withheld, and the table's note says so. The same
    families again are fine. ``ledger=False`` (the CLI's ``--no-ledger``)
    neither checks nor records: only for a report that is never released,
    or after an earlier report that never was.
    """
    return _render(ev, out, formats, lang, progress=progress, ledger=ledger)[0]


def _render(
    ev: Evaluation,
    out: str | Path,
    formats: Iterable[str] = ("html", "pdf", "xlsx"),
    lang: Lang | None = None,
    *,
    progress: bool | None = None,
    ledger: bool = True,
) -> tuple[list[Path], Context]:
    """:func:`render_report`, also returning the context the report was rendered from (for the CLI's headline)."""
    from ..release.ledger import Ledger
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
    folder = _ledger_folder(ev, out) if ledger else None
    with Progress(2 + len(chosen), "report", progress) as bar:
        # The report folder's lock first: a second run into the same folder stops at once, before it reads the
        # ledger or touches the extract folder.
        with report_set(out.resolve(), frozenset(f"{name}.svg" for name in FIGURES)) as staging:
            # Checked on a snapshot, and again under the ledger's lock when recording (below): the lock is held
            # only for the check and the record, so a report of the same extracts into another folder waits
            # seconds at most, never for a whole render.
            withheld = _withheld(Ledger.open(folder), ev) if folder is not None else ()
            bar.step("tables, texts, figures")
            ctx = build_context(ev, lang, today=day, withheld=withheld)
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
            if folder is not None:
                # Recorded before the switch: a report the ledger does not know is never published. A switch that
                # fails after this leaves a recorded release that was never out, which can only hide more later.
                with Ledger.locked(folder) as book:
                    if _withheld(book, ev) != withheld:
                        raise out_failure(
                            out,
                            "Another report of these extracts was recorded in the release ledger while this one "
                            "was being made, and it changes what this report may publish. Make the report again.",
                        )
                    _record(book, ev, ctx, day, out)
        return [out / path.relative_to(staging) for path in staged], ctx


def _ledger_folder(ev: Evaluation, out: Path) -> Path:
    """The extract folder, where the release ledger is kept: the one folder every table was read from.

    :func:`~opgang_eval.load` reads one folder, so an evaluation of loaded
    extracts has exactly one. Tables from several folders (or none) have no
    ledger that every later report would consult, so such a report is
    refused rather than checked against one of them. The folder of a file
    reached by a symbolic link is the folder it was read from, not the
    link's target. A report folder that holds the extract folder would carry
    the ledger out with the report, so that is refused too.
    """
    folders = {Path(source.path).parent.resolve() for source in ev.sources.values()}
    if len(folders) != 1:
        where = "no extract file" if not folders else f"{len(folders)} folders"
        raise out_failure(
            out,
            f"The release ledger is kept in the extract folder, but this evaluation's tables come from {where}. "
            "Load the extracts from one folder, or pass ledger=False (--no-ledger) for a report that is never "
            "released.",
        )
    (folder,) = folders
    target = out.resolve()
    if folder == target or target in folder.parents:
        raise out_failure(
            out,
            "The extract folder is inside the output folder (--out), so the extracts and their release ledger "
            "would leave with the report; choose an output folder outside the extracts' folders.",
        )
    return folder


def _withheld(book: Ledger, ev: Evaluation) -> tuple[str, ...]:
    """The site groups to withhold; refuses the report when an arm is too close to a recorded one.

    Every population is compared: one never recorded is absent from the
    answer, and a flagged group this report would not publish anyway only
    stays hidden.
    """
    from ..release.ledger import LEDGER

    min_cell = max(MIN_CELL_FLOOR, ev.config.min_cell)
    others = book.other_settings(ev.populations, _settings(ev))
    if others:
        path = book.folder / LEDGER
        raise _refusal(
            path,
            f"An earlier report of the same families, recorded in the release ledger {path}, was made with "
            f"other disclosure settings ({'; '.join(others)}; this one: {_settings(ev)}). Two reports of the "
            "same groups hidden differently print together what neither hides alone. Use the earlier "
            "settings; only if that earlier report was never released, run again with --no-ledger "
            "(ledger=False), which is unsafe for a report that was or will be released.",
        )
    flagged = book.differencing(ev.populations, min_cell)
    arms = [key.removeprefix("arm:") for key in flagged if key.startswith("arm:")]
    if arms:  # an arm's total is in every table: no cell can be withheld instead, the report is refused
        path = book.folder / LEDGER
        which = " and ".join(_group_words(arm) for arm in arms)
        raise _refusal(
            path,
            f"The {which} of this report differ from those of an earlier report recorded in the release "
            f"ledger {path} by 1 to {min_cell - 1} units, so subtracting one report from the other "
            "would give them away. Report on the same families and persons as the earlier report (or on "
            f"groups at least {min_cell} apart from them). Only if that earlier report was never "
            "released, run again with --no-ledger (ledger=False), which neither checks nor records and "
            "is unsafe for a report that was or will be released.",
        )
    return tuple(flagged)


def _refusal(ledger: Path, hint: str) -> ValidationError:
    """The error of a report the release ledger refuses (exit 2 in the CLI), naming the ledger file."""
    return ConfigError.from_failures([Failure("config", str(ledger), "", None, "", "", Rule.BAD_CONFIG, hint)])


def _settings(ev: Evaluation) -> str:
    """The disclosure settings a release is recorded with (what decides which cells it hides)."""
    return f"min_cell = {max(MIN_CELL_FLOOR, ev.config.min_cell)}, dominance_share = {ev.config.dominance_share:g}"


def _group_words(key: str) -> str:
    """``intervention`` → "intervention arm's families"; ``control/parents`` → "control arm's parents"."""
    arm, _, unit = key.partition("/")
    return f"{arm} arm's {unit or 'families'}"


def _record(book: Ledger, ev: Evaluation, ctx: Context, day: dt.date, out: Path) -> None:
    """Record the report's populations before it is published; if that fails, it is not published."""
    try:
        book.record({key: ev.populations[key] for key in ctx.populations}, when=day.isoformat(), settings=_settings(ev))
    except ConfigError as exc:
        raise out_failure(
            out,
            f"The report could not be recorded in the release ledger, so it was not published (a later report "
            f"could be subtracted from it). {exc.failures['hint'].iloc[0]} Then make the report again.",
        ) from None


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
