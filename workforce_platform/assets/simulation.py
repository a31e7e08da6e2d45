"""The dbt project as Dagster assets.

- `simulation_parameters` (group `parameters`, not partitioned): the validated inputs, the
  parameter seeds and the staging views of a scenario.
- `simulation_years` (group `simulation`, partitioned by year): the per-year models. Each
  partition is one in-process dbt build; the snapshot's self-dependency orders the years.

dbt tests become asset checks; a failing test of severity error fails the run.
"""


from typing import Any, Callable, Iterator, Mapping, Optional

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
)
from dagster_dbt import dbt_assets
from dagster_dbt.asset_utils import get_asset_check_key_for_test

from workforce_platform.assets.memory_guard import stop_if_memory_guard_tripped
from workforce_platform.assets.translator import PER_YEAR_TAG, WorkforceDbtTranslator
from workforce_platform.errors import SimulationOrderError, WorkforceInputError
from workforce_platform.orchestration.execution import ExecutionSettings, machine_cores
from workforce_platform.orchestration.monitoring import Window, measured_stage, process_sampler
from workforce_platform.orchestration.year_build import YearBuildResult, build_parameters, build_year
from workforce_platform.resources import SimulationResource


def _node_selection(context: AssetExecutionContext, manifest: Mapping[str, Any],
                    translator: WorkforceDbtTranslator) -> Optional[list[str]]:
    """dbt --select for a subset of this definition's assets; None when all are selected."""
    assets_def = context.assets_def
    if set(context.selected_asset_keys) == set(assets_def.keys):
        return None
    names = []
    for props in manifest["nodes"].values():
        if props["resource_type"] in ("model", "seed") and translator.get_asset_key(props) in context.selected_asset_keys:
            names.append(props["name"])
    return sorted(names)


def _events(context: AssetExecutionContext, manifest: Mapping[str, Any],
            translator: WorkforceDbtTranslator, result: YearBuildResult, window: Window) -> Iterator[Any]:
    selected_checks = set(context.selected_asset_check_keys)
    for node in result.nodes:
        props = manifest["nodes"].get(node.unique_id)
        if props is None:
            continue
        if node.resource_type in ("model", "seed"):
            key: AssetKey = translator.get_asset_key(props)
            if key in context.selected_asset_keys and node.status == "success":
                metadata = {"dbt_seconds": MetadataValue.float(round(node.execution_time, 3))}
                # The step's figures from the run's sampler: every asset of the build shares them.
                metadata.update({f"step_{k}": MetadataValue.float(v) for k, v in window.metadata().items()})
                if node.rows_affected is not None:
                    metadata["rows_affected"] = MetadataValue.int(int(node.rows_affected))
                yield MaterializeResult(asset_key=key, metadata=metadata)
        elif node.resource_type == "test" and node.status in ("pass", "fail", "warn", "error"):
            check_key = get_asset_check_key_for_test(manifest, translator, node.unique_id, None)
            if check_key is None or check_key not in selected_checks:
                continue
            severity = str((props.get("config") or {}).get("severity", "ERROR")).upper()
            yield AssetCheckResult(
                asset_key=check_key.asset_key,
                check_name=check_key.name,
                passed=node.status == "pass",
                severity=AssetCheckSeverity.WARN if severity == "WARN" else AssetCheckSeverity.ERROR,
                metadata={
                    "failing_rows": MetadataValue.int(int(node.failures or 0)),
                    "dbt_status": MetadataValue.text(node.status),
                    "message": MetadataValue.text(node.message[:500]),
                },
            )


def _fail(context: AssetExecutionContext, result: YearBuildResult) -> None:
    failed = result.failed_nodes()
    lines = [f"{n.unique_id}: {n.status}: {n.message}" for n in failed] or [result.error or "dbt build failed"]
    if result.hint:
        lines.insert(0, result.hint)
    raise Failure(description="dbt build failed:\n" + "\n".join(lines),
                  metadata={"failed_nodes": MetadataValue.json([n.unique_id for n in failed])})


def _guarded_build(simulation: SimulationResource, stage: str, build: Callable[[ExecutionSettings], YearBuildResult]
                   ) -> tuple[YearBuildResult, Window]:
    """Runs a build under the run's sampler: arms the memory guard, records the stage's time
    (a year's input writing apart from its dbt build), and fails the step (before anything
    downstream publishes) when the guard tripped."""
    settings = simulation.execution()
    process_sampler().arm_guard(settings.rss_limit_bytes, settings.rss_limit_source)
    with measured_stage(stage) as window:
        result = build(settings)
        if stage == "dbt":
            window.attribute("inputs", result.inputs_seconds)
    stop_if_memory_guard_tripped(f"the {stage} step", window.metadata())
    return result, window


def _refuse(exc: Exception) -> None:
    """Bad input or a year out of order: a failed run whose message says why; nothing written."""
    raise Failure(description=str(exc), metadata={"bad_input": True}, allow_retries=False) from exc


def build_simulation_assets(manifest_path: str, partitions_def: PartitionsDefinition) -> list[Any]:
    translator = WorkforceDbtTranslator()

    @dbt_assets(
        manifest=manifest_path,
        select="fqn:*",
        exclude=f"tag:{PER_YEAR_TAG}",
        name="simulation_parameters",
        dagster_dbt_translator=translator,
    )
    def simulation_parameters(context: AssetExecutionContext, simulation: SimulationResource):
        manifest = _manifest(manifest_path)
        try:
            scenario = simulation.scenario()
            result, window = _guarded_build(simulation, "parameters", lambda settings: build_parameters(
                scenario, simulation.database(), settings, select=_node_selection(context, manifest, translator)))
        except (WorkforceInputError, SimulationOrderError) as exc:
            _refuse(exc)
        context.log.info(f"parameters of '{scenario.scenario_id}' in {simulation.database()}: "
                         f"inputs {result.inputs_seconds:.2f}s, dbt {result.dbt_seconds:.2f}s, "
                         f"peak RSS {window.peak_rss_bytes / 2**20:.0f} MiB")
        yield from _events(context, manifest, translator, result, window)
        if not result.success:
            _fail(context, result)

    @dbt_assets(
        manifest=manifest_path,
        select=f"tag:{PER_YEAR_TAG}",
        name="simulation_years",
        partitions_def=partitions_def,
        dagster_dbt_translator=translator,
        backfill_policy=BackfillPolicy.multi_run(1),
    )
    def simulation_years(context: AssetExecutionContext, simulation: SimulationResource):
        manifest = _manifest(manifest_path)
        year = int(context.partition_key)
        try:
            scenario = simulation.scenario()
            result, window = _guarded_build(simulation, "dbt", lambda settings: build_year(
                scenario, year, simulation.database(), settings, select=_node_selection(context, manifest, translator)))
        except (WorkforceInputError, SimulationOrderError) as exc:
            _refuse(exc)
        context.log.info(f"year {year} of '{scenario.scenario_id}': inputs {result.inputs_seconds:.2f}s, "
                         f"dbt {result.dbt_seconds:.2f}s, peak RSS {window.peak_rss_bytes / 2**20:.0f} MiB, "
                         f"CPU {window.cpu_utilisation:.0%} of {machine_cores()} cores")
        yield from _events(context, manifest, translator, result, window)
        if not result.success:
            _fail(context, result)

    return [simulation_parameters, simulation_years]


_manifests: dict[str, Mapping[str, Any]] = {}


def _manifest(path: str) -> Mapping[str, Any]:
    if path not in _manifests:
        import json

        with open(path) as handle:
            _manifests[path] = json.load(handle)
    return _manifests[path]
