"""The gates' results as the fields of Dagster check results: what each check of a year says in
the UI (its description and metadata)."""

from __future__ import annotations

from dagster import AssetCheckSeverity, AssetKey, MetadataValue

from workforce_platform.build.audit import DETERMINISM_CHECK, PARITY_CHECK, YearAudit
from workforce_platform.checks.invariants import InvariantResult
from workforce_platform.checks.pay_structure import PAY_STRUCTURE_ASSET, PAY_STRUCTURE_CHECK, PayStructureDrift
from workforce_platform.checks.staleness import CURRENCY_ASSET, CURRENCY_CHECK, YearCurrency, rerun_hint
from workforce_platform.runtime.monitoring import Window
from workforce_platform.text_table import markdown_table

DETERMINISM_ASSET = "fct_workforce_snapshot"
PARITY_ASSET = "fct_yearly_events"


def rows_metadata(columns, rows) -> MetadataValue:
    return MetadataValue.md(markdown_table(columns, rows))


def invariant_fields(result: InvariantResult) -> dict:
    return dict(
        asset_key=AssetKey(result.invariant.asset),
        check_name=result.invariant.name,
        passed=result.passed,
        severity=AssetCheckSeverity.ERROR,
        description=result.invariant.description,
        metadata={
            "violating_rows": MetadataValue.int(result.violation_count),
            "first_violations": rows_metadata(result.columns, result.first_rows),
        },
    )


def determinism_fields(audit: YearAudit, window: Window) -> dict:
    earlier = audit.earlier
    changed = [] if earlier is None else [t for t in audit.tables if audit.tables[t] != earlier.table_fingerprints.get(t)]
    return dict(
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


def parity_fields(audit: YearAudit) -> dict:
    parity = audit.parity
    if parity is None:
        return dict(asset_key=AssetKey(PARITY_ASSET), check_name=PARITY_CHECK, passed=True,
                    severity=AssetCheckSeverity.ERROR,
                    description="not compared: the parity gate is off for this run (execution.engine_parity "
                                "false, or --no-engine-parity)",
                    metadata={"compared": MetadataValue.bool(False)})
    other = "polars" if parity.built_with == "sql" else "sql"
    differing = parity.differing_tables()
    first_rows = []
    for table in parity.tables:
        for side, rows in (("only in sql", table.first_only_sql), ("only in polars", table.first_only_polars)):
            first_rows += [(table.table, side, ", ".join(f"{c}={v}" for c, v in zip(table.columns, row)))
                           for row in rows[:3]]
    return dict(
        asset_key=AssetKey(PARITY_ASSET),
        check_name=PARITY_CHECK,
        passed=parity.passed,
        severity=AssetCheckSeverity.ERROR,
        description=(f"built with {parity.built_with}, recomputed with {other}: "
                     + ("every table equal" if parity.passed else
                        f"{', '.join(differing)} differ (if an earlier year was re-materialised since this one "
                        "was built, re-run this year)")),
        metadata={
            "compared": MetadataValue.bool(True),
            "built_with": MetadataValue.text(parity.built_with),
            "recomputed_with": MetadataValue.text(other),
            "rows_compared": MetadataValue.int(parity.rows_compared),
            "rows_only_in_sql": MetadataValue.int(parity.only_sql),
            "rows_only_in_polars": MetadataValue.int(parity.only_polars),
            "parity_score": MetadataValue.float(parity.score),
            "tables_that_differ": MetadataValue.text(", ".join(differing) or "none"),
            "rows_by_table": rows_metadata(
                ("table", "sql rows", "polars rows", "only in sql", "only in polars"),
                [(t.table, t.rows_sql, t.rows_polars, t.only_sql, t.only_polars) for t in parity.tables]),
            "first_differing_rows": rows_metadata(("table", "side", "row"), first_rows)
            if first_rows else MetadataValue.text("none"),
            "parity_seconds": MetadataValue.float(round(parity.seconds, 3)),
            **({"sql_side": MetadataValue.text("built beside the Polars engine" if parity.sql_side_prebuilt
                                               else "built by the gate")} if other == "sql" else {}),
        },
    )


def currency_fields(currency: YearCurrency, last_year: int, code_location: str) -> dict:
    """A `built_on_current_years` result for one year (a warning, never blocking)."""
    stale = not currency.current
    return dict(
        asset_key=AssetKey(CURRENCY_ASSET),
        check_name=CURRENCY_CHECK,
        passed=not stale,
        severity=AssetCheckSeverity.WARN,
        description=(f"stale (a warning, not a failure): {currency.reason}; "
                     f"{rerun_hint([currency.year], last_year, code_location)}" if stale
                     else "current: built from the current state of every earlier year"),
        metadata={"stale": MetadataValue.bool(stale),
                  "severity": MetadataValue.text("warning, not a failure: never blocks a promotion"),
                  "first_changed_year": MetadataValue.text(str(currency.first_changed_year or "none"))},
    )


def pay_structure_fields(drift: PayStructureDrift) -> dict:
    """A `pay_structure_drift` result for one year (a warning, never blocking)."""
    return dict(
        asset_key=AssetKey(PAY_STRUCTURE_ASSET),
        check_name=PAY_STRUCTURE_CHECK,
        passed=drift.passed,
        severity=AssetCheckSeverity.WARN,
        description=drift.description,
        metadata={"first_year": MetadataValue.int(drift.first_year),
                  "first_year_compa_ratio_millionths": MetadataValue.text(str(drift.first_compa_ratio)),
                  "compa_ratio_millionths": MetadataValue.text(str(drift.compa_ratio)),
                  "drift_millionths": MetadataValue.text(str(drift.drift))},
    )
