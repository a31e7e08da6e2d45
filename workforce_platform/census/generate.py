"""A deterministic synthetic census with realistic shape.

Every value is a function of (seed, employee number, field) through the counter-based RNG of
rng.md, so the same arguments give the same file on any machine and library version.

Shape: ages 20-67 (older at higher levels), tenure 0-40 years skewed short, levels 1-5 with a
pyramid mix and pay inside each level's band, about 4% already terminated before the census
date (kept in the file, left out of the baseline), about 60% enrolled with a deferral rate,
about 12% on a part-time schedule.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from polars.io.plugins import register_io_source

from workforce_platform.errors import WorkforceInputError
from workforce_platform.simulation.rng import draw_array

# Census-generator streams live in their own range so they never meet a simulation stream.
_FIELD_STREAMS = {
    "level": 101, "age_1": 102, "age_2": 103, "age_3": 104, "birth_day": 105, "tenure": 106,
    "hire_day": 107, "pay": 108, "terminated": 109, "termination_day": 110, "enrolled": 111,
    "deferral": 112, "age_uniform": 113, "part_time": 114, "part_time_hours": 115,
    "prior_pay": 116, "balance": 117, "match_share": 118, "core_share": 119, "prior_service": 120, "history_empty": 121,
}
_LEVEL_WEIGHTS = [0.40, 0.28, 0.18, 0.10, 0.04]
# Pay bands as in dbt_project/seeds/config_levels.csv (level 5 reaches above the 401(a)(17) limit).
_PAY_BANDS = [(35_000, 60_000), (60_000, 90_000), (90_000, 135_000), (135_000, 200_000), (200_000, 500_000)]
_DEFERRAL_CHOICES = ["0.03", "0.04", "0.05", "0.06", "0.08", "0.10", "0.15"]
# About one employee in eight works a part-time schedule; the hours straddle the long-term
# part-time threshold (500) and the usual year-of-service requirement (1,000). The others have
# no scheduled hours: full time.
_PART_TIME_SHARE = 0.12
_PART_TIME_HOURS = ["400", "500", "750", "999.50", "1000", "1200", "1560"]
_GENERATOR_YEAR = 0
_PAY_BAND_LOWS = np.array([low for low, _ in _PAY_BANDS], dtype=np.int64)
_PAY_BAND_HIGHS = np.array([high for _, high in _PAY_BANDS], dtype=np.int64)
_DEFERRAL_VALUES = np.array([float(rate) for rate in _DEFERRAL_CHOICES])
# Enough employees per chunk that numpy and Polars work in bulk, few enough that a chunk's arrays
# stay in the tens of megabytes whatever the census size.
_CHUNK_EMPLOYEES = 100_000
_UNIX_EPOCH = date(1970, 1, 1).toordinal()
_HISTORY_MONEY_COLUMNS = ("prior_year_compensation", "employee_balance", "match_balance", "core_balance")
_HISTORY_SERVICE_COLUMN = "vesting_service_years"


def generate_census(employees: int, seed: int, census_date: date = date(2024, 12, 31),
                    plan_history: bool = False) -> list[dict[str, str]]:
    """Rows of a census at ``census_date`` (a dict per employee, values as text, empty fields
    empty): `census_frame` as dicts, for callers that edit rows one by one."""
    return census_frame(employees, seed, census_date, plan_history).fill_null("").to_dicts()


def census_frame(employees: int, seed: int, census_date: date = date(2024, 12, 31),
                 plan_history: bool = False) -> pl.DataFrame:
    """The census at ``census_date`` as one frame: text columns holding the CSV's values, null
    where the CSV field is empty.

    With `plan_history`, also the optional columns of the plan's history: pay earned in the year
    before the census date (from hire for those hired that year, else 93-100% of the rate),
    opening balances (deferrals, and match and core shares of them, growing with tenure) and
    vesting service (tenure, some with up to 3 years of prior service, some with less after a
    break); about one row in eight leaves these empty, so both branches of each rule are taken."""
    return pl.concat(census_chunks(employees, seed, census_date, plan_history), rechunk=True)


def census_chunks(employees: int, seed: int, census_date: date = date(2024, 12, 31), plan_history: bool = False,
                  chunk_employees: int = _CHUNK_EMPLOYEES) -> Iterator[pl.DataFrame]:
    """`census_frame` in consecutive chunks of `chunk_employees` rows, made one at a time as they are
    read: every value depends only on its employee number, so a chunk needs nothing from another."""
    if employees < 1:
        raise ValueError("--employees must be at least 1")
    if chunk_employees < 1:
        raise ValueError("chunk_employees must be at least 1")
    return (_census_chunk(seed, np.arange(first, min(first + chunk_employees, employees + 1), dtype=np.uint64),
                          census_date, plan_history)
            for first in range(1, employees + 1, chunk_employees))


def _census_chunk(seed: int, numbers: np.ndarray, census_date: date, plan_history: bool) -> pl.DataFrame:
    """The census rows of employee `numbers`. Dates are day ordinals and money whole cents, in
    int64 and float64 arrays, so every value is the integer or double a scalar Python computation
    in the same order gives."""

    def u(field: str) -> np.ndarray:
        return draw_array(seed, numbers, _GENERATOR_YEAR, _FIELD_STREAMS[field])

    level = np.searchsorted(np.cumsum(_LEVEL_WEIGHTS), u("level") * sum(_LEVEL_WEIGHTS), side="right") + 1
    level = np.minimum(level, 5)
    # Age between 20 and 67, shifted up three years per level: mostly bell-shaped, one in six
    # uniform so that the youngest and oldest bands are never empty.
    shift = (level - 1) * 3
    bell = np.where(u("age_uniform") < 1 / 6, u("age_1"), (u("age_1") + u("age_2") + u("age_3")) / 3.0)
    age = 20 + shift + np.floor(bell * (48 - shift)).astype(np.int64)
    max_tenure = np.minimum(40, age - 18)
    tenure = np.floor(u("tenure") ** 1.8 * (max_tenure + 1)).astype(np.int64)
    tenure = np.minimum(tenure, max_tenure)
    terminated = u("terminated") < 0.04
    enrolled = u("enrolled") < 0.60
    deferral_index = np.floor(u("deferral") * len(_DEFERRAL_CHOICES)).astype(np.int64)
    part_time = u("part_time") < _PART_TIME_SHARE
    hours_index = np.floor(u("part_time_hours") * len(_PART_TIME_HOURS)).astype(np.int64)
    band_low, band_high = _PAY_BAND_LOWS[level - 1], _PAY_BAND_HIGHS[level - 1]
    pay_cents = band_low * 100 + np.floor(u("pay") * (band_high - band_low) * 100).astype(np.int64)

    # A year back is 365 days plus a leap day every fourth year, then part of a year more.
    census_day = census_date.toordinal()
    birth = census_day - (age * 365 + age // 4 + (u("birth_day") * 365).astype(np.int64))
    hire = census_day - (tenure * 365 + tenure // 4 + (u("hire_day") * 365).astype(np.int64))
    hire = np.where(hire <= birth + 16 * 365, birth + 18 * 365, hire)  # nobody hired before 16: at 18
    if birth.min() < 1:
        raise WorkforceInputError(f"census date {census_date}: too early, the birth dates 20 to 68 years before it "
                                  "would fall before the year 1")
    span = census_day - hire  # >= 0: the termination falls between hire and census date
    termination = hire + np.where(span > 0, (u("termination_day") * (span + 1)).astype(np.int64), 0)

    columns = {"number": numbers.astype(np.int64), "birth": birth, "hire": hire, "terminated": terminated,
               "termination": termination, "pay_cents": pay_cents, "level": level, "enrolled": enrolled,
               "deferral_index": deferral_index, "part_time": part_time, "hours_index": hours_index}
    if plan_history:
        columns.update(_plan_history(pay_cents, hire, census_day, census_date, tenure, enrolled, deferral_index, u))
    frame = pl.DataFrame(columns)

    deferral = pl.col("deferral_index").replace_strict(dict(enumerate(_DEFERRAL_CHOICES)), return_dtype=pl.String)
    hours = pl.col("hours_index").replace_strict(dict(enumerate(_PART_TIME_HOURS)), return_dtype=pl.String)
    return frame.select(
        pl.concat_str(pl.lit("EMP"), pl.col("number").cast(pl.String).str.zfill(6)).alias("employee_id"),
        _date_text("birth").alias("birth_date"),
        _date_text("hire").alias("hire_date"),
        pl.when("terminated").then(_date_text("termination")).alias("termination_date"),
        _money_text("pay_cents").alias("annual_compensation"),
        pl.col("level").cast(pl.String).alias("level_id"),
        pl.when("enrolled").then(deferral).otherwise(pl.lit("0")).alias("deferral_rate"),
        pl.when("part_time").then(hours).alias("scheduled_hours"),
        *([pl.when(~pl.col("history_empty")).then(_money_text(c)).alias(c) for c in _HISTORY_MONEY_COLUMNS]
          + [pl.when(~pl.col("history_empty")).then(pl.col(_HISTORY_SERVICE_COLUMN).cast(pl.String))
             .alias(_HISTORY_SERVICE_COLUMN)] if plan_history else []),
    )


def _plan_history(pay_cents: np.ndarray, hire: np.ndarray, census_day: int, census_date: date, tenure: np.ndarray,
                  enrolled: np.ndarray, deferral_index: np.ndarray, u) -> dict[str, np.ndarray]:
    """The plan-history columns in cents and years; `history_empty` marks the rows left empty."""
    year_start = date(census_date.year, 1, 1).toordinal()
    # Money products in float64 in the scalar order (pay x rate x tenure x share), truncated
    # toward zero; shares of a balance in exact integers.
    earned = np.where(hire >= year_start,
                      pay_cents * (census_day - hire + 1) // (census_day - year_start + 1),
                      (pay_cents * (0.93 + 0.07 * u("prior_pay"))).astype(np.int64))
    rate = np.where(enrolled, _DEFERRAL_VALUES[deferral_index], 0.02)  # not enrolled: 2%
    employee = (pay_cents * rate * tenure * (0.5 + u("balance"))).astype(np.int64)
    match = employee * (u("match_share") * 60).astype(np.int64) // 100
    core_share = u("core_share")
    core = np.where(core_share < 0.5, employee * (core_share * 40).astype(np.int64) // 100, 0)
    service = np.maximum(tenure + (u("prior_service") * 7).astype(np.int64) - 3, 0)
    return {"prior_year_compensation": earned, "employee_balance": employee, "match_balance": match,
            "core_balance": core, "vesting_service_years": service, "history_empty": u("history_empty") < 0.125}


def _date_text(day_ordinal_column: str) -> pl.Expr:
    return (pl.col(day_ordinal_column) - _UNIX_EPOCH).cast(pl.Int32).cast(pl.Date).dt.to_string("%Y-%m-%d")


def _money_text(cents_column: str) -> pl.Expr:
    cents = pl.col(cents_column)
    return pl.concat_str((cents // 100).cast(pl.String), pl.lit("."), (cents % 100).cast(pl.String).str.zfill(2))


def write_census(census: list[dict[str, str]] | pl.DataFrame | Iterable[pl.DataFrame], out: Path) -> Path:
    """Writes a census as CSV or Parquet, by the file's suffix. `census` is rows (`generate_census`),
    a frame of text columns (`census_frame`) or such frames in turn (`census_chunks`: only one chunk
    is held at a time). The file appears whole or not at all: it is written beside and moved in."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise WorkforceInputError(f"{out}: the census is written as .csv or .parquet")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        if isinstance(census, list):
            _write_rows(census, partial, suffix)
        else:
            _write_frames([census] if isinstance(census, pl.DataFrame) else census, partial, suffix)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def _write_rows(rows: list[dict[str, str]], out: Path, suffix: str) -> None:
    if suffix == ".csv":
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    else:
        _typed(pl.DataFrame(rows)).write_parquet(out)


