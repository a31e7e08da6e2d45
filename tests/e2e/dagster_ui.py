"""Helpers of the browser tests: a `dagster dev` of its own, GraphQL queries, headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Callable, Optional

from workforce_platform.paths import PROJECT_ROOT

# Flags that keep Chromium from reaching for the network (this machine has none but the registries).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> Optional[str]:
    return os.environ.get("WORKFORCE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DagsterDev:
    """`dagster dev` (webserver and daemon) on a free loopback port with its own instance. Started
    in its own session with SIGINT at its default (from a script it would ignore SIGINT/SIGTERM),
    stopped by its process group."""

    def __init__(self, home: Path, env: dict[str, str], log: Path, workspace: Path = PROJECT_ROOT / "workspace.yaml",
                 scenario_id: str = "baseline") -> None:
        self.workspace = workspace
        self.scenario_id = scenario_id  # asset keys are under it: <scenario_id>/fct_workforce_snapshot
        self.port = free_port()
        self.home = home
        home.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "PYTEST_"))},
                    **env, "DAGSTER_HOME": str(home)}
        self.log = log
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180) -> None:
        dagster = Path(sys.executable).parent / "dagster"  # the one installed beside this Python
        self.process = subprocess.Popen(
            [str(dagster), "dev", "-h", "127.0.0.1", "-p", str(self.port), "-w", str(self.workspace)],
            cwd=PROJECT_ROOT, env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.wait_for(lambda: (self.graphql("{ assetNodes { id } }").get("data") or {}).get("assetNodes"),
                      timeout, "dagster dev did not serve the asset graph")

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()

    def graphql(self, query: str, variables: Optional[dict] = None) -> dict:
        request = urllib.request.Request(f"{self.url}/graphql",
                                         data=json.dumps({"query": query, "variables": variables or {}}).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except OSError:
            return {}

    def wait_for(self, predicate: Callable[[], object], timeout: float, message: str, every: float = 1.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"dagster dev exited ({self.process.returncode}); see {self.log}")
            time.sleep(every)
        raise AssertionError(f"{message} within {timeout:.0f} s; see {self.log}")

    # What the tests read back.

    def runs(self) -> list[dict]:
        data = self.graphql("""{ runsOrError(limit: 200) { ... on Runs { results {
            runId status jobName tags { key value } } } } }""")
        return ((data.get("data") or {}).get("runsOrError") or {}).get("results") or []

    def run_failure(self, run_id: str) -> str:
        data = self.graphql("""query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events {
            __typename ... on MessageEvent { message }
            ... on ExecutionStepFailureEvent { error { message cause { message } } } } } } }""", {"id": run_id})
        events = ((data.get("data") or {}).get("logsForRun") or {}).get("events") or []
        return "\n".join(json.dumps(e)[:800] for e in events if "Failure" in e["__typename"])

    def run_messages(self, run_id: str) -> list[str]:
        data = self.graphql("""query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events {
            ... on MessageEvent { message } } } } }""", {"id": run_id})
        events = ((data.get("data") or {}).get("logsForRun") or {}).get("events") or []
        return [e.get("message") or "" for e in events]

    def partition_statuses(self, path: list[str], scenario_id: Optional[str] = None) -> list[dict]:
        path = [scenario_id or self.scenario_id, *path]
        data = self.graphql("""query($path: [String!]!) { assetNodeOrError(assetKey: {path: $path}) {
            ... on AssetNode { assetPartitionStatuses { ... on TimePartitionStatuses {
                ranges { status startKey endKey } } } } } }""", {"path": path})
        node = (data.get("data") or {}).get("assetNodeOrError") or {}
        return ((node.get("assetPartitionStatuses") or {}).get("ranges")) or []

    def materialised(self, path: list[str], first: str, last: str, scenario_id: Optional[str] = None) -> bool:
        return {"status": "MATERIALIZED", "startKey": first, "endKey": last} in self.partition_statuses(path, scenario_id)

    def check_executions(self, asset: str, check: str) -> list[dict]:
        data = self.graphql("""query($path: [String!]!, $check: String!) {
            assetCheckExecutions(assetKey: {path: $path}, checkName: $check, limit: 100) {
                runId status partition evaluation { success description partition } } }""",
                            {"path": [self.scenario_id, *asset.split("/")], "check": check})
        return (data.get("data") or {}).get("assetCheckExecutions") or []

    def check_names(self, asset: str) -> list[str]:
        data = self.graphql("""query($path: [String!]!) { assetNodeOrError(assetKey: {path: $path}) {
            ... on AssetNode { assetChecksOrError { ... on AssetChecks { checks { name } } } } } }""",
                            {"path": [self.scenario_id, asset]})
        node = (data.get("data") or {}).get("assetNodeOrError") or {}
        return [c["name"] for c in ((node.get("assetChecksOrError") or {}).get("checks") or [])]

    def idle(self) -> bool:
        """No run queued or in progress, and no backfill in progress."""
        active = [r for r in self.runs() if r["status"] in ("QUEUED", "NOT_STARTED", "STARTING", "STARTED")]
        data = self.graphql("""{ partitionBackfillsOrError(limit: 20) { ... on PartitionBackfills {
            results { id status } } } }""")
        backfills = ((data.get("data") or {}).get("partitionBackfillsOrError") or {}).get("results") or []
        return not active and all(b["status"] != "REQUESTED" for b in backfills)


def open_browser(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
