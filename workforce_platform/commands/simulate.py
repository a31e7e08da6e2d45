"""`workforce simulate`: a scenario's years in order, through Dagster, in this process; or, with
several scenarios or seed variants, each in its own process side by side (commands/batch.py).

The years (all in one Dagster run of the `simulate_year` job by default, or `--years-per-run` each) are
recorded in the Dagster instance (the UI shows them); the scenario's parameters are loaded first by
the `load_parameters` job unless the database holds them for exactly this scenario, census and
code. The database's lock keeps a second simulation off the same file. Bad input is refused before
anything is written.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional


from workforce_platform.build.parameters import parameters_current
from workforce_platform.census.load import scenario_census_columns
from workforce_platform.commands.batch import run_batch_command
from workforce_platform.commands.preflight import check_inputs, remove_database_files
from workforce_platform.commands.instance import ensure_dagster_home, instance_note, open_instance
from workforce_platform.commands.run_outcomes import (
    DATABASE_TAG, PID_TAG, fail_abandoned_runs, failure_message, record_failure, run_warnings,
)
from workforce_platform.config.scenario import Scenario
from workforce_platform.defs.assembly import build_definitions
from workforce_platform.defs.failures import RECORDED_BY_TAG
from workforce_platform.defs.jobs import LOAD_PARAMETERS_JOB, SIMULATE_YEAR_JOB
from workforce_platform.defs.partitions import year_range_tags
from workforce_platform.defs.resources import SimulationResource
from workforce_platform.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, WorkforceInputError
from workforce_platform.parity.sql_side_worker import warm_up
from workforce_platform.runtime import database
from workforce_platform.runtime.database import DatabaseLock
from workforce_platform.runtime.dbt_project import ensure_manifest
from workforce_platform.runtime.execution import ExecutionSettings, machine_cores
from workforce_platform.runtime.monitoring import STAGES, peak_rss_bytes, process_sampler
from workforce_platform.runtime.tables import table_exists
from workforce_platform.paths import dagster_home
from workforce_platform.text_table import right_aligned


def run(args: argparse.Namespace) -> int:
    if len(args.scenario) > 1 or args.seeds is not None or args.workers is not None or args.measure_speedup:
        return run_batch_command(args)
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


SUMMARY_COLUMNS = (
    "simulation_year", "starting_headcount", "hires", "experienced_terminations",
    "new_hire_terminations", "ending_headcount", "growth_rate", "total_prorated_compensation",
)


# The runs' full event logs (stack traces included) are in the Dagster instance; the terminal gets
# progress lines, each run's warnings and, for a failed run, its failure in a few lines.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class RunOutcome:
    label: str
    success: bool
    seconds: float
    run_id: str
    message: str = ""
    bad_input: bool = False


@dataclass
class SimulationReport:
    scenario_id: str
    db_path: Path
    runs: list[RunOutcome] = field(default_factory=list)
    summary: list[tuple] = field(default_factory=list)
    wall_seconds: float = 0.0
    peak_rss_bytes: int = 0
    cpu_seconds: float = 0.0
    cpu_utilisation: float = 0.0  # busy share of the machine's cores, 0-1
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, summed over the runs
    settings: Optional[ExecutionSettings] = None

    @property
    def dagster_overhead_seconds(self) -> float:
        """The runs' time outside the stages: Dagster's own work (run and step set-up, event log)."""
        return max(0.0, sum(r.seconds for r in self.runs) - sum(self.stages.values()))

    def figures_line(self) -> str:
        stages = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.stages.items())
        return (f"wall time {self.wall_seconds:.2f} s, peak memory {self.peak_rss_bytes / 2**20:.0f} MiB "
                f"(process tree), CPU {self.cpu_seconds:.1f} s ({self.cpu_utilisation:.0%} of "
                f"{machine_cores()} cores)\nstages: {stages}, Dagster {self.dagster_overhead_seconds:.2f} s")

    @property
    def success(self) -> bool:
        return all(r.success for r in self.runs)

    @property
    def bad_input(self) -> bool:
        return any(r.bad_input for r in self.runs)


def run_simulation(
    scenario_path: Path,
    years: Optional[list[int]] = None,
    db_path: Optional[Path] = None,
    threads: Optional[int] = None,
    census_path: Optional[Path] = None,
    progress: Callable[[str], None] = print,
    resume: bool = False,
    optimization: Optional[str] = None,
    engine: Optional[str] = None,
    event_shards: Optional[int] = None,
    engine_parity: Optional[bool] = None,
    reload_parameters: bool = False,
    years_per_run: Optional[int] = None,
) -> SimulationReport:
    """Runs the years in order, `years_per_run` a Dagster run (default: all of them in one run);
    stops at the first failed run. With `resume`, the years already published (in order from the
    first) are left as they are and the run starts after them."""
    started = time.perf_counter()
    ensure_dagster_home()
    simulation = SimulationResource(
        scenario_path=str(scenario_path), database=str(db_path) if db_path else "", threads=threads,
        census_path=str(census_path) if census_path else None, optimization=optimization,
        event_engine=engine, event_shards=event_shards, engine_parity=engine_parity,
    )
    scenario, settings = simulation.scenario(), simulation.execution()
    years = _checked_years(scenario, years or scenario.years, years_per_run)
    db = simulation.database_path()
    new_database = not db.exists()
    check_inputs(scenario, db, years, resume)  # bad input refused before anything is written
    report = SimulationReport(scenario_id=scenario.scenario_id, db_path=db, settings=settings)
    if resume:
        years = _years_to_resume(db, scenario, years, progress)
        if not years:
            report.summary = read_summary(db, scenario.scenario_id, scenario.years)
            return report
    _print_header(simulation, scenario, years, progress)
    # Each build step arms the memory guard with the run's settings; this window spans the run.
    sampler = process_sampler()
    STAGES.reset()
    run_window = sampler.open_window()
    with DatabaseLock(db):
        _run_jobs(simulation, scenario, years, years_per_run, reload_parameters, report, progress)
        report.summary = read_summary(db, scenario.scenario_id, years)
    sampler.close_window(run_window)
    if new_database and report.bad_input:
        remove_database_files(db)  # a refused run leaves nothing behind
    report.wall_seconds = time.perf_counter() - started
    report.peak_rss_bytes = peak_rss_bytes()
    report.cpu_seconds, report.cpu_utilisation = run_window.cpu_seconds, run_window.cpu_utilisation
    report.stages = STAGES.totals()
    return report


def _checked_years(scenario: Scenario, years: list[int], years_per_run: Optional[int]) -> list[int]:
    outside = [y for y in years if y not in scenario.years]
    if outside:
        raise WorkforceInputError(
            f"{scenario.source_path}: years {outside[0]}-{outside[-1]} are outside the scenario's years "
            f"{scenario.start_year}-{scenario.end_year}"
        )
    if years_per_run is not None and not 1 <= years_per_run <= 100:
        raise WorkforceInputError(f"--years-per-run {years_per_run} must be between 1 and 100")
    return years


def _years_to_resume(db: Path, scenario: Scenario, years: list[int], progress: Callable[[str], None]) -> list[int]:
    """The years after those already published in order from the first."""
    done = published_years(db, scenario.scenario_id)
    while years and years[0] in done:
        years = years[1:]
    if not years:
        progress(f"scenario '{scenario.scenario_id}': every year is published already; nothing to resume")
    else:
        progress(f"resuming at year {years[0]}: earlier years are published and left as they are")
    return years


def _print_header(simulation: SimulationResource, scenario: Scenario, years: list[int],
                  progress: Callable[[str], None]) -> None:
    settings, engine = simulation.execution(), simulation.engine()
    progress(f"scenario '{scenario.scenario_id}': years {years[0]}-{years[-1]}, database {simulation.database_path()}")
    progress(f"  {settings.describe()}")
    progress(f"  {engine.describe()}")
    note = instance_note(dagster_home())
    if note:
        progress(f"  {note}")
    for census_line in scenario_census_columns(scenario).header_lines():
        progress(f"  {census_line}")
    if engine.engine == "polars" and engine.parity and len(years) > 1:
        # The parity gate's SQL side is built beside the engine by a helper, which warms up while
        # the parameters and the first year build (parity/sql_side_worker.py). The project is
        # parsed here first when it changed: the helper then reads the parse, and this process
        # never waits for it.
        ensure_manifest()
        warm_up(settings)


def _run_jobs(simulation: SimulationResource, scenario: Scenario, years: list[int], years_per_run: Optional[int],
              reload_parameters: bool, report: SimulationReport, progress: Callable[[str], None]) -> None:
    """The parameters (unless current), then the years in runs of `years_per_run`, in order; stops
    at the first failed run. The caller holds the database's lock."""
    db = simulation.database_path()
    definitions = build_definitions(simulation)
    instance = open_instance()
    fail_abandoned_runs(instance, db, progress)
    run_tags = {DATABASE_TAG: str(db), PID_TAG: str(os.getpid()), RECORDED_BY_TAG: "workforce simulate"}
    # A run of several years builds them in order, checks each, and publishes them all only when
    # every year's blocking checks passed (Dagster's single-run backfill of a year range).
    per_run = years_per_run or len(years)
    chunks = [years[i:i + per_run] for i in range(0, len(years), per_run)]
    jobs: list[tuple[str, Optional[list[int]]]] = [(SIMULATE_YEAR_JOB, chunk) for chunk in chunks]
    unchanged = None if reload_parameters else parameters_current(db, scenario)
    if unchanged:
        progress(f"  parameters unchanged (digest {unchanged[:8]}: scenario, census, code), not reloaded")
    else:
        jobs.insert(0, (LOAD_PARAMETERS_JOB, None))
    for job_name, chunk in jobs:
        job_started = time.perf_counter()
        if chunk and len(chunk) > 1:
            partition, label = None, f"{chunk[0]}-{chunk[-1]}"
            tags = {**run_tags, **year_range_tags(chunk[0], chunk[-1])}
        else:
            partition = str(chunk[0]) if chunk else None
            label, tags = partition or "parameters", run_tags
        result = definitions.resolve_job_def(job_name).execute_in_process(
            instance=instance, partition_key=partition, raise_on_error=False, run_config=QUIET_CONSOLE, tags=tags)
        outcome = RunOutcome(label, result.success, time.perf_counter() - job_started, result.run_id)
        if not result.success:
            outcome.message, outcome.bad_input = failure_message(result)
        report.runs.append(outcome)
        progress(f"  {label:<10} {'ok' if outcome.success else 'FAILED':<6} {outcome.seconds:6.2f} s   "
                 f"run {result.run_id[:8]}")
        for warning in run_warnings(instance, result.run_id):
            progress(f"    warning: {warning}")
        if not outcome.success:
            progress(outcome.message)
            record_failure(instance, db, scenario.scenario_id, job_name, tags, result, progress)
            break


