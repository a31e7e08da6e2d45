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
    AssetCheckSpec,
    Failure,
    MetadataValue,
    PartitionsDefinition,
    PreviewWarning,
    multi_asset_check,
)

from workforce_platform.build.plain_sql import run_year_tests
from workforce_platform.build.audit import DETERMINISM_CHECK, PARITY_CHECK, YearAudit, audit_year, materialised_years
from workforce_platform.checks.invariants import YEAR_INVARIANTS
from workforce_platform.checks.pay_structure import (
    PAY_STRUCTURE_ASSET, PAY_STRUCTURE_CHECK, PAY_STRUCTURE_DESCRIPTION,
)
from workforce_platform.checks.staleness import (
    CURRENCY_ASSET,
    CURRENCY_CHECK,
    CURRENCY_DESCRIPTION,
    YearCurrency,
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
from workforce_platform.defs.assets.gate_fields import (
    DETERMINISM_ASSET, PARITY_ASSET, currency_fields, determinism_fields, invariant_fields, parity_fields,
    pay_structure_fields,
)
from workforce_platform.runtime.monitoring import Window, measured_stage

PARITY_DESCRIPTION = ("The other event engine recomputes the year from the same inputs; every column of every "
                      "per-year table must be equal, row for row (order-independent).")


def _code_location(context, scenario_id: str) -> str:
    """The run's code location (the UI filters the Lineage by it); a run outside a workspace
    (in process) has none, and the scenario's location has the scenario's name."""
    origin = context.run.remote_job_origin
    return origin.location_name if origin is not None else scenario_id


def _year_fields(audit: YearAudit, year: int, window: Window, currency: dict[int, YearCurrency],
                 last_year: int, scenario_id: str, code_location: str) -> list[dict]:
    """Every gate's result for one year, as the fields of a check result on the scenario's assets."""
    fields = [invariant_fields(r) for r in audit.invariants] + [determinism_fields(audit, window),
                                                                  parity_fields(audit)]
    if audit.pay_structure is not None:
        fields.append(pay_structure_fields(audit.pay_structure))
    if year in currency:
        fields.append(currency_fields(currency[year], last_year, code_location))
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
        fields = _on_scenario(currency_fields(currency[later], end_year, location), scenario_id)
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
