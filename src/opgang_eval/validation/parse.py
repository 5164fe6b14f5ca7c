"""Strict, vectorised parsing of one raw column into its contract dtype.

Every reader hands over whatever its format produced (strings from CSV,
native numbers and datetimes from Parquet, Excel, Stata and SAS). Each parser
returns the typed column with ``NA`` where a cell is invalid, plus the masks
of invalid cells and why — it never raises on bad data.

Text is parsed once per distinct value and broadcast back: a column is first
factorised into codes and its distinct values (a categorical column, as
Parquet and Stata deliver status codes and ids, already is one), only the
distinct values are converted, matched and checked, and the results are
spread to the rows through the codes. Status codes, months, dates and ids
repeated per month have few distinct values, so a 10-million-row status
history parses without a Python loop per row and without building millions
of intermediate strings.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import Rule
from ..schema import Column, Vocabulary, normalise_label

__all__ = [
    "WITHHELD",
    "Parsed",
    "cpr_cells",
    "cpr_cells_of",
    "cpr_hint",
    "holds_whole_numbers",
    "looks_like_cpr",
    "parse_column",
    "withhold",
    "withhold_text",
]

# Digits are ASCII only. ``\d`` in Python's ``re`` also matches Arabic-Indic
# and full-width digits, which ``pd.to_numeric`` then rejects (and pyarrow's
# regex engine treats ``\d`` differently again): such a value would crash the
# parser or become a silent blank. ``[0-9]`` means the same to every engine,
# and ``re.ASCII`` keeps any later ``\d``, ``\w`` or ``\s`` ASCII too.
_ISO_DATE = r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?"
_DK_DATE = r"(?P<d2>[0-9]{1,2})[-.](?P<m2>[0-9]{1,2})[-.](?P<y2>[0-9]{4})"
_DATE = re.compile(rf"^(?:{_ISO_DATE}|{_DK_DATE})$", re.ASCII)
_MONTH = re.compile(r"^(?P<y>[0-9]{4})-(?P<m>0[1-9]|1[0-2])(?:-01(?:[ T]00:00(?::00(?:\.0+)?)?)?)?$", re.ASCII)
_SCHOOL_YEAR = re.compile(r"^(?P<y>[0-9]{4})/(?P<z>[0-9]{2}|[0-9]{4})$", re.ASCII)
_INT = re.compile(r"^[+-]?[0-9]+(?:[.,]0+)?$", re.ASCII)
_POINT_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$", re.ASCII)
_COMMA_NUMBER = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]+)?$", re.ASCII)

#: Integers beyond this are not exact in float64 (and overflow int64 further on).
_EXACT_INT = 2.0**53


@dataclass
class Parsed:
    """A typed column and the cells that could not be accepted."""

    values: pd.Series
    problems: list[tuple[np.ndarray, Rule, str]] = field(default_factory=list)
    #: Value to show for a failing cell; ``None`` shows the raw value.
    shown: pd.Series | None = None
    #: ``values`` factorised (codes, ``-1`` where missing, and the distinct
    #: values), when parsing produced it for free; the key and link checks
    #: reuse it instead of hashing the column again.
    factorised: tuple[np.ndarray, pd.Index] | None = None

    def fail(self, mask: np.ndarray | pd.Series, rule: Rule, hint: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.problems.append((mask, rule, hint))


# -- CPR numbers ---------------------------------------------------------------------------------
#
# A CPR number is DDMMYY-SSSS: a birth date and a four-digit serial. What a clerk actually types
# (and what the screen below recognises) is the ten digits with at most one separator at each of
# the three joints (after DD, after MM, after YY): a hyphen or dash, a space (also no-break), a
# dot or a slash. That covers 0101901234, 010190-1234, 010190 1234, 010190.1234, 01.01.90-1234,
# 01-01-90 1234 and the half-dotted 0303.90-1236. The first six digits must be a real day:
# month 01-12, day 01-31 within its month, 29 February only in a year divisible by four (the
# century is not encoded in the first six digits). The date is checked by the pattern itself, so
# a longer text is searched for a valid CPR number anywhere in it in one vectorised pass.
#
# A match must stand on its own: no digit directly before or after it, and no decimal part
# (``,5``) after it or integer part (``1.``) before it, so a longer number, an amount with
# thousands separators (1.203.901.234) or an ISO date (2019-01-01, 8 digits) is not one.
#
# Deliberately not recognised: two or more separators at one joint (010190 - 1234), separators
# inside the serial (010190-12 34), letters for digits (O1O19O-1234), and other digit counts.
# Nine digits are a CPR number only where a column holds whole numbers (an integer column drops
# the leading 0 of every CPR number with day 01-09: 101901234 is 010190-1234); in a column of
# text a nine-digit value is left alone, except that no message repeats it (see withhold).
_SEP = "[-./ \u00a0\u2010-\u2014\u2212]"
_DAY_MONTH = (
    rf"(?:(?:0[1-9]|1[0-9]|2[0-8]){_SEP}?(?:0[1-9]|1[0-2])"
    rf"|(?:29|30){_SEP}?(?:0[13-9]|1[0-2])"
    rf"|31{_SEP}?(?:0[13578]|1[02]))"
)
_LEAP_DAY = rf"29{_SEP}?02{_SEP}?(?:[02468][048]|[13579][26])"
_TEN = rf"(?:{_DAY_MONTH}{_SEP}?[0-9]{{2}}|{_LEAP_DAY}){_SEP}?[0-9]{{4}}"
_NINE = r"[1-9](?:0[1-9]|1[0-2])[0-9]{6}"
_ALONE_BEFORE = r"(?<![0-9])(?<![0-9][.,])"
_ALONE_AFTER = r"(?![0-9])(?![.,][0-9])"
_CPR_IN_TEXT = re.compile(rf"{_ALONE_BEFORE}{_TEN}{_ALONE_AFTER}", re.ASCII)
_CPR_LOST_ZERO = re.compile(rf"^{_NINE}(?:[.,]0+)?$", re.ASCII)
_CPR_IN_MESSAGE = re.compile(rf"{_ALONE_BEFORE}(?:{_TEN}|{_NINE}){_ALONE_AFTER}", re.ASCII)

#: Shown instead of a value (or key, column name, file name) that looks like a CPR number.
WITHHELD = "<withheld: looks like a CPR number>"


def looks_like_cpr(values: pd.Series, *, whole_numbers: bool = False) -> np.ndarray:
    """True where a text holds something shaped like a Danish CPR number.

    The shapes are those described above this function: ten digits whose
    first six are a real DDMMYY date, with at most one separator (dash,
    space, dot or slash) after the day, the month and the year, anywhere in
    the text (a site ``Gellerup 010190-1234`` counts). With
    ``whole_numbers`` (the column holds whole numbers) a value of exactly
    nine digits whose first five are a valid DMMYY counts too: the leading
    0 lost by an integer column. Digits of other scripts (full-width,
    Arabic-Indic) count as digits.

    Parameters
    ----------
    values
        Texts; call it on the distinct values of a column, not its rows.
    whole_numbers
        Apply the nine-digit rule (see :func:`holds_whole_numbers`).

    Returns
    -------
    numpy.ndarray
        One boolean per value; missing values are false.
    """
    text = _ascii_text(values.astype("str").str.strip())
    out = np.zeros(len(text), dtype=bool)
    if not len(text):
        return out
    # Only texts with enough digits go through the (per-value) lookaround pattern.
    digits = text.str.count("[0-9]").fillna(0).to_numpy()
    candidate = digits >= (9 if whole_numbers else 10)
    if not candidate.any():
        return out
    text = text[candidate]
    hit = text.str.contains(_CPR_IN_TEXT).fillna(False).to_numpy(dtype=bool)
    if whole_numbers:
        hit = hit | text.str.contains(_CPR_LOST_ZERO).fillna(False).to_numpy(dtype=bool)
    out[candidate] = hit
    return out


def holds_whole_numbers(uniques: pd.Series) -> bool:
    """Whether every (distinct, non-missing) text is a whole number, as an integer column prints it.

    Such a column is integer-typed in the sense of the nine-digit rule of
    :func:`looks_like_cpr`: a CSV column of numbers that Excel saved has
    lost its leading zeros just as an integer Parquet or Stata column has.
    """
    present = uniques.dropna()
    return bool(len(present)) and bool(_ascii_text(present).str.fullmatch(_INT).fillna(False).all())


def cpr_cells(raw: pd.Series, *, whole_numbers: bool = False) -> np.ndarray:
    """Rows of a raw column (any dtype) whose value looks like a CPR number.

    The check of :func:`looks_like_cpr`, run once per distinct value and
    spread to the rows. The nine-digit rule applies where the column holds
    whole numbers: an integer dtype, floats that are all whole (an integer
    column with blanks), text that is all whole numbers, or ``whole_numbers``
    (a contract integer column).
    """
    return _cpr_rows(raw, None if _numeric_dtype(raw) else _text(raw), whole_numbers)[0]


def cpr_cells_of(columns: list[pd.Series]) -> list[np.ndarray]:
    """:func:`cpr_cells` for several raw columns of one table (same length), text columns in one pass.

    A refused export may bring thousands of columns outside the contract,
    each to be screened; one factorisation of all their text together keeps
    that linear in cells rather than costing a pandas round trip per column.
    The nine-digit rule is still decided per column.
    """
    out: list[np.ndarray | None] = [None] * len(columns)
    batch = [i for i, c in enumerate(columns) if c.dtype == "str"]
    for i, column in enumerate(columns):
        if column.dtype != "str":
            out[i] = cpr_cells(column)
    if batch:
        rows = len(columns[batch[0]])
        stacked = pd.concat([columns[i] for i in batch], ignore_index=True)
        text = _text(stacked)
        codes = text.codes.reshape(len(batch), rows)
        ten = np.append(looks_like_cpr(text.uniques), False)
        nine = np.append(looks_like_cpr(text.uniques, whole_numbers=True), False)
        whole = np.append(_ascii_text(text.uniques).str.fullmatch(_INT).fillna(False).to_numpy(dtype=bool), True)
        present = codes >= 0
        whole_column = whole[codes].all(axis=1) & present.any(axis=1)
        hits = ten[codes] | (nine[codes] & whole_column[:, None])
        for row, i in enumerate(batch):
            out[i] = hits[row]
    return [np.zeros(0, dtype=bool) if o is None else o for o in out]


def withhold(texts: pd.Series, *, whole: bool = False) -> pd.Series:
    """``texts`` with every part shaped like a CPR number replaced by :data:`WITHHELD`.

    The rule for what a message may repeat, stricter than the refusal of
    :func:`looks_like_cpr`: any nine digits with a valid DMMYY standing on
    their own are withheld too, since a message does not know whether they
    came from an integer column. Every failure and warning passes through
    here (see :class:`~opgang_eval.errors.ValidationError`), so no message,
    however it was built, echoes a CPR number.

    Parameters
    ----------
    texts
        The texts of a message: values, keys, column and file names, hints.
    whole
        Replace the whole text, not only its CPR-shaped part: for a value or
        key, where the rest of the cell (a name beside the number, say) is
        as personal as the number.

    Returns
    -------
    pandas.Series
        ``texts`` itself where nothing is withheld, else a copy as text.
    """
    text = texts.astype("str")
    plain = _ascii_text(text)
    # Only texts with nine digits or more go through the (per-value) lookaround pattern.
    candidate = (plain.str.count("[0-9]").fillna(0) >= 9).to_numpy(dtype=bool)
    if not candidate.any():
        return texts
    found = plain[candidate]
    has = found.str.contains(_CPR_IN_MESSAGE).fillna(False).to_numpy(dtype=bool)
    if not has.any():
        return texts
    out = text.astype(object).to_numpy(copy=True)
    if whole:
        out[np.flatnonzero(candidate)[has]] = WITHHELD
    else:
        # A text with digits of another script is withheld in its ASCII form (positions are the same).
        replaced = found[has].str.replace(_CPR_IN_MESSAGE, WITHHELD, regex=True)
        out[np.flatnonzero(candidate)[has]] = replaced.to_numpy(dtype=object)
    return pd.Series(out, index=texts.index, dtype="str")


def withhold_text(text: str, *, whole: bool = False) -> str:
    """One text with its CPR-shaped parts withheld: :func:`withhold` for a single string."""
    plain = text if text.isascii() else _ascii_digits(text)
    if not _CPR_IN_MESSAGE.search(plain):
        return text
    return WITHHELD if whole else _CPR_IN_MESSAGE.sub(WITHHELD, plain)


def _ascii_text(text: pd.Series) -> pd.Series:
    """``text`` with the digits of other scripts written as ASCII digits (only those few texts are touched)."""
    foreign = text.str.isascii().eq(False).to_numpy(dtype=bool)
    if not foreign.any():
        return text
    return text.where(~foreign, text[foreign].map(_ascii_digits, na_action="ignore").astype("str"))


def _numeric_dtype(raw: pd.Series) -> bool:
    """A native number column (not bool, not categorical): its CPR check needs no text."""
    return pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw)


def _cpr_rows(raw: pd.Series, text: _Text | None, whole_numbers: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Rows that look like a CPR number, and (for text) the distinct values that do.

    ``text`` is ``raw`` as factorised text, or ``None`` for a native number
    or date column. Numbers are checked without printing the column: only
    whole values from 10^8 to 10^10 can be a CPR number of nine or ten
    digits, and only those few distinct values are printed.
    """
    if text is not None:
        whole = whole_numbers or holds_whole_numbers(text.uniques)
        hits = looks_like_cpr(text.uniques, whole_numbers=whole)
        return (text.mask(hits) if hits.any() else np.zeros(len(raw), dtype=bool)), hits
    out = np.zeros(len(raw), dtype=bool)
    if not _numeric_dtype(raw):  # dates, times, booleans: no digits to hide
        return out, None
    values = raw.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        whole = values == np.floor(values)
        candidate = whole & (values >= 1e8) & (values < 1e10)
    if not candidate.any():
        return out, None
    present = ~np.isnan(values)
    whole_numbers = whole_numbers or pd.api.types.is_integer_dtype(raw) or bool(whole[present].all())
    distinct, inverse = np.unique(values[candidate], return_inverse=True)
    printed = pd.Series(distinct.astype(np.int64).astype(str), dtype="str")
    out[candidate] = looks_like_cpr(printed, whole_numbers=whole_numbers)[inverse]
    return out, None


