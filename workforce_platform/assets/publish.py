"""Promotion of a year to the `published` schema: downstream of the year's results, so a failed
blocking check on them stops it (see checks/audit.py for the transaction and its guards)."""

from dagster import AssetExecutionContext, BackfillPolicy, AssetSpec, Failure, MaterializeResult, MetadataValue, PartitionsDefinition, multi_asset

from workforce_platform.asset_keys import scenario_key
from workforce_platform.assets.memory_guard import stop_if_memory_guard_tripped
from workforce_platform.assets.refusal import refuse
from workforce_platform.checks.audit import PublishRefused, publish_year
from workforce_platform.errors import WorkforceInputError
from workforce_platform.orchestration.database_lock import DatabaseLock
from workforce_platform.orchestration.fingerprint import RESULT_TABLES
from workforce_platform.orchestration.monitoring import measured_stage, process_sampler
from workforce_platform.orchestration.year_build import LOCK_WAIT_SECONDS
from workforce_platform.resources import SimulationResource


def build_publish(partitions_def: PartitionsDefinition, scenario_id: str):
    specs = [
        AssetSpec(scenario_key(scenario_id, "published", table), deps=[scenario_key(scenario_id, table)], partitions_def=partitions_def,
                  group_name="published", description=f"The promoted copy of {table}: years whose blocking checks passed.")
        for table in RESULT_TABLES
    ]

    # A year's tables are promoted together, in one transaction: not subsettable. A backfill of
    # several years is one run (see assets/simulation.py): its years are promoted in order.
    @multi_asset(specs=specs, name="publish_year", backfill_policy=BackfillPolicy.single_run())
    def publish(context: AssetExecutionContext, simulation: SimulationResource):
        try:
            scenario = simulation.scenario_of_location(scenario_id)
        except WorkforceInputError as exc:
            refuse(exc)
        counts: dict[int, dict[str, int]] = {}
        with measured_stage("publish") as window:
            # A year whose run passed the memory guard's limit is not promoted.
            stop_if_memory_guard_tripped("the promotion")
            for key in context.partition_keys:
                year = int(key)
                try:
                    with DatabaseLock(simulation.database(), wait_seconds=LOCK_WAIT_SECONDS):
                        counts[year] = publish_year(simulation.database(), scenario, year, context.run.run_id,
                                                    simulation.execution().shards)
                except PublishRefused as exc:
                    published = f" (years {', '.join(map(str, counts))} were published)" if counts else ""
                    raise Failure(description=f"{exc}{published}", allow_retries=False) from exc
        figures = {k: MetadataValue.float(v) for k, v in window.metadata().items()}
        figures["run_peak_rss_mib"] = MetadataValue.float(round(process_sampler().peak_rss_bytes / 2**20, 1))
        for table in RESULT_TABLES:
            rows = ({"rows": MetadataValue.int(next(iter(counts.values()))[table])} if len(counts) == 1 else
                    {"rows_by_year": MetadataValue.json({str(y): c[table] for y, c in counts.items()})})
            yield MaterializeResult(asset_key=scenario_key(scenario_id, "published", table),
                                    metadata={**rows, "run_id": MetadataValue.text(context.run.run_id), **figures})

    return publish
