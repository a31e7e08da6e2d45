"""The run-failure sensor: a run launched outside `workforce simulate` that fails gets its lines
(scenario, year, failing step or check) in its own log and in audit.failures."""

from __future__ import annotations

from dagster import DagsterEventType, DagsterInstance, RunsFilter, build_run_status_sensor_context

from workforce_platform.defs.assembly import build_definitions
from workforce_platform.defs.jobs import LOAD_PARAMETERS_JOB, SIMULATE_YEAR_JOB
from workforce_platform.defs.failures import RECORDED_BY_TAG, recorded_failures
from workforce_platform.defs.resources import SimulationResource


def _run_sensor(definitions, instance, run):
    sensor = definitions.resolve_sensor_def("record_run_failures")
    failure = next(record.dagster_event for record in instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_FAILURE))
    context = build_run_status_sensor_context(sensor_name=sensor.name, dagster_event=failure,
                                              dagster_instance=instance, dagster_run=run,
                                              resources={"simulation": definitions.resources["simulation"]}
                                              ).for_run_failure()
    sensor(context)


def test_a_failed_run_gets_its_failure_lines_in_its_log_and_in_the_failures_table(scenario_factory, tmp_path):
    scenario, db = scenario_factory(end_year=2027), tmp_path / "sensor.duckdb"
    definitions = build_definitions(SimulationResource(scenario_path=str(scenario), database=str(db)))
    instance = DagsterInstance.get()
    assert definitions.resolve_job_def(LOAD_PARAMETERS_JOB).execute_in_process(instance=instance).success
    # 2026 before 2025: the year-order rule fails the step and writes nothing.
    result = definitions.resolve_job_def(SIMULATE_YEAR_JOB).execute_in_process(
        instance=instance, partition_key="2026", raise_on_error=False)
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    _run_sensor(definitions, instance, run)

    failures = recorded_failures(db)
    assert len(failures) == 1
    scenario_id, year, run_years, check, step, detail, run_id = failures[0]
    assert (scenario_id, year, run_years, check, step, run_id) == (
        "test_scenario", 2026, "2026", None, "simulation_years", result.run_id)
    assert "2025" in detail  # names the year to materialise first
    logged = [record.dagster_event.message for record in instance.all_logs(result.run_id)
              if record.dagster_event is not None and record.dagster_event.event_type_value == "ENGINE_EVENT"]
    assert any(m.startswith("failure: scenario test_scenario, year 2026, step simulation_years: ") for m in logged)

    # A second evaluation for the same run replaces its lines instead of adding to them.
    _run_sensor(definitions, instance, run)
    assert len(recorded_failures(db)) == 1


def test_the_sensor_leaves_the_runs_of_workforce_simulate_alone(scenario_factory, tmp_path):
    scenario, db = scenario_factory(end_year=2027), tmp_path / "cli_runs.duckdb"
    definitions = build_definitions(SimulationResource(scenario_path=str(scenario), database=str(db)))
    instance = DagsterInstance.get()
    result = definitions.resolve_job_def(SIMULATE_YEAR_JOB).execute_in_process(
        instance=instance, partition_key="2027", raise_on_error=False, tags={RECORDED_BY_TAG: "workforce simulate"})
    assert not result.success
    _run_sensor(definitions, instance, instance.get_run_by_id(result.run_id))
    assert recorded_failures(db) == []
    assert instance.get_runs(filters=RunsFilter(run_ids=[result.run_id]))
