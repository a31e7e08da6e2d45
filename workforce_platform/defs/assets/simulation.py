"""The dbt project as Dagster assets.

- `simulation_parameters` (group `parameters`, not partitioned): the validated inputs, the
  parameter seeds and the staging views of a scenario.
- `simulation_years` (group `simulation`, partitioned by year): the per-year models. Each
  partition is one in-process dbt build; the snapshot's self-dependency orders the years.

Each is one unit that Dagster does not split: a year's models read one another's rows of that
year, so building some of them from the others' old rows would mix two states. Materialising any
asset of a unit (the UI's "Materialize" on an asset page) builds all of it: the UI lists what it
adds before it launches; `dagster asset materialize` wants the whole unit selected
(`--select 'group:simulation'`) and says so otherwise. A backfill of several years is one run
that builds them in order, each from the year before it.

dbt tests become asset checks, partitioned like their models so that every result names its year;
a failing test of severity error fails the run. The parameters' tests are checks of
`simulation_parameters`; the per-year models' tests are checks of the year's gates (see
assets/year_tests.py), which record the results of the build that ran them.
"""

from typing import Any, Callable, Iterator, Mapping, Optional

from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    multi_asset,
)

from workforce_platform.census.load import scenario_census_columns
from workforce_platform.defs.assets.check_results import year_result
from workforce_platform.defs.assets.memory_guard import stop_if_memory_guard_tripped
from workforce_platform.defs.assets.refusal import refuse
from workforce_platform.defs.assets.translator import WorkforceDbtTranslator
from workforce_platform.defs.assets.year_tests import DbtTestChecks, hand_over, manifest as _manifest
from workforce_platform.defs.dbt_units import unit_specs
from workforce_platform.parity.sql_side_worker import SQL_SIDE_BUILDS, settle_left_builds, warm_up
from workforce_platform.errors import SimulationOrderError, WorkforceInputError
from workforce_platform.runtime.execution import ExecutionSettings, machine_cores
from workforce_platform.runtime.monitoring import Window, measured_stage, process_sampler
from workforce_platform.build.parameters import build_parameters
from workforce_platform.build.results import YearBuildResult
from workforce_platform.build.year import build_year
from workforce_platform.defs.resources import SimulationResource


def _events(context: AssetExecutionContext, manifest: Mapping[str, Any], translator: WorkforceDbtTranslator,
            results: list[YearBuildResult], window: Window, tests: Optional[DbtTestChecks] = None) -> Iterator[Any]:
    """Materialisations of one build, or of several years' builds (a range run: each asset's one
    materialisation, which Dagster records for every year of the range, carries every year's
    figures), then the results of the unit's dbt tests when they are its checks (`tests`)."""
    by_key: dict[AssetKey, list] = {}
    for result in results:
        tests_run = [n for n in result.nodes if n.resource_type == "test"]
        outcome = ", ".join(f"{sum(n.status == status for n in tests_run)} {status}"
                            for status in ("pass", "warn", "fail", "error") if any(n.status == status for n in tests_run))
        for node in result.nodes:
            props = manifest["nodes"].get(node.unique_id)
            if props is not None and node.resource_type in ("model", "seed"):
                key: AssetKey = translator.get_asset_key(props)
                if key in context.selected_asset_keys and node.status == "success":
                    by_key.setdefault(key, []).append((result.year, node, outcome, result.engine))
    yield from _materializations(by_key, window)
    yield from _test_results(context, results, tests)


def _test_results(context: AssetExecutionContext, results: list[YearBuildResult],
                  tests: Optional[DbtTestChecks]) -> Iterator[AssetCheckResult]:
    # After the materialisations, so that the results are tied to them.
    if tests is None:
        return
    selected = set(context.selected_asset_check_keys)
    for result in results:
        for fields in tests.fields(result.nodes):
            if AssetCheckKey(fields["asset_key"], fields["check_name"]) in selected:
                yield AssetCheckResult(**fields)


def _materializations(by_key: dict, window: Window) -> Iterator[MaterializeResult]:
    # The step's figures from the run's sampler: every asset of the build shares them.
    step = {f"step_{k}": MetadataValue.float(v) for k, v in window.metadata().items()}
    for key, entries in by_key.items():
        if len(entries) == 1:
            _, node, outcome, engine = entries[0]
            metadata = {"dbt_seconds": MetadataValue.float(round(node.execution_time, 3)),
                        "event_engine": MetadataValue.text(engine), **step}
            if node.rows_affected is not None:
                metadata["rows_affected"] = MetadataValue.int(int(node.rows_affected))
            if outcome:
                metadata["dbt_tests"] = MetadataValue.text(outcome)
        else:
            metadata = {
                "years": MetadataValue.text(", ".join(str(entry[0]) for entry in entries)),
                "dbt_seconds_by_year": MetadataValue.json({str(y): round(n.execution_time, 3) for y, n, _, _ in entries}),
                "rows_affected_by_year": MetadataValue.json({str(y): n.rows_affected for y, n, _, _ in entries}),
                "dbt_tests_by_year": MetadataValue.json({str(y): o for y, _, o, _ in entries}),
                "event_engine_by_year": MetadataValue.json({str(y): e for y, _, _, e in entries}),
                **step,
            }
        yield MaterializeResult(asset_key=key, metadata=metadata)


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
            if result.engine == "polars":
                window.attribute("polars", result.engine_seconds)
    stop_if_memory_guard_tripped(f"the {stage} step", window.metadata())
    return result, window


