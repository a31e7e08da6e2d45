"""The Dagster definitions load, with years as partitions and the snapshot's self-dependency."""

from dagster import TimeWindowPartitionMapping

from workforce_platform.defs.asset_keys import scenario_key

from workforce_platform.definitions import build_definitions, defs
from workforce_platform.defs.resources import SimulationResource


def test_definitions_load_with_every_model_as_an_asset():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for model in ("stg_census", "config_levels", "int_starting_workforce_assembled", "int_workforce_needs_solved",
                  "int_experienced_terminations_selected", "int_new_hires_generated",
                  "int_new_hire_terminations_selected", "int_promotions_drawn", "int_merit_raises_applied",
                  "fct_yearly_events", "fct_workforce_snapshot", "fct_year_summary"):
        assert f"baseline/{model}" in keys
    assert defs.resolve_job_def("simulate_year") is not None
    assert defs.resolve_job_def("load_parameters") is not None


def test_years_are_partitions_and_snapshot_depends_on_previous_year():
    graph = defs.resolve_asset_graph()
    snapshot = scenario_key("baseline", "fct_workforce_snapshot")
    node = graph.get(snapshot)
    assert node.partitions_def.get_partition_keys() == ["2025", "2026", "2027", "2028", "2029"]
    assert snapshot in node.parent_keys
    mapping = graph.get_partition_mapping(snapshot, snapshot)
    assert isinstance(mapping, TimeWindowPartitionMapping)
    assert (mapping.start_offset, mapping.end_offset) == (-1, -1)
    assert graph.get(scenario_key("baseline", "config_levels")).partitions_def is None


def test_partitions_follow_the_scenario(scenario_factory):
    scenario = scenario_factory(start_year=2030, end_year=2040)
    definitions = build_definitions(SimulationResource(scenario_path=str(scenario)))
    keys = definitions.resolve_asset_graph().get(scenario_key("test_scenario", "fct_year_summary")).partitions_def.get_partition_keys()
    assert keys == [str(y) for y in range(2030, 2041)]


def test_nightly_backfill_requests_one_run_over_every_year():
    from datetime import datetime

    from dagster import build_schedule_context

    schedule = defs.resolve_schedule_def("nightly_backfill")
    requests = list(schedule.evaluate_tick(
        build_schedule_context(scheduled_execution_time=datetime(2026, 11, 23, 2, 0),
                               repository_def=defs.get_repository_def())).run_requests)
    assert len(requests) == 1
    tags = requests[0].tags
    assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == ("2025", "2029")


def test_every_registered_scenario_is_its_own_code_location_with_its_own_assets():
    import yaml

    from workforce_platform.defs import locations
    from workforce_platform.paths import PROJECT_ROOT

    registered = locations.registered_scenarios()
    assert {"baseline", "growth", "plan_design"} <= set(registered)
    workspace = yaml.safe_load((PROJECT_ROOT / "workspace.yaml").read_text())["load_from"]
    entries = {entry["python_module"]["location_name"]: entry["python_module"] for entry in workspace}
    assert set(entries) == set(registered), "workspace.yaml must list every scenarios/*.yaml"
    for name, entry in entries.items():
        assert (entry["module_name"], entry["attribute"]) == ("workforce_platform.defs.locations", name)
    keys = {}
    for name in registered:
        definitions = getattr(locations, name)
        keys[name] = set(definitions.resolve_asset_graph().get_all_asset_keys())
        assert all(key.path[0] == name for key in keys[name])
        assert definitions.resolve_sensor_def("record_run_failures") is not None
    assert not keys["baseline"] & keys["growth"]


def test_an_unknown_location_names_the_registered_scenarios():
    import pytest

    from workforce_platform.defs import locations

    with pytest.raises(AttributeError, match="registered scenarios are baseline, growth, plan_design"):
        locations.location_definitions("nope")
