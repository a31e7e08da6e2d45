"""Scenarios side by side and seed ensembles through `workforce simulate`, each scenario in its own
process, recorded in one Dagster instance under its own asset keys."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal

import duckdb
import pytest
from dagster import DagsterInstance, DagsterRunStatus

from tests.conftest import write_scenario
from workforce_platform.defs.asset_keys import scenario_key
from workforce_platform.census.generate import generate_census, write_census
from workforce_platform.cli import main
from workforce_platform.paths import PROJECT_ROOT
from workforce_platform.reports.ensemble import percentile

FAST = ["--no-engine-parity"]


@pytest.fixture(scope="module")
def small_census(tmp_path_factory):
    return write_census(generate_census(300, seed=5), tmp_path_factory.mktemp("batch_census") / "census.csv")


def _scenario(folder, census, scenario_id, **overrides):
    path = folder / f"{scenario_id}.yaml"
    write_scenario(folder, census, scenario_id=scenario_id, end_year=2026, **overrides)
    return path


def _published(db, scenario_id):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select simulation_year, ending_headcount, employer_cost from published.fct_year_summary "
                           "where scenario_id = ? order by 1", [scenario_id]).fetchall()
    finally:
        con.close()


def test_two_scenarios_side_by_side_each_in_its_own_database_and_assets(small_census, tmp_path, capsys):
    first = _scenario(tmp_path, small_census, "side_a")
    second = _scenario(tmp_path, small_census, "side_b", target_growth_rate=0.06)
    code = main(["simulate", "--scenario", str(first), "--scenario", str(second), "--workers", "2",
                 "--db-dir", str(tmp_path / "dbs"), "--log-dir", str(tmp_path / "logs"), *FAST])
    out = capsys.readouterr().out
    assert code == 0, out
    # Each scenario's completion is reported as it happens, then the comparison and the speed-up.
    assert out.count(" ok ") == 2 and "[1/2]" in out and "[2/2]" in out
    assert "side_a headcount" in out and "side_b employer cost" in out
    assert "speed-up about" in out and "with 2 workers" in out
    for scenario_id in ("side_a", "side_b"):
        rows = _published(tmp_path / "dbs" / f"{scenario_id}.duckdb", scenario_id)
        assert [r[0] for r in rows] == [2025, 2026]
        assert f"{rows[-1][1]:,}" in out
        assert (tmp_path / "logs" / f"{scenario_id}.log").read_text().count(" ok ") >= 2
        # One instance, separate asset keys: neither scenario's status overwrites the other's.
        assert DagsterInstance.get().get_materialized_partitions(
            scenario_key(scenario_id, "fct_workforce_snapshot")) == {"2025", "2026"}
    assert _published(tmp_path / "dbs" / "side_a.duckdb", "side_a") != _published(
        tmp_path / "dbs" / "side_b.duckdb", "side_b")


def test_a_seed_ensemble_prints_p10_p50_p90_of_each_year(small_census, tmp_path, capsys):
    scenario = _scenario(tmp_path, small_census, "ens")
    code = main(["simulate", "--scenario", str(scenario), "--seeds", "3-5", "--workers", "2",
                 "--db-dir", str(tmp_path / "dbs"), "--log-dir", str(tmp_path / "logs"), *FAST])
    out = capsys.readouterr().out
    assert code == 0, out
    folder = tmp_path / "dbs" / "ensembles" / "ens"
    costs = {year: [] for year in (2025, 2026)}
    for seed in (3, 4, 5):
        for year, _, cost in _published(folder / f"ens_seed{seed}.duckdb", f"ens_seed{seed}"):
            costs[year].append(cost)
    # The seeds differ, and the printed and written percentiles are those of the published years.
    assert len(set(costs[2026])) > 1
    csv_rows = (folder / "ensemble_summary.csv").read_text().splitlines()
    assert csv_rows[0].startswith("simulation_year,seeds,headcount_p10")
    for line, year in zip(csv_rows[1:], (2025, 2026)):
        cells = line.split(",")
        expected = [percentile(costs[year], Decimal(p)).quantize(Decimal("0.01")) for p in ("0.1", "0.5", "0.9")]
        assert [Decimal(c) for c in cells[5:8]] == expected
        assert cells[:2] == [str(year), "3"]
        assert f"{expected[1]:,}" in out


@pytest.mark.parametrize("args, message", [
    (["--workers", "11"], "--workers: '11' must be between 1 and 10"),
    (["--workers", "0"], "--workers: '0' must be between 1 and 10"),
    (["--seeds", "1-3", "--scenario", "SECOND"], "--seeds runs the seed variants of one scenario"),
    (["--seeds", "3-1"], "the range 3-1 ends before it starts"),
    (["--scenario", "SECOND", "--db", "one.duckdb"], "--db names one database"),
    (["--scenario", "SAME"], "scenario_id 'bad_a' is also the id of"),
    (["--scenario", "SECOND", "--measure-speedup", "--workers", "1"], "--measure-speedup compares"),
    (["--log-dir", "logs"], "--log-dir and --db-dir are for several scenarios"),
])
def test_bad_batch_arguments_exit_2_with_a_clear_message(args, message, small_census, tmp_path, capsys):
    first = _scenario(tmp_path, small_census, "bad_a")
    second = _scenario(tmp_path, small_census, "bad_b")
    same = tmp_path / "copy.yaml"
    same.write_text(first.read_text())
    args = [{"SECOND": str(second), "SAME": str(same)}.get(a, a) for a in args]
    assert _exit_code(["simulate", "--scenario", str(first), *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "dbs").exists()


def _exit_code(argv) -> int:
    """main()'s exit code, whether it returns it or argparse exits with it."""
    try:
        return main(argv)
    except SystemExit as exited:
        return exited.code


