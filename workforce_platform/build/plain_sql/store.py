"""What dbt compiled, kept per state of the project (in memory and in a file of dbt's target/
folder, labelled with the project's source digest), and the connection the plain statements run on."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, Callable

import duckdb

from workforce_platform.runtime import database
from workforce_platform.runtime.dbt_project import source_digest
from workforce_platform.runtime.execution import ExecutionSettings

DBT_CATALOG = database.CATALOG  # profiles.yml attaches the scenario's database under this name
KEPT_LOCK = threading.Lock()
NOT_KEPT = object()


def kept_for_project(path: Path, memory: dict, derive: Callable[[], Any]) -> Any:
    """`derive()`'s value (JSON) for the project's current state: from `memory`, else from `path`
    when it was kept there for this state, else derived and kept (labelled with the digest)."""
    with KEPT_LOCK:
        value = read_kept(path, memory)
        if value is NOT_KEPT:
            value = derive()
            keep(path, memory, value)
        return value


def read_kept(path: Path, memory: dict) -> Any:
    """The value kept in `memory` or `path` for the project's current state, else NOT_KEPT."""
    digest = source_digest()
    if digest in memory:
        return memory[digest]
    try:
        kept = json.loads(path.read_text())
        value = kept["value"] if kept.get("source_digest") == digest else NOT_KEPT
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        value = NOT_KEPT
    if value is not NOT_KEPT:
        memory.clear()
        memory[digest] = value
    return value


def keep(path: Path, memory: dict, value: Any) -> None:
    digest = source_digest()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps({"source_digest": digest, "value": value}, indent=1))
    os.replace(partial, path)  # another process reads the old file or the new one
    memory.clear()
    memory[digest] = value


def connect_as_dbt(db_path: Path, settings: ExecutionSettings, read_only: bool) -> duckdb.DuckDBPyConnection:
    """`db_path` under the catalog name that dbt's profile gives it (the compiled SQL names it),
    with the profile's DuckDB settings."""
    return database.connect(db_path, read_only=read_only, settings=settings,
                            session={"preserve_insertion_order": False})  # as profiles.yml sets it
