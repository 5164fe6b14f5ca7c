"""Renderers: lay a :class:`~.context.Context` out as HTML, PDF (Typst) and a spreadsheet.

They only place what the context holds; numbers were formatted and
disclosure-controlled when the context was built. Every text they emit
passes through :func:`~.formatting.printable`, so a control character in a
site name or stratum (valid input) is shown as U+FFFD in the HTML, the PDF
and the spreadsheet alike instead of breaking the spreadsheet (XML cannot
hold it).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import matplotlib
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from .formatting import printable
from .report import Context
from .texts import Words

__all__ = ["render_html", "render_pdf", "render_xlsx", "write_figures"]

_TEMPLATES = files("opgang_eval.presentation").joinpath("templates")


def render_html(ctx: Context) -> str:
    """One self-contained HTML file: inline CSS and inline SVG, no external requests."""
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True, finalize=_printable_text
    )
    template = env.from_string(_TEMPLATES.joinpath("report.html.j2").read_text(encoding="utf-8"))
    css = _TEMPLATES.joinpath("report.css").read_text(encoding="utf-8")
    return template.render(
        ctx=ctx,
        css=css,
        headline_title=Words(ctx.lang)("headline"),
        toc_label=Words(ctx.lang)("contents"),
    )


def _printable_text(value: object) -> object:
    """Each ``{{ … }}`` of the template: text with its control characters replaced (markup left alone)."""
    if isinstance(value, str) and not hasattr(value, "__html__"):  # markupsafe's Markup (``| safe``) has one
        return printable(value)
    return value


def write_figures(ctx: Context, folder: Path) -> list[Path]:
    """Each figure as ``folder/<id>.svg`` (for the PDF, and for reuse in slides)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for figure in ctx.figures():
        path = folder / f"{figure.id}.svg"
        path.write_text(figure.svg, encoding="utf-8")
        written.append(path)
    return written


def render_pdf(ctx: Context, root: Path, figure_dir: str, day: dt.date) -> bytes:
    """Typeset the report with Typst.

    The text travels as JSON through ``sys.inputs`` and is placed as plain
    strings, so characters such as ``#``, ``$`` or ``*`` in site names can
    neither break nor inject into the document. Only fonts bundled with the
    installed packages are used (Typst's own and matplotlib's DejaVu Sans),
    so the PDF looks the same on every machine.
    """
    import typst

    template = root / "report.typ"
    template.write_text(_TEMPLATES.joinpath("report.typ").read_text(encoding="utf-8"), encoding="utf-8")
    context = ctx.to_data()
    for figure in _figures_in(context["sections"]):
        figure["svg"] = ""  # the PDF reads the SVG files; keep the JSON small
    data = _printable_data(
        {"context": context, "figure_dir": figure_dir, "headline_title": Words(ctx.lang)("headline")}
    )
    fonts = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    stamp = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    try:
        return typst.compile(
            str(template),
            root=str(root),
            font_paths=[fonts],
            ignore_system_fonts=True,
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            timestamp=stamp,
        )
    finally:
        template.unlink()


def _printable_data(value: Any) -> Any:
    """JSON-able data with the control characters of every string (keys included) replaced."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {_printable_data(k): _printable_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable_data(v) for v in value]
    return value


def _figures_in(sections: list[dict]) -> list[dict]:
    out = []
    for section in sections:
        out.extend(section["figures"])
        out.extend(_figures_in(section["subsections"]))
    return out


def render_xlsx(ctx: Context, day: dt.date) -> bytes:
    """Every table of the report as one sheet of ``tables.xlsx``, byte-for-byte reproducible.

    Numbers are stored as numbers with a number format that shows them as
    the report prints them (an interval as two columns, a result by site and
    its n as two). Every text cell is written through :func:`_text_cells`, so
    a site, survey item or file name from the data is stored as inert text,
    never as a formula (data contract, section 5).
    """
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in ctx.tables():
        name = _sheet_name(table.id, used)
        sheet = book.create_sheet(name)
        header, rows = table.sheet()
        sheet.append(_text_cells(sheet, [_cell(table.caption)], bold=True))
        sheet.append(_text_cells(sheet, [_cell(v) for v in header], bold=True))
        for row in rows:
            cells = _text_cells(sheet, [_cell(value) for value, _ in row])
            for cell, (_, number_format) in zip(cells, row, strict=True):
                if number_format is not None:
                    cell.number_format = number_format
            sheet.append(cells)
        if table.note:
            sheet.append([])
            sheet.append(_text_cells(sheet, [_cell(table.note)]))
        sheet.column_dimensions["A"].width = 42
    stamp = dt.datetime(day.year, day.month, day.day)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "opgang-eval"
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_zip(raw.getvalue(), stamp)


def _cell(value: object) -> object:
    """A value as the spreadsheet stores it: NaN as an empty cell, text without control characters."""
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, str):
        return printable(value)
    return value


#: First characters with which a spreadsheet program reads typed or imported text as a formula
#: (OWASP's "CSV injection" list, plus the full-width forms some input methods accept as the same).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _text_cells(sheet: Worksheet, values: list[object], *, bold: bool = False) -> list[Cell]:
    """One row's cells, every text among them an inert string.

    Parameters
    ----------
    sheet : Worksheet
        The sheet the row is appended to (cells belong to one sheet).
    values : list of object
        The row's values as :func:`_cell` gives them; numbers stay numbers.
    bold : bool, default False
        Set the bold font (caption and header rows).

    Returns
    -------
    list of Cell
        Cells for :meth:`Worksheet.append`, in the order of ``values``.

    Notes
    -----
    openpyxl stores a string starting with ``=`` as a formula (``<f>``) and
    one such as ``#N/A`` as an error value, so a site named
    ``=HYPERLINK(...)`` would become a live link in ``tables.xlsx``. Setting
    the data type to ``"s"`` makes it an inline string, which Excel and
    LibreOffice show as text and never evaluate on opening. Text starting
    with a formula character (``=``, ``+``, ``-``, ``@``, tab, CR) also gets
    the ``quotePrefix`` style, the stored form of the leading apostrophe: it
    stays text when a reader edits the cell or copies it elsewhere, and the
    text itself is left as it is (``-0,3`` and ``+20 %`` labels read as
    before; no apostrophe or space is added).
    """
    cells = []
    for value in values:
        cell = Cell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
            if value.startswith(_FORMULA_START):
                cell.quotePrefix = True
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:28]
    candidate, i = base, 2
    while candidate in used:
        candidate, i = f"{base[:26]}_{i}", i + 1
    used.add(candidate)
    return candidate


def _fixed_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """Rewrite a zip with fixed member timestamps so identical input gives identical bytes.

    Zip stores years 1980 to 2107 only: earlier dates (``SOURCE_DATE_EPOCH=0``)
    are stored as 1 January 1980, later member times as 31 December 2107
    (the document properties keep the real date).
    """
    stamp = max(stamp, dt.datetime(1980, 1, 1))
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    stamp = min(stamp, dt.datetime(2107, 12, 31))
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(stamp.year, stamp.month, stamp.day, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + iso.encode() + rb"\g<2>",
                    content,
                )
            target.writestr(fixed, content)
    return out.getvalue()
