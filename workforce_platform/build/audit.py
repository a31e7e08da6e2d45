"""The gates of one year, Dagster-free: every invariant of the catalogue, the year's fingerprints
and the determinism comparison, the engine parity comparison, and the audit record
(checks/audit.py) that promotion relies on. The year's asset checks (defs/assets/gates.py) report
this as Dagster check results.

The parity comparison is a service the caller passes (parity/gate.py `gate_year`, which sits above
this layer): None when the gate is off for the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Protocol

import duckdb

from workforce_platform.checks.audit import (
    AuditRecord, inputs_fingerprint, output_fingerprint, previous_record, record_audit,
)
from workforce_platform.checks.invariants import YEAR_INVARIANTS, InvariantResult, evaluate
from workforce_platform.checks.pay_structure import PayStructureDrift, pay_structure_drift
from workforce_platform.config.scenario import Scenario
from workforce_platform.runtime.database import connection
from workforce_platform.runtime.execution import ExecutionSettings
from workforce_platform.runtime.fingerprint import year_fingerprints
from workforce_platform.runtime.tables import table_exists

DETERMINISM_CHECK = "determinism"
PARITY_CHECK = "engine_parity"


class ParityGate(Protocol):
    def __call__(self, con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, db_path: Path,
                 inputs: str) -> Any:
        """The year against the other engine (a parity.compare.YearParity: `.passed`)."""


@dataclass(frozen=True)
class YearAudit:
    invariants: list[InvariantResult]
    tables: dict[str, str]
    inputs: str
    earlier: Optional[AuditRecord]
    parity: Any = None  # the parity comparison (parity.compare.YearParity); None: the gate is off for this run
    pay_structure: Optional[PayStructureDrift] = None  # the year's compa-ratio against the first year's (a warning)

    @property
    def output(self) -> str:
        return output_fingerprint(self.tables)

    @property
    def deterministic(self) -> bool:
        return self.earlier is None or self.earlier.output_fingerprint == self.output


def audit_year(db_path: Path, scenario: Scenario, year: int, run_id: str, shards: int = 1,
               parity_gate: Optional[ParityGate] = None, settings: Optional[ExecutionSettings] = None) -> YearAudit:
    """Evaluates the catalogue, fingerprints the year, compares the engines (with `parity_gate`)
    and records the audit."""
    with connection(db_path, settings=settings) as con:
        results = [evaluate(con, inv, scenario.scenario_id, year, scenario.start_year) for inv in YEAR_INVARIANTS]
        tables = year_fingerprints(con, scenario.scenario_id, year, shards)
        inputs, inputs_detail = inputs_fingerprint(con, scenario, year)
        earlier = previous_record(con, scenario.scenario_id, year, inputs, run_id)
        failed = [r.invariant.name for r in results if not r.passed]
        if earlier is not None and earlier.output_fingerprint != output_fingerprint(tables):
            failed.append(DETERMINISM_CHECK)
        parity = None
        if parity_gate is not None:
            parity = parity_gate(con, scenario, year, Path(db_path), inputs)
            if not parity.passed:
                failed.append(PARITY_CHECK)
        record_audit(con, scenario, year, run_id, inputs, inputs_detail, tables, failed)
        pay_structure = pay_structure_drift(con, scenario.scenario_id, year, scenario.start_year)
        return YearAudit(results, tables, inputs, earlier, parity, pay_structure)


def materialised_years(db_path: Path, scenario: Scenario) -> list[int]:
    """The scenario's years that have a snapshot in the database, in order."""
    if not Path(db_path).exists():
        return []
    with connection(db_path, read_only=True) as con:
        if not table_exists(con, "main", "fct_workforce_snapshot"):
            return []
        return [r[0] for r in con.execute(
            "select distinct simulation_year from main.fct_workforce_snapshot where scenario_id = ? "
            "and simulation_year between ? and ? order by 1",
            [scenario.scenario_id, scenario.start_year, scenario.end_year]).fetchall()]