def _fresh_dagster_home(folder):
    """A new, empty instance configured like the project's."""
    folder.mkdir()
    shutil.copy(PROJECT_ROOT / "dagster.yaml", folder / "dagster.yaml")
    return folder


def _stamped_versions(home):
    """Each SQLite storage's alembic version rows: exactly one when it was created cleanly."""
    versions = {}
    for name in ("history/runs.db", "schedules/schedules.db", "storage/index.db"):
        with sqlite3.connect(home / name) as con:
            versions[name] = [row[0] for row in con.execute("select version_num from alembic_version")]
    return versions


@pytest.mark.parametrize("attempt", [1, 2])
def test_four_scenarios_at_once_on_a_new_instance_all_succeed(attempt, small_census, tmp_path, monkeypatch, capsys):
    # Each child process opens the shared instance; on a new one, opening it creates its storages.
    home = _fresh_dagster_home(tmp_path / "dagster_home")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    ids = [f"fresh{attempt}_{letter}" for letter in "abcd"]
    scenarios = [write_scenario(tmp_path, small_census, scenario_id=i, end_year=2025, random_seed=attempt)
                 for i in ids]
    code = main(["simulate", *(a for path in scenarios for a in ("--scenario", str(path))), "--workers", "4",
                 "--db-dir", str(tmp_path / "dbs"), "--log-dir", str(tmp_path / "logs"), *FAST])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count(" ok ") == 4
    for scenario_id in ids:
        assert [r[0] for r in _published(tmp_path / "dbs" / f"{scenario_id}.duckdb", scenario_id)] == [2025]
    instance = DagsterInstance.get()
    try:
        runs = instance.get_runs()
        # Each scenario: its parameters and its year, every run recorded in the new instance.
        assert len(runs) == 8 and {run.status for run in runs} == {DagsterRunStatus.SUCCESS}
    finally:
        instance.dispose()
    assert all(len(stamped) == 1 for stamped in _stamped_versions(home).values()), _stamped_versions(home)


# Each process imports Dagster, says it is ready, then opens the instance the moment all are ready.
_OPEN_AT_ONCE = """
import sys, time
from pathlib import Path
import dagster
from workforce_platform.commands.instance import open_instance
ready, go = Path(sys.argv[1]), Path(sys.argv[2])
ready.touch()
while not go.exists():
    time.sleep(0.001)
open_instance().dispose()
"""


def test_processes_opening_a_new_instance_at_once_create_its_storages_once(tmp_path, monkeypatch):
    for attempt in range(3):
        home = _fresh_dagster_home(tmp_path / f"home{attempt}")
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        go = tmp_path / f"go{attempt}"
        ready = [tmp_path / f"ready{attempt}_{i}" for i in range(4)]
        processes = [subprocess.Popen([sys.executable, "-c", _OPEN_AT_ONCE, str(r), str(go)], cwd=PROJECT_ROOT,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for r in ready]
        deadline = time.monotonic() + 120
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()
        outputs = [p.communicate(timeout=120)[0] for p in processes]
        assert [p.returncode for p in processes] == [0] * 4, "\n".join(outputs)
        assert all(len(stamped) == 1 for stamped in _stamped_versions(home).values()), _stamped_versions(home)
