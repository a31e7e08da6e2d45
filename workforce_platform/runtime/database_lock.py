"""One writer per DuckDB file, on every path (workforce simulate, dagster asset materialize, the UI).

An exclusive lock on `<db>.lock`, held by a process while it writes the database. The kernel
releases it when the process ends, even by SIGKILL, so a crash never leaves a stale lock. It is
re-entrant within a process: `workforce simulate` holds it for the whole run and the Dagster
steps it executes in-process take it again without blocking. While it is held, the process's
connections share one open database (orchestration/database.py), closed before the lock goes.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path
from typing import TextIO

from workforce_platform.errors import DatabaseBusyError

_held: dict[Path, tuple[TextIO, int]] = {}
_guard = threading.Lock()


def lock_held(db_path: Path) -> bool:
    """Whether this process holds the lock of `db_path` (a resolved path)."""
    with _guard:
        return db_path.with_name(db_path.name + ".lock") in _held


class DatabaseLock:
    def __init__(self, db_path: Path, wait_seconds: float = 0.0) -> None:
        self.db_path = Path(db_path).resolve()
        self.path = self.db_path.with_name(self.db_path.name + ".lock")
        self.wait_seconds = wait_seconds

    def __enter__(self) -> "DatabaseLock":
        with _guard:
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
        with _guard:
            _held[self.path] = (handle, 1)
        return self

    def __exit__(self, *exc: object) -> None:
        with _guard:
            handle, count = _held[self.path]
            if count > 1:
                _held[self.path] = (handle, count - 1)
                return
        try:
            from workforce_platform.runtime.database import close_shared

            close_shared(self.db_path)  # checkpointed and closed while the lock still excludes others
        finally:
            with _guard:
                handle, count = _held[self.path]
                if count > 1:  # another thread took it again meanwhile
                    _held[self.path] = (handle, count - 1)
                    return
                del _held[self.path]
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()

