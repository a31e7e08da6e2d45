"""`workforce simulate`: the scenario's years in order, through Dagster, in this process.

Each year is one Dagster run of the `simulate_year` job for that partition, recorded in the local
Dagster instance (the UI shows them). The scenario's parameters are loaded first by the
`load_parameters` job. A file lock keeps a second simulation off the same database.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Optional

import duckdb

from workforce_platform.census.load import scenario_census_columns, validated_census
from workforce_platform.engines.sql_side_worker import warm_up
from workforce_platform.config.scenario import Scenario
from workforce_platform.errors import SimulationOrderError, WorkforceInputError
from workforce_platform.orchestration import database
from workforce_platform.orchestration.database_lock import DatabaseLock
from workforce_platform.orchestration.failures import RECORDED_BY_TAG, failure_lines, record_failures
from workforce_platform.orchestration.tables import table_exists
from workforce_platform.orchestration.dbt_project import ensure_manifest
from workforce_platform.orchestration.year_build import check_year_order, parameters_current
from workforce_platform.orchestration.execution import ExecutionSettings, machine_cores
from workforce_platform.orchestration.monitoring import STAGES, peak_rss_bytes, process_sampler
from workforce_platform.partitions import year_range_tags
from workforce_platform.paths import dagster_home
from workforce_platform.text_table import right_aligned

if TYPE_CHECKING:
    from dagster import DagsterInstance

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


def ensure_dagster_home() -> Path:
    """DAGSTER_HOME, defaulting to .dagster_home linked to the project's dagster.yaml."""
    home = dagster_home()
    if "DAGSTER_HOME" not in os.environ:
        from workforce_platform.paths import PROJECT_ROOT

        home = PROJECT_ROOT / ".dagster_home"
        home.mkdir(exist_ok=True)
        link = home / "dagster.yaml"
        if not link.exists():
            link.symlink_to(PROJECT_ROOT / "dagster.yaml")
        os.environ["DAGSTER_HOME"] = str(home)
    return home


INSTANCE_SETUP_LOCK = ".workforce_instance_setup.lock"


@contextmanager
def _instance_setup_lock(home: Path) -> Iterator[None]:
    """Held while this process opens the instance. Opening a new instance creates its SQLite
    storages (tables, alembic version stamps, data migrations) with no guard against another
    process doing the same: two processes opening a fresh DAGSTER_HOME at once can fail ("UNIQUE
    constraint failed: alembic_version.version_num") or leave two versions stamped, after which
    every command on that instance fails. The kernel releases the lock if the process dies."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / INSTANCE_SETUP_LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_instance() -> "DagsterInstance":
    """The instance of DAGSTER_HOME (see ensure_dagster_home), opened by one of our processes at a time."""
    home = ensure_dagster_home()
    from dagster import DagsterInstance

    with _instance_setup_lock(home):
        return DagsterInstance.get()


def prepare_shared_instance() -> None:
    """Creates the instance's storages, if new, before processes that share it start: they then
    find them ready, and a broken instance fails here once rather than in each of them."""
    open_instance().dispose()


DATABASE_TAG = "workforce/database"
PID_TAG = "workforce/pid"


def _fail_abandoned_runs(instance, database: Path, progress: Callable[[str], None]) -> None:
    """Marks as failed the runs on this database whose process ended without finishing them
    (killed): we hold the database lock, so no live process is running them."""
    from dagster import DagsterRunStatus, RunsFilter

    abandoned = instance.get_runs(filters=RunsFilter(
        statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING], tags={DATABASE_TAG: str(database)}))
    for run in abandoned:
        instance.report_run_failed(run, f"abandoned: process {run.tags.get(PID_TAG, '?')} ended during the run")
        progress(f"  run {run.run_id[:8]} ({run.job_name} {run.tags.get('dagster/partition', '')}) was abandoned "
                 "by a process that ended; marked failed")


def _record_failure(instance, database: Path, scenario_id: str, job_name: str, tags: dict, result,
                    progress: Callable[[str], None]) -> None:
    """The failed run's lines (year, failing check or step): in its log, in audit.failures, printed."""
    run = instance.get_run_by_id(result.run_id)
    lines = failure_lines(scenario_id, result.run_id, job_name, run.tags if run is not None else tags, result.all_events)
    if run is not None:
        for line in lines:
            instance.report_engine_event(line.text(), run)
    record_failures(database, lines)
    progress(f"  recorded in audit.failures of {database}:")
    for line in lines:
        progress(f"    {line.text()}")


