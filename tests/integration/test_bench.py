"""The benchmark harnesses on real runs: the parity comparison sees a one-row change, sharded
fingerprints equal whole ones, and `bench scale` writes its three reports (and exits 2 at its
time limit)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import duckdb

from workforce_platform.benchmarks.parity import compare_databases
from workforce_platform.runtime.fingerprint import RESULT_TABLES, table_fingerprint
from workforce_platform.paths import PROJECT_ROOT

SCENARIO = "test_scenario"


def test_compare_finds_identity_and_a_one_row_change(runs, tmp_path):
    source = runs.database()
    same, changed = tmp_path / "same.duckdb", tmp_path / "changed.duckdb"
    shutil.copy(source, same)
    shutil.copy(source, changed)
    assert all(d.identical and d.rows_left > 0 for d in compare_databases(source, same, SCENARIO))
    con = duckdb.connect(str(changed))
    con.execute("""update main.fct_workforce_snapshot set annual_compensation = annual_compensation + 0.01
                   where employee_id = (select min(employee_id) from main.fct_workforce_snapshot) and simulation_year = 2027""")
    con.close()
    diffs = {d.table: d for d in compare_databases(source, changed, SCENARIO)}
    snapshot = diffs["main.fct_workforce_snapshot"]
    assert (snapshot.only_left, snapshot.only_right) == (1, 1)
    assert snapshot.fingerprint_left != snapshot.fingerprint_right
    assert all(d.identical for name, d in diffs.items() if name != "main.fct_workforce_snapshot")


def test_sharded_fingerprints_equal_whole_ones(runs):
    con = runs.connect()
    try:
        for table in RESULT_TABLES:
            where = f"scenario_id = '{SCENARIO}' and simulation_year = 2026"
            whole = table_fingerprint(con, f"main.{table}", where)
            assert table_fingerprint(con, f"main.{table}", where, shards=4) == whole
            assert table_fingerprint(con, f"main.{table}", where, shards=7) == whole
    finally:
        con.close()


def _bench(*args, timeout=900):
    return subprocess.run([sys.executable, "-m", "workforce_platform.cli", "bench", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_bench_scale_writes_three_reports(tmp_path):
    result = _bench("scale", "--scenario", "small", "--out", str(tmp_path), "--advisory-timing")
    assert result.returncode == 0, result.stdout + result.stderr
    payload = json.loads((tmp_path / "scale.json").read_text())
    verdicts = {v["name"]: v for v in payload["verdicts"]}
    assert verdicts["correctness"]["status"] == "pass"
    assert verdicts["peak_memory"]["status"] == "pass"
    (run,) = payload["runs"]
    assert run["employees"] == 1000 and run["years"] == 3 and run["status"] == "ok"
    assert run["events"] > 0 and run["peak_rss_mib"] > 50 and run["cpu_seconds"] > 0
    assert run["stage_dbt"] > 0 and run["stage_checks"] > 0 and run["stage_engine_python"] == 0
    assert "| correctness | correctness | PASS |" in (tmp_path / "scale.md").read_text()
    assert ET.parse(tmp_path / "scale.junit.xml").getroot().get("failures") == "0"
    assert "Scale benchmark: PASS" in result.stdout


def test_bench_scale_attributes_the_polars_engines_time_to_its_stage(tmp_path):
    result = _bench("scale", "--scenario", "small", "--engine", "polars", "--no-engine-parity", "--out", str(tmp_path),
                    "--advisory-timing")
    assert result.returncode == 0, result.stdout + result.stderr
    (run,) = json.loads((tmp_path / "scale.json").read_text())["runs"]
    assert run["status"] == "ok" and run["stage_engine_python"] > 0 and run["stage_dbt"] > 0


def test_bench_scale_time_limit_exits_2(tmp_path):
    result = _bench("scale", "--scenario", "medium", "--out", str(tmp_path), "--timeout", "3")
    assert result.returncode == 2, result.stdout + result.stderr
    payload = json.loads((tmp_path / "scale.json").read_text())
    assert payload["outcome"] == "TIMEOUT"
    assert any(v["status"] == "timeout" for v in payload["verdicts"])
    assert ET.parse(tmp_path / "scale.junit.xml").getroot().get("errors") == "1"
