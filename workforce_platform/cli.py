"""The `workforce` command line.

Exit codes: 0 success; 1 a simulation step or check failed; 2 bad input (census, scenario,
command-line arguments).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import multiprocessing.util
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Optional, Sequence

from workforce_platform.benchmarks.scenarios import (
    PARITY_EMPLOYEES,
    QUICK_PARITY_EMPLOYEES,
    ALL_SCALE_SCENARIOS,
    ON_REQUEST_SCENARIOS,
    QUICK_SCENARIOS,
)
from workforce_platform.errors import EXIT_BAD_INPUT, SimulationOrderError, WorkforceInputError
from workforce_platform.runtime.execution import LEVELS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit with 2, like bad input, in two lines
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n(`{self.prog} --help` lists the options)\n")


def _year_range(text: str) -> list[int]:
    match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"'{text}' is not a year or a range like 2025-2029")
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if last < first:
        raise argparse.ArgumentTypeError(f"'{text}': the range ends before it starts")
    return list(range(first, last + 1))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 10:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 1 and 10")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 0 and 4294967295")
    return value


# The module of workforce_platform/commands that carries out each subcommand.
COMMAND_MODULES = {"simulate": "simulate", "fingerprint": "fingerprint", "parity": "parity", "report": "report",
                   "census": "census", "bench": "bench"}


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="workforce", description="Workforce and retirement-plan simulation.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_simulate_parser(commands)
    _add_fingerprint_parser(commands)
    _add_parity_parser(commands)
    _add_report_parser(commands)
    _add_census_parser(commands)
    _add_bench_parser(commands)
    return parser


def _add_simulate_parser(commands) -> None:
    simulate = commands.add_parser("simulate", help="Run a scenario's years in order through Dagster.")
    simulate.add_argument("--scenario", type=Path, required=True, action="append",
                          help="Scenario YAML file; repeat it to run several scenarios side by side (see --workers).")
    simulate.add_argument("--workers", type=_workers,
                          help="Scenarios at once, 1-10 (default 1), each in its own process with its own database.")
    simulate.add_argument("--seeds", metavar="SEEDS",
                          help="Run the scenario's seed variants, e.g. 1-20 or 1,5,9 (each its own database under "
                               "data/ensembles/<scenario_id>/), then print P10/P50/P90 per year of headcount and "
                               "employer cost.")
    simulate.add_argument("--measure-speedup", action="store_true",
                          help="With several scenarios: run them one after another, then side by side, and print "
                               "the measured speed-up.")
    simulate.add_argument("--db-dir", type=Path,
                          help="With several scenarios or --seeds: folder of their databases, <scenario_id>.duckdb "
                               "(default data/; a seed ensemble goes to <folder>/ensembles/<scenario_id>/).")
    simulate.add_argument("--log-dir", type=Path,
                          help="With several scenarios: folder of each scenario's output (default data/logs).")
    simulate.add_argument("--census", type=Path, help="Census file (CSV or Parquet) overriding the scenario's census_path.")
    simulate.add_argument("--years", type=_year_range, help="Years to run, e.g. 2025-2029 (default: the scenario's).")
    simulate.add_argument("--threads", type=_positive_int,
                          help="dbt and DuckDB threads (default: WORKFORCE_THREADS, execution.threads, or the level's).")
    simulate.add_argument("--optimization", choices=LEVELS,
                          help="Resource level (default: WORKFORCE_OPT_LEVEL, execution.optimization, or medium); "
                               "low is for 4 GB laptops. Results never depend on it.")
    simulate.add_argument("--engine", choices=["sql", "polars"],
                          help="Event engine (default: the scenario's execution.event_engine, else sql); equal results.")
    simulate.add_argument("--event-shards", type=_positive_int,
                          help="Polars engine: split the employees into this many shards (default: execution.event_shards, else 1).")
    simulate.add_argument("--no-engine-parity", action="store_true",
                          help="Skip the blocking engine_parity gate (recomputing each year with the other engine).")
    simulate.add_argument("--db", type=Path, help="DuckDB file (default: WORKFORCE_DB_PATH, else <WORKFORCE_DB_DIR or data>/<scenario_id>.duckdb).")
    simulate.add_argument("--years-per-run", type=_positive_int,
                          help="Years per Dagster run (default: all the years in one run, the fastest): a run of several "
                               "years builds them in order, checks each, and publishes them only when all passed; "
                               "1 publishes each year as soon as its own gates passed.")
    simulate.add_argument("--reload-parameters", action="store_true",
                          help="Load the parameters even when the database holds them for this scenario, census and code.")
    simulate.add_argument("--resume", action="store_true",
                          help="Start at the first year not yet published (after a crash); earlier years are left as they are.")


def _add_fingerprint_parser(commands) -> None:
    fingerprint = commands.add_parser("fingerprint", help="Print each year's input and output fingerprints.")
    fingerprint.add_argument("--scenario", type=Path, required=True, help="Scenario YAML file.")
    fingerprint.add_argument("--years", type=_year_range, help="Years, e.g. 2025-2029 (default: the scenario's).")
    fingerprint.add_argument("--db", type=Path, help="DuckDB file (default: WORKFORCE_DB_PATH, else <WORKFORCE_DB_DIR or data>/<scenario_id>.duckdb).")


def _add_parity_parser(commands) -> None:
    parity = commands.add_parser("parity", help="Compare each year with the other event engine's result, row for row.")
    parity.add_argument("--scenario", type=Path, required=True, help="Scenario YAML file.")
    parity.add_argument("--years", type=_year_range, help="Years, e.g. 2025-2029 (default: the scenario's).")
    parity.add_argument("--db", type=Path, help="DuckDB file (default: WORKFORCE_DB_PATH, else <WORKFORCE_DB_DIR or data>/<scenario_id>.duckdb).")
    parity.add_argument("--event-shards", type=_positive_int, default=1,
                        help="Shards of the Polars engine when it is the one recomputing (default 1).")


def _add_report_parser(commands) -> None:
    report = commands.add_parser("report", help="Summaries, comparison, plots, Excel workbook and HTML report of "
                                                "the published years.")
    report.add_argument("--scenario", type=Path, required=True, help="Scenario YAML file (the baseline).")
    report.add_argument("--db", type=Path, help="Its DuckDB file (default: WORKFORCE_DB_PATH, else <WORKFORCE_DB_DIR or data>/<scenario_id>.duckdb).")
    report.add_argument("--compare", type=Path, action="append", default=[], metavar="SCENARIO",
                        help="An alternative scenario to compare with the baseline (repeatable).")
    report.add_argument("--compare-db", type=Path, action="append", default=[], metavar="DB",
                        help="The DuckDB file of each --compare, in order (default: data/<scenario_id>.duckdb).")
    report.add_argument("--out", type=Path, required=True, help="Folder for the report's files.")
    report.add_argument("--year", type=int, help="Year of the contributions sheet and the pay plot (default: the last published).")
    report.add_argument("--events-limit", type=_positive_int, default=100_000,
                        help="Most events in the workbook (default 100,000; the sheet says when it is cut).")


def _add_census_parser(commands) -> None:
    census = commands.add_parser("census", help="Census utilities.")
    census_commands = census.add_subparsers(dest="census_command", required=True, parser_class=_Parser)
    generate = census_commands.add_parser("generate", help="Write a deterministic synthetic census.")
    generate.add_argument("--employees", type=_positive_int, required=True)
    generate.add_argument("--seed", type=_seed, required=True)
    generate.add_argument("--out", type=Path, required=True, help="Output file, .csv or .parquet.")
    generate.add_argument("--census-date", type=date.fromisoformat, default=date(2024, 12, 31),
                          help="The census date, YYYY-MM-DD (default 2024-12-31, for a 2025 start).")
    generate.add_argument("--plan-history", action="store_true",
                          help="Also the optional columns prior_year_compensation, employee_balance, match_balance, "
                               "core_balance and vesting_service_years.")


def _add_bench_parser(commands) -> None:
    bench = commands.add_parser("bench", help="Benchmarks: one measured run, the scale harness, the parity harness.")
    bench_commands = bench.add_subparsers(dest="bench_command", required=True, parser_class=_Parser)
    run = bench_commands.add_parser("run", help="One measured run end to end: wall time, CPU, peak memory, stages.")
    run.add_argument("--employees", type=_positive_int, default=5000)
    run.add_argument("--years", type=_positive_int, default=5, help="Number of years from 2025.")
    run.add_argument("--threads", type=_positive_int)
    run.add_argument("--optimization", choices=LEVELS)
    run.add_argument("--seed", type=_seed, default=42)
    run.add_argument("--census", type=Path, help="An existing census file (default: generate one from --seed).")
    run.add_argument("--run-years", type=_year_range, help="Run only these of the years, e.g. 2027-2029.")
    run.add_argument("--workdir", type=Path, help="Keep the scenario, census and database here (default: a temp folder).")
    run.add_argument("--json", type=Path, help="Also write the figures to this JSON file.")
    run.add_argument("--engine", choices=["sql", "polars"], help="Event engine (default sql).")
    run.add_argument("--event-shards", type=_positive_int, help="Polars engine shards (default 1).")
    run.add_argument("--no-engine-parity", action="store_true", help="Skip the engine_parity gate.")
    run.add_argument("--years-per-run", type=_positive_int, help="Years per Dagster run (default: all in one run).")

    engines = bench_commands.add_parser("engines", help="The SQL models and the Polars engine side by side on the "
                                                        "same inputs, and end to end with each engine.")
    engines.add_argument("--employees", type=_positive_int, default=100_000,
                         help="Workforce of the side-by-side year (default 100,000).")
    engines.add_argument("--e2e-employees", type=_positive_int, default=60_000,
                         help="Workforce of the end-to-end runs (default 60,000).")
    engines.add_argument("--e2e-years", type=_positive_int, default=5, help="Years of the end-to-end runs (default 5).")
    engines.add_argument("--skip-e2e", action="store_true", help="Only the side-by-side year.")
    engines.add_argument("--repeats", type=_positive_int, default=3, help="Timed repeats of each engine (default 3).")
    _report_arguments(engines, default_timeout=3 * 3600)

    scale = bench_commands.add_parser("scale", help="Time and memory against workforce size and threads, with verdicts.")
    scale.add_argument("--scenario", action="append", choices=list(ALL_SCALE_SCENARIOS), dest="scenarios",
                       help="Run only this scenario (repeatable): " + ", ".join(
                           f"{n} {e:,}x{y}" for n, (e, y) in ALL_SCALE_SCENARIOS.items())
                       + " (" + ", ".join(ON_REQUEST_SCENARIOS) + " only when named)")
    scale.add_argument("--versus-previous-defaults", action="store_true",
                       help="Also run every measured run with the previous defaults (sql engine, one Dagster run a "
                            "year), alternating, and report the speed-up of today's defaults.")
    scale.add_argument("--quick", action="store_true", help="Only " + " and ".join(QUICK_SCENARIOS) + ".")
    scale.add_argument("--runs", type=_positive_int, default=1, help="Runs per scenario (default 1).")
    _report_arguments(scale, default_timeout=4 * 3600)
    scale.add_argument("--engine", choices=["sql", "polars"], help="Event engine of every run (default sql).")
    scale.add_argument("--no-engine-parity", action="store_true", help="Runs without the engine_parity gate.")
    scale.add_argument("--years-per-run", type=_positive_int, help="Years per Dagster run in every run (default: all in one).")
    scale.add_argument("--advisory-timing", action="store_true",
                       help="Report wall-clock verdicts (linearity, threading, speed) without failing on them.")

    parity = bench_commands.add_parser("parity", help="Identical results across threads, levels, reruns and year splits.")
    parity.add_argument("--quick", action="store_true", help=f"{QUICK_PARITY_EMPLOYEES:,} employees instead of {PARITY_EMPLOYEES:,}.")
    parity.add_argument("--employees", type=_positive_int, help="Workforce size (overrides --quick).")
    _report_arguments(parity, default_timeout=3600)


def _report_arguments(parser: argparse.ArgumentParser, default_timeout: int) -> None:
    parser.add_argument("--out", type=Path, default=Path("reports/bench"),
                        help="Folder for the reports (Markdown, JSON, JUnit XML) and run logs (default reports/bench).")
    parser.add_argument("--timeout", type=_positive_int, default=default_timeout,
                        help=f"Stop after this many seconds and exit 2 (default {default_timeout}).")
    parser.add_argument("--seed", type=_seed, default=42)
    parser.add_argument("--keep", action="store_true", help="Keep the runs' databases under OUT/work.")


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    # Each command's module is imported when it runs: it brings its own libraries (Dagster, dbt,
    # Polars), so `workforce --help` and a refused argument stay instant.
    command = importlib.import_module(f"workforce_platform.commands.{COMMAND_MODULES[args.command]}")
    try:
        if args.command == "bench":
            return command.run(args, list(argv if argv is not None else sys.argv[1:]))
        return command.run(args)
    except (WorkforceInputError, SimulationOrderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT

def entry_point() -> None:
    """The `workforce` executable: main(), then a prompt exit. Every result is committed and every
    file closed by then; the interpreter's own teardown of dbt's and Dagster's object graphs
    would add more than a second to each command (docs/benchmarks.md)."""
    code = main()
    if "workforce_platform.parity.sql_side_worker" in sys.modules:  # a command that used the parity helper
        sys.modules["workforce_platform.parity.sql_side_worker"].stop_worker()  # lets the parity gate's helper process exit on its own

    multiprocessing.util._exit_function()  # releases dbt's semaphores, which the tracker would report
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry_point()