def _failure_message(result) -> tuple[str, bool]:
    messages, bad_input = [], False
    failed_checks = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                rows = evaluation.metadata.get("violating_rows") or evaluation.metadata.get("failing_rows")
                count = f" ({getattr(rows, 'value', rows)} violating rows)" if rows is not None else ""
                failed_checks.append(f"{evaluation.asset_check_key.name} on "
                                     f"{evaluation.asset_check_key.asset_key.to_user_string()}{count}")
    if failed_checks:
        messages.append("failed checks: " + "; ".join(failed_checks) + " (the year was not published)")
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            data = event.step_failure_data
            if data.user_failure_data is not None and data.user_failure_data.description:
                messages.append(data.user_failure_data.description)
                flag = (data.user_failure_data.metadata or {}).get("bad_input")
                bad_input = bad_input or bool(getattr(flag, "value", flag))
            elif data.error is not None:
                messages.append(data.error.message.strip())
    return ("\n".join(messages) or "the run failed"), bad_input


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
    years_per_run: int = 1,
) -> SimulationReport:
    """Runs the years in order; stops at the first failed year. With `resume`, the years already
    published (in order from the first) are left as they are and the run starts after them."""
    started = time.perf_counter()
    ensure_dagster_home()
    from workforce_platform.assembly import build_definitions
    from workforce_platform.jobs import LOAD_PARAMETERS_JOB, SIMULATE_YEAR_JOB
    from workforce_platform.resources import SimulationResource

    simulation = SimulationResource(
        scenario_path=str(scenario_path),
        db_path=str(db_path) if db_path else None,
        threads=threads,
        census_path=str(census_path) if census_path else None,
        optimization=optimization,
        event_engine=engine,
        event_shards=event_shards,
        engine_parity=engine_parity,
    )
    scenario = simulation.scenario()
    settings = simulation.execution()
    engine_settings = simulation.engine()
    years = years or scenario.years
    outside = [y for y in years if y not in scenario.years]
    if outside:
        raise WorkforceInputError(
            f"{scenario.source_path}: years {outside[0]}-{outside[-1]} are outside the scenario's years "
            f"{scenario.start_year}-{scenario.end_year}"
        )
    if not 1 <= years_per_run <= 100:
        raise WorkforceInputError(f"--years-per-run {years_per_run} must be between 1 and 100")
    database = simulation.database()
    new_database = not database.exists()
    check_inputs(scenario, database, years, resume)  # bad input refused before anything is written
    report = SimulationReport(scenario_id=scenario.scenario_id, db_path=database, settings=settings)
    if resume:
        done = published_years(database, scenario.scenario_id)
        while years and years[0] in done:
            years = years[1:]
        if not years:
            progress(f"scenario '{scenario.scenario_id}': every year is published already; nothing to resume")
            report.summary = read_summary(database, scenario.scenario_id, scenario.years)
            return report
        progress(f"resuming at year {years[0]}: earlier years are published and left as they are")
    progress(f"scenario '{scenario.scenario_id}': years {years[0]}-{years[-1]}, database {database}")
    progress(f"  {settings.describe()}")
    progress(f"  {engine_settings.describe()}")
    # The census's header alone: a refused column stops the run here, before the database is touched.
    for census_line in scenario_census_columns(scenario).header_lines():
        progress(f"  {census_line}")
    if engine_settings.engine == "polars" and engine_settings.parity and len(years) > 1:
        # The parity gate's SQL side is built beside the engine by a helper, which warms up while
        # the parameters and the first year build (engines/sql_side_worker.py). The project is
        # parsed here first when it changed: the helper then reads the parse, and this process
        # never waits for it.
        ensure_manifest()
        warm_up(settings)
    # Each build step arms the memory guard with these settings; this window spans the run.
    sampler = process_sampler()
    STAGES.reset()
    run_window = sampler.open_window()
    with DatabaseLock(database):
        definitions = build_definitions(simulation)
        instance = open_instance()
        _fail_abandoned_runs(instance, database, progress)
        run_tags = {DATABASE_TAG: str(database), PID_TAG: str(os.getpid()), RECORDED_BY_TAG: "workforce simulate"}
        # A run of several years builds them in order, checks each, and publishes them all only when
        # every year's blocking checks passed (Dagster's single-run backfill of a year range).
        chunks = [years[i:i + years_per_run] for i in range(0, len(years), years_per_run)]
        jobs: list[tuple[str, Optional[list[int]]]] = [(SIMULATE_YEAR_JOB, chunk) for chunk in chunks]
        unchanged = None if reload_parameters else parameters_current(database, scenario)
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
                instance=instance, partition_key=partition, raise_on_error=False, run_config=QUIET_CONSOLE,
                tags=tags,
            )
            outcome = RunOutcome(label, result.success, time.perf_counter() - job_started, result.run_id)
            if not result.success:
                outcome.message, outcome.bad_input = _failure_message(result)
            report.runs.append(outcome)
            status = "ok" if outcome.success else "FAILED"
            progress(f"  {label:<10} {status:<6} {outcome.seconds:6.2f} s   run {result.run_id[:8]}")
            for warning in run_warnings(instance, result.run_id):
                progress(f"    warning: {warning}")
            if not outcome.success:
                progress(outcome.message)
                _record_failure(instance, database, scenario.scenario_id, job_name, tags, result, progress)
                break
        report.summary = read_summary(database, scenario.scenario_id, years)
    sampler.close_window(run_window)
    if new_database and report.bad_input:
        remove_database_files(database)  # a refused run leaves nothing behind
    report.wall_seconds = time.perf_counter() - started
    report.peak_rss_bytes = peak_rss_bytes()
    report.cpu_seconds = run_window.cpu_seconds
    report.cpu_utilisation = run_window.cpu_utilisation
    report.stages = STAGES.totals()
    return report


