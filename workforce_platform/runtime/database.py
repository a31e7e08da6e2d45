"""Connections to a scenario's DuckDB file: one open database per file while this process holds
its lock.

Opening a DuckDB file reads its metadata and replays its write-ahead log; closing the last
connection checkpoints it. A year's steps open the file about eight times (inputs, engine, tests,
audit rows, gates, publication), and each open and close cost 15-50 ms at 5,000 employees. So
while this process holds the file's `DatabaseLock` (no other process may write it then), every
`connect` returns a cursor of one shared in-process database, which is closed, and checkpointed,
when the outermost lock is released: another process that takes the lock next finds the file
closed. Without the lock, `connect` opens the file on its own, as before.

The shared database is an in-memory one with the file attached under `simulation`, the catalog
name that dbt's profile gives it, so the compiled dbt SQL runs on it unchanged. dbt itself opens
the file on its own: `close_shared` is called before every dbt invocation (DuckDB refuses a
second open of an attached file in one process, so a missed call fails loudly, never silently).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Optional

import duckdb

from workforce_platform.runtime.database_lock import lock_held
from workforce_platform.runtime.execution import ExecutionSettings

CATALOG = "simulation"  # profiles.yml attaches the scenario's database under this name

_shared: dict[Path, duckdb.DuckDBPyConnection] = {}
_guard = threading.Lock()


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
