"""Exact arithmetic of the Polars engine, one function per macro of ``dbt_project/macros``.

Counts, cents and rates are integers (see ``year_tables``); a draw's 32-bit value ``h`` turns
into a choice by integer arithmetic only. The one floating-point rule, the weighted sort key of
the termination draw, divides column by column: Polars turns a division by a scalar into a
multiplication by its reciprocal, which DuckDB does not, and the two differ in the last bit.
"""

from __future__ import annotations

from datetime import date
from typing import Mapping

import polars as pl

MASK32 = 0xFFFFFFFF
TWO_POW_32 = 2**32
RATE_UNITS = 100_000  # a DECIMAL(7, 5) rate is carried as hundred-thousandths


def _fmix(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    # One projection per step (rng.md: nested, the expression is copied, and runs many times slower).
    col = pl.col(column)
    frame = frame.with_columns(col.xor(col // 65536))
    frame = frame.with_columns((col * 0x85EBCA6B) & MASK32)
    frame = frame.with_columns(col.xor(col // 8192))
    frame = frame.with_columns((col * 0xC2B2AE35) & MASK32)
    return frame.with_columns(col.xor(col // 65536))


def with_draws(frame: pl.DataFrame, key_column: str, seed: int, year: int, streams: Mapping[str, int]) -> pl.DataFrame:
    """Adds `h_<name>` (UInt64 below 2^32) for each stream: the counter-based draw of rng.md."""
    key = pl.col(key_column).cast(pl.UInt64)
    frame = frame.with_columns((pl.lit(seed & MASK32, dtype=pl.UInt64).xor(key & MASK32)).alias("_rng_h"))
    frame = _fmix(frame, "_rng_h")
    frame = frame.with_columns(pl.col("_rng_h").xor(key // TWO_POW_32))
    frame = _fmix(frame, "_rng_h")
    frame = frame.with_columns(pl.col("_rng_h").xor(pl.lit(year, dtype=pl.UInt64)))
    frame = _fmix(frame, "_rng_h")
    for name, number in streams.items():
        frame = frame.with_columns(pl.col("_rng_h").xor(pl.lit(number, dtype=pl.UInt64)).alias(f"h_{name}"))
        frame = _fmix(frame, f"h_{name}")
    return frame.drop("_rng_h")


def draw_below(h: pl.Expr, n: pl.Expr | int) -> pl.Expr:
    """A uniform integer in [0, n): floor(h * n / 2^32) (macro draw_below)."""
    n_expr = n if isinstance(n, pl.Expr) else pl.lit(n)
    return (h.cast(pl.Int64) * n_expr.cast(pl.Int64)) // TWO_POW_32


def draw_is_below(h: pl.Expr, probability_units: pl.Expr) -> pl.Expr:
    """True with probability p (p in hundred-thousandths): h / 2^32 < p (macro draw_is_below)."""
    return h.cast(pl.Int64) * RATE_UNITS < probability_units.cast(pl.Int64) * TWO_POW_32


def weighted_sort_key(frame: pl.DataFrame, h_column: str, weight_units_column: str) -> pl.Series:
    """-ln(1 - u) / weight, or +inf for a zero weight (macro weighted_sort_key): the k smallest win."""
    u = frame[h_column].cast(pl.Float64) / float(TWO_POW_32)  # exact: a power of two
    weight = frame[weight_units_column].fill_null(0).cast(pl.Int64)
    denominator = pl.Series([float(RATE_UNITS)] * frame.height, dtype=pl.Float64)
    weight_double = weight.cast(pl.Float64) / denominator  # element by element: DuckDB's DECIMAL -> DOUBLE
    key = -((1.0 - u).log()) / weight_double
    return pl.select(pl.when(weight > 0).then(key).otherwise(float("inf"))).to_series()


def divide_round_half_up(numerator: pl.Expr, denominator: pl.Expr | int) -> pl.Expr:
    """A non-negative ratio rounded half up, exactly (macro divide_round_half_up)."""
    den = denominator if isinstance(denominator, pl.Expr) else pl.lit(denominator, dtype=pl.Int128)
    return (2 * numerator.cast(pl.Int128) + den.cast(pl.Int128)) // (2 * den.cast(pl.Int128))


def divide_round_half_away(numerator: pl.Expr, denominator: pl.Expr | int) -> pl.Expr:
    """A ratio with a positive denominator rounded half away from zero (macro divide_round_half_away)."""
    magnitude = divide_round_half_up(numerator.cast(pl.Int128).abs(), denominator).cast(pl.Int64)
    return pl.when(numerator < 0).then(pl.lit(0, dtype=pl.Int64) - magnitude).otherwise(magnitude)


_DAYS_1900 = (date(1900, 1, 1) - date(1970, 1, 1)).days


def employee_order_key(employee: pl.Expr, day: pl.Expr, order: pl.Expr) -> pl.Expr:
    """One UInt64 that sorts as (employee code, date, order) for dates from 1900 on and orders
    0-15: a sort on one integer is several times faster than on three columns."""
    days = (day.cast(pl.Int32) - _DAYS_1900).cast(pl.UInt64)
    return employee.cast(pl.UInt64) * (1 << 32) + days * 16 + order.cast(pl.UInt64)


def first_row_of_employee() -> pl.Expr:
    """True on each employee's first row of a frame sorted by employee."""
    return (pl.col("employee_id") != pl.col("employee_id").shift(1)).fill_null(True)


def last_row_of_employee() -> pl.Expr:
    """True on each employee's last row of a frame sorted by employee."""
    return (pl.col("employee_id") != pl.col("employee_id").shift(-1)).fill_null(True)


def days_between(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """date_diff('day', start, end)."""
    return (end - start).dt.total_days()


def add_days(day: pl.Expr, days: pl.Expr | int) -> pl.Expr:
    d = days if isinstance(days, pl.Expr) else pl.lit(days)
    return (day + pl.duration(days=d)).cast(pl.Date)


def add_years(day: pl.Expr, years: int) -> pl.Expr:
    """date + to_years(n): 29 February becomes 28 February in a common year, as in DuckDB."""
    return day.dt.offset_by(f"{int(years)}y")


def whole_years(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """DuckDB's date_sub('year', start, end) for start <= end: whole months / 12, where an end on
    the last day of its month completes a month begun on a later day of the month."""
    y1, m1, d1 = start.dt.year().cast(pl.Int64), start.dt.month().cast(pl.Int64), start.dt.day().cast(pl.Int64)
    y2, m2, d2 = end.dt.year().cast(pl.Int64), end.dt.month().cast(pl.Int64), end.dt.day().cast(pl.Int64)
    # the day after the end is a 1st (dt.month_end costs 5x more)
    end_is_month_end = (end.cast(pl.Int32) + 1).cast(pl.Date).dt.day() == 1
    start_day = pl.when(end_is_month_end & (d1 > d2)).then(d2).otherwise(d1)
    months = (y2 - y1) * 12 + (m2 - m1) - (d2 < start_day).cast(pl.Int64)
    return months // 12


def year_start(year: int) -> date:
    return date(year, 1, 1)


def year_end(year: int) -> date:
    return date(year, 12, 31)


def days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def band_of(value: pl.Expr, bands: pl.DataFrame, id_column: str, low_column: str, high_column: str) -> pl.Expr:
    """The id of the band with low <= value < high, else null (a left join on the range)."""
    expression: pl.Expr = pl.lit(None, dtype=pl.Int32)
    for row in reversed(bands.sort(id_column).rows(named=True)):
        expression = pl.when((value >= row[low_column]) & (value < row[high_column])).then(
            pl.lit(row[id_column], dtype=pl.Int32)).otherwise(expression)
    return expression


def match_on_deferrals(deferral_cents: pl.Expr, plan_pay: pl.Expr, tiers: list[dict]) -> pl.Expr:
    """The match on `deferral_cents`, tier by tier, in units of 1e-10 cents (rates in 1e-5),
    rounded half up once (macro match_on_deferrals; `tiers`: stg_match_tiers' rows)."""
    match_units: pl.Expr = pl.lit(0, dtype=pl.Int128)
    for tier in tiers:
        low = plan_pay * tier["employee_min"]
        width = plan_pay * (tier["employee_max"] - tier["employee_min"])
        above = pl.max_horizontal(deferral_cents.cast(pl.Int128) * RATE_UNITS - low, pl.lit(0, dtype=pl.Int128))
        match_units = match_units + tier["match_rate"] * pl.min_horizontal(above, width)
    return divide_round_half_up(match_units, RATE_UNITS * RATE_UNITS).cast(pl.Int64)
