"""The ways Dagster can launch the simulation, run in-process on a small census: a run of several
years (what a backfill from the UI launches), checks without a year (the UI's "Execute all"), a
year re-materialised with other results (the later years turn stale), and the units Dagster must
not split."""

from __future__ import annotations

import duckdb
import pytest
import yaml
from dagster import AssetCheckEvaluation, AssetCheckKey, DagsterInstance

from workforce_platform.checks.staleness import CURRENCY_CHECK, year_currency
from workforce_platform.definitions import build_definitions
from workforce_platform.defs.asset_keys import scenario_key
from workforce_platform.defs.jobs import LOAD_PARAMETERS_JOB, SIMULATE_YEAR_JOB, gate_check_keys
from workforce_platform.commands.simulate import run_simulation
from workforce_platform.defs.resources import SimulationResource

SCENARIO = "test_scenario"  # the scenario id of tests/conftest.py's scenario_factory
RANGE_TAGS = {"dagster/asset_partition_range_start": "2025", "dagster/asset_partition_range_end": "2027"}


def _definitions(scenario, db):
    return build_definitions(SimulationResource(scenario_path=str(scenario), database=str(db)))


def _evaluations(result, check: str) -> dict:
    return {e.event_specific_data.partition: e.event_specific_data.passed for e in result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.check_name == check}


def _published(db) -> list[int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute("select simulation_year from published.promotions order by 1").fetchall()]
    finally:
        con.close()


def test_year_and_promotion_units_are_not_split_and_checks_carry_their_year():
    from workforce_platform.definitions import defs

    graph = defs.resolve_asset_graph()
    years = graph.get(scenario_key("baseline", "fct_workforce_snapshot"))
    assert scenario_key("baseline", "fct_yearly_events") in years.execution_set_asset_keys
    assert scenario_key("baseline", "published", "fct_year_summary") in graph.get(
        scenario_key("baseline", "published", "fct_workforce_snapshot")).execution_set_asset_keys
    assert years.backfill_policy.max_partitions_per_run is None  # a backfill is one run of its years
    from workforce_platform.defs.assets.gates import build_gates
    from workforce_platform.defs.assets.year_tests import DbtTestChecks
    from workforce_platform.runtime.dbt_project import ensure_manifest

    year_tests = DbtTestChecks(str(ensure_manifest()), "baseline", per_year=True, partitions_def=years.partitions_def)
    gates = build_gates(years.partitions_def, "baseline", year_tests)
    assert gates.can_subset and {spec.key for spec in gates.check_specs} == {*gate_check_keys("baseline"), *year_tests.keys}
    assert all(spec.partitions_def == years.partitions_def for spec in gates.check_specs)
    # The year's dbt tests are checks of the gates, so each can run without building the year
    # (the UI's "Execute all" launches only such checks); none is in the year's unit.
    tests = {k for k in graph.asset_check_keys if k.name == "snapshot_status_and_dates_consistent"}
    assert tests and tests <= set(year_tests.keys)
    assert all(graph.get_execution_set_identifier(k) is None for k in tests)
    assert not any(isinstance(k, AssetCheckKey) for k in years.execution_set_entity_keys)


def test_one_run_of_several_years_builds_them_in_order_then_checks_and_publishes(scenario_factory, tmp_path):
    scenario, db = scenario_factory(end_year=2027), tmp_path / "range.duckdb"
    definitions, instance = _definitions(scenario, db), DagsterInstance.get()
    assert definitions.resolve_job_def(LOAD_PARAMETERS_JOB).execute_in_process(instance=instance).success
    result = definitions.resolve_job_def(SIMULATE_YEAR_JOB).execute_in_process(
        instance=instance, tags=RANGE_TAGS, raise_on_error=False)
    assert result.success
    assert _published(db) == [2025, 2026, 2027]
    # Every year's gate result is recorded on its year, plus the run's own result over the years.
    assert _evaluations(result, "continuity") == {"2025": True, "2026": True, "2027": True, None: True}
    promoted = {e.event_specific_data.materialization.partition for e in result.all_events
                if e.event_type_value == "ASSET_MATERIALIZATION"
                and e.event_specific_data.materialization.asset_key == scenario_key(SCENARIO, "published", "fct_year_summary")}
    assert promoted == {"2025", "2026", "2027"}
    # The same years, one run each, give the same tables.
    single = tmp_path / "single.duckdb"
    assert run_simulation(scenario, db_path=single, progress=lambda line: None).success
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(f"attach '{single}' as single (read_only)")
        for table in ("fct_yearly_events", "fct_workforce_snapshot", "fct_year_summary"):
            assert con.execute(f"select count(*) from (select * from main.{table} except all "
                               f"select * from single.main.{table})").fetchall()[0][0] == 0, table
    finally:
        con.close()


