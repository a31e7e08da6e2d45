"""The Dagster definitions load, with years as partitions and the snapshot's self-dependency."""

from dagster import AssetKey, TimeWindowPartitionMapping

from workforce_platform.definitions import build_definitions, defs
from workforce_platform.resources import SimulationResource


def test_definitions_load_with_every_model_as_an_asset():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for model in ("stg_census", "config_levels", "int_starting_workforce_assembled", "int_workforce_needs_solved",
                  "int_experienced_terminations_selected", "int_new_hires_generated",
                  "int_new_hire_terminations_selected", "int_promotions_drawn", "int_merit_raises_applied",
                  "fct_yearly_events", "fct_workforce_snapshot", "fct_year_summary"):
        assert model in keys
    assert defs.resolve_job_def("simulate_year") is not None
    assert defs.resolve_job_def("load_parameters") is not None


def test_years_are_partitions_and_snapshot_depends_on_previous_year():
    graph = defs.resolve_asset_graph()
    snapshot = AssetKey("fct_workforce_snapshot")
    node = graph.get(snapshot)
    assert node.partitions_def.get_partition_keys() == ["2025", "2026", "2027", "2028", "2029"]
    assert snapshot in node.parent_keys
    mapping = graph.get_partition_mapping(snapshot, snapshot)
    assert isinstance(mapping, TimeWindowPartitionMapping)
    assert (mapping.start_offset, mapping.end_offset) == (-1, -1)
    assert graph.get(AssetKey("config_levels")).partitions_def is None


def test_partitions_follow_the_scenario(scenario_factory):
    scenario = scenario_factory(start_year=2030, end_year=2040)
    definitions = build_definitions(SimulationResource(scenario_path=str(scenario)))
    keys = definitions.resolve_asset_graph().get(AssetKey("fct_year_summary")).partitions_def.get_partition_keys()
    assert keys == [str(y) for y in range(2030, 2041)]


def test_nightly_backfill_requests_every_year_in_order():
    from datetime import datetime

    from dagster import build_schedule_context

    schedule = defs.resolve_schedule_def("nightly_backfill")
    requests = list(schedule.evaluate_tick(
        build_schedule_context(scheduled_execution_time=datetime(2026, 11, 23, 2, 0),
                               repository_def=defs.get_repository_def())).run_requests)
    assert [r.partition_key for r in requests] == ["2025", "2026", "2027", "2028", "2029"]
    assert len({r.run_key for r in requests}) == 5
    assert defs.resolve_schedule_def("nightly_parameters").job_name == "load_parameters"
