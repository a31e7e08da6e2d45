"""Whether pay and the pay structure still move together: the non-blocking check
`pay_structure_drift` of each year (a warning on fct_workforce_snapshot, wired in defs/assets/gates.py).

New-hire pay bands and promotion floors are indexed each year (int_new_hire_pay_bands_indexed);
continuing employees get merit and COLA. When their raises outrun the bands (or fall behind), the
workforce's pay drifts away from the structure it is hired and promoted into. The measure is the
average compa-ratio of the employees active on 31 December: pay / the midpoint of their level's
band of that year. The check warns when it has moved more than 10% (relative) from the first
simulated year's.

All in exact integers: each compa-ratio in millionths rounded half up, their average rounded half
up, the relative change in millionths rounded half away from zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

import duckdb

from workforce_platform.runtime.tables import table_exists

PAY_STRUCTURE_CHECK = "pay_structure_drift"
PAY_STRUCTURE_ASSET = "fct_workforce_snapshot"
MILLIONTHS = 1_000_000
DRIFT_LIMIT = 100_000  # 10%, in millionths
PAY_STRUCTURE_DESCRIPTION = (
    "Warns when the average compa-ratio of the employees active on 31 December (pay / the midpoint of their "
    "level's band of the year, int_new_hire_pay_bands_indexed) has moved more than 10% from the first simulated "
    "year's: continuing employees' raises and the indexed bands no longer describe one pay structure.")


def compa_ratio_millionths(pay_cents: int, band_min_cents: int, band_max_cents: int) -> int:
    """pay / ((min + max) / 2) in millionths, rounded half up."""
    if band_min_cents + band_max_cents <= 0:
        raise ValueError("a pay band's midpoint must be positive")
    numerator, denominator = pay_cents * 2 * MILLIONTHS, band_min_cents + band_max_cents
    return (2 * numerator + denominator) // (2 * denominator)


def average_millionths(ratios: Iterable[int]) -> Optional[int]:
    """The mean of non-negative millionths, rounded half up; None without any."""
    values = list(ratios)
    if not values:
        return None
    return (2 * sum(values) + len(values)) // (2 * len(values))


def drift_millionths(first: int, current: int) -> int:
    """(current - first) / first in millionths, rounded half away from zero."""
    if first <= 0:
        raise ValueError("the first year's average compa-ratio must be positive")
    numerator = (current - first) * MILLIONTHS
    magnitude = (2 * abs(numerator) + first) // (2 * first)
    return -magnitude if numerator < 0 else magnitude


@dataclass(frozen=True)
class PayStructureDrift:
    year: int
    first_year: int
    first_compa_ratio: Optional[int]  # millionths; None: the first year has no active employee or is not built
    compa_ratio: Optional[int]
    limit: int = DRIFT_LIMIT

    @property
    def drift(self) -> Optional[int]:
        if self.first_compa_ratio is None or self.compa_ratio is None or self.first_compa_ratio <= 0:
            return None
        return drift_millionths(self.first_compa_ratio, self.compa_ratio)

    @property
    def passed(self) -> bool:
        return self.drift is None or abs(self.drift) <= self.limit

    @property
    def description(self) -> str:
        if self.drift is None:
            return (f"not compared: no average compa-ratio for {self.first_year if self.first_compa_ratio is None else self.year} "
                    "(the year is not built, or has no active employee)")
        moved = f"{_percent(self.drift)} since {self.first_year} ({_ratio(self.first_compa_ratio)} -> {_ratio(self.compa_ratio)})"
        if self.passed:
            return f"average compa-ratio {_ratio(self.compa_ratio)}: moved {moved}, within {_percent(self.limit)}"
        return (f"average compa-ratio moved {moved}, more than {_percent(self.limit)}: continuing employees' raises "
                "(merit and COLA) and the indexed pay bands (new_hire_pay_indexing_rate) no longer move together")


def _ratio(millionths: int) -> str:
    return f"{millionths / MILLIONTHS:.4f}"


def _percent(millionths: int) -> str:
    return f"{millionths / 10_000:+.2f}%" if millionths else "0.00%"


def average_compa_ratio(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int) -> Optional[int]:
    """The year's average compa-ratio in millionths, from the working tables (None: no active
    employee, or the year is not built). DuckDB sums each employee's compa_ratio_millionths in
    integers; the mean is rounded as average_millionths rounds it."""
    if not (table_exists(con, "main", "fct_workforce_snapshot") and table_exists(con, "main", "int_new_hire_pay_bands_indexed")):
        return None
    total, count = con.execute(
        f"""with priced as (
                select (snapshot.annual_compensation * 100)::hugeint as pay_cents,
                       ((band.min_compensation + band.max_compensation) * 100)::hugeint as midpoint_cents_twice
                from main.fct_workforce_snapshot as snapshot
                join main.int_new_hire_pay_bands_indexed as band
                  on band.level_id = snapshot.level_id and band.plan_year = snapshot.simulation_year
                where snapshot.scenario_id = ? and snapshot.simulation_year = ? and snapshot.employment_status = 'active'
            )
            select sum((2 * pay_cents * {2 * MILLIONTHS} + midpoint_cents_twice) // (2 * midpoint_cents_twice))::varchar,
                   count(*)
            from priced""",
        [scenario_id, year]).fetchall()[0]
    if not count:
        return None
    return (2 * int(total) + count) // (2 * count)


def pay_structure_drift(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int, start_year: int) -> PayStructureDrift:
    """The check's result for `year`, against the first simulated year (`start_year`)."""
    return PayStructureDrift(
        year=year, first_year=start_year,
        first_compa_ratio=average_compa_ratio(con, scenario_id, start_year),
        compa_ratio=average_compa_ratio(con, scenario_id, year))
