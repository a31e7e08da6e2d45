"""The census generator as one loop over employees in plain Python (dates with `timedelta`, money in
Python ints and floats) and its writer (csv.DictWriter; Parquet through Polars from the rows): the
reference that the vectorised generator of workforce_platform/census/generate.py is held equal to,
value for value and byte for byte."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from workforce_platform.census.generate import (
    _DEFERRAL_CHOICES,
    _FIELD_STREAMS,
    _GENERATOR_YEAR,
    _LEVEL_WEIGHTS,
    _PART_TIME_HOURS,
    _PART_TIME_SHARE,
    _PAY_BANDS,
)
from workforce_platform.simulation.rng import draw_array


def generate_census(employees: int, seed: int, census_date: date = date(2024, 12, 31),
                    plan_history: bool = False) -> list[dict[str, str]]:
    """Rows of a census at ``census_date`` (a dict per employee, values as text).

    With `plan_history`, also the optional columns of the plan's history: pay earned in the year
    before the census date (from hire for those hired that year, else 93-100% of the rate),
    opening balances (deferrals, and match and core shares of them, growing with tenure) and
    vesting service (tenure, some with up to 3 years of prior service, some with less after a
    break); about one row in eight leaves these empty, so both branches of each rule are taken."""
    if employees < 1:
        raise ValueError("--employees must be at least 1")
    numbers = np.arange(1, employees + 1, dtype=np.uint64)

    def u(field: str) -> np.ndarray:
        return draw_array(seed, numbers, _GENERATOR_YEAR, _FIELD_STREAMS[field])

    level = np.searchsorted(np.cumsum(_LEVEL_WEIGHTS), u("level") * sum(_LEVEL_WEIGHTS), side="right") + 1
    level = np.minimum(level, 5)
    # Age between 20 and 67, shifted up three years per level: mostly bell-shaped, one in six
    # uniform so that the youngest and oldest bands are never empty.
    shift = (level - 1) * 3
    bell = np.where(u("age_uniform") < 1 / 6, u("age_1"), (u("age_1") + u("age_2") + u("age_3")) / 3.0)
    age = 20 + shift + np.floor(bell * (48 - shift)).astype(int)
    max_tenure = np.minimum(40, age - 18)
    tenure = np.floor(u("tenure") ** 1.8 * (max_tenure + 1)).astype(int)
    tenure = np.minimum(tenure, max_tenure)
    terminated = u("terminated") < 0.04
    enrolled = u("enrolled") < 0.60
    deferral_index = np.floor(u("deferral") * len(_DEFERRAL_CHOICES)).astype(int)
    part_time = u("part_time") < _PART_TIME_SHARE
    hours_index = np.floor(u("part_time_hours") * len(_PART_TIME_HOURS)).astype(int)
    band_low = np.array([_PAY_BANDS[l - 1][0] for l in level])
    band_high = np.array([_PAY_BANDS[l - 1][1] for l in level])
    pay_cents = band_low * 100 + np.floor(u("pay") * (band_high - band_low) * 100).astype(np.int64)

    rows = []
    birth_day, hire_day, term_day = u("birth_day"), u("hire_day"), u("termination_day")
    u_history = {f: u(f) for f in ("prior_pay", "balance", "match_share", "core_share", "prior_service",
                                    "history_empty")} if plan_history else {}
    for i in range(employees):
        birth = census_date - timedelta(days=int(age[i]) * 365 + int(age[i]) // 4 + int(birth_day[i] * 365))
        hire = census_date - timedelta(days=int(tenure[i]) * 365 + int(tenure[i]) // 4 + int(hire_day[i] * 365))
        if hire <= birth + timedelta(days=16 * 365):
            hire = birth + timedelta(days=18 * 365)
        termination = ""
        if terminated[i]:
            span = (census_date - hire).days  # >= 0: the termination falls between hire and census date
            termination = (hire + timedelta(days=int(term_day[i] * (span + 1)) if span else 0)).isoformat()
        rows.append({
            "employee_id": f"EMP{i + 1:06d}",
            "birth_date": birth.isoformat(),
            "hire_date": hire.isoformat(),
            "termination_date": termination,
            "annual_compensation": f"{pay_cents[i] // 100}.{pay_cents[i] % 100:02d}",
            "level_id": str(int(level[i])),
            "deferral_rate": _DEFERRAL_CHOICES[deferral_index[i]] if enrolled[i] else "0",
            "scheduled_hours": _PART_TIME_HOURS[hours_index[i]] if part_time[i] else "",
        })
        if plan_history:
            rows[-1].update(_plan_history(pay_cents[i], hire, census_date, int(tenure[i]),
                                          _DEFERRAL_CHOICES[deferral_index[i]] if enrolled[i] else "0",
                                          {f: float(u_history[f][i]) for f in u_history}))
    return rows


def _plan_history(pay_cents: int, hire: date, census_date: date, tenure: int, deferral: str,
                  u: dict[str, float]) -> dict[str, str]:
    if u["history_empty"] < 0.125:
        return dict.fromkeys(("prior_year_compensation", "employee_balance", "match_balance", "core_balance",
                              "vesting_service_years"), "")
    year_start = date(census_date.year, 1, 1)
    if hire >= year_start:
        earned = pay_cents * ((census_date - hire).days + 1) // ((census_date - year_start).days + 1)
    else:
        earned = int(pay_cents * (0.93 + 0.07 * u["prior_pay"]))
    employee = int(pay_cents * (float(deferral) or 0.02) * tenure * (0.5 + u["balance"]))
    match = employee * int(u["match_share"] * 60) // 100
    core = employee * int(u["core_share"] * 40) // 100 if u["core_share"] < 0.5 else 0
    service = max(tenure + int(u["prior_service"] * 7) - 3, 0)

    def money(cents: int) -> str:
        return f"{cents // 100}.{cents % 100:02d}"

    return {"prior_year_compensation": money(earned), "employee_balance": money(employee),
            "match_balance": money(match), "core_balance": money(core), "vesting_service_years": str(service)}


def write_census(rows: list[dict[str, str]], out: Path) -> Path:
    """Writes rows as CSV or Parquet, by the file's suffix."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    elif suffix == ".parquet":
        frame = pl.DataFrame(rows).with_columns(
            pl.col("birth_date", "hire_date").str.to_date(),
            pl.when(pl.col("termination_date") == "").then(None).otherwise(pl.col("termination_date")).str.to_date().alias("termination_date"),
            pl.col("annual_compensation").str.to_decimal(scale=2).cast(pl.Decimal(18, 2)),
            pl.col("level_id").cast(pl.Int32),
            pl.col("deferral_rate").str.to_decimal(scale=5).cast(pl.Decimal(7, 5)),
            pl.when(pl.col("scheduled_hours") == "").then(None).otherwise(pl.col("scheduled_hours"))
            .str.to_decimal(scale=2).cast(pl.Decimal(9, 2)).alias("scheduled_hours"),
        )
        history = [c for c in ("prior_year_compensation", "employee_balance", "match_balance", "core_balance")
                   if c in frame.columns]
        frame = frame.with_columns(
            *[pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).str.to_decimal(scale=2).cast(pl.Decimal(18, 2))
              .alias(c) for c in history],
            *[pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).cast(pl.Int32).alias(c)
              for c in ("vesting_service_years",) if c in frame.columns],
        )
        frame.write_parquet(out)
    else:
        raise ValueError(f"{out}: the census is written as .csv or .parquet")
    return out
