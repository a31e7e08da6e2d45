"""Running out of memory or of temp space: a clean failure naming the setting, nothing of the
year published, the published years unchanged."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from workforce_platform.census.generate import generate_census, write_census
from workforce_platform.runtime.fingerprint import RESULT_TABLES, table_fingerprint
from workforce_platform.paths import PROJECT_ROOT


def _published(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return (dict(con.execute("select simulation_year, run_id from published.promotions").fetchall()),
                {t: table_fingerprint(con, f"published.{t}") for t in RESULT_TABLES})
    finally:
        con.close()


def _simulate(scenario, db, env, prefix=()):
    command = [*prefix, sys.executable, "-m", "workforce_platform.cli", "simulate", "--scenario", str(scenario), "--db", str(db)]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900)


def test_memory_limit_too_small_fails_cleanly(scenario_factory, tmp_path):
    scenario, db = scenario_factory(end_year=2025), tmp_path / "memory.duckdb"
    assert _simulate(scenario, db, dict(os.environ)).returncode == 0
    before = _published(db)
    result = _simulate(scenario, db, {**os.environ, "WORKFORCE_MEMORY_LIMIT": "2MB"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ran out of memory under memory_limit=2MB (from WORKFORCE_MEMORY_LIMIT): raise WORKFORCE_MEMORY_LIMIT" in result.stdout
    assert _published(db) == before


def test_memory_guard_fails_cleanly_naming_the_setting(scenario_factory, tmp_path):
    """A run whose process tree passes WORKFORCE_RSS_LIMIT fails (exit 1) before anything of the
    year is published; the years published earlier are untouched."""
    scenario, db = scenario_factory(end_year=2026), tmp_path / "guard.duckdb"
    first = subprocess.run([sys.executable, "-m", "workforce_platform.cli", "simulate", "--scenario", str(scenario),
                            "--db", str(db), "--years", "2025"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                           timeout=900)
    assert first.returncode == 0, first.stdout + first.stderr
    before = _published(db)
    result = _simulate(scenario, db, {**os.environ, "WORKFORCE_RSS_LIMIT": "50MB"})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "memory guard:" in result.stdout
    assert "over the limit of 48 MiB set by WORKFORCE_RSS_LIMIT" in result.stdout
    assert "nothing of this year was published" in result.stdout
    assert _published(db) == before


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="needs root and unshare for a private tmpfs")
def test_full_temp_directory_fails_cleanly(tmp_path):
    census = write_census(generate_census(30000, 5), tmp_path / "census.parquet")
    (tmp_path / "big.yaml").write_text(f"scenario_id: big\nstart_year: 2025\nend_year: 2025\nrandom_seed: 1\ncensus_path: {census}\n")
    db, tiny = tmp_path / "big.duckdb", tmp_path / "tiny"
    tiny.mkdir()
    env = {**os.environ, "WORKFORCE_MEMORY_LIMIT": "40MB", "WORKFORCE_TEMP_DIRECTORY": str(tiny)}
    # A private 256 KiB tmpfs as DuckDB's temp directory, in a mount namespace of this command only.
    prefix = ["unshare", "-m", "sh", "-c", f'mount -t tmpfs -o size=256k tmpfs "{tiny}" && exec "$0" "$@"']
    result = _simulate(tmp_path / "big.yaml", db, env, prefix)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"could not spill to its temp directory {tiny}" in result.stdout and "WORKFORCE_TEMP_DIRECTORY" in result.stdout
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select count(*) from information_schema.tables where table_schema = 'published'").fetchall()[0][0] == 0
    finally:
        con.close()
