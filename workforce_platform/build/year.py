"""One simulated year, Dagster-free: the order check and inputs, then the event engine: one dbt
build of the per-year models (sql) or the Polars engine's tables, then the same dbt tests as plain
statements (build/plain_sql/). The Dagster assets (defs/assets/simulation.py), the commands
and the tests call it.

With the Polars engine and the parity gate on, the gate's SQL side can be built beside the engine
by a helper process: the caller passes that service (`SqlSideBuilds`, provided by
parity/sql_side_worker.py, which sits above this layer); without it the gate builds the SQL side
itself, with the same result.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Optional, Protocol

import duckdb

from workforce_platform.build.audit_rows import record_year_engine
from workforce_platform.build.dbt_runner import PER_YEAR_SELECTOR, run_dbt_build
from workforce_platform.build.inputs import prepare_year
from workforce_platform.build.plain_sql import run_year_tests
from workforce_platform.build.results import NodeResult, YearBuildResult, resource_hint
from workforce_platform.config.scenario import Scenario
from workforce_platform.engines.polars_engine import run_year
from workforce_platform.engines.selection import EngineSettings, resolve_engine
from workforce_platform.runtime.database import LOCK_WAIT_SECONDS, DatabaseLock, connection
from workforce_platform.runtime.dbt_project import DBT_PROJECT_NAME
from workforce_platform.runtime.execution import ExecutionSettings


class SqlSideBuilds(Protocol):
    """Builds the parity gate's SQL side of a year beside the Polars engine."""

    def start(self, con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, db_path: Path,
              settings: ExecutionSettings) -> Any:
        """Starts the year's SQL side from its inputs (read now, from `con`); returns its handle."""

    def keep_for_gate(self, build: Any, db_path: Path, scenario_id: str, year: int) -> None:
        """Leaves the build for the year's gate (the helper may still be building it)."""

    def discard(self, build: Any) -> None:
        """Drops the build (the year failed)."""


def build_year(scenario: Scenario, year: int, db_path: Path, settings: ExecutionSettings,
               previous_built_in_this_run: bool = False, engine: Optional[EngineSettings] = None,
               sql_side_builds: Optional[SqlSideBuilds] = None) -> YearBuildResult:
    """One simulated year: order check, inputs, then the event engine: one dbt build of the
    per-year models and tests (sql), or the Polars engine's tables and then the same dbt tests.
    `sql_side_builds`: with the Polars engine and the parity gate, builds the gate's SQL side
    beside the engine."""
    engine = engine or resolve_engine(scenario)
    with DatabaseLock(db_path, wait_seconds=LOCK_WAIT_SECONDS):
        started = time.perf_counter()
        prepare_year(scenario, year, db_path, previous_built_in_this_run)
        inputs_seconds = time.perf_counter() - started
        if engine.engine == "polars":
            result = _polars_year(scenario, year, db_path, settings, engine,
                                  sql_side_builds if engine.parity else None)
        else:
            result = _sql_year(scenario, year, db_path, settings)
        if result.success:
            record_year_engine(db_path, scenario.scenario_id, year, engine)
    result.inputs_seconds = inputs_seconds
    return result


def _sql_year(scenario: Scenario, year: int, db_path: Path, settings: ExecutionSettings) -> YearBuildResult:
    """The year's dbt models in one dbt build, then their tests as plain queries (compiled once:
    dbt's runner spends more on a test than the query costs; a test of another configuration than
    dbt's default runs through dbt)."""
    result = run_dbt_build(scenario, year, db_path, settings, select=[PER_YEAR_SELECTOR],
                           exclude=["resource_type:test"])
    if not result.success:
        return result
    tests = run_year_tests(scenario, year, db_path, settings)
    result.nodes += tests.nodes
    result.success, result.error, result.hint = tests.success, tests.error, tests.hint
    result.dbt_seconds += tests.dbt_seconds
    return result


def _polars_year(scenario: Scenario, year: int, db_path: Path, settings: ExecutionSettings,
                 engine: EngineSettings, sql_side_builds: Optional[SqlSideBuilds]) -> YearBuildResult:
    """The Polars engine writes the year's tables; then the same per-year dbt tests run (compiled
    once, as plain SQL), so the asset checks are the same whichever engine built the year."""
    sql_side = None
    with connection(db_path, settings=settings) as con:
        try:
            if sql_side_builds is not None:
                sql_side = sql_side_builds.start(con, scenario, year, db_path, settings)
            started = time.perf_counter()
            rows = run_year(con, scenario.scenario_id, year, engine.shards)
        except BaseException as exc:
            if sql_side is not None:
                sql_side_builds.discard(sql_side)
            if not isinstance(exc, duckdb.Error):
                raise
            return YearBuildResult(year=year, success=False, engine="polars", error=f"polars engine: {exc}",
                                   hint=resource_hint(str(exc), settings))
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
                sql_side_builds.keep_for_gate(sql_side, db_path, scenario.scenario_id, year)
            else:
                sql_side_builds.discard(sql_side)
    result.engine, result.engine_seconds = "polars", engine_seconds
    models = [NodeResult(unique_id=f"model.{DBT_PROJECT_NAME}.{table}", resource_type="model", status="success",
                         message=f"polars: {count} rows", execution_time=engine_seconds / len(rows), rows_affected=count)
              for table, count in rows.items()]
    result.nodes = models + result.nodes
    return result