def _write_frames(frames: Iterable[pl.DataFrame], out: Path, suffix: str) -> None:
    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise ValueError(f"{out}: a census needs at least one frame")
    if suffix == ".csv":
        # Null is the empty field; the text holds no separator, quote or line end, so nothing is quoted.
        with out.open("wb") as handle:
            first.write_csv(handle, line_terminator="\n", null_value="")
            for frame in frames:
                frame.write_csv(handle, include_header=False, line_terminator="\n", null_value="")
    else:
        first = _typed(first)

        def typed_frames(with_columns, predicate, n_rows, batch_size) -> Iterator[pl.DataFrame]:
            yield first
            for frame in frames:
                yield _typed(frame)

        register_io_source(typed_frames, schema=first.schema).sink_parquet(out)


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """The census's text as typed columns (dates, decimals, integers); empty or null fields null."""

    def present(column: str) -> pl.Expr:
        return pl.when(pl.col(column) == "").then(None).otherwise(pl.col(column)).alias(column)

    frame = frame.with_columns(
        pl.col("birth_date", "hire_date").str.to_date(),
        present("termination_date").str.to_date(),
        pl.col("annual_compensation").str.to_decimal(scale=2).cast(pl.Decimal(18, 2)),
        pl.col("level_id").cast(pl.Int32),
        pl.col("deferral_rate").str.to_decimal(scale=5).cast(pl.Decimal(7, 5)),
        present("scheduled_hours").str.to_decimal(scale=2).cast(pl.Decimal(9, 2)),
    )
    history = [c for c in _HISTORY_MONEY_COLUMNS if c in frame.columns]
    return frame.with_columns(
        *[present(c).str.to_decimal(scale=2).cast(pl.Decimal(18, 2)) for c in history],
        *([present(_HISTORY_SERVICE_COLUMN).cast(pl.Int32)] if _HISTORY_SERVICE_COLUMN in frame.columns else []),
    )
