"""The `workforce` command line.

Exit codes: 0 success; 1 a simulation step or check failed; 2 bad input (census, scenario,
command-line arguments).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Optional, Sequence

from workforce_platform.benchmarks.scenarios import (
    PARITY_EMPLOYEES,
    QUICK_PARITY_EMPLOYEES,
    QUICK_SCENARIOS,
    SCALE_SCENARIOS,
)
from workforce_platform.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, SimulationOrderError, WorkforceInputError
from workforce_platform.orchestration.execution import LEVELS



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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="workforce", description="Workforce and retirement-plan simulation.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

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
    simulate.add_argument("--years-per-run", type=_positive_int, default=1,
                          help="Years per Dagster run (default 1): a run of several years builds them in order, checks "
                               "each, and publishes them only when all passed; fewer runs, less overhead.")
    simulate.add_argument("--reload-parameters", action="store_true",
                          help="Load the parameters even when the database holds them for this scenario, census and code.")
    simulate.add_argument("--resume", action="store_true",
                          help="Start at the first year not yet published (after a crash); earlier years are left as they are.")

    fingerprint = commands.add_parser("fingerprint", help="Print each year's input and output fingerprints.")
    fingerprint.add_argument("--scenario", type=Path, required=True, help="Scenario YAML file.")
    fingerprint.add_argument("--years", type=_year_range, help="Years, e.g. 2025-2029 (default: the scenario's).")
    fingerprint.add_argument("--db", type=Path, help="DuckDB file (default: WORKFORCE_DB_PATH, else <WORKFORCE_DB_DIR or data>/<scenario_id>.duckdb).")

    parity = commands.add_parser("parity", help="Compare each year with the other event engine's result, row for row.")
    parity.add_argument("--scenario", type=Path, required=True, help="Scenario YAML file.")
    parity.add_argument("--years", type=_year_range, help="Years, e.g. 2025-2029 (default: the scenario's).")
    parity.add_argument("--db", type=Path, help="DuckDB file (default: WORKFORCE_DB_PATH, else <WORKFORCE_DB_DIR or data>/<scenario_id>.duckdb).")
    parity.add_argument("--event-shards", type=_positive_int, default=1,
                        help="Shards of the Polars engine when it is the one recomputing (default 1).")

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
    run.add_argument("--years-per-run", type=_positive_int, default=1, help="Years per Dagster run (default 1).")

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
    scale.add_argument("--scenario", action="append", choices=list(SCALE_SCENARIOS), dest="scenarios",
                       help="Run only this scenario (repeatable): " + ", ".join(
                           f"{n} {e:,}x{y}" for n, (e, y) in SCALE_SCENARIOS.items()))
    scale.add_argument("--quick", action="store_true", help="Only " + " and ".join(QUICK_SCENARIOS) + ".")
    scale.add_argument("--runs", type=_positive_int, default=1, help="Runs per scenario (default 1).")
    _report_arguments(scale, default_timeout=4 * 3600)
    scale.add_argument("--engine", choices=["sql", "polars"], help="Event engine of every run (default sql).")
    scale.add_argument("--no-engine-parity", action="store_true", help="Runs without the engine_parity gate.")
    scale.add_argument("--years-per-run", type=_positive_int, help="Years per Dagster run in every run (default 1).")
    scale.add_argument("--advisory-timing", action="store_true",
                       help="Report wall-clock verdicts (linearity, threading, speed) without failing on them.")

    parity = bench_commands.add_parser("parity", help="Identical results across threads, levels, reruns and year splits.")
    parity.add_argument("--quick", action="store_true", help=f"{QUICK_PARITY_EMPLOYEES:,} employees instead of {PARITY_EMPLOYEES:,}.")
    parity.add_argument("--employees", type=_positive_int, help="Workforce size (overrides --quick).")
    _report_arguments(parity, default_timeout=3600)
    return parser


def _report_arguments(parser: argparse.ArgumentParser, default_timeout: int) -> None:
    parser.add_argument("--out", type=Path, default=Path("reports/bench"),
                        help="Folder for the reports (Markdown, JSON, JUnit XML) and run logs (default reports/bench).")
    parser.add_argument("--timeout", type=_positive_int, default=default_timeout,
                        help=f"Stop after this many seconds and exit 2 (default {default_timeout}).")
    parser.add_argument("--seed", type=_seed, default=42)
    parser.add_argument("--keep", action="store_true", help="Keep the runs' databases under OUT/work.")


def _forwarded_simulate_options(args: argparse.Namespace) -> list[str]:
    """The options of one scenario's run that a batch passes on to each scenario's process."""
    options: list[str] = []
    for flag, value in (("--census", args.census), ("--threads", args.threads), ("--optimization", args.optimization),
                        ("--engine", args.engine), ("--event-shards", args.event_shards)):
        if value is not None:
            options += [flag, str(value)]
    if args.years:
        options += ["--years", f"{args.years[0]}-{args.years[-1]}"]
    if args.years_per_run != 1:
        options += ["--years-per-run", str(args.years_per_run)]
    for flag, on in (("--no-engine-parity", args.no_engine_parity), ("--reload-parameters", args.reload_parameters),
                     ("--resume", args.resume)):
        if on:
            options.append(flag)
    return options


def _simulate_batch(args: argparse.Namespace) -> int:
    from workforce_platform.config.scenario import load_scenario
    from workforce_platform.orchestration.batch import (
        comparison_table,
        ensemble_folder,
        parse_seeds,
        run_batch,
        scenario_items,
        seed_items,
        speedup_line,
    )
    from workforce_platform.orchestration.simulate import ensure_dagster_home
    from workforce_platform.paths import DATA_DIR

    workers = args.workers or 1
    log_dir = (args.log_dir or DATA_DIR / "logs").resolve()
    if args.seeds is not None:
        if len(args.scenario) > 1:
            raise WorkforceInputError("--seeds runs the seed variants of one scenario; give one --scenario")
        if args.db is not None:
            raise WorkforceInputError("--seeds writes one database per seed under data/ensembles/<scenario_id>/; "
                                      "--db cannot name them")
        seeds = parse_seeds(args.seeds)
        scenario = load_scenario(args.scenario[0])
        items = seed_items(args.scenario[0], seeds, ensemble_folder(scenario, args.db_dir), log_dir)
    else:
        items = scenario_items(args.scenario, log_dir, args.db, args.db_dir)
    if args.measure_speedup and (workers < 2 or len(items) < 2):
        raise WorkforceInputError("--measure-speedup compares one after another with side by side: it needs two "
                                  "scenarios or more and --workers 2 or more")
    ensure_dagster_home()  # one Dagster instance for every scenario's process
    options = _forwarded_simulate_options(args)
    if args.measure_speedup and "--reload-parameters" not in options:
        options.append("--reload-parameters")  # both passes do the same work
    what = f"{len(items)} seed variants of '{scenario.scenario_id}'" if args.seeds is not None else f"{len(items)} scenarios"
    print(f"{what}, {workers} at once, each in its own process; output in {log_dir}")
    sequential = None
    if args.measure_speedup:
        print("one after another:")
        sequential = run_batch(items, 1, options, lambda line: print(line, flush=True), label="sequential ",
                               log_suffix=".sequential.log")
        print(f"side by side ({workers} workers):")
    parallel = run_batch(items, workers, options, lambda line: print(line, flush=True))
    print()
    if args.seeds is not None:
        from workforce_platform.reports.ensemble import (
            ensemble_years,
            format_ensemble,
            published_year_figures,
            write_ensemble_csv,
        )

        table = ensemble_years({item.seed: published_year_figures(item.db_path, item.scenario_id) for item in items})
        print(f"ensemble of '{scenario.scenario_id}' over seeds {args.seeds} (published years; P10/P50/P90, type 7):")
        print(format_ensemble(table))
        summary = ensemble_folder(scenario, args.db_dir) / "ensemble_summary.csv"
        print(f"written to {write_ensemble_csv(table, summary)}")
    else:
        print("published results side by side:")
        print(comparison_table(items))
    print()
    print(speedup_line(parallel, sequential))
    codes = [parallel.exit_code] + ([sequential.exit_code] if sequential else [])
    return EXIT_FAILED if EXIT_FAILED in codes else max(codes)


def _simulate(args: argparse.Namespace) -> int:
    from workforce_platform.orchestration.simulate import format_summary, run_simulation

    if len(args.scenario) > 1 or args.seeds is not None or args.workers is not None or args.measure_speedup:
        return _simulate_batch(args)
    if args.log_dir is not None or args.db_dir is not None:
        raise WorkforceInputError("--log-dir and --db-dir are for several scenarios (or --seeds); with one scenario, "
                                  "--db names its database and its output is printed here")
    report = run_simulation(args.scenario[0], years=args.years, db_path=args.db, threads=args.threads,
                            census_path=args.census, resume=args.resume, optimization=args.optimization,
                            engine=args.engine, event_shards=args.event_shards,
                            engine_parity=False if args.no_engine_parity else None,
                            reload_parameters=args.reload_parameters, years_per_run=args.years_per_run)
    if report.summary:
        print()
        print(format_summary(report.summary))
    print()
    print(report.figures_line())
    print(f"database {report.db_path}")
    if report.success:
        return EXIT_OK
    return EXIT_BAD_INPUT if report.bad_input else EXIT_FAILED


def _report(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from workforce_platform.config.scenario import load_scenario
    from workforce_platform.orchestration.year_build import default_db_path
    from workforce_platform.reports.build import STEPS, build_report
    from workforce_platform.reports.tables import PublishedScenario, default_alternative_db

    if len(args.compare_db) > len(args.compare):
        raise WorkforceInputError("--compare-db: one more database than --compare scenarios")
    baseline_scenario = load_scenario(args.scenario)
    baseline = PublishedScenario(baseline_scenario, (args.db or default_db_path(baseline_scenario)).resolve())
    alternatives = []
    for i, path in enumerate(args.compare):
        scenario = load_scenario(path)
        db = args.compare_db[i] if i < len(args.compare_db) else default_alternative_db(scenario)
        if scenario.scenario_id == baseline.scenario_id and db.resolve() == baseline.db_path:
            raise WorkforceInputError(f"--compare {path}: the same scenario and database as the baseline")
        alternatives.append(PublishedScenario(scenario, db.resolve()))
    with Progress(transient=False) as bar:
        task = bar.add_task(f"report of '{baseline.scenario_id}'", total=len(STEPS))
        files = build_report(baseline, alternatives, args.out.resolve(), args.year, args.events_limit,
                             progress=lambda step: bar.update(task, advance=1, description=f"report: {step} done"))
    for path in files.all():
        print(path)
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from workforce_platform.census.generate import generate_census, write_census

    rows = generate_census(args.employees, args.seed, args.census_date, plan_history=args.plan_history)
    out = write_census(rows, args.out)
    print(f"wrote {len(rows):,} employees to {out}")
    return EXIT_OK


def _parity(args: argparse.Namespace) -> int:
    from workforce_platform.engines.parity_report import HEADER, first_differences, format_row, format_table, parity_rows

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


def _fingerprint(args: argparse.Namespace) -> int:
    from workforce_platform.checks.fingerprints_report import fingerprint_report

    print(fingerprint_report(args.scenario, args.years, args.db))
    return EXIT_OK


def _bench(args: argparse.Namespace, argv: Sequence[str]) -> int:
    if args.bench_command == "run":
        from workforce_platform.benchmarks.run import run_bench

        return run_bench(args.employees, args.years, args.threads, args.seed, args.optimization, args.workdir,
                         args.census, args.run_years, args.json, engine=args.engine,
                         engine_parity=False if args.no_engine_parity else None, event_shards=args.event_shards,
                         years_per_run=args.years_per_run)
    if args.bench_command == "engines":
        from workforce_platform.benchmarks.engines import run_engines

        return run_engines(args.employees, args.e2e_employees, args.e2e_years, args.skip_e2e, args.repeats,
                           args.out.resolve(), args.seed, args.timeout)
    from workforce_platform.benchmarks.reports import write_reports

    command = "workforce " + " ".join(argv)
    out = args.out.resolve()
    if args.bench_command == "scale":
        from workforce_platform.benchmarks.scale import run_scale

        scenarios = args.scenarios or list(QUICK_SCENARIOS if args.quick else SCALE_SCENARIOS)
        run_options = (["--engine", args.engine] if args.engine else []) + (
            ["--no-engine-parity"] if args.no_engine_parity else []) + (
            ["--years-per-run", str(args.years_per_run)] if args.years_per_run else [])
        report = run_scale(list(dict.fromkeys(scenarios)), args.runs, out, args.timeout, args.seed,
                           args.advisory_timing, command, keep=args.keep, run_options=run_options)
    else:
        from workforce_platform.benchmarks.parity import run_parity

        employees = args.employees or (QUICK_PARITY_EMPLOYEES if args.quick else PARITY_EMPLOYEES)
        report = run_parity(employees, out, args.timeout, args.seed, command, keep=args.keep)
    paths = write_reports(report, out)
    print()
    for verdict in report.verdicts:
        flag = "" if verdict.enforced or verdict.status != "fail" else " (advisory)"
        print(f"  {verdict.status.upper():<7} {verdict.name:<24} {verdict.measured}{flag}")
    print(f"{report.title}: {report.outcome()} in {report.wall_seconds:.1f} s; reports: "
          + ", ".join(str(p) for p in paths))
    return report.exit_code()


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "simulate":
            return _simulate(args)
        if args.command == "census":
            return _generate(args)
        if args.command == "fingerprint":
            return _fingerprint(args)
        if args.command == "parity":
            return _parity(args)
        if args.command == "report":
            return _report(args)
        return _bench(args, list(argv if argv is not None else sys.argv[1:]))
    except (WorkforceInputError, SimulationOrderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def entry_point() -> None:
    """The `workforce` executable: main(), then a prompt exit. Every result is committed and every
    file closed by then; the interpreter's own teardown of dbt's and Dagster's object graphs
    would add about 1.6 s to each command."""
    code = main()
    import multiprocessing.util

    from workforce_platform.engines.sql_side_worker import stop_worker

    stop_worker()  # lets the parity gate's helper process exit on its own

    multiprocessing.util._exit_function()  # releases dbt's semaphores, which the tracker would report
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry_point()