def check_inputs(scenario: Scenario, db_path: Path, years: list[int], resume: bool) -> None:
    """What can be refused before a run writes anything (no database file, no lock file): the
    census file, and a first year that the database cannot start from."""
    if years[0] == scenario.start_year or not db_path.exists():
        validated_census(scenario)  # validated once, in memory; the run's steps write this copy
    elif not scenario.resolved_census_path().is_file():
        raise WorkforceInputError(f"{scenario.resolved_census_path()}: census file not found (census_path in "
                                  f"{scenario.source_path}, or --census)")
    if resume or years[0] == scenario.start_year:
        return
    if not db_path.exists():
        raise WorkforceInputError(
            f"year {years[0]} of scenario '{scenario.scenario_id}' starts from year {years[0] - 1}, but {db_path} "
            f"does not exist yet: run the years from {scenario.start_year} (--years {scenario.start_year}-{years[-1]}); "
            "nothing was written")
    try:
        con = database.connect(db_path, read_only=True)
    except duckdb.IOException:
        return  # another process is writing the file: the run waits for it and checks the order then
    try:
        check_year_order(con, scenario, years[0], db_path)
    except SimulationOrderError as exc:
        raise WorkforceInputError(str(exc)) from None
    finally:
        con.close()


def remove_database_files(db_path: Path) -> None:
    """Removes a database this run created and refused to fill, with its write-ahead log and
    lock file (the run has released the lock)."""
    for path in (db_path, db_path.with_name(db_path.name + ".wal"), db_path.with_name(db_path.name + ".lock")):
        path.unlink(missing_ok=True)


def run_warnings(instance, run_id: str) -> list[str]:
    """The warnings the run's steps logged (stale later years, withdrawn published years), which
    the silent console leaves to the run's log."""
    return [record.user_message for record in instance.all_logs(run_id)
            if record.dagster_event is None and record.level == logging.WARNING]


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
