"""The published layer stays an unbroken chain whatever path builds and promotes the years: a year
rebuilt without its promotion (an asset page's "Materialize…") is promoted when a later year built
on it is; a year that cannot be is refused by name; later years that no longer follow are
withdrawn; the `published_chain_consistent` check says so after every promotion."""

from __future__ import annotations

import duckdb
import yaml
from dagster import AssetCheckKey, AssetKey, DagsterInstance

from tests.integration.test_dagster_launch_paths import SCENARIO, _definitions
from workforce_platform.defs.asset_keys import scenario_key
from workforce_platform.checks.invariants import BY_NAME, evaluate
from workforce_platform.defs.jobs import SIMULATE_YEAR_JOB
from workforce_platform.runtime.fingerprint import table_fingerprint
from workforce_platform.commands.simulate import run_simulation

CHAIN_CHECK = "published_chain_consistent"
SNAPSHOT = "fct_workforce_snapshot"


def _set_growth(scenario, rate: float) -> None:
    data = yaml.safe_load(scenario.read_text())
    data["target_growth_rate"] = rate
    scenario.write_text(yaml.safe_dump(data, sort_keys=False))


def _rebuild_without_promotion(scenario, db, year: int) -> None:
    """What an asset page's "Materialize…" for one year launches: the year's unit and its checks."""
    definitions = _definitions(scenario, db)
    graph = definitions.resolve_asset_graph()
    unit = graph.get(scenario_key(SCENARIO, SNAPSHOT)).execution_set_asset_keys
    checks = {key for key in graph.asset_check_keys if key.asset_key in unit}
    job = definitions.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection=set(unit), asset_check_selection=checks)
    assert job.execute_in_process(instance=DagsterInstance.get(), partition_key=str(year)).success


def _run_years(scenario, db, first: int, last: int):
    """`dagster asset materialize --select 'group:simulation or group:published'` over the years."""
    job = _definitions(scenario, db).resolve_job_def(SIMULATE_YEAR_JOB)
    if first == last:
        return job.execute_in_process(instance=DagsterInstance.get(), partition_key=str(first), raise_on_error=False)
    return job.execute_in_process(instance=DagsterInstance.get(), raise_on_error=False, tags={
        "dagster/asset_partition_range_start": str(first), "dagster/asset_partition_range_end": str(last)})


