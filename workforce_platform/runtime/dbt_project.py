"""The dbt project's manifest, parsed once per process and reused by every year.

dbt costs seconds to import and to parse (docs/benchmarks.md); a pre-parsed manifest handed to dbt's in-process
runner costs little per build. Per-year values go in ``--vars``, which with a
pre-parsed manifest are read at compile time only, so no year triggers a re-parse.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

from workforce_platform.paths import DBT_PROJECT_DIR

DBT_PROJECT_NAME = "workforce_simulation"  # `name` in dbt_project.yml: the prefix of its node ids
PER_YEAR_TAG = "per_year"  # dbt_project.yml tags the models built once per simulated year
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
_DIGEST_PATH = DBT_PROJECT_DIR / "target" / "source_digest.txt"
_SOURCE_DIRS = ("models", "macros", "seeds", "tests")
_SOURCE_FILES = ("dbt_project.yml", "profiles.yml")
_lock = threading.Lock()
_parsed: dict[str, Any] = {}
_manifest_json: dict[str, dict[str, Any]] = {}


def configure_dbt_environment() -> None:
    """Settings that keep dbt quiet and offline (the environment only: a process that never runs
    dbt never imports it)."""
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("DBT_PROFILES_DIR", str(DBT_PROJECT_DIR))
    # dbt's file log (logs/dbt.log) costs a share of every node's time; a failing node's
    # message reaches the run's error anyway. DBT_LOG_LEVEL_FILE=debug turns it back on.
    os.environ.setdefault("DBT_LOG_LEVEL_FILE", "none")


def prepare_dbt_runner() -> None:
    """Before dbt runs in this process: its settings."""
    configure_dbt_environment()


def project_args() -> list[str]:
    return ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]


def source_digest() -> str:
    """A digest of every file dbt parses, to tell whether the saved manifest is current."""
    digest = hashlib.sha256()
    paths = [DBT_PROJECT_DIR / name for name in _SOURCE_FILES]
    for directory in _SOURCE_DIRS:
        root = DBT_PROJECT_DIR / directory
        if root.is_dir():
            paths += sorted(p for p in root.rglob("*") if p.is_file())
    for path in paths:
        digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# dbt re-parses the whole project when the profile's connection settings differ from the last
# parse. The manifest does not depend on them (the database is attached under a fixed catalog
# name), so parsing always sees the same values and partial parsing holds across runs.
_CANONICAL_PARSE_ENVIRONMENT = {
    "WORKFORCE_DB_PATH": "simulation.duckdb",
    "WORKFORCE_DBT_THREADS": "1",
    "WORKFORCE_DUCKDB_THREADS": "1",
    "WORKFORCE_DUCKDB_MEMORY_LIMIT": "80%",
    "WORKFORCE_DUCKDB_TEMP_DIRECTORY": ".tmp",
}


def _parse_in_process() -> Any:
    prepare_dbt_runner()
    # dbt is imported only by a process that parses (a changed project): the others read the
    # manifest as JSON and never pay for importing dbt.
    from dbt.cli.main import dbtRunner

    saved = {key: os.environ.get(key) for key in _CANONICAL_PARSE_ENVIRONMENT}
    os.environ.update(_CANONICAL_PARSE_ENVIRONMENT)
    try:
        result = dbtRunner().invoke(["parse", "--quiet", *project_args()])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if not result.success:
        raise RuntimeError(f"dbt parse of {DBT_PROJECT_DIR} failed: {result.exception}")
    return result.result


def ensure_manifest() -> Path:
    """Returns manifest.json, parsing the project first when it changed since the last parse."""
    digest = source_digest()
    if MANIFEST_PATH.is_file() and _DIGEST_PATH.is_file() and _DIGEST_PATH.read_text() == digest:
        return MANIFEST_PATH
    parsed_manifest()
    return MANIFEST_PATH


def per_year_unit(nodes: Mapping[str, Mapping[str, Any]]) -> dict[str, bool]:
    """Each manifest node's unit, as dbt selects the two: True for the per-year unit (`--select
    tag:per_year`: the per-year models and, by eager indirect selection, every test of one of
    them), False for the parameters unit (`--select fqn:* --exclude tag:per_year`: the rest)."""
    per_year = {uid for uid, node in nodes.items() if PER_YEAR_TAG in (node.get("tags") or [])}
    return {uid: bool(per_year.intersection(node["depends_on"]["nodes"])) if node["resource_type"] == "test"
            else uid in per_year for uid, node in nodes.items()}


def manifest_json() -> dict[str, Any]:
    """manifest.json of the project's current state (parsed first when the project changed), read
    once per state in a process. Reading it needs no dbt: a process that only runs what dbt compiled
    before (build/plain_sql/) never imports dbt nor parses the project (docs/benchmarks.md)."""
    path = ensure_manifest()
    digest = _DIGEST_PATH.read_text()
    with _lock:
        if digest not in _manifest_json:
            _manifest_json.clear()
            # dbt's parse rewrites manifest.json in place: another process's parse (it holds the
            # lock exclusively) must not hand this one half a file.
            with _parse_lock(fcntl.LOCK_SH):
                _manifest_json[digest] = json.loads(path.read_text())
        return _manifest_json[digest]


@contextmanager
def _parse_lock(mode: int) -> Iterator[None]:
    MANIFEST_PATH.parent.mkdir(parents=True, exist_ok=True)
    with open(MANIFEST_PATH.parent / ".parse.lock", "a") as lock_file:
        fcntl.flock(lock_file, mode)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def parsed_manifest() -> Any:
    """The parsed dbt Manifest object for this process (parsed at most once per project state)."""
    with _lock:
        digest = source_digest()
        if digest in _parsed:
            return _parsed[digest]
        # Several processes (code server, run worker) may parse at once: one at a time, and no
        # reader of manifest.json while dbt rewrites it.
        with _parse_lock(fcntl.LOCK_EX):
            manifest = _parse_in_process()
            _DIGEST_PATH.write_text(digest)
        _parsed.clear()
        _parsed[digest] = manifest
        return manifest

