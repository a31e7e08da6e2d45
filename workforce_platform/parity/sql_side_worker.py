"""The parity gate's SQL side, built beside the Polars engine by a helper process.

With the Polars engine and the parity gate on, the gate rebuilds each year with the dbt models in a
scratch database (parity/compare.py). That build reads only the year's inputs, so it need not wait
for the gate: while this process runs the Polars engine and the year's dbt tests, a helper process
builds the scratch database on the machine's other core, and the gate then only compares.

- The helper is one process per run process, started when the run is known to build several
  years with the Polars engine and the gate (`warm_up`: by `workforce simulate` before the
  parameters, by a Dagster run of several years before its first year), and kept for the
  following years. It loads the project's manifest and templates (and, when dbt must compile,
  imports dbt and parses the project: a few seconds) while this process works; a year is handed
  to it only once it is ready. It holds no lock on the scenario's database and
  writes nothing but its scratch database.
- The year's scratch database goes to `<database>.parity/<scenario_id>-<year>/` with the inputs
  fingerprint it was built from. The gate uses it only when the year's inputs still have that
  fingerprint (`take_prebuilt`), and deletes it.
- Whenever the helper is not ready, failed, or is off (WORKFORCE_PARITY_WORKER=off, optimization
  level `low`, one core), the gate builds the SQL side itself. Results never depend on it.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import shutil
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import duckdb

from workforce_platform.build.plain_sql import prepare_year_models
from workforce_platform.checks.audit import inputs_fingerprint
from workforce_platform.config.scenario import Scenario
from workforce_platform.parity.compare import build_sql_side, copy_sql_side_inputs
from workforce_platform.parity.scratch import PROVENANCE_NAME, SCRATCH_NAME, discard, prebuilt_folder
from workforce_platform.paths import DBT_PROJECT_DIR
from workforce_platform.runtime.dbt_project import source_digest
from workforce_platform.runtime.execution import ExecutionSettings, machine_cores

WORKER_ENV = "WORKFORCE_PARITY_WORKER"


def worker_enabled(settings: ExecutionSettings) -> bool:
    """The helper runs unless switched off, on a `low` (memory-saving) level, or on one core."""
    switch = os.environ.get(WORKER_ENV, "on").strip().lower()
    return switch not in ("off", "0", "false", "no") and settings.level != "low" and machine_cores() >= 2


def take_prebuilt(db_path: Path, scenario_id: str, year: int, inputs: str) -> Optional[Path]:
    """The scratch database built beside the engine for this year, when it was built from inputs
    with fingerprint `inputs` (waiting for the helper when it is still building it, see
    `leave_for_gate`); a stale or unfinished one is deleted and None returned."""
    _settle(db_path, scenario_id, year, keep=True)
    folder = prebuilt_folder(db_path, scenario_id, year)
    provenance = folder / PROVENANCE_NAME
    if provenance.is_file() and provenance.read_text() == inputs and (folder / SCRATCH_NAME).is_file():
        return folder / SCRATCH_NAME
    discard(folder)
    return None


def _project_identity() -> tuple[str, str]:
    return str(DBT_PROJECT_DIR), source_digest()


def _serve(connection: Any) -> None:
    """The helper's loop: warm up, say so, then build each scratch database it is sent."""
    try:
        prepare_year_models()
        connection.send(("ready", None))
    except BaseException:
        connection.send(("failed", traceback.format_exc(limit=5)))
        return
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return  # the run process is gone
        if request is None:
            return
        number, project, scenario, year, scratch, settings = request
        if project != _project_identity():
            # The run process moved to another copy or state of the dbt project since this started.
            connection.send((number, "failed", "the helper process loaded another dbt project"))
            continue
        try:
            result = build_sql_side(scenario, year, scratch, settings)
            reply = ("built", None) if result.success else ("failed", result.error or "dbt run failed")
        except BaseException:
            reply = ("failed", traceback.format_exc(limit=5))
        connection.send((number, *reply))


