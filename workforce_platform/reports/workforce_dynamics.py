"""The workforce's shape year by year, from a scenario's published tables: the figures an actuary
looks at before trusting a ten-year projection (age, level mix, pay growth, part-time share,
plan cost as a share of pay, who leaves and why).

Run it on a simulated database:

    .venv/bin/python -m workforce_platform.reports.workforce_dynamics --db data/baseline.duckdb

One row per year, the employees active on 31 December, and a first row `start` for the first
year's starting workforce (ages on 1 January; read from the first year's
int_starting_workforce_assembled, which is not published). Shares are exact ratios shown in
percent to one decimal.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Optional, Sequence

import duckdb

from workforce_platform.errors import WorkforceInputError
from workforce_platform.runtime.tables import table_exists
from workforce_platform.text_table import right_aligned

FULL_TIME_HOURS = 2080
SENIOR_AGE = 65


@dataclass(frozen=True)
class YearShape:
    """The active workforce at one point (year end, or the start)."""

    label: str
    headcount: int
    senior_share: Decimal  # age 65 or over
    oldest_age: int
    level_shares: dict[int, Decimal]
    average_pay: Decimal
    average_pay_growth: Optional[Decimal]  # against the row before
    continuing_pay_growth: Optional[Decimal]  # employees active at both ends, pay-weighted
    part_time_share: Decimal  # scheduled hours below full time
    employer_cost_pct_of_payroll: Optional[Decimal]
    average_compa_ratio: Optional[Decimal]  # pay / the level's indexed band midpoint
    leavers_by_reason: dict[str, int]


def _ratio(numerator, denominator) -> Optional[Decimal]:
    if denominator in (None, 0) or numerator is None:
        return None
    return Decimal(numerator) / Decimal(denominator)


def _shape_query(relation: str, age_expr: str) -> str:
    return f"""
        select
            count(*) as headcount,
            count(*) filter (where {age_expr} >= {SENIOR_AGE}) as seniors,
            max({age_expr}) as oldest,
            sum(annual_compensation) as total_pay,
            count(*) filter (where coalesce(scheduled_hours, {FULL_TIME_HOURS}) < {FULL_TIME_HOURS}) as part_time
        from {relation}"""


def workforce_dynamics(con: duckdb.DuckDBPyConnection, scenario_id: str) -> list[YearShape]:
    """The rows of the report for `scenario_id` (every published year, in order)."""
    if not table_exists(con, "published", "fct_workforce_snapshot"):
        raise WorkforceInputError("the database has no published year: simulate the scenario first")
    years = [r[0] for r in con.execute(
        "select distinct simulation_year from published.fct_workforce_snapshot where scenario_id = ? order by 1",
        [scenario_id]).fetchall()]
    if not years:
        raise WorkforceInputError(f"scenario '{scenario_id}' has no published year in this database")
    has_bands = table_exists(con, "main", "int_new_hire_pay_bands_indexed")
    has_reason = "termination_reason" in [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'published' "
        "and table_name = 'fct_yearly_events'").fetchall()]
    rows: list[YearShape] = []
    previous_pay: dict[str, Decimal] = {}

    if table_exists(con, "main", "int_starting_workforce_assembled"):
        start = f"""(select * from main.int_starting_workforce_assembled
                     where scenario_id = '{scenario_id}' and simulation_year = {years[0]})"""
        rows.append(_shape(con, "start", start, "age", has_bands, years[0], None, []))
        previous_pay = dict(con.execute(f"select employee_id, annual_compensation from {start}").fetchall())

    for year in years:
        active = f"""(select * from published.fct_workforce_snapshot
                      where scenario_id = '{scenario_id}' and simulation_year = {year} and employment_status = 'active')"""
        summary = con.execute(
            "select employer_cost, total_prorated_compensation from published.fct_year_summary "
            "where scenario_id = ? and simulation_year = ?", [scenario_id, year]).fetchall()
        cost_pct = _ratio(summary[0][0], summary[0][1]) if summary else None
        reasons: list[tuple[str, int]] = []
        if has_reason:
            reasons = con.execute(
                "select coalesce(termination_reason, 'unknown'), count(*) from published.fct_yearly_events "
                "where scenario_id = ? and simulation_year = ? and event_type in ('termination', 'new_hire_termination') "
                "group by 1 order by 1", [scenario_id, year]).fetchall()
        pay = dict(con.execute(f"select employee_id, annual_compensation from {active}").fetchall())
        continuing = [e for e in pay if e in previous_pay]
        continuing_growth = None
        if continuing:
            continuing_growth = _ratio(sum(pay[e] for e in continuing), sum(previous_pay[e] for e in continuing)) - 1
        shape = _shape(con, str(year), active, "age", has_bands, year, cost_pct, reasons)
        previous_average = rows[-1].average_pay if rows else None
        growth = (shape.average_pay / previous_average - 1) if previous_average else None
        rows.append(YearShape(**{**shape.__dict__, "average_pay_growth": growth, "continuing_pay_growth": continuing_growth}))
        previous_pay = pay
    return rows


def _shape(con, label: str, relation: str, age_expr: str, has_bands: bool, band_year: int,
           cost_pct: Optional[Decimal], reasons: Sequence[tuple[str, int]]) -> YearShape:
    headcount, seniors, oldest, total_pay, part_time = con.execute(_shape_query(relation, age_expr)).fetchall()[0]
    levels = dict(con.execute(f"select level_id, count(*) from {relation} group by 1 order by 1").fetchall())
    compa = None
    if has_bands:
        # the year's indexed band; the start row uses the first year's (the census bands)
        compa = con.execute(
            f"""select avg(workforce.annual_compensation / ((band.min_compensation + band.max_compensation) / 2))
                from {relation} as workforce
                join main.int_new_hire_pay_bands_indexed as band
                  on band.level_id = workforce.level_id and band.plan_year = {band_year}""").fetchall()[0][0]
    return YearShape(
        label=label, headcount=headcount, senior_share=_ratio(seniors, headcount), oldest_age=oldest,
        level_shares={level: _ratio(count, headcount) for level, count in levels.items()},
        average_pay=Decimal(total_pay) / headcount, average_pay_growth=None, continuing_pay_growth=None,
        part_time_share=_ratio(part_time, headcount), employer_cost_pct_of_payroll=cost_pct,
        average_compa_ratio=None if compa is None else Decimal(str(compa)),
        leavers_by_reason=dict(reasons))


def _pct(value: Optional[Decimal], places: str = "0.1") -> str:
    if value is None:
        return ""
    return f"{(value * 100).quantize(Decimal(places), rounding=ROUND_HALF_UP)}%"


def format_report(rows: Sequence[YearShape]) -> str:
    levels = sorted({level for row in rows for level in row.level_shares})
    reasons = sorted({reason for row in rows for reason in row.leavers_by_reason})
    headers = ["year", "active", "65+", "oldest", *[f"L{level}" for level in levels], "avg pay", "growth",
               "cont. growth", "part-time", "cost % pay", "compa", *reasons]
    body = []
    for row in rows:
        body.append([
            row.label, f"{row.headcount:,}", _pct(row.senior_share), str(row.oldest_age),
            *[_pct(row.level_shares.get(level, Decimal(0))) for level in levels],
            f"{row.average_pay.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}",
            _pct(row.average_pay_growth, "0.01"), _pct(row.continuing_pay_growth, "0.01"),
            _pct(row.part_time_share), _pct(row.employer_cost_pct_of_payroll, "0.01"),
            "" if row.average_compa_ratio is None else str(row.average_compa_ratio.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)),
            *[str(row.leavers_by_reason.get(reason, "")) for reason in reasons],
        ])
    return right_aligned(headers, body)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="The workforce's shape per year, from a simulated database.")
    parser.add_argument("--db", required=True, type=Path, help="DuckDB file of a simulated scenario.")
    parser.add_argument("--scenario-id", help="Scenario id (default: the only one in the database).")
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"{args.db}: no such database", file=sys.stderr)
        return 2
    con = duckdb.connect(str(args.db), read_only=True)
    try:
        scenario_id = args.scenario_id
        if not table_exists(con, "published", "fct_workforce_snapshot"):
            raise WorkforceInputError("no year is published: simulate the scenario first")
        if scenario_id is None:
            ids = [r[0] for r in con.execute(
                "select distinct scenario_id from published.fct_workforce_snapshot order by 1").fetchall()]
            if len(ids) != 1:
                print(f"{args.db}: name one of the scenarios with --scenario-id: {', '.join(ids)}", file=sys.stderr)
                return 2
            scenario_id = ids[0]
        print(format_report(workforce_dynamics(con, scenario_id)))
    except WorkforceInputError as exc:
        print(f"{args.db}: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
