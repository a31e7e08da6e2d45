"""The `workforce` command line.

Exit codes: 0 success; 1 a simulation step or check failed; 2 bad input (census, scenario,
command-line arguments).
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path
from typing import Optional, Sequence

from workforce_platform.errors import SimulationOrderError, WorkforceInputError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit with 2, like bad input
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


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


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 0 and 4294967295")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="workforce", description="Workforce and retirement-plan simulation.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    simulate = commands.add_parser("simulate", help="Run a scenario's years in order through Dagster.")
    simulate.add_argument("--scenario", type=Path, required=True, help="Scenario YAML file.")
    simulate.add_argument("--census", type=Path, help="Census file (CSV or Parquet) overriding the scenario's census_path.")
    simulate.add_argument("--years", type=_year_range, help="Years to run, e.g. 2025-2029 (default: the scenario's).")
    simulate.add_argument("--threads", type=_positive_int, help="dbt and DuckDB threads (default: the machine's cores).")
    simulate.add_argument("--engine", choices=["sql", "polars"], default="sql", help="Event engine (default: sql).")
    simulate.add_argument("--db", type=Path, help="DuckDB file (default: WORKFORCE_DB_PATH or data/<scenario_id>.duckdb).")
    simulate.add_argument("--resume", action="store_true",
                          help="Start at the first year not yet published (after a crash); earlier years are left as they are.")

    fingerprint = commands.add_parser("fingerprint", help="Print each year's input and output fingerprints.")
    fingerprint.add_argument("--scenario", type=Path, required=True, help="Scenario YAML file.")
    fingerprint.add_argument("--years", type=_year_range, help="Years, e.g. 2025-2029 (default: the scenario's).")
    fingerprint.add_argument("--db", type=Path, help="DuckDB file (default: WORKFORCE_DB_PATH or data/<scenario_id>.duckdb).")

    census = commands.add_parser("census", help="Census utilities.")
    census_commands = census.add_subparsers(dest="census_command", required=True, parser_class=_Parser)
    generate = census_commands.add_parser("generate", help="Write a deterministic synthetic census.")
    generate.add_argument("--employees", type=_positive_int, required=True)
    generate.add_argument("--seed", type=_seed, required=True)
    generate.add_argument("--out", type=Path, required=True, help="Output file, .csv or .parquet.")
    generate.add_argument("--census-date", type=date.fromisoformat, default=date(2024, 12, 31),
                          help="The census date, YYYY-MM-DD (default 2024-12-31, for a 2025 start).")

    bench = commands.add_parser("bench", help="Measure a run end to end: wall time and peak memory.")
    bench.add_argument("--employees", type=_positive_int, default=5000)
    bench.add_argument("--years", type=_positive_int, default=5, help="Number of years from 2025.")
    bench.add_argument("--threads", type=_positive_int)
    bench.add_argument("--seed", type=_seed, default=42)
    return parser


def _simulate(args: argparse.Namespace) -> int:
    from workforce_platform.orchestration.simulate import format_summary, run_simulation

    if args.engine != "sql":
        print("workforce simulate: --engine polars is not available yet; use --engine sql", file=sys.stderr)
        return EXIT_BAD_INPUT
    report = run_simulation(args.scenario, years=args.years, db_path=args.db, threads=args.threads,
                            census_path=args.census, resume=args.resume)
    if report.summary:
        print()
        print(format_summary(report.summary))
    print()
    print(f"wall time {report.wall_seconds:.2f} s, peak memory {report.peak_rss_bytes / 2**20:.0f} MiB, "
          f"database {report.db_path}")
    if report.success:
        return EXIT_OK
    return EXIT_BAD_INPUT if report.bad_input else EXIT_FAILED


def _generate(args: argparse.Namespace) -> int:
    from workforce_platform.census.generate import generate_census, write_census

    rows = generate_census(args.employees, args.seed, args.census_date)
    out = write_census(rows, args.out)
    print(f"wrote {len(rows):,} employees to {out}")
    return EXIT_OK


def _fingerprint(args: argparse.Namespace) -> int:
    from workforce_platform.checks.fingerprints_report import fingerprint_report

    print(fingerprint_report(args.scenario, args.years, args.db))
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    from workforce_platform.orchestration.bench import run_bench

    return run_bench(args.employees, args.years, args.threads, args.seed)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "simulate":
            return _simulate(args)
        if args.command == "census":
            return _generate(args)
        if args.command == "fingerprint":
            return _fingerprint(args)
        return _bench(args)
    except (WorkforceInputError, SimulationOrderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