def _dbt_unit(manifest_path: str, translator: WorkforceDbtTranslator, name: str, per_year: bool, check_specs: list,
              partitions_def: Optional[PartitionsDefinition] = None):
    """A multi-asset of one unit's dbt nodes that is built whole (see the module's docstring); a
    backfill of it is one run. The parameters' dbt tests are its checks; the per-year models'
    are the gates' (assets/year_tests.py)."""
    specs, _ = unit_specs(translator, _manifest(manifest_path), per_year)
    return multi_asset(
        name=name,
        specs=specs,
        check_specs=check_specs,
        can_subset=False,
        partitions_def=partitions_def,
        # A backfill of several years is one run that builds them in order (see simulation_years).
        backfill_policy=BackfillPolicy.single_run() if partitions_def is not None else None,
        allow_arbitrary_check_specs=True,
    )


def build_simulation_assets(manifest_path: str, partitions_def: PartitionsDefinition, scenario_id: str,
                            year_tests: Optional[DbtTestChecks] = None) -> list[Any]:
    """The two units. `year_tests`: the per-year models' tests, which the gates record (the same
    object as the gates', to save reading them twice)."""
    translator = WorkforceDbtTranslator(scenario_id)
    parameter_tests = DbtTestChecks(manifest_path, scenario_id, per_year=False)
    year_tests = year_tests or DbtTestChecks(manifest_path, scenario_id, per_year=True, partitions_def=partitions_def)

    @_dbt_unit(manifest_path, translator, name="simulation_parameters", per_year=False,
               check_specs=parameter_tests.specs)
    def simulation_parameters(context: AssetExecutionContext, simulation: SimulationResource):
        manifest = _manifest(manifest_path)
        try:
            scenario = simulation.scenario_of_location(scenario_id)
            for census_line in scenario_census_columns(scenario).header_lines():
                context.log.info(f"census {scenario.resolved_census_path()}: {census_line}")
            result, window = _guarded_build(simulation, "parameters", lambda settings: build_parameters(
                scenario, simulation.database_path(), settings))
        except (WorkforceInputError, SimulationOrderError) as exc:
            refuse(exc)
        context.log.info(f"parameters of '{scenario.scenario_id}' in {simulation.database_path()}: "
                         f"inputs {result.inputs_seconds:.2f}s, dbt {result.dbt_seconds:.2f}s, "
                         f"peak RSS {window.peak_rss_bytes / 2**20:.0f} MiB")
        yield from _events(context, manifest, translator, [result], window, parameter_tests)
        if not result.success:
            _fail(context, result)

    @_dbt_unit(manifest_path, translator, name="simulation_years", per_year=True, check_specs=[],
               partitions_def=partitions_def)
    def simulation_years(context: AssetExecutionContext, simulation: SimulationResource):
        # One year, or a range of years in order (a backfill's single run): a later year of the
        # range starts from the year before it, built earlier in this run; the gates check every
        # year of the range before any is published.
        manifest = _manifest(manifest_path)
        years = [int(key) for key in context.partition_keys]
        results = []
        for year in years:
            try:
                scenario = simulation.scenario_of_location(scenario_id)
                engine = simulation.engine()
                if year == years[0] and len(years) > 1 and engine.engine == "polars" and engine.parity:
                    # The parity gate's SQL side of the later years is built beside the engine.
                    warm_up(simulation.execution())
                result, window = _guarded_build(simulation, "dbt", lambda settings: build_year(
                    scenario, year, simulation.database_path(), settings, previous_built_in_this_run=year != years[0],
                    engine=engine, sql_side_builds=SQL_SIDE_BUILDS))
            except (WorkforceInputError, SimulationOrderError) as exc:
                refuse(exc)
            engine_figure = f"polars engine {result.engine_seconds:.2f}s, dbt tests" if result.engine == "polars" else "dbt"
            context.log.info(f"year {year} of '{scenario.scenario_id}' ({engine.describe()}): inputs "
                             f"{result.inputs_seconds:.2f}s, {engine_figure} {result.dbt_seconds:.2f}s, "
                             f"peak RSS {window.peak_rss_bytes / 2**20:.0f} MiB, "
                             f"CPU {window.cpu_utilisation:.0%} of {machine_cores()} cores")
            if not result.success:
                settle_left_builds()  # no gate runs for the years built before it in this run
                # The failed year's test results, on its year (its gates do not run); nothing of
                # the run is reported materialised.
                for fields in year_tests.fields(result.nodes):
                    yield year_result(context, fields, year, blocking=year_tests.blocking[
                        AssetCheckKey(fields["asset_key"], fields["check_name"])])
                _fail(context, result)
            results.append(result)
        for result in results:  # the gates of this run record them
            hand_over(context.run.run_id, simulation.database_path(), result.year, year_tests.fields(result.nodes))
        # The last year's window: the run's sampler figures up to the end of the build.
        yield from _events(context, manifest, translator, results, window)

    return [simulation_parameters, simulation_years]
