"""The Dagster instance the command line records its runs in: DAGSTER_HOME, else the project's
`.dagster_home` linked to its dagster.yaml; opened by one of our processes at a time."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from dagster import DagsterInstance

from workforce_platform.paths import PROJECT_ROOT, dagster_home


def ensure_dagster_home() -> Path:
    """DAGSTER_HOME, defaulting to .dagster_home linked to the project's dagster.yaml."""
    home = dagster_home()
    if "DAGSTER_HOME" not in os.environ:
        home = PROJECT_ROOT / ".dagster_home"
        home.mkdir(exist_ok=True)
        link = home / "dagster.yaml"
        if not link.exists():
            link.symlink_to(PROJECT_ROOT / "dagster.yaml")
        os.environ["DAGSTER_HOME"] = str(home)
    return home


INSTANCE_SETUP_LOCK = ".workforce_instance_setup.lock"


@contextmanager
def _instance_setup_lock(home: Path) -> Iterator[None]:
    """Held while this process opens the instance. Opening a new instance creates its SQLite
    storages (tables, alembic version stamps, data migrations) with no guard against another
    process doing the same: two processes opening a fresh DAGSTER_HOME at once can fail ("UNIQUE
    constraint failed: alembic_version.version_num") or leave two versions stamped, after which
    every command on that instance fails. The kernel releases the lock if the process dies."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / INSTANCE_SETUP_LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_instance() -> DagsterInstance:
    """The instance of DAGSTER_HOME (see ensure_dagster_home), opened by one of our processes at a time."""
    home = ensure_dagster_home()
    with _instance_setup_lock(home):
        return DagsterInstance.get()


def prepare_shared_instance() -> None:
    """Creates the instance's storages, if new, before processes that share it start: they then
    find them ready, and a broken instance fails here once rather than in each of them."""
    open_instance().dispose()