def _state(db):
    """Published years, the published and working snapshots' fingerprints, the chain's violations."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        years = [r[0] for r in con.execute("select simulation_year from published.promotions order by 1").fetchall()]
        published = {y: table_fingerprint(con, f"published.{SNAPSHOT}", f"simulation_year = {y}") for y in years}
        working = {y: table_fingerprint(con, f"main.{SNAPSHOT}", f"simulation_year = {y}") for y in years}
        chain = evaluate(con, BY_NAME[CHAIN_CHECK], SCENARIO, None, 2025)
        return years, published, working, chain
    finally:
        con.close()


def _chain_results(result) -> list[bool]:
    return [e.event_specific_data.passed for e in result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.check_name == CHAIN_CHECK]


def test_a_later_year_promotes_the_unpublished_year_it_was_built_on(scenario_factory, tmp_path):
    scenario, db = scenario_factory(end_year=2028), tmp_path / "chain.duckdb"
    assert run_simulation(scenario, db_path=db, progress=lambda line: None).success
    _, published_before, _, chain = _state(db)
    assert chain.passed
    # The sequence: another growth rate, year 2026 rebuilt from its asset page (not promoted) ...
    _set_growth(scenario, 0.08)
    _rebuild_without_promotion(scenario, db, 2026)
    years, published, working, chain = _state(db)
    assert years == [2025, 2026, 2027, 2028] and published == published_before and chain.passed
    assert working[2026] != published[2026]
    # ... then the later year with its promotion (the CLI's selection for partition 2027).
    result = _run_years(scenario, db, 2027, 2027)
    assert result.success
    years, published, working, chain = _state(db)
    # 2026 was promoted first; 2028, built on the earlier 2027, was withdrawn.
    assert years == [2025, 2026, 2027], years
    assert published[2026] == working[2026] != published_before[2026]
    assert chain.passed, chain.first_rows
    assert _chain_results(result) == [True]
    promoted = {(e.event_specific_data.materialization.partition) for e in result.all_events
                if e.event_type_value == "ASSET_MATERIALIZATION"
                and e.event_specific_data.materialization.asset_key == scenario_key(SCENARIO, "published", SNAPSHOT)}
    assert promoted == {"2026", "2027"}
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select simulation_year from published.withdrawals order by 1").fetchall() == [(2028,)]
        # Each published year starts from the one before it.
        assert con.execute("""select l.starting_headcount = e.ending_headcount from published.fct_year_summary l
                              join published.fct_year_summary e on e.simulation_year = l.simulation_year - 1
                              where l.simulation_year = 2027""").fetchall() == [(True,)]
    finally:
        con.close()
    # Re-running the withdrawn year completes the chain again.
    assert _run_years(scenario, db, 2028, 2028).success
    years, _, _, chain = _state(db)
    assert years == [2025, 2026, 2027, 2028] and chain.passed


def test_a_run_over_the_later_years_promotes_them_all_on_the_rebuilt_year(scenario_factory, tmp_path):
    scenario, db = scenario_factory(end_year=2028), tmp_path / "chain_range.duckdb"
    assert run_simulation(scenario, db_path=db, progress=lambda line: None).success
    _set_growth(scenario, 0.08)
    _rebuild_without_promotion(scenario, db, 2026)
    # The UI's Materialize all… → Custom [2027...2028]: one run of the years.
    result = _run_years(scenario, db, 2027, 2028)
    assert result.success
    years, published, working, chain = _state(db)
    assert years == [2025, 2026, 2027, 2028] and published == working and chain.passed
    assert _chain_results(result) == [True]


def test_a_year_built_on_a_failed_year_is_refused_by_name(scenario_factory, tmp_path):
    scenario, db = scenario_factory(end_year=2027), tmp_path / "chain_refused.duckdb"
    assert run_simulation(scenario, db_path=db, progress=lambda line: None).success
    _set_growth(scenario, 0.08)
    _rebuild_without_promotion(scenario, db, 2026)
    years_before, published_before, _, _ = _state(db)
    # 2026's gates failed: it cannot be promoted, so neither can 2027, built on it.
    con = duckdb.connect(str(db))
    con.execute("""update audit.year_materializations set checks_passed = false
                   where simulation_year = 2026 and recorded_at = (select max(recorded_at)
                   from audit.year_materializations where simulation_year = 2026)""")
    con.close()
    result = _run_years(scenario, db, 2027, 2027)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE"
                   and e.step_key == "publish_year").step_failure_data.user_failure_data.description
    assert "built on the working year 2026" in failure and "failed its blocking checks" in failure, failure
    years, published, _, chain = _state(db)
    assert (years, published) == (years_before, published_before) and chain.passed


def test_promoting_a_changed_year_alone_withdraws_the_later_years(scenario_factory, tmp_path, capsys):
    scenario, db = scenario_factory(end_year=2028), tmp_path / "chain_alone.duckdb"
    assert run_simulation(scenario, db_path=db, progress=lambda line: None).success
    _set_growth(scenario, 0.08)
    assert run_simulation(scenario, years=[2026], db_path=db, progress=lambda line: None).success
    years, published, working, chain = _state(db)
    assert years == [2025, 2026] and published == working and chain.passed
    # The same results again withdraw nothing.
    assert run_simulation(scenario, years=[2027, 2028], db_path=db, progress=lambda line: None).success
    assert run_simulation(scenario, years=[2026], db_path=db, progress=lambda line: None).success
    years, _, _, chain = _state(db)
    assert years == [2025, 2026, 2027, 2028] and chain.passed


def test_the_chain_check_runs_alone_and_fails_on_a_broken_chain(scenario_factory, tmp_path):
    scenario, db = scenario_factory(end_year=2026), tmp_path / "chain_check.duckdb"
    assert run_simulation(scenario, db_path=db, progress=lambda line: None).success
    con = duckdb.connect(str(db))
    con.execute("""delete from published.fct_workforce_snapshot where simulation_year = 2026 and employee_id = (
                       select employee_id from published.fct_workforce_snapshot
                       where simulation_year = 2026 and status_detail = 'continuous_active' order by 1 limit 1)""")
    con.close()
    definitions = _definitions(scenario, db)
    key = AssetCheckKey(AssetKey([SCENARIO, "published", SNAPSHOT]), CHAIN_CHECK)
    job = definitions.resolve_implicit_global_asset_job_def().get_subset(asset_check_selection={key},
                                                                        asset_selection=set())
    result = job.execute_in_process(instance=DagsterInstance.get(), raise_on_error=False)
    assert _chain_results(result) == [False]
