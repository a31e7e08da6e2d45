"""The README's two commands, from a fresh clone of the repository (its committed HEAD)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from workforce_platform.paths import PROJECT_ROOT



def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)\n```", (PROJECT_ROOT / "README.md").read_text(), flags=re.S)
    return [blocks[0].strip(), blocks[1].strip()]


def test_ci_runs_exactly_the_readme_test_command():
    ci = (PROJECT_ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == readme_commands()[1]


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory) -> Path:
    clone = tmp_path_factory.mktemp("e2e") / "clone"
    subprocess.run(["git", "clone", "--quiet", str(PROJECT_ROOT), str(clone)], check=True)
    return clone


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WORKFORCE_", "DAGSTER_", "PYTEST_", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    return env


@pytest.fixture(scope="module")
def demo_run(fresh_clone):
    result = subprocess.run(readme_commands()[0], shell=True, cwd=fresh_clone, env=_clean_env(),
                            capture_output=True, text=True, timeout=1800)
    return result


def test_first_command_runs_the_demo(fresh_clone, demo_run):
    assert demo_run.returncode == 0, demo_run.stdout[-3000:] + demo_run.stderr[-3000:]
    out = demo_run.stdout
    assert "year  start  hires  terms  nh terms    end  growth       total pay" in out
    assert re.search(r"wall time [\d.]+ s, peak memory \d+ MiB", out)
    assert re.search(r"^\s+2025-2029\s+ok\s", out, flags=re.M), out  # all years in one Dagster run
    # A fresh clone's first run compiles dbt's tests and views once: it prints none of their SQL.
    assert not re.search(r"^\s*(select|from|where)\b", out, flags=re.M | re.I), out[:3000]
    assert len(out.splitlines()) < 30, out
    summary_lines = [line for line in out.splitlines() if re.match(r"^20\d\d\s+[\d,]+\s+[\d,]+", line)]
    assert len(summary_lines) == 5 and all(line in (PROJECT_ROOT / "README.md").read_text() for line in summary_lines)
    con = duckdb.connect(str(fresh_clone / "data" / "baseline.duckdb"), read_only=True)
    summary = con.execute("select simulation_year, starting_headcount, ending_headcount from fct_year_summary order by 1").fetchall()
    assert [r[0] for r in summary] == [2025, 2026, 2027, 2028, 2029]
    assert summary[0][1] == con.execute("select count(*) from inputs.census where termination_date is null").fetchall()[0][0]


def test_dagster_instance_records_the_years(fresh_clone, demo_run, monkeypatch):
    from dagster import AssetKey, DagsterInstance

    assert demo_run.returncode == 0
    monkeypatch.setenv("DAGSTER_HOME", str(fresh_clone / ".dagster_home"))
    instance = DagsterInstance.get()
    try:
        done = instance.get_materialized_partitions(AssetKey(["baseline", "fct_workforce_snapshot"]))
        assert done == {"2025", "2026", "2027", "2028", "2029"}
    finally:
        instance.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_dagster_dev_shows_the_materialised_years(fresh_clone, demo_run):
    assert demo_run.returncode == 0
    port = _free_port()
    env = {**_clean_env(), "DAGSTER_HOME": str(fresh_clone / ".dagster_home")}
    # dagster dev ignores SIGINT/SIGTERM when started from a script: its own session, default
    # SIGINT handling, stopped by process group id.
    process = subprocess.Popen(
        [str(fresh_clone / ".venv" / "bin" / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
        cwd=fresh_clone, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        query = """{ assetNodes { assetKey { path } } }"""
        deadline, nodes = time.monotonic() + 180, None
        while time.monotonic() < deadline:
            try:
                data = _graphql(port, query).get("data") or {}
                nodes = data.get("assetNodes")
                if nodes:
                    break
            except OSError:
                pass
            time.sleep(1)
        assert nodes, "dagster dev did not serve the asset graph"
        keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
        # One code location per registered scenario, each scenario's assets under its id.
        assert {f"{scenario}/{table}" for scenario in ("baseline", "growth", "plan_design")
                for table in ("fct_workforce_snapshot", "fct_yearly_events", "config_levels")} <= keys
        status = _graphql(port, """{ assetNodeOrError(assetKey: {path: ["baseline", "fct_workforce_snapshot"]}) {
            ... on AssetNode { partitionKeys assetPartitionStatuses {
                ... on TimePartitionStatuses { ranges { status startKey endKey } } } } } }""")
        node = status["data"]["assetNodeOrError"]
        assert node["partitionKeys"] == ["2025", "2026", "2027", "2028", "2029"]
        ranges = node["assetPartitionStatuses"]["ranges"]
        assert {"status": "MATERIALIZED", "startKey": "2025", "endKey": "2029"} in ranges
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