def _ascii_digits(value: str) -> str:
    """``value`` with every decimal digit (of any script) written as an ASCII digit."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in value)


def as_text(raw: pd.Series) -> pd.Series:
    """Any column as trimmed strings; empty cells become NA.

    Integral floats print without ``.0`` (an id ``12`` stored by Excel as
    ``12.0`` stays ``"12"``) and datetimes as ISO dates.
    """
    if pd.api.types.is_datetime64_any_dtype(raw):
        text = raw.dt.strftime("%Y-%m-%d")
    elif pd.api.types.is_bool_dtype(raw):
        text = raw.astype("str")
    elif pd.api.types.is_integer_dtype(raw):
        text = raw.astype("Int64").astype("str")
    elif pd.api.types.is_float_dtype(raw):
        integral = raw.notna() & (raw == np.round(raw))
        text = raw.astype("str").where(~integral, raw.where(integral).astype("Int64").astype("str"))
    elif isinstance(raw.dtype, pd.CategoricalDtype):
        text = as_text(raw.astype(raw.cat.categories.dtype))
    elif raw.dtype == object:
        text = raw.map(_cell_text, na_action="ignore").astype("str")
    else:
        text = raw.astype("str")
    text = text.str.strip()
    return text.where(text != "")


def _cell_text(value: object) -> str:
    """One spreadsheet cell as text; only reached for mixed-type columns."""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


@dataclass(frozen=True)
class _Text:
    """A column as text (see :func:`as_text`), factorised.

    Row ``i`` holds ``uniques[codes[i]]``, or is missing where ``codes[i]`` is
    ``-1``. ``uniques`` are distinct, trimmed, non-empty and each used by a
    row. ``raw_is_text`` says the raw column already equals that text, dtype
    included (no cell trimmed or emptied), so it can stand for it as is.
    """

    codes: np.ndarray
    uniques: pd.Series
    index: pd.Index
    raw_is_text: bool

    @property
    def missing(self) -> np.ndarray:
        return self.codes < 0

    def mask(self, hits: np.ndarray | pd.Series) -> np.ndarray:
        """A boolean per distinct value, spread to the rows (missing rows: false)."""
        return np.append(np.asarray(hits, dtype=bool), False)[self.codes]

    def take(self, parsed: pd.Series) -> pd.Series:
        """Values parsed per distinct value, spread to the rows (missing rows: NA)."""
        taken = pd.api.extensions.take(parsed.array, self.codes, allow_fill=True)
        return pd.Series(taken, index=self.index)

    def factorise(self, parsed: pd.Series) -> tuple[np.ndarray, pd.Index]:
        """``self.take(parsed)`` factorised, from the distinct values alone."""
        codes, uniques = pd.factorize(parsed)
        if np.array_equal(codes, np.arange(len(codes))):  # still distinct and none missing
            return self.codes, pd.Index(uniques)
        return np.append(codes, -1)[self.codes], pd.Index(uniques)


def _text(raw: pd.Series) -> _Text:
    """Factorise ``raw`` and convert only its distinct values to text."""
    codes: np.ndarray
    if raw.dtype == object:
        # Mixed spreadsheet cells are converted one by one: values that
        # compare equal (1, 1.0 and True) may still print differently.
        codes, uniques = pd.factorize(as_text(raw))
        return _Text(codes, pd.Series(uniques, dtype="str"), raw.index, raw_is_text=False)
    categorical = isinstance(raw.dtype, pd.CategoricalDtype)
    if categorical:
        codes = raw.cat.codes.to_numpy()
        categories = raw.cat.categories
        # Categories no row uses are left out: every distinct text must occur.
        used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(categories)))
        values = pd.Series(categories[used])
    else:
        codes, uniques = pd.factorize(raw)
        used = np.arange(len(uniques))
        values = pd.Series(uniques)
    text = as_text(values)
    # Distinct values may give the same text (" a" and "a") or none (""):
    # number the distinct texts and map the raw codes onto them in one pass.
    text_codes, distinct = pd.factorize(text)
    mapping = np.full((len(categories) if categorical else len(values)) + 1, -1, dtype=np.intp)
    mapping[used] = text_codes
    if not np.array_equal(mapping[:-1], np.arange(len(mapping) - 1)):  # else the codes stand as they are
        codes = mapping[codes]
    raw_is_text = not categorical and raw.dtype == text.dtype and bool(text.eq(values).all())
    return _Text(codes, pd.Series(distinct, dtype="str"), raw.index, raw_is_text)


def parse_column(raw: pd.Series, column: Column, decimal_comma: bool, today: dt.date | None = None) -> Parsed:
    """Parse ``raw`` as ``column`` demands; see the module docstring.

    ``today`` (default: the day of the call) is the reference date: the
    bounds that follow the calendar ("no date after today", "no birth year
    after this year") are taken from it (see :meth:`Column.on`).

    Whatever the column's kind, every cell is also screened for a CPR number
    (see :func:`looks_like_cpr`): extracts must be pseudonymised, and a CPR
    number typed into a site, a month or an amount is as much a leak as one
    in an id column. Such cells fail with ``cpr_like_id`` and are shown as
    :data:`WITHHELD`; in an id column they also become missing, so no later
    check (duplicates, links between tables) names them.
    """
    today = today or dt.date.today()
    column = column.on(today)
    native = (column.kind in ("int", "number") and _numeric_dtype(raw)) or (
        column.kind == "date" and pd.api.types.is_datetime64_any_dtype(raw)
    )
    # The column is factorised once: the parser and the CPR screen share its distinct values.
    text = None if native else _text(raw)
    cpr_rows, cpr_values = _cpr_rows(raw, text, whole_numbers=column.kind == "int")
    parser = _PARSERS[column.kind]
    result: Parsed = parser(raw, text, column, decimal_comma, today, cpr_values)
    result.fail(cpr_rows, Rule.CPR_LIKE_ID, cpr_hint(column.name))
    if cpr_rows.any():
        shown = np.full(len(cpr_rows), None, dtype=object)
        shown[cpr_rows] = WITHHELD
        result.shown = pd.Series(shown, index=raw.index, dtype=object)
    return result


def cpr_hint(column: str) -> str:
    """What to do about values of ``column`` that look like CPR numbers (the values are never repeated)."""
    return (
        f"A value in {column} looks like a CPR number (ten digits starting with a date, with or without "
        "separators, also inside a longer text; or nine such digits in a column of whole numbers, whose leading "
        "0 was lost). Extracts must be pseudonymised: remove it, or replace every id with a project key "
        "(e.g. P0001), before loading. The value is not repeated here."
    )


def _missing_check(result: Parsed, missing: np.ndarray, column: Column) -> None:
    if not column.nullable:
        result.fail(missing, Rule.MISSING_VALUE, f"Fill in {column.name}: it is required in every row.")


def _parse_id(
    raw: pd.Series, text: _Text | None, column: Column, decimal_comma: bool, today: dt.date, cpr: np.ndarray | None
) -> Parsed:
    assert text is not None and cpr is not None
    # A column that already is trimmed text is kept as it is: no copy of millions of ids.
    keep_raw = text.raw_is_text and not cpr.any()
    ids = text.uniques.where(~cpr)
    result = Parsed(raw if keep_raw else text.take(ids).astype("str"), factorised=text.factorise(ids))
    _missing_check(result, text.missing, column)
    return result


def _parse_text(
    raw: pd.Series, text: _Text | None, column: Column, decimal_comma: bool, today: dt.date, cpr: np.ndarray | None
) -> Parsed:
    assert text is not None
    result = Parsed(_categorical(text, text.uniques, pd.CategoricalDtype(sorted(text.uniques))))
    _missing_check(result, text.missing, column)
    return result


def _categorical(text: _Text, labels: pd.Series, dtype: pd.CategoricalDtype) -> pd.Series:
    """Rows as categories of ``dtype``: ``labels`` gives the category of each distinct value (NA: none)."""
    position = np.append(dtype.categories.get_indexer(pd.Index(labels)), -1)
    # The narrowest integer for the codes, so no row-sized int64 array is built first.
    width = next((t for t in (np.int8, np.int16, np.int32) if len(dtype.categories) <= np.iinfo(t).max), np.int64)
    position = position.astype(width)
    return pd.Series(pd.Categorical.from_codes(position[text.codes], dtype=dtype), index=text.index)


def _parse_code(
    raw: pd.Series, text: _Text | None, column: Column, decimal_comma: bool, today: dt.date, cpr: np.ndarray | None
) -> Parsed:
    vocabulary = column.vocabulary
    assert vocabulary is not None
    assert text is not None
    codes = _lookup(text.uniques, vocabulary)
    known = codes.notna().to_numpy()
    if vocabulary.open:
        codes = codes.fillna(text.uniques)
        known = np.ones(len(codes), dtype=bool)
        categories = sorted(codes.unique())
    else:
        categories = list(vocabulary.codes)
    result = Parsed(_categorical(text, codes, pd.CategoricalDtype(categories)))
    _missing_check(result, text.missing, column)
    result.fail(text.mask(~known), Rule.UNKNOWN_CODE, f"Use one of: {vocabulary.describe()}.")
    return result


def _lookup(uniques: pd.Series, vocabulary: Vocabulary) -> pd.Series:
    return pd.Series([vocabulary.lookup.get(normalise_label(v)) for v in uniques], dtype="str")


def _parse_int(
    raw: pd.Series, text: _Text | None, column: Column, decimal_comma: bool, today: dt.date, cpr: np.ndarray | None
) -> Parsed:
    values, missing, bad = _numeric(raw, text, decimal_comma, _INT)
    fractional = (values.notna() & (values != np.round(values))).to_numpy()
    bad |= fractional
    values = values.where(~bad)
    # Too large to be a whole number exactly (or infinite): out of range where the
    # column has one (every contract integer does), else not an integer.
    huge = (values.abs() > _EXACT_INT).to_numpy(dtype=bool, na_value=False)
    if column.low is None and column.high is None:
        bad |= huge
    typed = values.where(~huge)
    result = Parsed(typed.astype("Int64") if typed.isna().any() else typed.astype("int64"))
    _missing_check(result, missing, column)
    result.fail(bad, Rule.NOT_INTEGER, f"{column.name} must be a whole number{_range_text(column)}.")
    _range_check(result, values.where(~bad), column)
    return result


def _parse_number(
    raw: pd.Series, text: _Text | None, column: Column, decimal_comma: bool, today: dt.date, cpr: np.ndarray | None
) -> Parsed:
    values, missing, bad = _numeric(raw, text, decimal_comma, _COMMA_NUMBER if decimal_comma else _POINT_NUMBER)
    infinite = np.isinf(values.to_numpy(dtype=float, na_value=np.nan))
    bad |= infinite
    values = values.where(~bad)
    result = Parsed(values.astype("float64"))
    _missing_check(result, missing, column)
    style = "with a decimal comma (semicolon file), e.g. 1.234,5" if decimal_comma else "e.g. 1234.5"
    result.fail(bad, Rule.NOT_NUMBER, f"{column.name} must be a number, {style}.")
    _range_check(result, values, column)
    return result


def _numeric(
    raw: pd.Series, text: _Text | None, decimal_comma: bool, pattern: re.Pattern[str]
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Float values, the missing mask and the unparseable mask (``text``: ``raw`` factorised, unless it is numeric)."""
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype("float64")
        missing = values.isna().to_numpy()
        return values, missing, np.zeros(len(raw), dtype=bool)
    assert text is not None
    written = text.uniques.str.replace("\u2212", "-", regex=False)
    ok = written.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    if decimal_comma:
        written = written.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    values = pd.to_numeric(written.where(ok), errors="coerce").astype("float64")
    # A value the pattern accepts but the conversion does not is invalid, never a silent blank.
    ok = ok & values.notna().to_numpy()
    return text.take(values), text.missing, text.mask(~ok)


def _range_text(column: Column) -> str:
    if column.low is not None and column.high is not None:
        return f" from {column.low:g} to {column.high:g}"
    if column.low is not None:
        return f" {'above' if column.low_open else 'of at least'} {column.low:g}"
    return ""


def _range_check(result: Parsed, values: pd.Series, column: Column) -> None:
    if column.low is None and column.high is None:
        return
    low = -np.inf if column.low is None else column.low
    high = np.inf if column.high is None else column.high
    v = values.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        below = (v <= low) if column.low_open else (v < low)
        out = (below | (v > high)) & ~np.isnan(v)
    result.fail(out, Rule.OUT_OF_RANGE, f"{column.name} must be{_range_text(column)}.")


def _parse_date(
    raw: pd.Series, text: _Text | None, column: Column, decimal_comma: bool, today: dt.date, cpr: np.ndarray | None
) -> Parsed:
    if pd.api.types.is_datetime64_any_dtype(raw):
        values = raw.dt.tz_localize(None) if getattr(raw.dt, "tz", None) else raw
        values = values.dt.normalize().astype("datetime64[s]")
        missing = values.isna().to_numpy()
        bad = np.zeros(len(raw), dtype=bool)
    else:
        assert text is not None
        missing = text.missing
        dates = _dates_from_text(text.uniques)
        values = text.take(dates)
        bad = text.mask(dates.isna())
    result = Parsed(values)
    _missing_check(result, missing, column)
    result.fail(
        bad,
        Rule.NOT_DATE,
        f"{column.name} must be a real calendar date written YYYY-MM-DD (or Danish DD-MM-YYYY).",
    )
    if column.earliest is not None:
        early = (values < pd.Timestamp(column.earliest)).fillna(False).to_numpy(dtype=bool)
        result.fail(early, Rule.OUT_OF_RANGE, _early_hint(column, f"{column.earliest:%Y-%m-%d}", "date", "1900-01-01"))
    if column.latest is not None:
        future = (values > pd.Timestamp(column.latest)).fillna(False).to_numpy(dtype=bool)
        result.fail(future, Rule.FUTURE_DATE, f"{column.name} lies in the future; check the date.")
    return result


def _early_hint(column: Column, earliest: str, what: str, example: str) -> str:
    """The fix for a date or month before the contract's earliest day."""
    blank = " (or leave the cell empty where the contract allows it)" if column.nullable else ""
    return (
        f"{column.name} lies before {earliest}, the earliest {what} the contract accepts. An older {what} "
        f"(such as {example}) is a placeholder for an unknown one or a typing error: write the real {what}{blank}."
    )


def _dates_from_text(uniques: pd.Series) -> pd.Series:
    parts = uniques.str.extract(_DATE)
    year = parts["y"].fillna(parts["y2"])
    month = parts["m"].fillna(parts["m2"])
    day = parts["d"].fillna(parts["d2"])
    frame = pd.DataFrame({"year": year, "month": month, "day": day}).apply(pd.to_numeric, errors="coerce")
    return pd.to_datetime(frame, errors="coerce").astype("datetime64[s]")


def _parse_month(
    raw: pd.Series, text: _Text | None, column: Column, decimal_comma: bool, today: dt.date, cpr: np.ndarray | None
) -> Parsed:
    assert text is not None
    months = _months_from_text(text.uniques)
    result = Parsed(text.take(months), factorised=text.factorise(months))
    _missing_check(result, text.missing, column)
    bad = text.mask(months.isna())
    result.fail(bad, Rule.NOT_MONTH, f"{column.name} must be a month written YYYY-MM, e.g. 2020-01.")
    if column.earliest is not None:
        early = text.mask((months < pd.Period(column.earliest, "M")).fillna(False))
        result.fail(early, Rule.OUT_OF_RANGE, _early_hint(column, f"{column.earliest:%Y-%m}", "month", "1900-01"))
    if column.latest is not None:
        future = text.mask((months > pd.Period(column.latest, "M")).fillna(False))
        result.fail(future, Rule.FUTURE_DATE, f"{column.name} lies in the future; check the month.")
    return result


def _months_from_text(uniques: pd.Series) -> pd.Series:
    parts = uniques.str.extract(_MONTH)
    year = pd.to_numeric(parts["y"], errors="coerce")
    month = pd.to_numeric(parts["m"], errors="coerce")
    ok = (year.notna() & month.notna()).to_numpy()
    ordinal = np.where(ok, (year.fillna(1970) - 1970) * 12 + month.fillna(1) - 1, 0)
    # pandas-stubs lack PeriodIndex.from_ordinals (public API since pandas 2.2).
    months = pd.Series(pd.PeriodIndex.from_ordinals(ordinal.astype("int64"), freq="M"))  # type: ignore[attr-defined]
    return months.where(ok)


def _parse_school_year(
    raw: pd.Series, text: _Text | None, column: Column, decimal_comma: bool, today: dt.date, cpr: np.ndarray | None
) -> Parsed:
    assert text is not None
    years, start = _school_years_from_text(text.uniques)
    result = Parsed(text.take(years), factorised=text.factorise(years))
    _missing_check(result, text.missing, column)
    result.fail(
        text.mask(years.isna()),
        Rule.NOT_SCHOOL_YEAR,
        f"{column.name} must be a school year written YYYY/YY, e.g. 2018/19 (1 Aug 2018 – 31 Jul 2019).",
    )
    # A school year begins on 1 August of its first year; compared as YYYYMMDD numbers.
    begins = start.where(years.notna()) * 10_000 + 801
    if column.earliest is not None:
        first = column.earliest.year + (column.earliest > dt.date(column.earliest.year, 8, 1))
        early = text.mask((begins < _day_number(column.earliest)).fillna(False))
        hint = (
            f"{column.name} begins before {column.earliest:%Y-%m-%d}, the earliest day the contract accepts: the "
            f"first school year accepted is {first}/{(first + 1) % 100:02d}. An older one is a placeholder or a "
            "typing error: write the real school year."
        )
        result.fail(early, Rule.OUT_OF_RANGE, hint)
    if column.latest is not None:
        future = text.mask((begins > _day_number(column.latest)).fillna(False))
        hint = f"{column.name} has not begun yet (a school year begins on 1 August); check the year."
        result.fail(future, Rule.FUTURE_DATE, hint)
    return result


def _day_number(day: dt.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def _school_years_from_text(uniques: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The canonical label (``2018/19``, NA where invalid) and the first year of each distinct value."""
    parts = uniques.str.extract(_SCHOOL_YEAR)
    start = pd.to_numeric(parts["y"], errors="coerce")
    second = pd.to_numeric(parts["z"], errors="coerce")
    short = parts["z"].str.len() == 2
    ok = (short & (second == (start + 1) % 100)) | (~short & (second == start + 1))
    ok = ok.fillna(False)
    label = start.astype("Int64").astype("str") + "/" + ((start + 1) % 100).astype("Int64").astype("str").str.zfill(2)
    return label.where(ok).astype("str"), start.astype("float64")


_PARSERS: dict[str, Callable[[pd.Series, _Text | None, Column, bool, dt.date, np.ndarray | None], Parsed]] = {
    "id": _parse_id,
    "text": _parse_text,
    "code": _parse_code,
    "int": _parse_int,
    "number": _parse_number,
    "date": _parse_date,
    "month": _parse_month,
    "school_year": _parse_school_year,
}
