"""A scenario's DuckDB file: one writer at a time, and one open database per file while this
process writes it.

**One writer per file, on every path** (workforce simulate, dagster asset materialize, the UI).
`DatabaseLock` is an exclusive lock on `<db>.lock`, held by a process while it writes the database.
The kernel releases it when the process ends, even by SIGKILL, so a crash never leaves a stale
lock. It is re-entrant within a process: `workforce simulate` holds it for the whole run and the
Dagster steps it executes in-process take it again without blocking.

**One open database while the lock is held.** Opening a DuckDB file reads its metadata and replays
its write-ahead log; closing the last connection checkpoints it. A year's steps open the file about
eight times (inputs, engine, tests, audit rows, gates, publication). So while this process holds
the file's lock (no other process may write it then), every connection is a cursor of one shared
in-process database, which is closed, and checkpointed, when the outermost lock is released:
another process that takes the lock next finds the file closed. Without the lock, a connection
opens the file on its own.

The shared database is an in-memory one with the file attached under `simulation`, the catalog
name that dbt's profile gives it, so the compiled dbt SQL runs on it unchanged. dbt itself opens
the file on its own: `close_shared` is called before every dbt invocation (DuckDB refuses a
second open of an attached file in one process, so a missed call fails loudly, never silently).

`connection()` is the one way the Dagster-free code opens a scenario's database (a context manager
that closes it); the Dagster assets and checks get theirs through the `ScenarioDuckDB` resource
(defs/resources.py), which hands out the same connections.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional, TextIO

import duckdb

from workforce_platform.errors import DatabaseBusyError
from workforce_platform.runtime.execution import ExecutionSettings

CATALOG = "simulation"  # profiles.yml attaches the scenario's database under this name
# How long a Dagster step waits for another process to finish writing the same database.
LOCK_WAIT_SECONDS = float(os.environ.get("WORKFORCE_LOCK_WAIT_SECONDS", "600"))

_shared: dict[Path, duckdb.DuckDBPyConnection] = {}
_guard = threading.Lock()


_held: dict[Path, tuple[TextIO, int]] = {}
_lock_guard = threading.Lock()


def lock_held(db_path: Path) -> bool:
    """Whether this process holds the lock of `db_path` (a resolved path)."""
    with _lock_guard:
        return db_path.with_name(db_path.name + ".lock") in _held


class DatabaseLock:
    def __init__(self, db_path: Path, wait_seconds: float = 0.0) -> None:
        self.db_path = Path(db_path).resolve()
        self.path = self.db_path.with_name(self.db_path.name + ".lock")
        self.wait_seconds = wait_seconds

    def __enter__(self) -> "DatabaseLock":
        with _lock_guard:
            if self.path in _held:
                handle, count = _held[self.path]
                _held[self.path] = (handle, count + 1)
                return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    handle.close()
                    raise DatabaseBusyError(
                        f"{self.db_path}: another simulation is writing this database ({holder}); "
                        "wait for it to finish or choose another file with --db"
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        with _lock_guard:
            _held[self.path] = (handle, 1)
        return self

    def __exit__(self, *exc: object) -> None:
        with _lock_guard:
            handle, count = _held[self.path]
            if count > 1:
                _held[self.path] = (handle, count - 1)
                return
        try:
            close_shared(self.db_path)  # checkpointed and closed while the lock still excludes others
        finally:
            with _lock_guard:
                handle, count = _held[self.path]
                if count > 1:  # another thread took it again meanwhile
                    _held[self.path] = (handle, count - 1)
                    return
                del _held[self.path]
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _config(settings: Optional[ExecutionSettings]) -> dict:
    if settings is None:
        return {}
    return {"threads": settings.threads, "memory_limit": settings.memory_limit,
            "temp_directory": str(settings.temp_directory)}


def _apply(shared: duckdb.DuckDBPyConnection, settings: ExecutionSettings) -> None:
    """The run's settings on a shared database opened before them (by a step that has none)."""
    shared.execute(f"set threads = {int(settings.threads)}")
    shared.execute("set memory_limit = ?", [settings.memory_limit])
    wanted = str(settings.temp_directory)
    if shared.execute("select current_setting('temp_directory')").fetchall()[0][0] != wanted:
        try:
            shared.execute("set temp_directory = ?", [wanted])
        except duckdb.Error:
            pass  # DuckDB keeps the directory it has spilled to; the limit above still holds


def _open(db_path: Path, read_only: bool, settings: Optional[ExecutionSettings]) -> duckdb.DuckDBPyConnection:
    """A new in-memory database with the file attached as CATALOG and in use."""
    con = duckdb.connect(config=_config(settings))
    try:
        quoted = str(db_path).replace("'", "''")
        con.execute(f"attach '{quoted}' as {CATALOG}{' (read_only)' if read_only else ''}")
        con.execute(f"use {CATALOG}")
    except BaseException:
        con.close()
        raise
    return con


def connect(db_path: Path | str, read_only: bool = False, settings: Optional[ExecutionSettings] = None,
            session: Optional[dict] = None) -> duckdb.DuckDBPyConnection:
    """A connection to `db_path` (its catalog is `simulation`, its default schema `main`);
    `settings` are the run's DuckDB threads, memory limit and temp directory, `session` further
    per-connection settings. Close it when done (a cursor of the shared database closes alone)."""
    path = Path(db_path).resolve()
    if not lock_held(path):
        con = _open(path, read_only, settings)
    else:
        with _guard:
            shared = _shared.get(path)
            if shared is None:
                shared = _shared[path] = _open(path, False, settings)
            elif settings is not None:
                _apply(shared, settings)
            con = shared.cursor()
        con.execute(f"use {CATALOG}")
    for name, value in (session or {}).items():
        con.execute(f"set session {name} = ?", [value])
    return con


def close_shared(db_path: Path | str) -> None:
    """Closes (and so checkpoints) the shared database of `db_path`, if open: before dbt opens the
    file, and when the outermost lock is released. Its cursors close with it."""
    path = Path(db_path).resolve()
    with _guard:
        shared = _shared.pop(path, None)
    if shared is not None:
        shared.close()


@contextmanager
def connection(db_path: Path | str, read_only: bool = False, settings: Optional[ExecutionSettings] = None,
               session: Optional[dict] = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """`connect`, closed when the block ends."""
    con = connect(db_path, read_only=read_only, settings=settings, session=session)
    try:
        yield con
    finally:
        con.close()
