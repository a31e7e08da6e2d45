"""The gates of a year: every invariant of the catalogue and the determinism check, as blocking
asset checks on the year's partition. They run after the year's dbt build and before its
promotion (assets/publish.py), which Dagster skips when a blocking check fails; the promotion
also refuses a year without a passing audit from its own run, so the gate holds across runs.
"""

from dataclasses import dataclass
from typing import Optional

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    Failure,
    MetadataValue,
    multi_asset_check,
)

from workforce_platform.assets.memory_guard import stop_if_memory_guard_tripped
from workforce_platform.checks.audit import (
    AuditRecord,
    inputs_fingerprint,
    output_fingerprint,
    previous_record,
    record_audit,
)
from workforce_platform.checks.invariants import CATALOGUE, InvariantResult, evaluate
from workforce_platform.config.scenario import Scenario
from workforce_platform.orchestration.database_lock import DatabaseLock
from workforce_platform.orchestration.fingerprint import year_fingerprints
from workforce_platform.orchestration.monitoring import Window, measured_stage
from workforce_platform.orchestration.year_build import LOCK_WAIT_SECONDS
from workforce_platform.resources import SimulationResource

DETERMINISM_CHECK = "determinism"
DETERMINISM_ASSET = "fct_workforce_snapshot"


@dataclass(frozen=True)
class YearAudit:
    invariants: list[InvariantResult]
    tables: dict[str, str]
    inputs: str
    earlier: Optional[AuditRecord]

    @property
    def output(self) -> str:
        return output_fingerprint(self.tables)

    @property
    def deterministic(self) -> bool:
        return self.earlier is None or self.earlier.output_fingerprint == self.output


def audit_year(db_path, scenario: Scenario, year: int, run_id: str, shards: int = 1) -> YearAudit:
    """Evaluates the catalogue, fingerprints the year and records the audit."""
    con = duckdb.connect(str(db_path))
    try:
        results = [evaluate(con, inv, scenario.scenario_id, year, scenario.start_year) for inv in CATALOGUE]
        tables = year_fingerprints(con, scenario.scenario_id, year, shards)
        inputs, inputs_detail = inputs_fingerprint(con, scenario, year)
        audit = YearAudit(results, tables, inputs, previous_record(con, scenario.scenario_id, year, inputs, run_id))
        failed = [r.invariant.name for r in results if not r.passed]
        failed += [] if audit.deterministic else [DETERMINISM_CHECK]
        record_audit(con, scenario, year, run_id, inputs, inputs_detail, tables, failed)
        return audit
    finally:
        con.close()


def _rows_metadata(columns, rows) -> MetadataValue:
    return MetadataValue.md(
        "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
        + "\n".join("| " + " | ".join(str(v) for v in row) + " |" for row in rows)
    )


def _check_results(audit: YearAudit, window: Window):
    for result in audit.invariants:
        yield AssetCheckResult(
            asset_key=AssetKey(result.invariant.asset),
            check_name=result.invariant.name,
            passed=result.passed,
            severity=AssetCheckSeverity.ERROR,
            description=result.invariant.description,
            metadata={
                "violating_rows": MetadataValue.int(result.violation_count),
                "first_violations": _rows_metadata(result.columns, result.first_rows),
            },
        )
    earlier = audit.earlier
    changed = [] if earlier is None else [t for t in audit.tables if audit.tables[t] != earlier.table_fingerprints.get(t)]
    yield AssetCheckResult(
        asset_key=AssetKey(DETERMINISM_ASSET),
        check_name=DETERMINISM_CHECK,
        passed=audit.deterministic,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "inputs_fingerprint": MetadataValue.text(audit.inputs),
            "output_fingerprint": MetadataValue.text(audit.output),
            "compared_with_run": MetadataValue.text(earlier.run_id if earlier else "none (first with these inputs)"),
            "tables_that_differ": MetadataValue.text(", ".join(changed) or "none"),
            **{f"step_{k}": MetadataValue.float(v) for k, v in window.metadata().items()},
            **{f"fingerprint_{t}": MetadataValue.text(f) for t, f in audit.tables.items()},
        },
    )


def build_gates():
    """The checks run on the partition of their run (a year's run, or `audit_year` launched with
    the tag dagster/partition=<year>)."""
    specs = [
        AssetCheckSpec(inv.name, asset=AssetKey(inv.asset), description=inv.description, blocking=inv.blocking)
        for inv in CATALOGUE
    ] + [
        AssetCheckSpec(DETERMINISM_CHECK, asset=AssetKey(DETERMINISM_ASSET), blocking=True,
                       description="Same inputs fingerprint as an earlier materialisation of this year "
                                   "gives the same output fingerprint.")
    ]

    @multi_asset_check(specs=specs, name="year_gates",
                       description="The invariant catalogue and the determinism check for one year.")
    def year_gates(context: AssetCheckExecutionContext, simulation: SimulationResource):
        if not context.has_partition_key:
            raise Failure(description="the year's gates run for one year: launch with the tag dagster/partition=<year>")
        year = int(context.partition_key)
        with measured_stage("checks") as window:
            with DatabaseLock(simulation.database(), wait_seconds=LOCK_WAIT_SECONDS):
                audit = audit_year(simulation.database(), simulation.scenario(), year, context.run.run_id,
                                   simulation.execution().shards)
        stop_if_memory_guard_tripped("the checks step")
        yield from _check_results(audit, window)

    return year_gates
