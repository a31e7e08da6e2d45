"""Gates really block: a failing check keeps its year out of `published` and leaves the published
years as they were; the determinism check compares real re-materialisations."""

from __future__ import annotations

import duckdb
from dagster import AssetKey, DagsterInstance

from workforce_platform.cli import main
from workforce_platform.definitions import build_definitions
from workforce_platform.defs.jobs import AUDIT_YEAR_JOB
from workforce_platform.defs.failures import recorded_failures
from workforce_platform.runtime.fingerprint import RESULT_TABLES, table_fingerprint
from workforce_platform.defs.resources import SimulationResource


def _published(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        years = [r[0] for r in con.execute("select simulation_year from published.promotions order by 1").fetchall()]
        prints = {t: table_fingerprint(con, f"published.{t}") for t in RESULT_TABLES}
        return years, prints
    finally:
        con.close()


def test_failing_gate_blocks_its_year_and_keeps_published(scenario_factory, tmp_path, capsys):
    scenario = scenario_factory(end_year=2027)
    db = tmp_path / "gates.duckdb"
    assert main(["simulate", "--scenario", str(scenario), "--years", "2025-2026", "--db", str(db)]) == 0
    years_before, published_before = _published(db)
    assert years_before == [2025, 2026]

    # A stale row resurrects someone who left in 2025 into the working 2026 year-end state.
    con = duckdb.connect(str(db))
    gone = con.execute("""select employee_id from fct_workforce_snapshot where simulation_year = 2025
                          and status_detail = 'experienced_termination' order by 1 limit 1""").fetchall()[0][0]
    con.execute("""insert into fct_workforce_snapshot select * replace (2026 as simulation_year, 'active' as employment_status,
                   'continuous_active' as status_detail, null::date as termination_date)
                   from fct_workforce_snapshot where simulation_year = 2025 and employee_id = ?""", [gone])
    con.close()
    capsys.readouterr()

    assert main(["simulate", "--scenario", str(scenario), "--years", "2027", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "2027" in out and "FAILED" in out
    assert "no_resurrection on test_scenario/fct_workforce_snapshot" in out and "not published" in out
    # The failure is recorded as a line users can act on: printed, in the run's log, in audit.failures.
    line = "failure: scenario test_scenario, year 2027, check no_resurrection on test_scenario/fct_workforce_snapshot: "
    assert line in out
    failures = recorded_failures(db)
    assert ("test_scenario", 2027, "2027", "no_resurrection", "test_scenario/fct_workforce_snapshot") in [
        row[:5] for row in failures]
    assert all(row[1] == 2027 for row in failures)
    run_id = failures[0][6]
    logged = [record.dagster_event.message for record in DagsterInstance.get().all_logs(run_id)
              if record.dagster_event is not None and record.dagster_event.event_type_value == "ENGINE_EVENT"]
    assert any(message.startswith(line) for message in logged), logged

    years_after, published_after = _published(db)
    assert years_after == [2025, 2026] and published_after == published_before

    instance = DagsterInstance.get()
    evaluation = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [__import__("dagster").AssetCheckKey(AssetKey(["test_scenario", "fct_workforce_snapshot"]), "no_resurrection")]
    )
    record = next(iter(evaluation.values()))
    metadata = record.event.dagster_event.event_specific_data.metadata
    assert metadata["violating_rows"].value >= 1 and gone in metadata["first_violations"].value


def test_determinism_check_passes_on_rerun_and_fails_on_a_tampered_row(scenario_factory, tmp_path):
    scenario = scenario_factory(end_year=2026)
    db = tmp_path / "determinism.duckdb"
    assert main(["simulate", "--scenario", str(scenario), "--db", str(db)]) == 0
    audit = build_definitions(SimulationResource(scenario_path=str(scenario), database=str(db))).resolve_job_def(AUDIT_YEAR_JOB)
    instance = DagsterInstance.get()

    again = audit.execute_in_process(instance=instance, tags={"dagster/partition": "2026"}, raise_on_error=False)
    assert again.success

    con = duckdb.connect(str(db))
    con.execute("""update fct_workforce_snapshot set annual_compensation = annual_compensation + 0.01
                   where simulation_year = 2026 and employee_id = (select min(employee_id) from fct_workforce_snapshot)""")
    con.close()
    tampered = audit.execute_in_process(instance=instance, tags={"dagster/partition": "2026"}, raise_on_error=False)
    assert not tampered.success
    failed = {e.event_specific_data.asset_check_key.name for e in tampered.all_events
              if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed}
    # The tampered row differs from an earlier run's output and from the Polars engine's recomputation.
    assert failed == {"determinism", "engine_parity"}
