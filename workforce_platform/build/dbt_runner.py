"""dbt in this process: one command on the manifest parsed once per process (runtime/dbt_project.py),
against a scenario's database with the run's threads and DuckDB settings."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Optional

from workforce_platform.build.results import NodeResult, YearBuildResult, resource_hint
from workforce_platform.config.scenario import Scenario
from workforce_platform.patches.dbt_duckdb_connection import release_dbt_connection
from workforce_platform.runtime import database
from workforce_platform.runtime.dbt_project import (
    PER_YEAR_TAG, manifest_json, parsed_manifest, prepare_dbt_runner, project_args,
)
from workforce_platform.runtime.execution import ExecutionSettings


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
    # dbt is imported by the first command that runs it: a process that only runs what dbt compiled
    # before (build/plain_sql/) never pays for importing it (docs/benchmarks.md).
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
    # No JSON artifacts per build: nothing reads them, and writing the manifest costs time every year.
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