def test_a_failed_gate_in_a_run_of_several_years_publishes_none_of_them(scenario_factory, tmp_path):
    scenario, db = scenario_factory(end_year=2027), tmp_path / "range_fail.duckdb"
    definitions, instance = _definitions(scenario, db), DagsterInstance.get()
    assert definitions.resolve_job_def(LOAD_PARAMETERS_JOB).execute_in_process(instance=instance).success
    # A determinism record for 2026 with the same inputs and other outputs makes its gate fail.
    assert definitions.resolve_job_def(SIMULATE_YEAR_JOB).execute_in_process(instance=instance, tags=RANGE_TAGS).success
    con = duckdb.connect(str(db))
    con.execute("update audit.year_materializations set output_fingerprint = 'tampered' where simulation_year = 2026")
    con.execute("delete from published.promotions")
    con.close()
    again = definitions.resolve_job_def(SIMULATE_YEAR_JOB).execute_in_process(
        instance=instance, tags=RANGE_TAGS, raise_on_error=False)
    assert not again.success
    assert _evaluations(again, "determinism") == {"2025": True, "2026": False, "2027": True, None: False}
    assert _published(db) == []


def test_checks_without_a_year_check_every_materialised_year(scenario_factory, tmp_path):
    scenario, db = scenario_factory(end_year=2026), tmp_path / "execute_all.duckdb"
    assert run_simulation(scenario, db_path=db, progress=lambda line: None).success
    definitions = _definitions(scenario, db)
    # Every check of the snapshot, as the UI's Checks → "Execute all" launches them: the gates
    # and the dbt tests of the year's models.
    snapshot_checks = {k for k in definitions.resolve_asset_graph().asset_check_keys
                       if k.asset_key == scenario_key(SCENARIO, "fct_workforce_snapshot")}
    gates = {k for k in gate_check_keys(SCENARIO) if k.asset_key == scenario_key(SCENARIO, "fct_workforce_snapshot")}
    assert gates < snapshot_checks and "snapshot_status_and_dates_consistent" in {k.name for k in snapshot_checks}
    job = definitions.resolve_implicit_global_asset_job_def().get_subset(
        asset_check_selection=snapshot_checks, asset_selection=set())
    result = job.execute_in_process(instance=DagsterInstance.get(), raise_on_error=False)
    assert result.success
    for key in snapshot_checks:
        assert _evaluations(result, key.name) == {"2025": True, "2026": True}, key


