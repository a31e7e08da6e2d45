"""The deployment's Dagster instance (deploy/dagster.yaml) on a real PostgreSQL server: a short
simulation completes, and its runs, materialisations and check results are stored in Postgres."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.postgres_server import PostgresServer, server_binaries
from workforce_platform.defs.asset_keys import scenario_key
from workforce_platform.defs.jobs import gate_check_keys
from workforce_platform.paths import PROJECT_ROOT


@pytest.fixture(scope="module")
def postgres():
    bindir = server_binaries()
    if bindir is None:
        pytest.skip("no PostgreSQL server here: scripts/setup-postgres installs Debian's postgresql "
                    "(or set WORKFORCE_PG_BINDIR to a folder with initdb and pg_ctl)")
    server = PostgresServer(bindir).start()
    try:
        yield server
    finally:
        server.stop()


def test_a_simulation_on_the_deployment_profile_is_stored_in_postgres(postgres, scenario_factory, tmp_path, monkeypatch):
    from dagster import DagsterInstance, DagsterRunStatus
    from dagster._core.instance.ref import InstanceRef
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage

    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    scenario = scenario_factory(end_year=2026)
    env = {**os.environ, **postgres.environment, "DAGSTER_HOME": str(home)}
    done = subprocess.run([sys.executable, "-m", "workforce_platform.cli", "simulate", "--scenario", str(scenario),
                           "--db", str(tmp_path / "postgres.duckdb")], env=env, capture_output=True, text=True,
                          timeout=900, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert not (home / "history").exists() and not (home / "storage").exists()  # nothing went to SQLite

    for name, value in postgres.environment.items():
        monkeypatch.setenv(name, value)
    instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))
    try:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        runs = instance.get_runs()
        assert len(runs) == 2 and all(run.status == DagsterRunStatus.SUCCESS for run in runs)  # parameters, both years
        for table in ("fct_workforce_snapshot", "published/fct_year_summary"):
            key = scenario_key("test_scenario", *table.split("/"))
            assert instance.get_materialized_partitions(key) == {"2025", "2026"}, key
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(gate_check_keys("test_scenario"))
        assert len(latest) == len(gate_check_keys("test_scenario"))
        assert all(record.status.value == "SUCCEEDED" for record in latest.values())
    finally:
        instance.dispose()

    # The same records, read straight from the server's tables.
    con = postgres.connect()
    try:
        cursor = con.cursor()
        cursor.execute("select count(*) from runs where status = 'SUCCESS'")
        assert cursor.fetchone()[0] == 2
        cursor.execute("select count(*) from event_logs where dagster_event_type = 'ASSET_MATERIALIZATION'")
        assert cursor.fetchone()[0] > 0
        cursor.execute("select count(distinct partition) from asset_check_executions where check_name = 'determinism'")
        assert cursor.fetchone()[0] == 2
    finally:
        con.close()
