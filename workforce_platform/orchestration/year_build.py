"""One simulation year: check the order, write the validated inputs, run one dbt build.

Nothing here depends on Dagster; the Dagster assets (``assets.py``) and the tests call it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import duckdb

from workforce_platform.census.load import validated_census, write_validated_census
from workforce_platform.config.scenario import Scenario
from workforce_platform.engines.selection import EngineSettings, resolve_engine
from workforce_platform.engines.year_tables import add_missing_year_columns
from workforce_platform.errors import SimulationOrderError, WorkforceInputError
from workforce_platform.orchestration import database
from workforce_platform.orchestration.database_lock import DatabaseLock
from workforce_platform.orchestration.execution import ExecutionSettings
from workforce_platform.orchestration.tables import table_exists
from workforce_platform.orchestration.dbt_project import (
    DBT_PROJECT_NAME, PER_YEAR_TAG, manifest_json, parsed_manifest, prepare_dbt_runner, project_args,
)
from workforce_platform.paths import databases_dir
from workforce_platform.simulation.vesting import vesting_steps


def default_db_path(scenario: Scenario) -> Path:
    """WORKFORCE_DB_PATH, else <WORKFORCE_DB_DIR or data/>/<scenario_id>.duckdb."""
    configured = os.environ.get("WORKFORCE_DB_PATH")
    return Path(configured).resolve() if configured else databases_dir() / f"{scenario.scenario_id}.duckdb"


def resource_hint(messages: str, settings: ExecutionSettings) -> Optional[str]:
    """Names the setting to change when DuckDB ran out of memory or of temp space."""
    text = messages.lower()
    limit = f"memory_limit={settings.memory_limit} (from {settings.memory_limit_source})"
    if "failed to offload" in text or "no space left" in text or "could not write" in text:
        return (f"DuckDB could not spill to its temp directory {settings.temp_directory} (full or not writable) "
                f"under {limit}: free space there, set WORKFORCE_TEMP_DIRECTORY to a larger "
                "one, or raise WORKFORCE_MEMORY_LIMIT; nothing of this year was published")
    if "out of memory" in text:
        return (f"DuckDB ran out of memory under {limit}: raise WORKFORCE_MEMORY_LIMIT "
                "(or give it a temp directory with room to spill); nothing of this year was published")
    return None


@dataclass(frozen=True)
class NodeResult:
    """What dbt reported for one node of the build."""

    unique_id: str
    resource_type: str
    status: str
    message: str
    execution_time: float
    rows_affected: Optional[int] = None
    failures: Optional[int] = None


@dataclass
class YearBuildResult:
    year: int
    success: bool
    nodes: list[NodeResult] = field(default_factory=list)
    inputs_seconds: float = 0.0
    dbt_seconds: float = 0.0
    engine: str = "sql"
    engine_seconds: float = 0.0  # the Polars engine's compute and write (the sql engine's is dbt_seconds)
    error: Optional[str] = None
    hint: Optional[str] = None  # the setting to change, when a resource ran out

    def failed_nodes(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in ("error", "fail", "runtime error")]

    def failed_nodes_text(self) -> str:
        return "; ".join(f"{n.unique_id}: {n.status}: {n.message}" for n in self.failed_nodes())

    def fail_with_failed_nodes(self, settings: ExecutionSettings) -> None:
        """Marks the build failed when a node failed: the error names each, the hint the setting
        to change when a resource ran out."""
        if self.failed_nodes():
            self.success = False
            self.error = self.failed_nodes_text()
            self.hint = resource_hint(self.error, settings)


def check_year_order(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, db_path: Path,
                     previous_built_in_this_run: bool = False) -> None:
    """Year N starts from year N-1's final state: refuse N when N-1 is not in the database, or
    did not pass its gates and was not published (unless N-1 was built earlier in this same run
    of several years, whose gates check every year before any is published)."""
    if year not in scenario.years:
        raise WorkforceInputError(
            f"{scenario.source_path}: year {year} is outside the scenario's years "
            f"{scenario.start_year}-{scenario.end_year}"
        )
    if year == scenario.start_year:
        return
    previous = year - 1
    present = table_exists(con, "main", "fct_workforce_snapshot") and con.execute(
        "select count(*) from main.fct_workforce_snapshot where scenario_id = ? and simulation_year = ?",
        [scenario.scenario_id, previous],
    ).fetchall()[0][0] > 0
    if not present:
        raise SimulationOrderError(
            f"year {year} of scenario '{scenario.scenario_id}' starts from year {previous}, which is not "
            f"materialised in {db_path}: materialise year {previous} first (years run in order from "
            f"{scenario.start_year}); nothing was written"
        )
    from workforce_platform.checks.audit import is_published

    if not previous_built_in_this_run and not is_published(con, scenario.scenario_id, previous):
        raise SimulationOrderError(
            f"year {year} of scenario '{scenario.scenario_id}' starts from year {previous}, which did not pass "
            f"its blocking checks and was not published in {db_path}: materialise year {previous} with its "
            "checks and promotion (group 'published') first; nothing was written"
        )


def write_inputs(con: duckdb.DuckDBPyConnection, scenario: Scenario, census: bool = True) -> int:
    """Validates the census and writes the ``inputs`` schema in one transaction (with `census`
    False, only the scenario's tables; returns the census rows written)."""
    con.execute("begin transaction")
    try:
        rows = write_validated_census(con, validated_census(scenario)) if census else 0
        _write_scenario_tables(con, scenario)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return rows


def check_parameters_loaded(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    missing = [t for t in ("config_levels", "stg_scenario", "stg_census") if not table_exists(con, "main", t)]
    if missing:
        raise SimulationOrderError(
            f"{db_path} has no {', '.join(missing)}: materialise the scenario's parameter assets "
            f"(seeds and staging, Dagster group 'parameters') before year assets; "
            f"`workforce simulate` does this first"
        )


def _month_day(text: str) -> tuple[int, int]:
    month, day = (int(p) for p in text.split("-"))
    return month, day


def _write_scenario_tables(con: duckdb.DuckDBPyConnection, scenario: Scenario) -> None:
    """The scenario's parameters as tables the dbt models read (inside the caller's transaction)."""
    comp, plan = scenario.compensation, scenario.plan
    promotion_month, promotion_day = _month_day(comp.promotion_date)
    merit_month, merit_day = _month_day(comp.merit_date)
    escalation_month, escalation_day = _month_day(plan.auto_escalation.effective_date)
    columns = {
        "scenario_id": ("varchar", scenario.scenario_id),
        "start_year": ("integer", scenario.start_year),
        "end_year": ("integer", scenario.end_year),
        "random_seed": ("ubigint", scenario.random_seed),
        "target_growth_rate": ("decimal(7, 5)", str(scenario.target_growth_rate)),
        "termination_rate": ("decimal(7, 5)", str(scenario.termination_rate)),
        "new_hire_termination_rate": ("decimal(7, 5)", str(scenario.new_hire_termination_rate)),
        "cola_rate": ("decimal(7, 5)", str(comp.cola_rate)),
        "promotion_raise": ("decimal(7, 5)", str(comp.promotion_raise)),
        "promotion_month": ("integer", promotion_month),
        "promotion_day": ("integer", promotion_day),
        "merit_month": ("integer", merit_month),
        "merit_day": ("integer", merit_day),
        "new_hire_pay_indexing_rate": ("decimal(7, 5)", str(scenario.new_hire_pay_indexing_rate)),
        "irs_limit_indexing_rate": ("decimal(7, 5)", str(scenario.irs_limit_indexing_rate)),
        "eligibility_minimum_age": ("integer", plan.eligibility.minimum_age),
        "eligibility_waiting_days": ("integer", plan.eligibility.waiting_period_days),
        "eligibility_minimum_hours": ("integer", plan.eligibility.minimum_hours),
        "eligibility_entry_dates": ("varchar", plan.eligibility.entry_dates),
        "auto_enrollment_enabled": ("boolean", plan.auto_enrollment.enabled),
        "auto_enrollment_scope": ("varchar", plan.auto_enrollment.scope),
        "auto_enrollment_window_days": ("integer", plan.auto_enrollment.window_days),
        "auto_enrollment_default_rate": ("decimal(7, 5)", str(plan.auto_enrollment.default_deferral_rate)),
        "opt_out_grace_days": ("integer", plan.auto_enrollment.opt_out_grace_days),
        "voluntary_enrollment_enabled": ("boolean", plan.voluntary_enrollment.enabled),
        "escalation_enabled": ("boolean", plan.auto_escalation.enabled),
        "escalation_increment": ("decimal(7, 5)", str(plan.auto_escalation.increment)),
        "escalation_cap": ("decimal(7, 5)", str(plan.auto_escalation.cap)),
        "escalation_month": ("integer", escalation_month),
        "escalation_day": ("integer", escalation_day),
        "escalation_delay_years": ("integer", plan.auto_escalation.delay_years),
        "match_safe_harbor": ("boolean", plan.match.safe_harbor),
        "match_requires_last_day": ("boolean", plan.match.requires_last_day),
        "match_minimum_hours": ("integer", plan.match.minimum_hours),
        "match_last_day_exempts_retirement": ("boolean", plan.match.last_day_exempts_retirement),
        "core_last_day_exempts_retirement": ("boolean", plan.core.last_day_exempts_retirement),
        "normal_retirement_age": ("integer", scenario.retirement.normal_retirement_age),
        "core_basis": ("varchar", plan.core.basis),
        "core_flat_rate": ("decimal(7, 5)", str(plan.core.flat_rate)),
        "core_requires_last_day": ("boolean", plan.core.requires_last_day),
        "core_minimum_hours": ("integer", plan.core.minimum_hours),
        "annual_additions_correction": ("varchar", plan.annual_additions_correction),
        "investment_return_rate": ("decimal(7, 5)", str(plan.investment_return_rate)),
        "testing_method": ("varchar", plan.nondiscrimination.testing_method),
        "hce_top_paid_group": ("boolean", plan.nondiscrimination.top_paid_group),
        "scenario_fingerprint": ("varchar", scenario.fingerprint()),
    }
    select = ", ".join(f"?::{sql_type} as {name}" for name, (sql_type, _) in columns.items())
    con.execute(f"create or replace table inputs.scenario as select {select}", [v for _, v in columns.values()])
    con.execute("create or replace table inputs.merit_rate_overrides (level_id integer, merit_rate decimal(7, 5))")
    for level, rate in sorted(comp.merit_by_level.items()):
        con.execute("insert into inputs.merit_rate_overrides values (?, ?::decimal(7, 5))", [level, str(rate)])
    con.execute("""create or replace table inputs.match_tiers (
                       tier integer, employee_min decimal(7, 5), employee_max decimal(7, 5), match_rate decimal(7, 5))""")
    for tier, spec in enumerate(plan.match.tiers, start=1):
        con.execute("insert into inputs.match_tiers values (?, ?::decimal(7, 5), ?::decimal(7, 5), ?::decimal(7, 5))",
                    [tier, str(spec.employee_min), str(spec.employee_max), str(spec.match_rate)])
    con.execute("create or replace table inputs.core_schedule (at_least integer, rate decimal(7, 5))")
    for step in plan.core.schedule:
        con.execute("insert into inputs.core_schedule values (?, ?::decimal(7, 5))", [step.at_least, str(step.rate)])
    con.execute("""create or replace table inputs.vesting_schedules (
                       contribution varchar, at_least_years integer, vested_rate decimal(7, 5))""")
    for contribution, schedule in (("match", plan.vesting.match), ("core", plan.vesting.core)):
        custom = None if isinstance(schedule, str) else [(s.years, s.vested) for s in schedule]
        for years, vested in vesting_steps(schedule if custom is None else custom):
            con.execute("insert into inputs.vesting_schedules values (?, ?, ?::decimal(7, 5))",
                        [contribution, years, str(vested)])


def prepare_inputs(scenario: Scenario, db_path: Path) -> None:
    """Validates and writes the inputs. Raises before writing on bad input."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = database.connect(db_path)
    try:
        write_inputs(con, scenario)
    finally:
        con.close()


def prepare_year(scenario: Scenario, year: int, db_path: Path, previous_built_in_this_run: bool = False) -> None:
    """Checks the year's order, then writes the validated inputs. Raises before writing.

    Only the first year reads the census; a later year starts from the previous year's snapshot,
    so it keeps the census that year was built from (validating and rewriting it every year
    cost 0.3 s a year at 60,000 employees, and would put a census the chain never read into the
    later years' inputs fingerprints)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = database.connect(db_path)
    try:
        check_year_order(con, scenario, year, db_path, previous_built_in_this_run)
        check_parameters_loaded(con, db_path)
        write_inputs(con, scenario, census=year == scenario.start_year or not table_exists(con, "inputs", "census"))
        add_missing_year_columns(con)
    finally:
        con.close()


def release_dbt_connection() -> None:
    """Closes the DuckDB database that dbt-duckdb keeps open between invocations, so that this
    process (and others) can open the file again."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if environment is not None:
            environment.close()


def _node_result(result: Any) -> NodeResult:
    adapter_response = getattr(result, "adapter_response", None) or {}
    return NodeResult(
        unique_id=result.node.unique_id,
        resource_type=str(result.node.resource_type),
        status=str(result.status),
        message=str(result.message or ""),
        execution_time=float(result.execution_time or 0.0),
        rows_affected=adapter_response.get("rows_affected"),
        failures=getattr(result, "failures", None),
    )


PER_YEAR_SELECTOR = f"tag:{PER_YEAR_TAG}"


def parameter_relations() -> list[str]:
    """The relations in `main` outside the year that the year's models read (parameter seeds and
    views), from the project's manifest, in name order."""
    manifest = manifest_json()
    read = set()
    for node in manifest["nodes"].values():
        if PER_YEAR_TAG in node["tags"] and node["resource_type"] == "model":
            read.update(node["depends_on"]["nodes"])
    names = set()
    for unique_id in read:
        parent = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id)
        if parent is None or PER_YEAR_TAG in parent.get("tags", ()):
            continue
        if parent["resource_type"] not in ("model", "seed"):
            raise RuntimeError(f"the year's models read {unique_id} directly; only models and seeds are expected")
        names.add(parent["alias"])
    return sorted(names)


def invoke_dbt(args: list[str], db_path: Path, settings: ExecutionSettings) -> Any:
    """One in-process dbt command on the pre-parsed manifest, against `db_path` with the run's
    threads and DuckDB settings; the project and profile arguments are added here."""
    prepare_dbt_runner()
    from dbt.cli.main import dbtRunner

    threads = settings.threads
    # profiles.yml reads these; set for this dbt call only (a scratch build, such as the parity
    # gate's, must not leave its database as the process's WORKFORCE_DB_PATH).
    environment = {
        "WORKFORCE_DB_PATH": str(db_path),
        "WORKFORCE_DBT_THREADS": str(threads),
        "WORKFORCE_DUCKDB_THREADS": str(threads),
        "WORKFORCE_DUCKDB_MEMORY_LIMIT": settings.memory_limit,
        "WORKFORCE_DUCKDB_TEMP_DIRECTORY": str(settings.temp_directory),
    }
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    database.close_shared(db_path)  # dbt opens the file itself
    try:
        return dbtRunner(manifest=parsed_manifest()).invoke([*args, "--threads", str(threads), *project_args()])
    finally:
        release_dbt_connection()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_dbt_build(
    scenario: Scenario,
    year: int,
    db_path: Path,
    settings: ExecutionSettings,
    select: Optional[list[str]] = None,
    exclude: Optional[list[str]] = None,
    command: str = "build",
) -> YearBuildResult:
    """One in-process ``dbt build`` (or ``dbt test``) on the pre-parsed manifest."""
    variables = {"scenario_id": scenario.scenario_id, "simulation_year": year, "start_year": scenario.start_year}
    # No JSON artifacts per build: nothing reads them, and writing the manifest costs 0.1 s a year.
    args = [command, "--quiet", "--no-write-json", "--vars", json.dumps(variables)]
    if select:
        args += ["--select", *select]
    if exclude:
        args += ["--exclude", *exclude]
    started = time.perf_counter()
    outcome = invoke_dbt(args, db_path, settings)
    result = YearBuildResult(year=year, success=bool(outcome.success), dbt_seconds=time.perf_counter() - started)
    if outcome.result is not None and hasattr(outcome.result, "results"):
        result.nodes = [_node_result(r) for r in outcome.result.results]
    if outcome.exception is not None:
        result.error = str(outcome.exception)
    elif not result.success:
        result.error = result.failed_nodes_text() or "dbt build failed"
    if not result.success:
        result.hint = resource_hint(result.error or "", settings)
    return result


# How long a Dagster step waits for another process to finish writing the same database.
LOCK_WAIT_SECONDS = float(os.environ.get("WORKFORCE_LOCK_WAIT_SECONDS", "600"))


def build_parameters(scenario: Scenario, db_path: Path, settings: ExecutionSettings) -> YearBuildResult:
    """The scenario-level build: validated inputs, parameter seeds and staging views (not per year).
    A successful build records its digest (see `parameters_current`)."""
    validated_census(scenario)  # bad input is refused before the database or its lock file exists
    with DatabaseLock(db_path, wait_seconds=LOCK_WAIT_SECONDS):
        started = time.perf_counter()
        prepare_inputs(scenario, db_path)  # raises on bad input before writing anything
        _record_parameters_digest(db_path, scenario.scenario_id, None)  # until this load succeeds
        inputs_seconds = time.perf_counter() - started
        # The seeds and views as dbt built them the first time for the project's state, and their
        # tests as dbt compiled them, both as plain statements (orchestration/plain_sql.py).
        from workforce_platform.orchestration import plain_sql

        plain = not plain_sql.unsupported_configuration(plain_sql.PARAMETERS)
        statements = plain_sql.parameter_statements() if plain else None
        if statements is not None:
            result = plain_sql.build_parameter_relations(statements, db_path, settings)
            result.year = scenario.start_year
        else:
            result = run_dbt_build(
                scenario, scenario.start_year, db_path, settings,
                select=["fqn:*"], exclude=[PER_YEAR_SELECTOR, *(["resource_type:test"] if plain else [])],
            )
            if plain and result.success and not plain_sql.unsupported_parameters():
                plain_sql.keep_parameter_statements(db_path, settings)
        if plain and result.success:
            tests = plain_sql.run_tests(plain_sql.PARAMETERS, db_path, settings)
            result.nodes += tests.nodes
            result.success, result.error, result.hint = tests.success, tests.error, tests.hint
            result.dbt_seconds += tests.dbt_seconds
        if result.success:
            _record_parameters_digest(db_path, scenario.scenario_id, parameters_digest(scenario))
    result.inputs_seconds = inputs_seconds
    return result


PARAMETERS_DIGEST_TABLE = "audit.parameters_loaded"


def parameters_digest(scenario: Scenario) -> str:
    """What the parameters unit is built from: the scenario, the census file's bytes and the code
    (dbt sources, seeds included, and the package)."""
    import hashlib

    from workforce_platform.checks.audit import code_version

    digest = hashlib.sha256()
    for part in (scenario.scenario_id, scenario.fingerprint(), code_version()):
        digest.update(part.encode() + b"\0")
    with open(scenario.resolved_census_path(), "rb") as census:
        for block in iter(lambda: census.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record_parameters_digest(db_path: Path, scenario_id: str, digest: Optional[str]) -> None:
    """Records (or, with None, clears) the digest of the parameters loaded into the database."""
    _replace_audit_row(db_path, PARAMETERS_DIGEST_TABLE, "scenario_id varchar, digest varchar",
                       {"scenario_id": scenario_id}, None if digest is None else (scenario_id, digest))


def parameters_current(db_path: Path, scenario: Scenario) -> Optional[str]:
    """The digest when the database holds the parameters of exactly this scenario, census and code
    (so loading them again would change nothing), else None."""
    if not db_path.is_file():
        return None
    con = database.connect(db_path, read_only=True)
    try:
        recorded = _audit_value(con, PARAMETERS_DIGEST_TABLE, "digest", {"scenario_id": scenario.scenario_id})
    finally:
        con.close()
    if recorded is None:
        return None
    digest = parameters_digest(scenario)
    return digest if recorded == digest else None


def build_year(scenario: Scenario, year: int, db_path: Path, settings: ExecutionSettings,
               previous_built_in_this_run: bool = False, engine: Optional[EngineSettings] = None) -> YearBuildResult:
    """One simulated year: order check, inputs, then the event engine: one dbt build of the
    per-year models and tests (sql), or the Polars engine's tables and then the same dbt tests."""
    engine = engine or resolve_engine(scenario)
    with DatabaseLock(db_path, wait_seconds=LOCK_WAIT_SECONDS):
        started = time.perf_counter()
        prepare_year(scenario, year, db_path, previous_built_in_this_run)
        inputs_seconds = time.perf_counter() - started
        if engine.engine == "polars":
            result = _polars_year(scenario, year, db_path, settings, engine)
        else:
            result = run_dbt_build(scenario, year, db_path, settings, select=[PER_YEAR_SELECTOR])
        if result.success:
            record_year_engine(db_path, scenario.scenario_id, year, engine)
    result.inputs_seconds = inputs_seconds
    return result


def _polars_year(scenario: Scenario, year: int, db_path: Path, settings: ExecutionSettings,
                 engine: EngineSettings) -> YearBuildResult:
    """The Polars engine writes the year's tables; then the same per-year dbt tests run (compiled
    once, as plain SQL: orchestration/plain_sql.py), so the asset checks are the same whichever
    engine built the year. With the parity gate on, the helper process builds the gate's SQL
    side meanwhile (engines/sql_side_worker.py)."""
    from workforce_platform.engines.polars_engine import run_year
    from workforce_platform.engines.sql_side_worker import leave_for_gate, start_sql_side
    from workforce_platform.orchestration.plain_sql import run_year_tests

    con = database.connect(db_path, settings=settings)
    sql_side = None
    try:
        if engine.parity:
            sql_side = start_sql_side(con, scenario, year, db_path, settings)
        started = time.perf_counter()
        rows = run_year(con, scenario.scenario_id, year, engine.shards)
    except BaseException as exc:
        if sql_side is not None:
            sql_side.finish(keep=False)
        if not isinstance(exc, duckdb.Error):
            raise
        return YearBuildResult(year=year, success=False, engine="polars", error=f"polars engine: {exc}",
                               hint=resource_hint(str(exc), settings))
    finally:
        con.close()
    engine_seconds = time.perf_counter() - started
    result = None
    try:
        result = run_year_tests(scenario, year, db_path, settings)
    finally:
        # Left for the gate of a year that built (the helper may still be building it; the next
        # year goes on meanwhile); a failure of the helper leaves the gate to build the SQL side
        # itself, which reports it.
        if sql_side is not None:
            if result is not None and result.success:
                leave_for_gate(sql_side, db_path, scenario.scenario_id, year)
            else:
                sql_side.finish(keep=False)
    result.engine, result.engine_seconds = "polars", engine_seconds
    models = [NodeResult(unique_id=f"model.{DBT_PROJECT_NAME}.{table}", resource_type="model", status="success",
                         message=f"polars: {count} rows", execution_time=engine_seconds / len(rows), rows_affected=count)
              for table, count in rows.items()]
    result.nodes = models + result.nodes
    return result


ENGINE_TABLE = "audit.year_engines"


def record_year_engine(db_path: Path, scenario_id: str, year: int, engine: EngineSettings) -> None:
    """Which engine built the year: the parity gate recomputes it with the other one."""
    _replace_audit_row(db_path, ENGINE_TABLE,
                       "scenario_id varchar, simulation_year integer, event_engine varchar, event_shards integer",
                       {"scenario_id": scenario_id, "simulation_year": year},
                       (scenario_id, year, engine.engine, engine.shards))


def year_engine(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int) -> Optional[str]:
    """The engine that built the year, if recorded."""
    return _audit_value(con, ENGINE_TABLE, "event_engine", {"scenario_id": scenario_id, "simulation_year": year})


def _replace_audit_row(db_path: Path, table: str, columns: str, key: dict, values: Optional[tuple]) -> None:
    """Replaces the row of `table` (schema-qualified, created with `columns` when missing) that has
    `key` by `values`, in one transaction; with `values` None the row is only deleted."""
    con = database.connect(db_path)
    try:
        con.execute(f"create schema if not exists {table.split('.')[0]}")
        con.execute(f"create table if not exists {table} ({columns})")
        con.execute("begin transaction")
        con.execute(f"delete from {table} where " + " and ".join(f"{c} = ?" for c in key), list(key.values()))
        if values is not None:
            con.execute(f"insert into {table} values ({', '.join('?' * len(values))})", list(values))
        con.execute("commit")
    finally:
        con.close()


def _audit_value(con: duckdb.DuckDBPyConnection, table: str, column: str, key: dict) -> Optional[object]:
    """`column` of the row of `table` that has `key`, or None (no such row, or no such table yet)."""
    schema, name = table.split(".")
    if not table_exists(con, schema, name):
        return None
    rows = con.execute(f"select {column} from {table} where " + " and ".join(f"{c} = ?" for c in key),
                       list(key.values())).fetchall()
    return rows[0][0] if rows else None
