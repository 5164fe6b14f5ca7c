"""Rounding as people (and Danish statistics) do it: half away from zero, on the number's own digits.

One function for the formatter, which prints numbers, and for the release,
which stores some numbers at their printed precision (a mean whose exact
value would give its count away), so that a number and its printed text can
never round differently.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

__all__ = ["half_up", "rounded"]


def half_up(value: float, decimals: int) -> Decimal:
    """Round half away from zero, as people (and Danish statistics) do: 2.5 → 3, 0.125 → 0.13.

    The precision is that of the value's own digits, so any finite float rounds (the default 28 digits
    made ``quantize`` fail from 10^28 up).
    """
    exact = Decimal(repr(float(value)))
    with localcontext() as ctx:
        ctx.prec = max(28, exact.adjusted() + decimals + 2)
        return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def rounded(value: float, decimals: int) -> float:
    """``value`` rounded half away from zero to ``decimals`` places, as a float (NaN and infinities unchanged)."""
    if value != value or value in (float("inf"), float("-inf")):
        return value
    return float(half_up(value, decimals))
