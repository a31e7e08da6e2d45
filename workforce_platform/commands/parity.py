"""`workforce parity`: each year of a database against the other engine, as a table."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable, Optional

from workforce_platform.config.scenario import load_scenario
from workforce_platform.parity.compare import YearParity, compare_year
from workforce_platform.errors import EXIT_FAILED, EXIT_OK, WorkforceInputError
from workforce_platform.runtime.database import DatabaseLock
from workforce_platform.runtime.database import connect as connect_database
from workforce_platform.runtime.execution import resolve_execution
from workforce_platform.build.inputs import default_db_path
from workforce_platform.runtime.database import LOCK_WAIT_SECONDS

HEADER = ("year", "built with", "recomputed", "rows compared", "only in sql", "only in polars", "score",
          "seconds", "tables that differ")


def parity_rows(scenario_path: Path, years: Optional[list[int]], db_path: Optional[Path], shards: int = 1,
                progress: Callable[[YearParity], None] = lambda _: None) -> list[YearParity]:
    scenario = load_scenario(scenario_path)
    database = Path(db_path).resolve() if db_path else default_db_path(scenario)
    if not database.is_file():
        raise WorkforceInputError(f"{database}: no database; run `workforce simulate` first")
    years = years or scenario.years
    settings = resolve_execution(database, scenario_level=scenario.execution.optimization,
                                 scenario_threads=scenario.execution.threads)
    results = []
    with DatabaseLock(database, wait_seconds=LOCK_WAIT_SECONDS):
        con = connect_database(database)
        try:
            built = {r[0] for r in con.execute(
                "select distinct simulation_year from main.fct_yearly_events where scenario_id = ?",
                [scenario.scenario_id]).fetchall()}
            missing = [y for y in years if y not in built]
            if missing:
                raise WorkforceInputError(
                    f"{database}: year {missing[0]} of scenario '{scenario.scenario_id}' is not materialised; "
                    f"materialised: {', '.join(map(str, sorted(built))) or 'none'}")
            for year in years:
                result = compare_year(con, scenario, year, settings, shards=shards)
                progress(result)
                results.append(result)
        finally:
            con.close()
    return results


def format_row(result: YearParity) -> tuple:
    other = "polars" if result.built_with == "sql" else "sql"
    return (result.year, result.built_with, other, f"{result.rows_compared:,}", f"{result.only_sql:,}",
            f"{result.only_polars:,}", f"{result.score:.6f}", f"{result.seconds:.2f}",
            ", ".join(result.differing_tables()) or "none")


def format_table(results: list[YearParity]) -> str:
    rows = [HEADER] + [format_row(r) for r in results]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(HEADER))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def first_differences(results: list[YearParity]) -> str:
    lines = []
    for result in results:
        for table in result.tables:
            for side, rows in (("only in sql", table.first_only_sql), ("only in polars", table.first_only_polars)):
                for row in rows:
                    lines.append(f"{result.year} {table.table} {side}: "
                                 + ", ".join(f"{c}={v}" for c, v in zip(table.columns, row)))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    print("  ".join(HEADER))
    results = parity_rows(args.scenario, args.years, args.db, args.event_shards,
                          progress=lambda r: print("  ".join(str(v) for v in format_row(r)), flush=True))
    print()
    print(format_table(results))
    differences = first_differences(results)
    if differences:
        print()
        print("first differing rows:")
        print(differences)
    equal = all(r.passed for r in results)
    print()
    print("engines equal on every year" if equal else "ENGINES DIFFER: see the rows above")
    return EXIT_OK if equal else EXIT_FAILED
