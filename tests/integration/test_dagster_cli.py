"""`dagster asset materialize` from the command line, as users run it."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from workforce_platform.paths import PROJECT_ROOT

DAGSTER = str(Path(sys.executable).with_name("dagster"))


@pytest.fixture
def cli_env(tmp_path, scenario_factory, isolated_dagster_home):
    scenario = scenario_factory(end_year=2027)
    env = dict(os.environ)
    env.update(WORKFORCE_SCENARIO=str(scenario), WORKFORCE_DB_PATH=str(tmp_path / "cli.duckdb"),
               DAGSTER_HOME=str(isolated_dagster_home))
    return env


def _materialize(env, partition):
    return subprocess.run(
        [DAGSTER, "asset", "materialize", "-m", "workforce_platform.definitions", "--select", "*", "--partition", partition],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


def _counts(env):
    con = duckdb.connect(env["WORKFORCE_DB_PATH"], read_only=True)
    try:
        return {t: con.execute(f"select simulation_year, count(*) from {t} group by 1 order by 1").fetchall()
                for t in ("fct_yearly_events", "fct_workforce_snapshot", "fct_year_summary")}
    finally:
        con.close()


def test_years_in_order_refusal_and_rematerialisation(cli_env):
    first = _materialize(cli_env, "2025")
    assert first.returncode == 0, first.stderr[-3000:]

    early = _materialize(cli_env, "2027")
    assert early.returncode != 0
    assert "year 2027" in early.stderr and "materialise year 2026 first" in early.stderr
    assert [y for y, _ in _counts(cli_env)["fct_workforce_snapshot"]] == [2025]

    second = _materialize(cli_env, "2026")
    assert second.returncode == 0, second.stderr[-3000:]
    before = _counts(cli_env)
    assert [y for y, _ in before["fct_workforce_snapshot"]] == [2025, 2026]

    again = _materialize(cli_env, "2026")
    assert again.returncode == 0, again.stderr[-3000:]
    assert _counts(cli_env) == before