class SqlSideWorker:
    """The helper process and its pipe; one request at a time."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        # Daemonic: it ends with the run process (multiprocessing's exit handler terminates it,
        # and a killed parent closes the pipe, which ends its loop).
        self._process = context.Process(target=_serve, args=(child,), name="parity-sql-side", daemon=True)
        self._process.start()
        child.close()
        self._ready = False
        self.broken = False
        self._requests = 0
        self._answers: dict[int, Optional[str]] = {}

    def ready(self) -> bool:
        """Whether it has warmed up (without waiting)."""
        try:
            if not self._ready and not self.broken and self._connection.poll():
                status, _ = self._connection.recv()
                self._ready = status == "ready"
                self.broken = not self._ready
        except (EOFError, OSError):
            self.broken = True
        return self._ready and not self.broken

    def build(self, scenario: Scenario, year: int, scratch: Path, settings: ExecutionSettings) -> Optional[int]:
        """Sends a build; returns its number for `wait`, or None when the helper is gone."""
        self._requests += 1
        try:
            self._connection.send((self._requests, _project_identity(), scenario, year, scratch, settings))
        except (OSError, ValueError):
            self.broken = True
            return None
        return self._requests

    def wait(self, number: int) -> Optional[str]:
        """Waits for build `number`: None when it succeeded, else why not. Answers to other
        builds that arrive first are kept for their own `wait`."""
        while number not in self._answers:
            try:
                answered, status, detail = self._connection.recv()
            except (EOFError, OSError) as exc:
                self.broken = True
                return f"the helper process ended ({exc!r})"
            self._answers[answered] = None if status == "built" else detail
        return self._answers.pop(number)

    def stop(self) -> None:
        try:
            self._connection.send(None)
        except (OSError, ValueError):
            pass
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
        self._connection.close()


_lock = threading.Lock()
_worker: Optional[SqlSideWorker] = None


def stop_worker() -> None:
    """Ends this process's helper, letting it exit on its own (so it releases dbt's semaphores)."""
    global _worker
    with _lock:
        if _worker is not None:
            _worker.stop()
            _worker = None


atexit.register(stop_worker)


def warm_up(settings: ExecutionSettings) -> Optional[SqlSideWorker]:
    """Starts this process's helper when enabled and not yet started; returns it (None when off
    or when it cannot start here, e.g. inside a daemonic process)."""
    global _worker
    if not worker_enabled(settings):
        return None
    with _lock:
        if _worker is None:
            try:
                _worker = SqlSideWorker()
            except (AssertionError, OSError):  # a daemonic process may not have children
                return None
        return None if _worker.broken else _worker


@dataclass
class SqlSideBuild:
    """A year's SQL side in the helper, from the copy of its inputs to the recorded provenance."""

    worker: SqlSideWorker
    number: int
    folder: Path
    inputs: str

    def finish(self, keep: bool) -> Optional[str]:
        """Waits for the helper; keeps the scratch database for the gate when `keep` and it built,
        else deletes it. Returns why it did not build, or None."""
        failure = self.worker.wait(self.number)
        if keep and failure is None:
            (self.folder / PROVENANCE_NAME).write_text(self.inputs)
        else:
            discard(self.folder)
        return failure


_pending: dict[tuple[str, str, int], SqlSideBuild] = {}


def _pending_key(db_path: Path, scenario_id: str, year: int) -> tuple[str, str, int]:
    return str(Path(db_path).resolve()), scenario_id, year


def leave_for_gate(build: SqlSideBuild, db_path: Path, scenario_id: str, year: int) -> None:
    """The year built: its SQL side is left to the helper, and the gate takes it (`take_prebuilt`
    waits for it then). Meanwhile this process goes on (the next year of a run of several years
    builds while the helper builds this one's SQL side)."""
    with _lock:
        _pending[_pending_key(db_path, scenario_id, year)] = build


def _settle(db_path: Path, scenario_id: str, year: int, keep: bool) -> None:
    """Waits for the year's SQL side left to the helper, if any, and keeps or deletes it."""
    with _lock:
        pending = _pending.pop(_pending_key(db_path, scenario_id, year), None)
    if pending is not None:
        pending.finish(keep=keep)


def settle_left_builds() -> None:
    """Waits for the SQL sides that no gate took, and deletes them (the end of a step that failed
    after building years)."""
    with _lock:
        left = list(_pending.values())
        _pending.clear()
    for build in left:
        build.finish(keep=False)


def start_sql_side(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, db_path: Path,
                   settings: ExecutionSettings) -> Optional[SqlSideBuild]:
    """Hands the year's SQL side to this process's helper when one was started (`warm_up`) and is
    ready: copies the inputs into the scratch database from `con`, before the year is built."""
    with _lock:
        worker = _worker
    if worker is None or not worker_enabled(settings) or not worker.ready():
        return None
    # The year built again before its gate took the last build's SQL side: the helper is done
    # with its folder before the folder is reused.
    _settle(db_path, scenario.scenario_id, year, keep=False)
    folder = prebuilt_folder(db_path, scenario.scenario_id, year)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        inputs, _ = inputs_fingerprint(con, scenario, year)
        copy_sql_side_inputs(con, folder / SCRATCH_NAME, scenario, year)
        number = worker.build(scenario, year, folder / SCRATCH_NAME, settings)
    except BaseException:
        discard(folder)
        raise
    if number is None:
        discard(folder)
        return None
    return SqlSideBuild(worker, number, folder, inputs)


class HelperSqlSideBuilds:
    """The helper's builds as the service `build_year` takes (build/year.py `SqlSideBuilds`)."""

    def start(self, con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, db_path: Path,
              settings: ExecutionSettings) -> Optional[SqlSideBuild]:
        return start_sql_side(con, scenario, year, db_path, settings)

    def keep_for_gate(self, build: SqlSideBuild, db_path: Path, scenario_id: str, year: int) -> None:
        leave_for_gate(build, db_path, scenario_id, year)

    def discard(self, build: SqlSideBuild) -> None:
        build.finish(keep=False)


SQL_SIDE_BUILDS = HelperSqlSideBuilds()
