"""The gates of a year: every invariant of the catalogue and the determinism check, as blocking
asset checks on the year's partition, the dbt tests of the per-year models (defs/assets/year_tests.py),
and the currency warning (`built_on_current_years`). They run after the year's dbt build and
before its promotion (defs/assets/publish.py), which Dagster skips when a blocking check fails; the
promotion also refuses a year without a passing audit of its current tables, so the gate holds
across runs.
"""

import warnings
from typing import Optional

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckKey,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    Failure,
    MetadataValue,
    PartitionsDefinition,
    PreviewWarning,
    multi_asset_check,
)

from workforce_platform.build.plain_sql import run_year_tests
from workforce_platform.build.audit import DETERMINISM_CHECK, PARITY_CHECK, YearAudit, audit_year, materialised_years
from workforce_platform.checks.invariants import YEAR_INVARIANTS, InvariantResult
from workforce_platform.checks.pay_structure import (
    PAY_STRUCTURE_ASSET, PAY_STRUCTURE_CHECK, PAY_STRUCTURE_DESCRIPTION, PayStructureDrift,
)
from workforce_platform.checks.staleness import (
    CURRENCY_ASSET,
    CURRENCY_CHECK,
    CURRENCY_DESCRIPTION,
    YearCurrency,
    rerun_hint,
    year_currency,
)
from workforce_platform.config.scenario import Scenario
from workforce_platform.defs.asset_keys import scenario_key, with_scenario
from workforce_platform.defs.assets.check_results import log_year_result, results_by_year
from workforce_platform.defs.assets.memory_guard import stop_if_memory_guard_tripped
from workforce_platform.defs.assets.refusal import refuse
from workforce_platform.defs.assets.year_tests import DbtTestChecks, take_over
from workforce_platform.defs.resources import SimulationResource
from workforce_platform.errors import WorkforceInputError
from workforce_platform.parity.gate import parity_gate
from workforce_platform.runtime.database import LOCK_WAIT_SECONDS, DatabaseLock
from workforce_platform.runtime.monitoring import Window, measured_stage
from workforce_platform.text_table import markdown_table

DETERMINISM_ASSET = "fct_workforce_snapshot"
PARITY_ASSET = "fct_yearly_events"
PARITY_DESCRIPTION = ("The other event engine recomputes the year from the same inputs; every column of every "
                      "per-year table must be equal, row for row (order-independent).")


def _rows_metadata(columns, rows) -> MetadataValue:
    return MetadataValue.md(markdown_table(columns, rows))


def _invariant_fields(result: InvariantResult) -> dict:
    return dict(
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


def _determinism_fields(audit: YearAudit, window: Window) -> dict:
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


def _parity_fields(audit: YearAudit) -> dict:
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
            "rows_by_table": _rows_metadata(
                ("table", "sql rows", "polars rows", "only in sql", "only in polars"),
                [(t.table, t.rows_sql, t.rows_polars, t.only_sql, t.only_polars) for t in parity.tables]),
            "first_differing_rows": _rows_metadata(("table", "side", "row"), first_rows)
            if first_rows else MetadataValue.text("none"),
            "parity_seconds": MetadataValue.float(round(parity.seconds, 3)),
            **({"sql_side": MetadataValue.text("built beside the Polars engine" if parity.sql_side_prebuilt
                                               else "built by the gate")} if other == "sql" else {}),
        },
    )


def _currency_fields(currency: YearCurrency, last_year: int, code_location: str) -> dict:
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


def _pay_structure_fields(drift: PayStructureDrift) -> dict:
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


def _code_location(context, scenario_id: str) -> str:
    """The run's code location (the UI filters the Lineage by it); a run outside a workspace
    (in process) has none, and the scenario's location has the scenario's name."""
    origin = context.run.remote_job_origin
    return origin.location_name if origin is not None else scenario_id


