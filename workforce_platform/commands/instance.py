"""The Dagster instance the command line records its runs in: DAGSTER_HOME, else the project's
`.dagster_home` linked to its dagster.yaml; opened by one of our processes at a time.

A DAGSTER_HOME of the user's own may lack what this project's dagster.yaml sets for its runs (the
event log storage that keeps its connections open, no captured compute logs, console logs at
INFO): without them the same run took 70% longer. The command line applies each setting the home's
own file leaves unset to the instance it opens, and says so once (`instance_note`); a setting the
file makes is kept."""

from __future__ import annotations

import fcntl
import logging
import os
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator, Optional

import yaml
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef

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


# The top-level keys of the project's dagster.yaml that its runs rely on (`storage` names every
# storage at once, so a home that sets it keeps its own event log).
RUN_SETTING_KEYS = ("event_log_storage", "compute_logs", "python_logs", "telemetry")


@cache
def run_settings() -> dict:
    """What the project's dagster.yaml sets under RUN_SETTING_KEYS, read from the file itself."""
    project = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())
    return {key: project[key] for key in RUN_SETTING_KEYS}


def missing_run_settings(home: Path) -> dict:
    """The run settings that the home's own dagster.yaml leaves unset."""
    path = home / "dagster.yaml"
    own = (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}
    missing = {key: value for key, value in run_settings().items() if key not in own}
    if "storage" in own:
        missing.pop("event_log_storage", None)
    return missing


def instance_note(home: Path) -> Optional[str]:
    """One line on the settings applied to this home's instance, or None when it has them all."""
    missing = missing_run_settings(home)
    if not missing:
        return None
    return (f"DAGSTER_HOME {home} does not set {', '.join(sorted(missing))}: applied for this run as the project's "
            f"dagster.yaml sets them (for `dagster dev` too: ln -s {PROJECT_ROOT / 'dagster.yaml'} {home}/dagster.yaml)")


def open_instance() -> DagsterInstance:
    """The instance of DAGSTER_HOME (see ensure_dagster_home), opened by one of our processes at a
    time, with the run settings its own file leaves unset."""
    home = ensure_dagster_home()
    with _instance_setup_lock(home):
        missing = missing_run_settings(home)
        if not missing:
            return DagsterInstance.get()
        # Dagster warns of a home without the file while it reads the home; `instance_note` has said
        # what is applied instead. Only that read is quietened: the logger's level is put back.
        dagster_logger = logging.getLogger("dagster")
        level = dagster_logger.level
        if not (home / "dagster.yaml").exists():
            dagster_logger.setLevel(logging.ERROR)
        try:
            ref = InstanceRef.from_dir(str(home), overrides=missing)
        finally:
            dagster_logger.setLevel(level)
        return DagsterInstance.from_ref(ref)


def prepare_shared_instance() -> None:
    """Creates the instance's storages, if new, before processes that share it start: they then
    find them ready, and a broken instance fails here once rather than in each of them."""
    open_instance().dispose()
