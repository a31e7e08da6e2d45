"""Promotion of a year to the `published` schema: downstream of the year's results, so a failed
blocking check on them stops it (see checks/audit.py for the transaction and its guards)."""

from dagster import AssetExecutionContext, BackfillPolicy, AssetKey, AssetSpec, Failure, MaterializeResult, MetadataValue, PartitionsDefinition, multi_asset

from workforce_platform.assets.memory_guard import stop_if_memory_guard_tripped
from workforce_platform.checks.audit import PublishRefused, publish_year
from workforce_platform.orchestration.database_lock import DatabaseLock
from workforce_platform.orchestration.fingerprint import RESULT_TABLES
from workforce_platform.orchestration.monitoring import measured_stage, process_sampler
from workforce_platform.orchestration.year_build import LOCK_WAIT_SECONDS
from workforce_platform.resources import SimulationResource


def build_publish(partitions_def: PartitionsDefinition):
    specs = [
        AssetSpec(AssetKey(["published", table]), deps=[AssetKey(table)], partitions_def=partitions_def,
                  group_name="published", description=f"The promoted copy of {table}: years whose blocking checks passed.")
        for table in RESULT_TABLES
    ]

    @multi_asset(specs=specs, name="publish_year", backfill_policy=BackfillPolicy.multi_run(1))
    def publish(context: AssetExecutionContext, simulation: SimulationResource):
        year = int(context.partition_key)
        scenario = simulation.scenario()
        with measured_stage("publish") as window:
            # A year whose run passed the memory guard's limit is not promoted.
            stop_if_memory_guard_tripped("the promotion")
            try:
                with DatabaseLock(simulation.database(), wait_seconds=LOCK_WAIT_SECONDS):
                    counts = publish_year(simulation.database(), scenario, year, context.run.run_id,
                                          simulation.execution().shards)
            except PublishRefused as exc:
                raise Failure(description=str(exc), allow_retries=False) from exc
        figures = {k: MetadataValue.float(v) for k, v in window.metadata().items()}
        figures["run_peak_rss_mib"] = MetadataValue.float(round(process_sampler().peak_rss_bytes / 2**20, 1))
        for table, rows in counts.items():
            yield MaterializeResult(asset_key=AssetKey(["published", table]),
                                    metadata={"rows": MetadataValue.int(rows), "run_id": MetadataValue.text(context.run.run_id),
                                              **figures})

    return publish
