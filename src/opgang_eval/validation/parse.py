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

__all__ = ["WITHHELD", "Parsed", "looks_like_cpr", "parse_column"]

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
_CPR = re.compile(r"^([0-9]{2})([0-9]{2})([0-9]{2})-?[0-9]{4}$", re.ASCII)

#: Integers beyond this are not exact in float64 (and overflow int64 further on).
_EXACT_INT = 2.0**53

#: Shown instead of a value (or key) that looks like a CPR number.
WITHHELD = "<withheld: looks like a CPR number>"


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


def looks_like_cpr(values: pd.Series) -> np.ndarray:
    """True where a value has the shape of a Danish CPR number.

    Ten digits (optionally ``DDMMYY-NNNN``) whose first six form a real
    calendar date. February 29 is accepted for any year divisible by four,
    as the century is not encoded in the first six digits.
    """
    text = values.astype("str").str.strip()
    # The pattern needs ten or eleven characters; only those few values go
    # through the (per-value) regular expression.
    candidate = text.str.len().isin([10, 11]).to_numpy(dtype=bool)
    out = np.zeros(len(values), dtype=bool)
    if not candidate.any():
        return out
    text = text[candidate]
    # A CPR number written with other digits (full-width, Arabic-Indic) is still one.
    foreign = ~text.str.isascii().fillna(True)
    if foreign.any():
        text = text.where(~foreign, text[foreign].map(_ascii_digits).astype("str"))
    parts = text.str.extract(_CPR)
    day = pd.to_numeric(parts[0], errors="coerce")
    month = pd.to_numeric(parts[1], errors="coerce")
    year = pd.to_numeric(parts[2], errors="coerce")
    leap = (year % 4) == 0
    # Months outside 1–12 (00, 13–99) look up 0 days; the month test rejects them anyway.
    days_in_month = pd.Series(
        np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[month.where(month.between(1, 12), 0).astype(int)],
        index=parts.index,
    )
    days_in_month = days_in_month.where(~((month == 2) & ~leap), 28)
    ok = month.between(1, 12) & day.between(1, 31) & (day <= days_in_month)
    out[candidate] = ok.fillna(False).to_numpy(dtype=bool)
    return out


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
    """
    today = today or dt.date.today()
    column = column.on(today)
    parser = _PARSERS[column.kind]
    result: Parsed = parser(raw, column, decimal_comma, today)
    return result


def _missing_check(result: Parsed, missing: np.ndarray, column: Column) -> None:
    if not column.nullable:
        result.fail(missing, Rule.MISSING_VALUE, f"Fill in {column.name}: it is required in every row.")


def _parse_id(raw: pd.Series, column: Column, decimal_comma: bool, today: dt.date) -> Parsed:
    text = _text(raw)
    cpr = looks_like_cpr(text.uniques)
    cpr_mask = text.mask(cpr)
    # A column that already is trimmed text is kept as it is: no copy of millions of ids.
    keep_raw = text.raw_is_text and not cpr.any()
    ids = text.uniques.where(~cpr)
    result = Parsed(raw if keep_raw else text.take(ids).astype("str"), factorised=text.factorise(ids))
    _missing_check(result, text.missing, column)
    result.fail(
        cpr_mask,
        Rule.CPR_LIKE_ID,
        f"{column.name} looks like a CPR number. Extracts must be pseudonymised: replace every id with a "
        "project key (e.g. P0001) before loading.",
    )
    if cpr_mask.any():
        shown = np.full(len(cpr_mask), None, dtype=object)
        shown[cpr_mask] = WITHHELD
        result.shown = pd.Series(shown, index=raw.index, dtype=object)
    return result


def _parse_text(raw: pd.Series, column: Column, decimal_comma: bool, today: dt.date) -> Parsed:
    text = _text(raw)
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


def _parse_code(raw: pd.Series, column: Column, decimal_comma: bool, today: dt.date) -> Parsed:
    vocabulary = column.vocabulary
    assert vocabulary is not None
    text = _text(raw)
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


def _parse_int(raw: pd.Series, column: Column, decimal_comma: bool, today: dt.date) -> Parsed:
    values, missing, bad = _numeric(raw, decimal_comma, _INT)
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


def _parse_number(raw: pd.Series, column: Column, decimal_comma: bool, today: dt.date) -> Parsed:
    values, missing, bad = _numeric(raw, decimal_comma, _COMMA_NUMBER if decimal_comma else _POINT_NUMBER)
    infinite = np.isinf(values.to_numpy(dtype=float, na_value=np.nan))
    bad |= infinite
    values = values.where(~bad)
    result = Parsed(values.astype("float64"))
    _missing_check(result, missing, column)
    style = "with a decimal comma (semicolon file), e.g. 1.234,5" if decimal_comma else "e.g. 1234.5"
    result.fail(bad, Rule.NOT_NUMBER, f"{column.name} must be a number, {style}.")
    _range_check(result, values, column)
    return result


def _numeric(raw: pd.Series, decimal_comma: bool, pattern: re.Pattern[str]) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Float values, the missing mask and the unparseable mask."""
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype("float64")
        missing = values.isna().to_numpy()
        return values, missing, np.zeros(len(raw), dtype=bool)
    factorised = _text(raw)
    text = factorised.uniques.str.replace("\u2212", "-", regex=False)
    ok = text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
    if decimal_comma:
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    values = pd.to_numeric(text.where(ok), errors="coerce").astype("float64")
    # A value the pattern accepts but the conversion does not is invalid, never a silent blank.
    ok = ok & values.notna().to_numpy()
    return factorised.take(values), factorised.missing, factorised.mask(~ok)


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


def _parse_date(raw: pd.Series, column: Column, decimal_comma: bool, today: dt.date) -> Parsed:
    if pd.api.types.is_datetime64_any_dtype(raw):
        values = raw.dt.tz_localize(None) if getattr(raw.dt, "tz", None) else raw
        values = values.dt.normalize().astype("datetime64[s]")
        missing = values.isna().to_numpy()
        bad = np.zeros(len(raw), dtype=bool)
    else:
        text = _text(raw)
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


def _parse_month(raw: pd.Series, column: Column, decimal_comma: bool, today: dt.date) -> Parsed:
    text = _text(raw)
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


def _parse_school_year(raw: pd.Series, column: Column, decimal_comma: bool, today: dt.date) -> Parsed:
    text = _text(raw)
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


_PARSERS: dict[str, Callable[[pd.Series, Column, bool, dt.date], Parsed]] = {
    "id": _parse_id,
    "text": _parse_text,
    "code": _parse_code,
    "int": _parse_int,
    "number": _parse_number,
    "date": _parse_date,
    "month": _parse_month,
    "school_year": _parse_school_year,
}
