"""The engine parity gate of a year: the other engine recomputes it from the same inputs, from the
SQL side the helper built beside the Polars engine when there is one for exactly these inputs
(parity/sql_side_worker.py), else built here; every table compared (parity/compare.py)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import duckdb

from workforce_platform.build.audit import ParityGate
from workforce_platform.config.scenario import Scenario
from workforce_platform.engines.selection import EngineSettings
from workforce_platform.parity.compare import YearParity, compare_year
from workforce_platform.parity.sql_side_worker import take_prebuilt
from workforce_platform.runtime.execution import ExecutionSettings


def gate_year(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, db_path: Path, inputs: str,
              settings: ExecutionSettings, shards: int = 1) -> YearParity:
    prebuilt = take_prebuilt(db_path, scenario.scenario_id, year, inputs)
    return compare_year(con, scenario, year, settings, shards=shards, prebuilt=prebuilt)


def parity_gate(engine: EngineSettings, settings: ExecutionSettings) -> ParityGate | None:
    """The gate as `audit_year` takes it, or None when the run's gate is off."""
    return partial(gate_year, settings=settings, shards=engine.shards) if engine.parity else None
