"""Promotion of a year to the `published` schema: downstream of the year's results, so a failed
blocking check on them stops it (see checks/audit.py for the transaction and its guards)."""

from dagster import AssetExecutionContext, BackfillPolicy, AssetKey, AssetSpec, Failure, MaterializeResult, MetadataValue, PartitionsDefinition, multi_asset

from workforce_platform.checks.audit import PublishRefused, publish_year
from workforce_platform.orchestration.database_lock import DatabaseLock
from workforce_platform.orchestration.fingerprint import RESULT_TABLES
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
        try:
            with DatabaseLock(simulation.database(), wait_seconds=LOCK_WAIT_SECONDS):
                counts = publish_year(simulation.database(), scenario, year, context.run_id)
        except PublishRefused as exc:
            raise Failure(description=str(exc)) from exc
        for table, rows in counts.items():
            yield MaterializeResult(asset_key=AssetKey(["published", table]),
                                    metadata={"rows": MetadataValue.int(rows), "run_id": MetadataValue.text(context.run_id)})

    return publish
