"""The one number formatter, Danish and English: exact expected strings.

Danish typography (Retskrivningsordbogen / Danmarks Statistik): a point
groups thousands, a comma is the decimal sign, a (no-break) space goes
before ``%`` and ``kr.``, and intervals use a semicolon because the comma
is taken. English: comma grouping, ``52%``, ``DKK 264,814``. Negative
numbers use the true minus sign U+2212, and a value that rounds to zero
never prints as "−0".
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from opgang_eval.presentation.formatting import Formatter

NBSP = "\u00a0"
MINUS = "\u2212"
DA = Formatter("da")
EN = Formatter("en")


@pytest.mark.parametrize(
    ("value", "decimals", "da", "en"),
    [
        (1234.5, 1, "1.234,5", "1,234.5"),
        (1234567, 0, "1.234.567", "1,234,567"),
        (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
        (-1234.5, 1, "−1.234,5", "−1,234.5"),
        (999.96, 1, "1.000,0", "1,000.0"),  # rounding carries into a new group
        (0.5234, 3, "0,523", "0.523"),
        (12, 0, "12", "12"),
        (0, 2, "0,00", "0.00"),
    ],
)
def test_number_grouping_and_decimal_sign(value, decimals, da, en):
    assert DA.number(value, decimals) == da
    assert EN.number(value, decimals) == en


def test_negative_numbers_use_a_true_minus_sign():
    assert DA.number(-25) == MINUS + "25"
    assert "-" not in DA.number(-25) + EN.number(-1234.5, 1) + DA.percent(-0.25) + EN.dkk(-5)


@pytest.mark.parametrize(
    ("value", "decimals", "expected_da"),
    [
        (-0.4, 0, "0"),
        (-0.04, 1, "0,0"),
        (-0.004, 2, "0,00"),
        (-0.0, 0, "0"),
        (-1e-12, 3, "0,000"),
    ],
)
def test_rounding_to_zero_never_prints_minus_zero(value, decimals, expected_da):
    assert DA.number(value, decimals) == expected_da
    assert EN.number(value, decimals) == expected_da.replace(",", ".")
    # nor with an explicit sign, as percent, points or kroner
    assert DA.signed(value, decimals) == expected_da
    assert DA.percent(value / 100, decimals, signed=True) == f"{expected_da}{NBSP}%"
    assert EN.percent(value / 100, decimals, signed=True) == expected_da.replace(",", ".") + "%"
    assert DA.points(value / 100, decimals) == f"{expected_da}{NBSP}pct.-point"
    assert DA.dkk(value, decimals, signed=True) == f"{expected_da}{NBSP}kr."
    assert EN.dkk(value, decimals, signed=True) == f"DKK{NBSP}" + expected_da.replace(",", ".")


@pytest.mark.parametrize(
    ("value", "decimals", "da", "en"),
    [
        (66, 0, "+66", "+66"),
        (-25, 0, "−25", "−25"),
        (1234.56, 1, "+1.234,6", "+1,234.6"),
        (0, 0, "0", "0"),  # zero has no sign
        (0.4, 0, "0", "0"),
    ],
)
def test_signed(value, decimals, da, en):
    assert DA.signed(value, decimals) == da
    assert EN.signed(value, decimals) == en


@pytest.mark.parametrize(
    ("fraction", "decimals", "signed", "da", "en"),
    [
        (0.52, 0, False, "52\u00a0%", "52%"),
        (0.521277, 0, False, "52\u00a0%", "52%"),  # 49/94
        (0.10896, 1, False, "10,9\u00a0%", "10.9%"),
        (1.0, 0, False, "100\u00a0%", "100%"),
        (0.0, 0, False, "0\u00a0%", "0%"),
        (12.346, 0, False, "1.235\u00a0%", "1,235%"),  # grouping applies to percents as well
        (-0.246796, 0, True, "−25\u00a0%", "−25%"),
        (0.618519, 0, True, "+62\u00a0%", "+62%"),
        (2.57, 0, True, "+257\u00a0%", "+257%"),
        (-1.0, 0, True, "−100\u00a0%", "−100%"),
        (-0.004, 0, True, "0\u00a0%", "0%"),
        (-0.004, 0, False, "0\u00a0%", "0%"),
    ],
)
def test_percent(fraction, decimals, signed, da, en):
    assert DA.percent(fraction, decimals, signed=signed) == da
    assert EN.percent(fraction, decimals, signed=signed) == en


def test_danish_percent_uses_a_no_break_space():
    text = DA.percent(0.52)
    assert text == "52" + "\u00a0" + "%"
    assert " " not in text  # not an ordinary space, which could break the line before "%"


@pytest.mark.parametrize(
    ("fraction", "signed", "da", "en"),
    [
        (0.223126, True, "+22,3\u00a0pct.-point", "+22.3\u00a0pp"),
        (-0.024421, True, "−2,4\u00a0pct.-point", "−2.4\u00a0pp"),
        (0.223126, False, "22,3\u00a0pct.-point", "22.3\u00a0pp"),
        (0.0873, True, "+8,7\u00a0pct.-point", "+8.7\u00a0pp"),
        (-0.0004, True, "0,0\u00a0pct.-point", "0.0\u00a0pp"),
    ],
)
def test_percentage_points(fraction, signed, da, en):
    assert DA.points(fraction, signed=signed) == da
    assert EN.points(fraction, signed=signed) == en


@pytest.mark.parametrize(
    ("value", "signed", "da", "en"),
    [
        (264813.982776, False, "264.814\u00a0kr.", "DKK\u00a0264,814"),
        (23363875, False, "23.363.875\u00a0kr.", "DKK\u00a023,363,875"),
        (-112023.4, True, "−112.023\u00a0kr.", "DKK\u00a0−112,023"),
        (-112023.4, False, "−112.023\u00a0kr.", "DKK\u00a0−112,023"),
        (5000, True, "+5.000\u00a0kr.", "DKK\u00a0+5,000"),
        (0, True, "0\u00a0kr.", "DKK\u00a00"),
    ],
)
def test_kroner(value, signed, da, en):
    assert DA.dkk(value, signed=signed) == da
    assert EN.dkk(value, signed=signed) == en


def test_intervals():
    assert DA.interval(DA.percent(0.47), DA.percent(0.57)) == "[47\u00a0%; 57\u00a0%]"
    assert EN.interval(EN.percent(0.47), EN.percent(0.57)) == "[47%, 57%]"
    # signed bounds and a negative lower bound
    assert DA.interval(DA.points(0.0873), DA.points(0.359)) == "[+8,7\u00a0pct.-point; +35,9\u00a0pct.-point]"
    assert EN.interval(EN.percent(-0.07, signed=True), EN.percent(2.57, signed=True)) == "[−7%, +257%]"
    assert DA.interval(DA.dkk(45159.2), DA.dkk(490417.3)) == "[45.159\u00a0kr.; 490.417\u00a0kr.]"
    assert EN.interval(EN.dkk(45159.2), EN.dkk(490417.3)) == "[DKK\u00a045,159, DKK\u00a0490,417]"
    # a bound that cannot be computed leaves the whole interval out
    assert DA.interval("–", DA.percent(0.5)) == "–"
    assert EN.interval(EN.percent(0.5), "–") == "–"


@pytest.mark.parametrize(
    ("p", "da", "en"),
    [
        (0.0004, "<0,001", "<0.001"),
        (0.00099, "<0,001", "<0.001"),
        (1e-30, "<0,001", "<0.001"),
        (0.001, "0,001", "0.001"),
        (0.4151, "0,415", "0.415"),
        (0.952, "0,952", "0.952"),
        (1.0, "1,000", "1.000"),
        (float("nan"), "–", "–"),
    ],
)
def test_p_values(p, da, en):
    assert DA.p_value(p) == da
    assert EN.p_value(p) == en


@pytest.mark.parametrize("missing", [float("nan"), float("inf"), -math.inf, None])
def test_missing_values_print_a_dash(missing):
    for f in (DA, EN):
        assert f.number(missing) == "–"
        assert f.percent(missing) == "–"
        assert f.points(missing) == "–"
        assert f.dkk(missing) == "–"
        assert f.p_value(missing) == "–"


def test_signed_missing_value_is_a_dash_without_sign():
    assert DA.signed(float("nan")) == "–"
    assert EN.percent(float("nan"), signed=True) == "–"


@pytest.mark.parametrize(
    ("share", "da", "en"),
    [
        (2 / 3, "to ud af tre", "two out of three"),
        (0.673469, "to ud af tre", "two out of three"),  # 33/49: within 2 points of 2/3
        (1 / 3, "en ud af tre", "one out of three"),
        (0.5, "halvdelen", "half"),
        (0.51, "halvdelen", "half"),
        (0.25, "en ud af fire", "one in four"),
        (0.75, "tre ud af fire", "three out of four"),
        (0.60, None, None),  # not near a simple fraction: the caller prints the percent
        (0.70, None, None),
    ],
)
def test_fraction_words(share, da, en):
    assert DA.fraction_words(share) == da
    assert EN.fraction_words(share) == en


def test_scores_have_two_decimals():
    assert DA.score(2.4861) == "2,49"
    assert EN.score(2.4861) == "2.49"
    assert DA.score(3) == "3,00"


def test_dates_and_months():
    day = dt.date(2023, 11, 14)
    assert DA.date(day) == "14. november 2023"
    assert EN.date(day) == "14 November 2023"
    assert DA.date(dt.date(2024, 1, 5)) == "5. januar 2024"
    month = pd.Period("2023-08", freq="M")
    assert DA.month(month) == "august 2023"
    assert EN.month(month) == "August 2023"
    assert DA.month(pd.Period("2021-03", freq="M")) == "marts 2021"