def _year_fields(audit: YearAudit, year: int, window: Window, currency: dict[int, YearCurrency],
                 last_year: int, scenario_id: str, code_location: str) -> list[dict]:
    """Every gate's result for one year, as the fields of a check result on the scenario's assets."""
    fields = [_invariant_fields(r) for r in audit.invariants] + [_determinism_fields(audit, window),
                                                                  _parity_fields(audit)]
    if audit.pay_structure is not None:
        fields.append(_pay_structure_fields(audit.pay_structure))
    if year in currency:
        fields.append(_currency_fields(currency[year], last_year, code_location))
    return [_on_scenario(f, scenario_id) for f in fields]


def _on_scenario(fields: dict, scenario_id: str) -> dict:
    return {**fields, "asset_key": with_scenario(scenario_id, fields["asset_key"])}


def _selected(fields: dict, selected: set[AssetCheckKey]) -> bool:
    return AssetCheckKey(fields["asset_key"], fields["check_name"]) in selected


def _gate_specs(partitions_def: PartitionsDefinition, scenario_id: str,
                year_tests: Optional[DbtTestChecks]) -> list[AssetCheckSpec]:
    with warnings.catch_warnings():
        # Partitioned checks are a preview feature of Dagster 1.13; their results name their year.
        warnings.simplefilter("ignore", PreviewWarning)
        return [
            AssetCheckSpec(inv.name, asset=scenario_key(scenario_id, inv.asset), description=inv.description,
                           blocking=inv.blocking, partitions_def=partitions_def)
            for inv in YEAR_INVARIANTS
        ] + [
            AssetCheckSpec(DETERMINISM_CHECK, asset=scenario_key(scenario_id, DETERMINISM_ASSET), blocking=True,
                           partitions_def=partitions_def,
                           description="Same inputs fingerprint as an earlier materialisation of this year "
                                       "gives the same output fingerprint."),
            AssetCheckSpec(PARITY_CHECK, asset=scenario_key(scenario_id, PARITY_ASSET), blocking=True,
                           partitions_def=partitions_def, description=PARITY_DESCRIPTION),
            AssetCheckSpec(CURRENCY_CHECK, asset=scenario_key(scenario_id, CURRENCY_ASSET), blocking=False,
                           partitions_def=partitions_def, description=CURRENCY_DESCRIPTION),
            AssetCheckSpec(PAY_STRUCTURE_CHECK, asset=scenario_key(scenario_id, PAY_STRUCTURE_ASSET), blocking=False,
                           partitions_def=partitions_def, description=PAY_STRUCTURE_DESCRIPTION),
        ] + (year_tests.specs if year_tests is not None else [])


def _checked_years(context: AssetCheckExecutionContext, database, scenario: Scenario) -> list[int]:
    """The run's year, its years, or (a run without a year) every materialised year."""
    if context.has_partition_key:
        return [int(context.partition_key)]
    if context.has_partition_key_range:
        return [int(key) for key in context.partition_keys]
    years = materialised_years(database, scenario)
    if not years:
        raise Failure(description=f"no year of scenario '{scenario.scenario_id}' is materialised in "
                                  f"{database} yet: materialise the years first; nothing was checked",
                      allow_retries=False)
    return years


def _audit_years(context: AssetCheckExecutionContext, simulation: SimulationResource, scenario: Scenario,
                 years: list[int], year_tests: Optional[DbtTestChecks], run_tests: bool):
    """Every year's audit and dbt test results (the run's build's, else run here when selected),
    then every audited year's currency."""
    database = simulation.database_path()
    audits: dict[int, YearAudit] = {}
    tests: dict[int, list[dict]] = {}
    with DatabaseLock(database, wait_seconds=LOCK_WAIT_SECONDS):
        for year in years:
            audits[year] = audit_year(database, scenario, year, context.run.run_id, simulation.execution().shards,
                                      parity_gate=parity_gate(simulation.engine(), simulation.execution()),
                                      settings=simulation.execution())
            built = take_over(context.run.run_id, database, year)  # this run's build's results
            if built is None and run_tests:
                built = year_tests.fields(run_year_tests(scenario, year, database, simulation.execution()).nodes)
            tests[year] = built or []
            parity = audits[year].parity
            if parity is not None:
                context.log.info(f"engine parity of year {year}: {'equal' if parity.passed else 'DIFFERENT'} "
                                 f"(built with {parity.built_with}, {parity.rows_compared:,} rows compared, "
                                 f"score {parity.score:.6f}, {parity.seconds:.2f}s"
                                 f"{', SQL side built beside the engine' if parity.sql_side_prebuilt else ''})")
        # Every audited year's currency, once all of this step's audits are recorded.
        with simulation.get_connection(read_only=True) as con:
            currency = year_currency(con, scenario.scenario_id, scenario.start_year)
    for year in years:
        if audits[year].pay_structure is not None and not audits[year].pay_structure.passed:
            context.log.warning(f"year {year}: {PAY_STRUCTURE_CHECK}: {audits[year].pay_structure.description}")
    return audits, tests, currency


