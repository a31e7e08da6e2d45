"""What the scale and parity harnesses share: measured runs as fresh processes under one
deadline, an isolated Dagster instance, and the machine's description."""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import psutil

from workforce_platform.paths import PROJECT_ROOT


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self._end - time.monotonic()


@dataclass
class ChildRun:
    """A measured run: the child's own figures plus what the parent saw of the process."""

    name: str
    figures: Optional[dict]
    process_seconds: float  # spawn to exit: interpreter, imports, parse, every run
    process_cpu_seconds: float  # user + system of the process and the children it waited for
    returncode: Optional[int]
    timed_out: bool
    log_path: Path

    @property
    def success(self) -> bool:
        return not self.timed_out and self.returncode == 0 and bool(self.figures and self.figures["success"])

    def failure(self) -> str:
        if self.timed_out:
            return "timed out (the benchmark's --timeout)"
        if self.figures and self.figures.get("message"):
            return self.figures["message"]
        tail = self.log_path.read_text(errors="replace").strip().splitlines()[-5:] if self.log_path.exists() else []
        return f"exit {self.returncode}: " + " / ".join(tail)


def isolated_environment(out: Path) -> dict[str, str]:
    """The children's environment: their own Dagster instance under the report folder (the
    user's instance is not filled with benchmark runs), no inherited database path."""
    home = out / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    link = home / "dagster.yaml"
    if not link.exists():
        link.symlink_to(PROJECT_ROOT / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if k != "WORKFORCE_DB_PATH"}
    env["DAGSTER_HOME"] = str(home)
    return env


def prepare_instance(out: Path) -> None:
    """Creates the children's Dagster instance (its SQLite schemas) before any measured run, so
    that the first run does not pay a set-up that the others do not."""
    subprocess.run([sys.executable, "-c", "from dagster import DagsterInstance; DagsterInstance.get().dispose()"],
                   env=isolated_environment(out), cwd=PROJECT_ROOT, check=True, capture_output=True, timeout=300)


def run_child(name: str, args: list[str], out: Path, deadline: Deadline) -> ChildRun:
    """`workforce bench run ARGS` in a fresh process (own session, killed as a group at the deadline)."""
    runs = out / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    json_path, log_path = runs / f"{name}.json", runs / f"{name}.log"
    json_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", "workforce_platform.cli", "bench", "run", *args, "--json", str(json_path)]
    started = time.perf_counter()
    timed_out = False
    with open(log_path, "w") as log:
        log.write("$ " + " ".join(command) + "\n")
        log.flush()
        process = subprocess.Popen(command, env=isolated_environment(out), stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True, cwd=PROJECT_ROOT)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if deadline.remaining() <= 0:
                timed_out = True
                os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    figures = json.loads(json_path.read_text()) if json_path.exists() and not timed_out else None
    return ChildRun(name, figures, seconds, usage.ru_utime + usage.ru_stime, process.returncode, timed_out, log_path)


def machine() -> dict:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "ci": os.environ.get("CI", "") == "true",
    }
