"""The nightly schedule: its one request per scenario, launched against a local instance, leaves
every year materialised, checked and published."""

from __future__ import annotations

from datetime import datetime

import duckdb
from dagster import AssetCheckEvaluation, DagsterInstance, build_schedule_context

from workforce_platform.defs.asset_keys import scenario_key
from workforce_platform.defs.assembly import build_definitions
from workforce_platform.defs.jobs import REBUILD_SCENARIO_JOB, gate_check_keys
from workforce_platform.defs.resources import SimulationResource

YEARS = ["2025", "2026", "2027"]
SCENARIO = "nightly_scenario"


def _requests(definitions, instance):
    schedule = definitions.resolve_schedule_def("nightly_backfill")
    context = build_schedule_context(instance=instance, scheduled_execution_time=datetime(2026, 11, 23, 2, 0),
                                     repository_def=definitions.get_repository_def())
    return schedule, schedule.evaluate_tick(context).run_requests


def test_the_nightly_schedule_rebuilds_every_year_in_one_run(scenario_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKFORCE_REPORTS_DIR", str(tmp_path / "reports"))
    # Its own scenario id: the session's instance holds other tests' runs of test_scenario.
    scenario, db = scenario_factory(scenario_id=SCENARIO, end_year=2027), tmp_path / "nightly.duckdb"
    definitions = build_definitions(SimulationResource(scenario_path=str(scenario), database=str(db)))
    instance = DagsterInstance.get()
    schedule, requests = _requests(definitions, instance)
    assert schedule.job_name == REBUILD_SCENARIO_JOB and schedule.default_status.value == "STOPPED"
    # One run per scenario over its whole range of years.
    assert len(requests) == 1
    request = requests[0]
    assert request.tags["dagster/asset_partition_range_start"] == "2025"
    assert request.tags["dagster/asset_partition_range_end"] == "2027"
    assert request.run_key == f"{SCENARIO}-2026-11-23"

    result = definitions.resolve_job_def(schedule.job_name).execute_in_process(
        instance=instance, tags=request.tags, raise_on_error=False)
    assert result.success
    for table in ("fct_yearly_events", "fct_workforce_snapshot", "fct_year_summary"):
        for key in (scenario_key(SCENARIO, table), scenario_key(SCENARIO, "published", table)):
            assert instance.get_materialized_partitions(key) == set(YEARS), key
    assert instance.get_latest_materialization_event(scenario_key(SCENARIO, "scenario_report")) is not None
    # Every gate has a passing result on every year (the currency warning included).
    for key in gate_check_keys(SCENARIO):
        results = {}
        for record in instance.event_log_storage.get_asset_check_execution_history(key, limit=50):
            evaluation = record.event.dagster_event.event_specific_data if record.event else None
            if isinstance(evaluation, AssetCheckEvaluation) and evaluation.partition:
                results.setdefault(evaluation.partition, evaluation.passed)
        assert results == {year: True for year in YEARS}, key
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert [r[0] for r in con.execute("select simulation_year from published.promotions order by 1").fetchall()] == [
            2025, 2026, 2027]
    finally:
        con.close()

    # The next night's request is a new run (its own run key), not a repeat of this one.
    later = schedule.evaluate_tick(build_schedule_context(
        instance=instance, scheduled_execution_time=datetime(2026, 11, 24, 2, 0),
        repository_def=definitions.get_repository_def())).run_requests
    assert later[0].run_key == f"{SCENARIO}-2026-11-24"
