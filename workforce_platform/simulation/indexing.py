"""Indexing of amounts by an assumed yearly rate: the reference the SQL views
`int_irs_limits_projected` and `int_new_hire_pay_bands_indexed` are tested against.

An amount is carried forward one year at a time and rounded to the cent (half up) each year, so
that every engine gets the same cents without powers or floating point.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def indexed(amount: Decimal, rate: Decimal, years: int) -> Decimal:
    """`amount` raised by `rate` for `years` years, rounded to the cent after each year."""
    if years < 0:
        raise ValueError(f"years must not be negative, got {years}")
    for _ in range(years):
        amount = (amount * (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount


def rounded_down_to(amount: Decimal, increment: int) -> Decimal:
    """`amount` rounded down to a whole multiple of `increment` dollars."""
    return (amount / increment).to_integral_value(rounding=ROUND_FLOOR) * increment
