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
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from workforce_platform.simulation.rng import draw_array

# Census-generator streams live in their own range so they never meet a simulation stream.
_FIELD_STREAMS = {
    "level": 101, "age_1": 102, "age_2": 103, "age_3": 104, "birth_day": 105, "tenure": 106,
    "hire_day": 107, "pay": 108, "terminated": 109, "termination_day": 110, "enrolled": 111,
    "deferral": 112, "age_uniform": 113, "part_time": 114, "part_time_hours": 115,
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


def generate_census(employees: int, seed: int, census_date: date = date(2024, 12, 31)) -> list[dict[str, str]]:
    """Rows of a census at ``census_date`` (a dict per employee, values as text)."""
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
    return rows


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
        import polars as pl

        frame = pl.DataFrame(rows).with_columns(
            pl.col("birth_date", "hire_date").str.to_date(),
            pl.when(pl.col("termination_date") == "").then(None).otherwise(pl.col("termination_date")).str.to_date().alias("termination_date"),
            pl.col("annual_compensation").str.to_decimal(scale=2).cast(pl.Decimal(18, 2)),
            pl.col("level_id").cast(pl.Int32),
            pl.col("deferral_rate").str.to_decimal(scale=5).cast(pl.Decimal(7, 5)),
            pl.when(pl.col("scheduled_hours") == "").then(None).otherwise(pl.col("scheduled_hours"))
            .str.to_decimal(scale=2).cast(pl.Decimal(9, 2)).alias("scheduled_hours"),
        )
        frame.write_parquet(out)
    else:
        raise ValueError(f"{out}: the census is written as .csv or .parquet")
    return out