def published_years(db_path: Path, scenario_id: str) -> set[int]:
    if not db_path.exists():
        return set()
    con = database.connect(db_path, read_only=True)
    try:
        if not table_exists(con, "published", "promotions"):
            return set()
        return {r[0] for r in con.execute(
            "select simulation_year from published.promotions where scenario_id = ?", [scenario_id]).fetchall()}
    finally:
        con.close()


def read_summary(db_path: Path, scenario_id: str, years: list[int]) -> list[tuple]:
    if not db_path.exists():
        return []
    con = database.connect(db_path, read_only=True)
    try:
        if not table_exists(con, "main", "fct_year_summary"):
            return []
        return con.execute(
            f"select {', '.join(SUMMARY_COLUMNS)} from main.fct_year_summary "
            "where scenario_id = ? and simulation_year between ? and ? order by simulation_year",
            [scenario_id, min(years), max(years)],
        ).fetchall()
    finally:
        con.close()


def format_summary(rows: list[tuple]) -> str:
    headers = ("year", "start", "hires", "terms", "nh terms", "end", "growth", "total pay")
    body = [
        (str(r[0]), f"{r[1]:,}", f"{r[2]:,}", f"{r[3]:,}", f"{r[4]:,}", f"{r[5]:,}",
         "" if r[6] is None else f"{float(r[6]) * 100:.2f}%", f"{r[7]:,.2f}")
        for r in rows
    ]
    return right_aligned(headers, body)
