"""Tables as the sections build them: raw values with a format; each renderer applies the format.

A table cell is one of:

- :class:`Num`: a number and its format (``percent``, ``dkk_signed``, ...);
- :class:`Span`: an interval, two numbers in one format;
- :class:`Mark`: a hidden value (``small``: fewer than ``min_cell`` persons,
  printed ``<5``; ``withheld``: hidden to protect another cell, printed
  "hidden");
- :class:`WithN`: a result and its number of persons, ``60 % (n = 15)``;
- ``str``: a label; ``None``: nothing to report ("–").

The HTML and PDF get text (:meth:`Table.rows`, through :class:`CellStyle`);
the spreadsheet gets numbers with number formats (:meth:`Table.sheet`), an
interval as two numeric columns and a result with its n as two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .formatting import Formatter, printed

__all__ = ["CellStyle", "Entry", "Fmt", "Mark", "Num", "SheetCell", "Span", "Table", "WithN"]

Fmt = Literal[
    "count",
    "integer",
    "percent",
    "percent1",
    "relative",
    "points",
    "dkk",
    "dkk_signed",
    "number1",
    "number2",
    "signed2",
    "p_value",
]


@dataclass(frozen=True)
class Num:
    value: float
    fmt: Fmt


@dataclass(frozen=True)
class Span:
    low: float
    high: float
    fmt: Fmt


@dataclass(frozen=True)
class Mark:
    state: Literal["small", "withheld"]


@dataclass(frozen=True)
class WithN:
    value: Num
    n: Num | Mark


Entry = str | Num | Span | Mark | WithN | None

#: A spreadsheet cell: its value and the number format to show it with (``None`` for text).
SheetCell = tuple[str | float | None, str | None]


@dataclass(frozen=True)
class CellStyle:
    """How a report prints cells: its language's numbers, the two markers and the spreadsheet's column words."""

    f: Formatter
    small: str
    withheld: str
    lower: str
    upper: str

    def text(self, entry: Entry) -> str:
        """A cell as the HTML and PDF print it."""
        if entry is None:
            return "–"
        if isinstance(entry, str):
            return entry
        if isinstance(entry, Mark):
            return self.small if entry.state == "small" else self.withheld
        if isinstance(entry, Num):
            return self.f.format(entry.value, entry.fmt)
        if isinstance(entry, Span):
            return self.f.interval(self.f.format(entry.low, entry.fmt), self.f.format(entry.high, entry.fmt))
        return f"{self.text(entry.value)} (n = {self.text(entry.n)})"

    def cell(self, entry: Entry) -> SheetCell:
        """A cell of one spreadsheet column (a :class:`Span` or :class:`WithN` is split first)."""
        if entry is None or isinstance(entry, str):
            return (entry, None)
        if isinstance(entry, Mark):
            return (self.text(entry), None)
        if isinstance(entry, Num):
            if not _finite(entry.value):
                return (None, None)
            return (printed(entry.value, entry.fmt), self.f.excel_format(entry.fmt))
        raise TypeError(f"split {type(entry).__name__} into columns first")


def _kinds(cells: list[list[Entry]], j: int) -> set[type]:
    """The types of the entries of column ``j``."""
    return {type(row[j]) for row in cells if j < len(row)}


def _finite(value: float) -> bool:
    return value == value and value not in (float("inf"), float("-inf"))


@dataclass(frozen=True)
class Table:
    """A table of typed cells; ``rows`` and ``sheet`` are what the renderers lay out."""

    id: str
    caption: str
    header: list[str]
    cells: list[list[Entry]]
    align: list[str]
    style: CellStyle = field(repr=False)
    note: str = ""
    #: Column index → ``"span"`` or ``"with_n"``: split in two in the spreadsheet even when every cell of it
    #: is hidden, so a table has the same columns whatever the release hid.
    split: dict[int, str] = field(default_factory=dict)

    @property
    def rows(self) -> list[list[str]]:
        """The cells as text (HTML, PDF)."""
        return [[self.style.text(entry) for entry in row] for row in self.cells]

    def sheet(self) -> tuple[list[str], list[list[SheetCell]]]:
        """Header and rows for the spreadsheet: numbers with formats; an interval or a result's n in two columns.

        A column of single values with one interval among them (the cost
        account) keeps one column: the interval's row becomes two rows, its
        lower and its upper bound.
        """
        width = len(self.header)
        mixed = {j for j in range(width) if _kinds(self.cells, j) >= {Num, Span}}
        spans = {j for row in self.cells for j, e in enumerate(row) if isinstance(e, Span)} - mixed
        spans |= {j for j, kind in self.split.items() if kind == "span"}
        with_n = {j for row in self.cells for j, e in enumerate(row) if isinstance(e, WithN)}
        with_n |= {j for j, kind in self.split.items() if kind == "with_n"}
        header: list[str] = []
        for j, name in enumerate(self.header):
            if j in spans:
                header += [f"{name}, {self.style.lower}", f"{name}, {self.style.upper}"]
            elif j in with_n:
                header += [name, f"{name}, n"]
            else:
                header.append(name)
        rows = []
        for row in self.cells:
            split = next((j for j in mixed if j < len(row) and isinstance(row[j], Span)), None)
            if split is not None:
                span = row[split]
                assert isinstance(span, Span)
                label = row[0] if isinstance(row[0], str) else ""
                for bound, value in ((self.style.lower, span.low), (self.style.upper, span.high)):
                    line = [f"{label}, {bound}", *row[1:split], Num(value, span.fmt), *row[split + 1 :]]
                    rows.append(self._line(line, width, spans, with_n))
                continue
            rows.append(self._line(row, width, spans, with_n))
        return header, rows

    def _line(self, row: list[Entry], width: int, spans: set[int], with_n: set[int]) -> list[SheetCell]:
        out: list[SheetCell] = []
        for j in range(width):
            entry = row[j] if j < len(row) else None
            if j in spans:
                if isinstance(entry, Span):
                    out += [self.style.cell(Num(entry.low, entry.fmt)), self.style.cell(Num(entry.high, entry.fmt))]
                elif isinstance(entry, Mark | str):  # hidden or a word: both bounds read the same
                    out += [self.style.cell(entry), self.style.cell(entry)]
                else:
                    out += [self.style.cell(entry), (None, None)]
            elif j in with_n:
                if isinstance(entry, WithN):
                    out += [self.style.cell(entry.value), self.style.cell(entry.n)]
                else:
                    out += [self.style.cell(entry), (None, None)]
            else:
                out.append(self.style.cell(entry))
        return out

    @property
    def values(self) -> list[list[str | float | None]]:
        """The spreadsheet's values (without formats), row by row."""
        return [[value for value, _ in row] for row in self.sheet()[1]]