def test_the_gates_record_the_dbt_tests_of_the_build_and_a_failed_test_on_its_year(scenario_factory, tmp_path,
                                                                                     monkeypatch):
    import dataclasses

    import workforce_platform.defs.assets.gates as gates
    import workforce_platform.defs.assets.simulation as simulation

    scenario, db = scenario_factory(end_year=2026), tmp_path / "tests.duckdb"
    definitions, instance = _definitions(scenario, db), DagsterInstance.get()
    assert definitions.resolve_job_def(LOAD_PARAMETERS_JOB).execute_in_process(instance=instance).success

    def not_again(*args, **kwargs):
        raise AssertionError("the gates ran the year's dbt tests again after the build ran them")

    monkeypatch.setattr(gates, "run_year_tests", not_again)
    built = definitions.resolve_job_def(SIMULATE_YEAR_JOB).execute_in_process(instance=instance, partition_key="2025")
    assert built.success
    assert _evaluations(built, "snapshot_status_and_dates_consistent") == {"2025": True}
    # A failed test fails the year's build; its result is recorded on the year (no gate runs).
    build_year = simulation.build_year

    def failing_test(*args, **kwargs):
        result = build_year(*args, **kwargs)
        result.nodes = [dataclasses.replace(node, status="fail", failures=3, message="Got 3 results")
                        if ".snapshot_status_and_dates_consistent." in node.unique_id + "." else node
                        for node in result.nodes]
        result.success = False
        return result

    monkeypatch.setattr(simulation, "build_year", failing_test)
    failed = definitions.resolve_job_def(SIMULATE_YEAR_JOB).execute_in_process(
        instance=instance, partition_key="2026", raise_on_error=False)
    assert not failed.success
    assert _evaluations(failed, "snapshot_status_and_dates_consistent") == {"2026": False}


def _rerun(scenario, db, year: int, **changes) -> None:
    data = yaml.safe_load(scenario.read_text())
    data.update(changes)
    scenario.write_text(yaml.safe_dump(data, sort_keys=False))
    assert run_simulation(scenario, years=[year], db_path=db, progress=lambda line: None).success


def _stale(db, start: int) -> list[int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [y for y, c in sorted(year_currency(con, SCENARIO, start).items()) if not c.current]
    finally:
        con.close()


def test_a_year_rematerialised_with_other_results_makes_the_later_years_stale(scenario_factory, tmp_path):
    scenario, db = scenario_factory(end_year=2028), tmp_path / "stale.duckdb"
    assert run_simulation(scenario, db_path=db, progress=lambda line: None).success
    assert _stale(db, 2025) == []
    _rerun(scenario, db, 2026)  # the same results: nothing stale
    assert _stale(db, 2025) == []
    _rerun(scenario, db, 2026, target_growth_rate=0.08)
    assert _stale(db, 2025) == [2027, 2028]
    # The warning is recorded on each later year, naming the year that changed.
    instance = DagsterInstance.get()
    key = AssetCheckKey(scenario_key(SCENARIO, "fct_workforce_snapshot"), CURRENCY_CHECK)
    records = instance.event_log_storage.get_asset_check_execution_history(key, limit=20)
    latest = {}
    for record in records:
        evaluation = record.event.dagster_event.event_specific_data if record.event and record.event.dagster_event else None
        if isinstance(evaluation, AssetCheckEvaluation):
            latest.setdefault(evaluation.partition, evaluation)
    assert latest["2027"].passed is False and "2026" in latest["2027"].description
    assert latest["2028"].passed is False
    # Re-running the stale years in order makes them current again.
    assert run_simulation(scenario, years=[2027, 2028], db_path=db, progress=lambda line: None).success
    assert _stale(db, 2025) == []


@pytest.mark.parametrize("selection", ["group:simulation or group:published"])
def test_the_dagster_cli_selection_documented_in_the_readme_runs_a_year(selection, scenario_factory, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    scenario, db = scenario_factory(end_year=2026), tmp_path / "cli.duckdb"
    assert run_simulation(scenario, years=[2025], db_path=db, progress=lambda line: None).success
    env = {**os.environ, "WORKFORCE_SCENARIO": str(scenario), "WORKFORCE_DB_PATH": str(db)}
    dagster = Path(sys.executable).parent / "dagster"
    done = subprocess.run([str(dagster), "asset", "materialize", "-m", "workforce_platform.definitions",
                           "--select", selection, "--partition", "2026"], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert _published(db) == [2025, 2026]
    # Part of a year is refused before anything runs, naming what the selection left out.
    part = subprocess.run([str(dagster), "asset", "materialize", "-m", "workforce_platform.definitions",
                           "--select", "test_scenario/fct_workforce_snapshot", "--partition", "2026"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert part.returncode != 0 and "does not support subsetting" in part.stderr and "fct_yearly_events" in part.stderr
