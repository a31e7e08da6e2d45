"""Seed ensembles: the spread of a scenario's results over its random seeds, year by year.

Percentiles are type 7 of Hyndman and Fan (linear interpolation between order statistics, numpy's
default): for n sorted values x[0..n-1] and p in [0, 1], h = (n - 1) p and
P = x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)]). They are computed in exact
decimals and rounded half away from zero: headcount to 0.1, money to the cent.
"""

from __future__ import annotations

import csv

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Sequence

import duckdb

from workforce_platform.runtime.tables import table_exists
from workforce_platform.text_table import right_aligned

PERCENTILES = (Decimal("0.10"), Decimal("0.50"), Decimal("0.90"))
HEADCOUNT_STEP = Decimal("0.1")
MONEY_STEP = Decimal("0.01")


def percentile(values: Sequence[Decimal | int], p: Decimal) -> Decimal:
    """Type-7 percentile of `values` at `p` (0 <= p <= 1), exact."""
    if not values:
        raise ValueError("percentile of no values")
    if not Decimal(0) <= p <= Decimal(1):
        raise ValueError(f"percentile {p} is outside 0-1")
    ordered = sorted(Decimal(v) for v in values)
    h = (len(ordered) - 1) * Decimal(p)
    low = int(h.to_integral_value(rounding=ROUND_FLOOR))
    if low + 1 >= len(ordered):
        return ordered[-1]
    return ordered[low] + (h - low) * (ordered[low + 1] - ordered[low])


@dataclass(frozen=True)
class EnsembleYear:
    simulation_year: int
    seeds: int
    headcount: tuple[Decimal, Decimal, Decimal]  # P10, P50, P90 of the ending headcount
    employer_cost: tuple[Decimal, Decimal, Decimal]  # P10, P50, P90 of match + core


def ensemble_years(results: dict[int, dict[int, tuple[int, Decimal]]]) -> list[EnsembleYear]:
    """`results[seed][year] = (ending headcount, employer cost)` → P10/P50/P90 per year, over the
    seeds that have the year."""
    years = sorted({year for by_year in results.values() for year in by_year})
    table = []
    for year in years:
        rows = [by_year[year] for _, by_year in sorted(results.items()) if year in by_year]
        heads = [Decimal(r[0]) for r in rows]
        costs = [Decimal(r[1]) for r in rows]
        table.append(EnsembleYear(
            year, len(rows),
            tuple(percentile(heads, p).quantize(HEADCOUNT_STEP, rounding=ROUND_HALF_UP) for p in PERCENTILES),
            tuple(percentile(costs, p).quantize(MONEY_STEP, rounding=ROUND_HALF_UP) for p in PERCENTILES),
        ))
    return table


def published_year_figures(db_path: Path, scenario_id: str) -> dict[int, tuple[int, Decimal]]:
    """Each published year's (ending headcount, employer cost) of a scenario."""
    if not Path(db_path).exists():
        return {}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        if not table_exists(con, "published", "fct_year_summary"):
            return {}
        return {year: (headcount, cost) for year, headcount, cost in con.execute(
            "select simulation_year, ending_headcount, employer_cost from published.fct_year_summary "
            "where scenario_id = ? order by simulation_year", [scenario_id]).fetchall()}
    finally:
        con.close()


ENSEMBLE_COLUMNS = ("simulation_year", "seeds", "headcount_p10", "headcount_p50", "headcount_p90",
                    "employer_cost_p10", "employer_cost_p50", "employer_cost_p90")


def format_ensemble(table: list[EnsembleYear]) -> str:
    headers = ("year", "seeds", "headcount P10", "P50", "P90", "employer cost P10", "P50", "P90")
    body = [(str(r.simulation_year), str(r.seeds), *(f"{v:,}" for v in r.headcount), *(f"{v:,}" for v in r.employer_cost))
            for r in table]
    return right_aligned(headers, body)


def write_ensemble_csv(table: list[EnsembleYear], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ENSEMBLE_COLUMNS)
        for r in table:
            writer.writerow([r.simulation_year, r.seeds, *r.headcount, *r.employer_cost])
    return path