def _report_later_years(context: AssetCheckExecutionContext, currency: dict[int, YearCurrency], last_checked: int,
                        end_year: int, scenario_id: str, location: str) -> None:
    """A year's new results can stale (or make current again) the years built after it."""
    for later in sorted(y for y in currency if y > last_checked):
        fields = _on_scenario(_currency_fields(currency[later], end_year, location), scenario_id)
        fields["metadata"]["reported_by_run"] = MetadataValue.text(context.run.run_id)
        log_year_result(context, fields, later, blocking=False)
        if not fields["passed"]:
            context.log.warning(f"year {later}: {fields['description']}")


def build_gates(partitions_def: PartitionsDefinition, scenario_id: str, year_tests: Optional[DbtTestChecks] = None):
    """The checks are partitioned by year like the assets they check, so every result names its
    year. Any subset of them can run (the UI's "Execute" on one check, or with the asset it
    checks): the whole audit is evaluated and recorded, the selected results are reported. A run
    of several years (a backfill's single run) checks each; a run without a year (the UI's
    "Execute all" on an asset's checks) checks every materialised year. Either records each year's
    results on that year, and the run's own results (blocking) say which years failed.
    `year_tests`: the per-year models' dbt tests, checks of the gates too (defs/assets/year_tests.py)."""
    specs = _gate_specs(partitions_def, scenario_id, year_tests)
    test_keys = set(year_tests.keys) if year_tests is not None else set()
    blocking_keys = {spec.key for spec in specs if spec.blocking}

    @multi_asset_check(specs=specs, name="year_gates", can_subset=True,
                       description="The invariant catalogue, determinism, engine parity, currency and the dbt tests "
                                   "of one year (or of every materialised year, when run without one).")
    def year_gates(context: AssetCheckExecutionContext, simulation: SimulationResource):
        try:
            scenario = simulation.scenario_of_location(scenario_id)
        except WorkforceInputError as exc:
            refuse(exc)
        selected = set(context.selected_asset_check_keys)
        years = _checked_years(context, simulation.database_path(), scenario)
        with measured_stage("checks") as window:
            audits, tests, currency = _audit_years(context, simulation, scenario, years, year_tests,
                                                   bool(selected & test_keys))
        stop_if_memory_guard_tripped("the checks step")
        location = _code_location(context, scenario_id)
        per_year: dict[AssetCheckKey, list[tuple[int, dict]]] = {}
        for year in years:
            for fields in _year_fields(audits[year], year, window, currency, scenario.end_year,
                                       scenario_id, location) + tests[year]:
                if _selected(fields, selected):
                    per_year.setdefault(AssetCheckKey(fields["asset_key"], fields["check_name"]), []).append(
                        (year, fields))
        if context.has_partition_key:
            for entries in per_year.values():
                yield AssetCheckResult(**entries[0][1])
        else:
            yield from results_by_year(context, per_year, blocking_keys & set(per_year),
                                       run_result=context.has_partition_key_range)
        _report_later_years(context, currency, years[-1], scenario.end_year, scenario_id, location)

    return year_gates
