"""The report as the renderers receive it: sections of paragraphs, tables and figures, all released.

A :class:`Context` is built from a :class:`~opgang_eval.release.values.Release`
by the section modules (:mod:`.sections`); the HTML, PDF and spreadsheet
renderers and the CLI's summary only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import Lang
from .tables import Table

__all__ = ["Context", "Figure", "Section", "Table"]


@dataclass(frozen=True)
class Figure:
    """A rendered figure (SVG markup) with its caption and text alternative."""

    id: str
    caption: str
    svg: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """Everything the renderers need: text, typed tables and SVG figures."""

    lang: Lang
    title: str
    subtitle: str
    generated: str
    headline: list[str]
    design_note: str
    sections: list[Section]
    #: The groups whose results this report publishes, as keys of ``Evaluation.populations`` (for the ledger).
    populations: tuple[str, ...] = ()

    def tables(self) -> list[Table]:
        """Every table in reading order (for the spreadsheet)."""
        return [table for section in self._walk() for table in section.tables]

    def figures(self) -> list[Figure]:
        """Every figure in reading order (for the figure files)."""
        return [figure for section in self._walk() for figure in section.figures]

    def _walk(self) -> list[Section]:
        out: list[Section] = []

        def visit(sections: list[Section]) -> None:
            for section in sections:
                out.append(section)
                visit(section.subsections)

        visit(self.sections)
        return out

    def to_data(self) -> dict[str, Any]:
        """Plain JSON-able data (for Typst): tables as their header, text rows and alignment."""

        def section(s: Section) -> dict[str, Any]:
            return {
                "id": s.id,
                "title": s.title,
                "paragraphs": list(s.paragraphs),
                "tables": [
                    {
                        "id": t.id,
                        "caption": t.caption,
                        "header": list(t.header),
                        "rows": t.rows,
                        "align": list(t.align),
                        "note": t.note,
                    }
                    for t in s.tables
                ],
                "figures": [{"id": f.id, "caption": f.caption, "svg": f.svg} for f in s.figures],
                "subsections": [section(sub) for sub in s.subsections],
            }

        return {
            "lang": self.lang,
            "title": self.title,
            "subtitle": self.subtitle,
            "generated": self.generated,
            "headline": list(self.headline),
            "design_note": self.design_note,
            "sections": [section(s) for s in self.sections],
            "populations": list(self.populations),
        }
