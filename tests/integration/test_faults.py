"""Faults lose nothing: a run killed mid-year resumes to the same tables as an uninterrupted run;
a second run on the same database is refused while the first writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from tests.integration.conftest import SEED
from workforce_platform.runtime.fingerprint import RESULT_TABLES, table_fingerprint
from workforce_platform.paths import PROJECT_ROOT


_started: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_orphans():
    """Whatever a test does, none of its simulations outlives it."""
    yield
    while _started:
        process = _started.pop()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _simulate(scenario, db, *extra):
    process = subprocess.Popen(
        [sys.executable, "-m", "workforce_platform.cli", "simulate", "--scenario", str(scenario), "--db", str(db), *extra],
        cwd=PROJECT_ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    _started.append(process)
    return process


def _published(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        promotions = dict(con.execute("select simulation_year, run_id from published.promotions").fetchall())
        return promotions, {t: table_fingerprint(con, f"published.{t}") for t in RESULT_TABLES}
    finally:
        con.close()


def test_sigkill_mid_year_then_resume_equals_an_uninterrupted_run(scenario_factory, tmp_path, runs):
    scenario = scenario_factory()
    db = tmp_path / "killed.duckdb"
    process = _simulate(scenario, db, "--years-per-run", "1")  # a line per year tells when 2027 starts
    for line in process.stdout:
        if line.strip().startswith("2026") and " ok " in line:
            break
    time.sleep(0.8)  # inside year 2027's build
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    before, _ = _published(db)  # the database opens cleanly after the kill (DuckDB replays its WAL)
    assert set(before) >= {2025, 2026} and 2029 not in before

    resumed = _simulate(scenario, db, "--resume")
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, out + err
    assert "resuming at year" in out
    after, published = _published(db)
    assert {y: after[y] for y in before} == before, "years published before the crash were rebuilt"
    assert sorted(after) == [2025, 2026, 2027, 2028, 2029]
    _, uninterrupted = _published(runs.database(SEED))
    assert published == uninterrupted


def test_second_run_on_the_same_database_is_refused(scenario_factory, tmp_path):
    scenario = scenario_factory(end_year=2026)
    db = tmp_path / "busy.duckdb"
    first = _simulate(scenario, db)
    first.stdout.readline()  # the first run holds the database lock from here
    second = _simulate(scenario, db)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 2
    assert "another simulation is writing this database" in err and f"pid {first.pid}" in err
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out + err
