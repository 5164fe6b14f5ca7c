"""One number formatter for tables and prose, in Danish and English.

Danish: ``52 %``, ``1.234,5``, ``264.814 kr.``, intervals ``[47 %; 57 %]``
(a semicolon, since the comma is the decimal sign). English: ``52%``,
``1,234.5``, ``DKK 264,814``, ``[47%, 57%]``. Negative numbers use a true
minus sign. Everything that prints a number goes through here, so a table
and the sentence quoting it can never disagree.

Text from the data (site names, strata, item labels) passes through
:func:`printable` in every writer, so a control character in a cell can
break neither the spreadsheet nor the figures.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..config import Lang
from ..rounding import half_up as _half_up
from ..rounding import rounded

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Formatter", "printable", "printed"]

MINUS = "\u2212"
NBSP = "\u00a0"

#: Shown in place of a character no output format can hold.
REPLACEMENT = "\ufffd"

#: Characters XML 1.0 (so the spreadsheet and SVG) cannot hold, and the other control characters: C0 except
#: tab, line feed and carriage return, DEL, C1, surrogates and the non-characters U+FFFE and U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_FRACTIONS = {
    "da": {
        1 / 2: "halvdelen",
        1 / 3: "en ud af tre",
        2 / 3: "to ud af tre",
        1 / 4: "en ud af fire",
        3 / 4: "tre ud af fire",
    },
    "en": {
        1 / 2: "half",
        1 / 3: "one out of three",
        2 / 3: "two out of three",
        1 / 4: "one in four",
        3 / 4: "three out of four",
    },
}


@dataclass(frozen=True)
class Formatter:
    """Formats numbers for one language."""

    lang: Lang

    def number(self, value: float, decimals: int = 0) -> str:
        """Grouped number: ``1.234,5`` (da) or ``1,234.5`` (en)."""
        if value is None or not math.isfinite(value):
            return "–"
        rounded = float(_half_up(value, decimals))
        text = f"{abs(_half_up(value, decimals)):,.{decimals}f}"
        if self.lang == "da":
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return (MINUS if rounded < 0 else "") + text

    def signed(self, value: float, decimals: int = 0) -> str:
        """Number with an explicit sign: ``+66`` / ``−25``."""
        text = self.number(value, decimals)
        return text if text.startswith(MINUS) or text == "–" or _half_up(value, decimals) == 0 else "+" + text

    def percent(self, fraction: float, decimals: int = 0, signed: bool = False) -> str:
        """A share as percent: ``52 %`` (da) or ``52%`` (en)."""
        if fraction is None or not math.isfinite(fraction):
            return "–"
        body = self.signed(fraction * 100, decimals) if signed else self.number(fraction * 100, decimals)
        return f"{body}{NBSP}%" if self.lang == "da" else f"{body}%"

    def points(self, fraction: float, decimals: int = 1, signed: bool = True) -> str:
        """A difference of shares in percentage points: ``+22,3 pct.-point`` / ``+22.3 pp``."""
        if fraction is None or not math.isfinite(fraction):
            return "–"
        unit = "pct.-point" if self.lang == "da" else "pp"
        body = self.signed(fraction * 100, decimals) if signed else self.number(fraction * 100, decimals)
        return f"{body}{NBSP}{unit}"

    def dkk(self, value: float, decimals: int = 0, signed: bool = False) -> str:
        """An amount in kroner: ``264.814 kr.`` / ``DKK 264,814``."""
        if value is None or not math.isfinite(value):
            return "–"
        body = self.signed(value, decimals) if signed else self.number(value, decimals)
        return f"{body}{NBSP}kr." if self.lang == "da" else f"DKK{NBSP}{body}"

    def score(self, value: float) -> str:
        return self.number(value, 2)

    def interval(self, low: str, high: str) -> str:
        """``[47 %; 57 %]`` (da) or ``[47%, 57%]`` (en) from already formatted bounds."""
        if low == "–" or high == "–":
            return "–"
        sep = "; " if self.lang == "da" else ", "
        return f"[{low}{sep}{high}]"

    def p_value(self, p: float) -> str:
        if p is None or not math.isfinite(p):
            return "–"
        if p < 0.001:
            return "<" + self.number(0.001, 3)
        return self.number(p, 3)

    def fraction_words(self, share: float, tolerance: float = 0.02) -> str | None:
        """Words such as "to ud af tre" when a share is that close to a simple fraction, else ``None``."""
        for value, words in _FRACTIONS[self.lang].items():
            if abs(share - value) <= tolerance:
                return words
        return None

    def format(self, value: float, fmt: str) -> str:
        """``value`` in the named format of a table cell (:data:`~.tables.Fmt`)."""
        if fmt == "count":
            return self.number(value)
        if fmt == "integer":
            return str(int(value)) if value is not None and math.isfinite(value) else "–"
        if fmt in ("percent", "percent1", "relative"):
            return self.percent(value, 1 if fmt == "percent1" else 0, signed=fmt == "relative")
        if fmt == "points":
            return self.points(value)
        if fmt in ("dkk", "dkk_signed"):
            return self.dkk(value, signed=fmt == "dkk_signed")
        if fmt in ("number1", "number2"):
            return self.number(value, int(fmt[-1]))
        if fmt == "signed2":
            return self.signed(value, 2) if value is not None and math.isfinite(value) else "–"
        if fmt == "p_value":
            return self.p_value(value)
        raise ValueError(f"unknown cell format {fmt!r}")

    def excel_format(self, fmt: str) -> str:
        """The spreadsheet number format that shows a stored value (:func:`printed`) as :meth:`format` prints it.

        Number formats are locale-independent (the spreadsheet program shows
        the reader's decimal sign); only the words (currency, percentage
        points) follow the language.
        """

        def kroner(number: str) -> str:
            return f'{number}" kr."' if self.lang == "da" else f'"DKK "{number}'

        points = '" pct.-point"' if self.lang == "da" else '" pp"'
        formats = {
            "count": "#,##0",
            "integer": "0",
            "percent": "0%",
            "percent1": "0.0%",
            "relative": "+0%;-0%;0%",
            "points": f"+0.0{points};-0.0{points};0.0{points}",
            "dkk": kroner("#,##0"),
            "dkk_signed": ";".join(kroner(x) for x in ("+#,##0", "-#,##0", "0")),
            "number1": "0.0",
            "number2": "0.00",
            "signed2": "+0.00;-0.00;0.00",
            "p_value": '[<0.001]"<0.001";0.000',
        }
        return formats[fmt]

    def date(self, day: dt.date) -> str:
        """A date as ``23. november 2026`` (da) or ``23 November 2026`` (en)."""
        name = _MONTHS[self.lang][day.month - 1]
        dot = "." if self.lang == "da" else ""
        return f"{day.day}{dot} {name} {day.year}"

    def month(self, period: pd.Period) -> str:
        """A month as ``august 2023`` / ``August 2023``."""
        return f"{_MONTHS[self.lang][period.month - 1]} {period.year}"


#: Format → (factor, decimals): a value as printed is ``round(value * factor, decimals)``.
_PRECISION = {
    "count": (1, 0),
    "integer": (1, 0),
    "percent": (1, 2),
    "percent1": (1, 3),
    "relative": (1, 2),
    "points": (100, 1),
    "dkk": (1, 0),
    "dkk_signed": (1, 0),
    "number1": (1, 1),
    "number2": (1, 2),
    "signed2": (1, 2),
    "p_value": (1, 3),
}


def printed(value: float, fmt: str, *, scaled: bool = True) -> float:
    """``value`` at the precision the report prints it with (half away from zero), in the unit printed.

    What leaves the process carries no more than the text shows: the
    spreadsheet stores this, and figures draw it (``scaled=False``: in the
    value's own unit, so a difference of shares stays a fraction). An exact
    share such as 57/97 would otherwise give its denominator away.
    """
    factor, decimals = _PRECISION[fmt]
    if not scaled and factor != 1:
        return rounded(value * factor, decimals) / factor
    return rounded(value * factor, decimals)


def printable(text: str) -> str:
    r"""``text`` with every control character (``\x0b``, ``\x01``, …) shown as U+FFFD (�).

    A site name or stratum holding one (a vertical tab from a spreadsheet's
    line break, a stray byte from an export) is valid input, but XML cannot
    hold it, so openpyxl refuses to write it to ``tables.xlsx``, and fonts
    have no glyph for it. Each writer passes the text it emits through here:
    the name stays recognisable in every format and the analyst sees where
    the odd character was. Tabs and line breaks are kept.
    """
    return _UNPRINTABLE.sub(REPLACEMENT, text)


_MONTHS = {
    "da": [
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
