"""Promotion of a year to the `published` schema: downstream of the year's results, so a failed
blocking check on them stops it (see checks/publication.py for the transaction, the chain it
keeps whole and its guards), and the published layer's own blocking check
(`published_chain_consistent`), which runs after every promotion."""

from dagster import (
    AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetExecutionContext,
    AssetMaterialization, AssetObservation, BackfillPolicy, AssetSpec, Failure, MaterializeResult, MetadataValue,
    PartitionsDefinition, multi_asset, multi_asset_check,
)

from workforce_platform.defs.asset_keys import scenario_key
from workforce_platform.defs.assets.memory_guard import stop_if_memory_guard_tripped
from workforce_platform.defs.assets.refusal import refuse
from workforce_platform.checks.invariants import PUBLISHED_INVARIANTS, evaluate
from workforce_platform.checks.publication import PublishRefused, publish_year, rerun_action
from workforce_platform.errors import WorkforceInputError
from workforce_platform.runtime.fingerprint import RESULT_TABLES
from workforce_platform.runtime.monitoring import measured_stage, process_sampler
from workforce_platform.runtime.tables import table_exists
from workforce_platform.defs.resources import SimulationResource


def build_publish(partitions_def: PartitionsDefinition, scenario_id: str):
    specs = [
        AssetSpec(scenario_key(scenario_id, "published", table), deps=[scenario_key(scenario_id, table)], partitions_def=partitions_def,
                  group_name="published", description=f"The promoted copy of {table}: years whose blocking checks passed.")
        for table in RESULT_TABLES
    ]

    # A year's tables are promoted together, in one transaction: not subsettable. A backfill of
    # several years is one run (see defs/assets/simulation.py): its years are promoted in order.
    @multi_asset(specs=specs, name="publish_year", backfill_policy=BackfillPolicy.single_run())
    def publish(context: AssetExecutionContext, simulation: SimulationResource):
        try:
            scenario = simulation.scenario_of_location(scenario_id)
        except WorkforceInputError as exc:
            refuse(exc)
        counts: dict[int, dict[str, int]] = {}
        withdrawn: list[int] = []
        run_years = [int(key) for key in context.partition_keys]
        with measured_stage("publish") as window:
            # A year whose run passed the memory guard's limit is not promoted.
            stop_if_memory_guard_tripped("the promotion")
            for year in run_years:
                try:
                    with simulation.get_connection() as con:
                        publication = publish_year(con, scenario, year, context.run.run_id,
                                                   simulation.execution().shards)
                except PublishRefused as exc:
                    published = f" (years {', '.join(map(str, counts))} were published)" if counts else ""
                    raise Failure(description=f"{exc}{published}", allow_retries=False) from exc
                counts.update(publication.promoted)
                withdrawn = sorted({*withdrawn, *publication.withdrawn} - set(counts))
                earlier = [y for y in publication.promoted if y != year]
                if earlier:
                    context.log.info(f"year {year} was built on the working year(s) {', '.join(map(str, earlier))}, "
                                     "not published until now: promoted first, so the published chain stays whole")
        figures = {k: MetadataValue.float(v) for k, v in window.metadata().items()}
        figures["run_peak_rss_mib"] = MetadataValue.float(round(process_sampler().peak_rss_bytes / 2**20, 1))
        own = [y for y in counts if y in run_years]
        for table in RESULT_TABLES:
            key = scenario_key(scenario_id, "published", table)
            for year in (y for y in counts if y not in run_years):
                # An earlier year promoted for the run's years: recorded on its own partition.
                context.log_event(AssetMaterialization(key, partition=str(year), metadata={
                    "rows": MetadataValue.int(counts[year][table]), "run_id": MetadataValue.text(context.run.run_id),
                    "promoted_for": MetadataValue.text(f"year {min(own)}, which was built on it")}))
            for year in withdrawn:
                context.log_event(AssetObservation(key, partition=str(year), metadata={
                    "withdrawn": MetadataValue.bool(True), "rerun": MetadataValue.text(rerun_action(year, scenario.end_year))}))
            rows = ({"rows": MetadataValue.int(counts[own[0]][table])} if len(own) == 1 else
                    {"rows_by_year": MetadataValue.json({str(y): counts[y][table] for y in own})})
            yield MaterializeResult(asset_key=key,
                                    metadata={**rows, "run_id": MetadataValue.text(context.run.run_id), **figures})
        if withdrawn:
            context.log.warning(
                f"years {', '.join(map(str, withdrawn))} were withdrawn from the published layer: they were built on "
                f"an earlier state of the years promoted now; {rerun_action(withdrawn[0], scenario.end_year)}")

    return publish


def build_published_checks(scenario_id: str):
    """The published layer's invariants (the chain), blocking: a failure keeps the report from
    being built on a broken chain. Not partitioned: each result covers every published year."""
    specs = [AssetCheckSpec(inv.name, asset=scenario_key(scenario_id, *inv.asset_path), description=inv.description,
                            blocking=inv.blocking) for inv in PUBLISHED_INVARIANTS]

    @multi_asset_check(specs=specs, name="published_gates", can_subset=True,
                       description="The published layer's invariants, over every published year of the scenario.")
    def published_gates(context: AssetCheckExecutionContext, simulation: SimulationResource):
        try:
            scenario = simulation.scenario_of_location(scenario_id)
        except WorkforceInputError as exc:
            refuse(exc)
        selected = set(context.selected_asset_check_keys)
        with simulation.get_connection() as con:
            published = table_exists(con, "published", "promotions")
            years = [r[0] for r in con.execute(
                "select simulation_year from published.promotions where scenario_id = ? order by 1",
                [scenario.scenario_id]).fetchall()] if published else []
            for invariant in PUBLISHED_INVARIANTS:
                spec_key = next(s.key for s in specs if s.name == invariant.name)
                if spec_key not in selected:
                    continue
                result = evaluate(con, invariant, scenario.scenario_id, None, scenario.start_year) if published else None
                passed = result is None or result.passed
                first = ("none" if result is None or not result.first_rows else
                         "\n".join(", ".join(f"{c}={v}" for c, v in zip(result.columns, row))
                                   for row in result.first_rows))
                yield AssetCheckResult(
                    asset_key=spec_key.asset_key, check_name=invariant.name, passed=passed,
                    severity=AssetCheckSeverity.ERROR,
                    description=(f"published years {_years_text(years)}: " +
                                 ("an unbroken chain" if passed else "the chain is broken; "
                                  + rerun_action(min(r[0] for r in result.first_rows), scenario.end_year))),
                    metadata={"published_years": MetadataValue.text(_years_text(years)),
                              "violating_rows": MetadataValue.int(result.violation_count if result else 0),
                              "first_violations": MetadataValue.text(first)})

    return published_gates


def _years_text(years: list[int]) -> str:
    if not years:
        return "none"
    return f"{years[0]}-{years[-1]}" if years == list(range(years[0], years[-1] + 1)) else ", ".join(map(str, years))
