"""Execution settings: how hard a run may use the machine. Results never depend on them.

An optimisation level picks every setting at once; explicit settings override single ones.
Precedence, highest first:

- level: `--optimization`, then WORKFORCE_OPT_LEVEL, then the scenario's `execution.optimization`,
  then `medium`;
- threads (dbt's and DuckDB's): `--threads`, then WORKFORCE_THREADS, then `execution.threads`,
  then the level's;
- DuckDB memory limit: WORKFORCE_MEMORY_LIMIT, then the level's; temp directory (where DuckDB
  spills beyond its limit): WORKFORCE_TEMP_DIRECTORY, then `<database>.tmp`;
- process-tree memory guard: WORKFORCE_RSS_LIMIT (`off` disables it), then the level's.

| level  | threads | DuckDB memory_limit | fingerprint shards | memory guard (RSS of the run) |
|--------|---------|---------------------|--------------------|-------------------------------|
| low    | 1       | 1GB                 | 4                  | 3 GiB (a 4 GB work laptop)     |
| medium | cores   | 50%                 | 1                  | 75% of physical memory        |
| high   | cores   | 80%                 | 1                  | off                           |
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional

import psutil

from workforce_platform.errors import WorkforceInputError

OptimizationLevel = Literal["low", "medium", "high"]
LEVELS: tuple[str, ...] = ("low", "medium", "high")
DEFAULT_LEVEL = "medium"

OPT_LEVEL_ENV = "WORKFORCE_OPT_LEVEL"
THREADS_ENV = "WORKFORCE_THREADS"
MEMORY_LIMIT_ENV = "WORKFORCE_MEMORY_LIMIT"
TEMP_DIRECTORY_ENV = "WORKFORCE_TEMP_DIRECTORY"
RSS_LIMIT_ENV = "WORKFORCE_RSS_LIMIT"


def machine_cores() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class _Level:
    threads: Optional[int]  # None: the machine's cores
    memory_limit: str
    shards: int
    rss_limit_share: Optional[float]  # of physical memory; None: no guard
    rss_limit_bytes: Optional[int] = None  # fixed, instead of a share


_LEVELS = {
    "low": _Level(threads=1, memory_limit="1GB", shards=4, rss_limit_share=None, rss_limit_bytes=3 * 2**30),
    "medium": _Level(threads=None, memory_limit="50%", shards=1, rss_limit_share=0.75),
    "high": _Level(threads=None, memory_limit="80%", shards=1, rss_limit_share=None),
}

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?\s*$", re.IGNORECASE)
_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def parse_size(text: str, setting: str) -> int:
    """Bytes from '3GB', '512MiB' or '2000000'; a clear error naming the setting otherwise."""
    match = _SIZE.match(text)
    if not match:
        raise WorkforceInputError(f"{setting}='{text}' is not a size like 3GB, 512MiB or 2000000000")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "B").upper()])


def format_bytes(value: int) -> str:
    return f"{value / 2**30:.2f} GiB" if value >= 2**30 else f"{value / 2**20:.0f} MiB"


@dataclass(frozen=True)
class ExecutionSettings:
    """The resolved settings, with the setting each came from (for messages)."""

    level: str
    level_source: str
    threads: int
    threads_source: str
    memory_limit: str
    memory_limit_source: str
    temp_directory: Path
    shards: int
    rss_limit_bytes: Optional[int]
    rss_limit_source: str

    def describe(self) -> str:
        guard = format_bytes(self.rss_limit_bytes) if self.rss_limit_bytes else "off"
        return (f"optimization {self.level}: {self.threads} threads, DuckDB memory_limit {self.memory_limit}, "
                f"{self.shards} shard{'s' if self.shards > 1 else ''}, memory guard {guard}")


def resolve_execution(
    db_path: Path,
    scenario_level: Optional[str] = None,
    scenario_threads: Optional[int] = None,
    level: Optional[str] = None,
    threads: Optional[int] = None,
) -> ExecutionSettings:
    """`level` and `threads` are the command line's (or the Dagster resource's) values."""
    if level:
        chosen, level_source = level, "--optimization"
    elif os.environ.get(OPT_LEVEL_ENV):
        chosen, level_source = os.environ[OPT_LEVEL_ENV].strip().lower(), OPT_LEVEL_ENV
    elif scenario_level:
        chosen, level_source = scenario_level, "execution.optimization"
    else:
        chosen, level_source = DEFAULT_LEVEL, "default"
    if chosen not in _LEVELS:
        raise WorkforceInputError(f"{level_source}='{chosen}' is not an optimization level: "
                                  f"choose one of {', '.join(LEVELS)}")
    spec = _LEVELS[chosen]

    if threads:
        thread_count, threads_source = threads, "--threads"
    elif os.environ.get(THREADS_ENV):
        text = os.environ[THREADS_ENV].strip()
        if not text.isdigit() or int(text) < 1:
            raise WorkforceInputError(f"{THREADS_ENV}='{text}' must be a whole number of at least 1")
        thread_count, threads_source = int(text), THREADS_ENV
    elif scenario_threads:
        thread_count, threads_source = scenario_threads, "execution.threads"
    else:
        thread_count, threads_source = spec.threads or machine_cores(), f"optimization {chosen}"

    if os.environ.get(MEMORY_LIMIT_ENV):
        memory_limit, memory_source = os.environ[MEMORY_LIMIT_ENV].strip(), MEMORY_LIMIT_ENV
    else:
        memory_limit, memory_source = spec.memory_limit, f"optimization {chosen}"

    configured_temp = os.environ.get(TEMP_DIRECTORY_ENV)
    temp = Path(configured_temp).resolve() if configured_temp else db_path.with_name(db_path.name + ".tmp")

    rss_text = os.environ.get(RSS_LIMIT_ENV, "").strip()
    if rss_text:
        rss_source = RSS_LIMIT_ENV
        rss_limit = None if rss_text.lower() in ("off", "none", "0") else parse_size(rss_text, RSS_LIMIT_ENV)
    else:
        rss_source = f"optimization {chosen}"
        if spec.rss_limit_bytes is not None:
            rss_limit = spec.rss_limit_bytes
        elif spec.rss_limit_share is not None:
            rss_limit = int(psutil.virtual_memory().total * spec.rss_limit_share)
        else:
            rss_limit = None
    return ExecutionSettings(
        level=chosen, level_source=level_source, threads=thread_count, threads_source=threads_source,
        memory_limit=memory_limit, memory_limit_source=memory_source, temp_directory=temp, shards=spec.shards,
        rss_limit_bytes=rss_limit, rss_limit_source=rss_source,
    )
