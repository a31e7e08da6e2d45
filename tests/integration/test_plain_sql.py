"""dbt's compiled SQL as plain statements gives what dbt's runner gives on the same database: the
project's tests (the parameters', the year's after the Polars engine) the same statuses, failing
rows and messages, passing and failing; the year's models (the parity gate's SQL side) the same
tables, column types and rows, and a failing model fails the build; the parameters' seeds and
views the same tables, views, column types and rows, without dbt once it built them for the
project's state."""

from __future__ import annotations

import duckdb
import pytest

from workforce_platform.config.scenario import load_scenario
from workforce_platform.parity.compare import copy_sql_side_inputs
from workforce_platform.engines.selection import resolve_engine
from workforce_platform.build import dbt_runner, plain_sql
from workforce_platform.build.plain_sql import dbt_tests, models, parameters, store
from workforce_platform.runtime.execution import resolve_execution
from workforce_platform.build.dbt_runner import PER_YEAR_SELECTOR, run_dbt_build
from workforce_platform.build.parameters import build_parameters
from workforce_platform.build.year import build_year


def _outcomes(result):
    return {n.unique_id: (n.status, n.failures or 0, n.message) for n in result.nodes}


@pytest.fixture
def polars_years(tmp_path, scenario_factory):
    """Two years built by the Polars engine (its tests already run as plain SQL, and passed)."""
    scenario = load_scenario(scenario_factory(end_year=2026))
    db = tmp_path / "polars years.duckdb"  # not dbt's catalog name, which the compiled tests use
    settings = resolve_execution(db)
    engine = resolve_engine(scenario, "polars", parity=False)
    assert plain_sql.unsupported_configuration(plain_sql.YEAR) == []  # else the years would run `dbt test`
    assert plain_sql.unsupported_configuration(plain_sql.PARAMETERS) == []
    parameters = build_parameters(scenario, db, settings)
    assert parameters.success, parameters.error
    # Each test once, as a plain query: dbt built only the seeds and views.
    assert sorted(n.unique_id for n in parameters.nodes if n.resource_type == "test") == sorted(
        t.unique_id for t in plain_sql.compiled_tests(db, settings) if t.test_set == plain_sql.PARAMETERS)
    for year in (2025, 2026):
        result = build_year(scenario, year, db, settings, previous_built_in_this_run=True, engine=engine)
        assert result.success, result.error
        assert {n.unique_id for n in result.nodes if n.resource_type == "test"} == set(
            t.unique_id for t in plain_sql.compiled_tests(db, settings) if t.test_set == plain_sql.YEAR)
    return scenario, db, settings


def test_plain_sql_tests_agree_with_dbt_test_on_passing_years(polars_years):
    scenario, db, settings = polars_years
    for year in (2025, 2026):
        plain = plain_sql.run_year_tests(scenario, year, db, settings)
        dbt = run_dbt_build(scenario, year, db, settings, select=[PER_YEAR_SELECTOR], command="test")
        assert plain.success and dbt.success
        assert len(plain.nodes) == 45
        assert {uid: outcome[:2] for uid, outcome in _outcomes(plain).items()} == {
            uid: outcome[:2] for uid, outcome in _outcomes(dbt).items()}


def test_plain_sql_tests_fail_where_dbt_test_fails_with_the_same_rows_and_message(polars_years):
    scenario, db, settings = polars_years
    con = duckdb.connect(str(db))
    try:
        # Two new hires of 2026 dated in 2027, one employee twice in the year's balances, a merit
        # raise without an employee, and the year's summary twice.
        con.execute("""update int_new_hires_generated set hire_date = make_date(2027, 1, 2)
                       where simulation_year = 2026 and employee_id in (
                           select employee_id from int_new_hires_generated where simulation_year = 2026
                           order by employee_id limit 2)""")
        con.execute("""insert into int_account_balances_rolled
                       select * from int_account_balances_rolled where simulation_year = 2026
                       order by employee_id limit 1""")
        con.execute("""update int_merit_raises_applied set employee_id = null
                       where simulation_year = 2026 and employee_id = (
                           select min(employee_id) from int_merit_raises_applied where simulation_year = 2026)""")
        con.execute("insert into fct_year_summary select * from fct_year_summary where simulation_year = 2026")
    finally:
        con.close()
    plain = plain_sql.run_year_tests(scenario, 2026, db, settings)
    dbt = run_dbt_build(scenario, 2026, db, settings, select=[PER_YEAR_SELECTOR], command="test")
    assert not plain.success and not dbt.success
    failed = {uid: outcome for uid, outcome in _outcomes(plain).items() if outcome[0] == "fail"}
    assert failed == {uid: outcome for uid, outcome in _outcomes(dbt).items() if outcome[0] == "fail"}
    names = {uid.split(".")[2]: outcome for uid, outcome in failed.items()}
    assert names["new_hires_dated_within_year"][:2] == ("fail", 2)
    assert names["new_hires_dated_within_year"][2] == "Got 2 results, configured to fail if != 0"
    assert {name: outcome[:2] for name, outcome in names.items()} == {
        "new_hires_dated_within_year": ("fail", 2),
        "unique_in_year_int_account_balances_rolled_employee_id": ("fail", 1),
        "not_null_in_year_int_merit_raises_applied_employee_id": ("fail", 1),
        "one_row_in_year_fct_year_summary": ("fail", 1)}
    assert "new_hires_dated_within_year" in plain.error
    # The other year's rows are untouched, and so are its results.
    assert plain_sql.run_year_tests(scenario, 2025, db, settings).success


def test_plain_sql_parameter_tests_agree_with_dbt_test_passing_and_failing(polars_years):
    scenario, db, settings = polars_years
    parameter_tests = {"select": ["fqn:*"], "exclude": [PER_YEAR_SELECTOR], "command": "test"}
    plain = plain_sql.run_tests(plain_sql.PARAMETERS, db, settings)
    dbt = run_dbt_build(scenario, 2025, db, settings, **parameter_tests)
    assert plain.success and dbt.success and len(plain.nodes) == len(dbt.nodes) > 40
    assert {u: o[:2] for u, o in _outcomes(plain).items()} == {u: o[:2] for u, o in _outcomes(dbt).items()}
    con = duckdb.connect(str(db))
    try:  # a gap after the first pay band, a second band 1, and a deferral rate given twice
        con.execute("update config_pay_bands set max_compensation = max_compensation - 1 where pay_band_id = 1")
        con.execute("insert into config_pay_bands select * from config_pay_bands where pay_band_id = 1")
        con.execute("""insert into config_voluntary_deferral_rates
                       select * from config_voluntary_deferral_rates where age_band_id = 1 and pay_band_id = 1""")
    finally:
        con.close()
    plain = plain_sql.run_tests(plain_sql.PARAMETERS, db, settings)
    dbt = run_dbt_build(scenario, 2025, db, settings, **parameter_tests)
    failed = {u: o for u, o in _outcomes(plain).items() if o[0] != "pass"}
    assert failed and not plain.success and not dbt.success
    assert failed == {u: o for u, o in _outcomes(dbt).items() if o[0] != "pass"}
    assert sorted(u.split(".")[2] for u in failed) == ["contiguous_bands_config_pay_bands_min_compensation__max_compensation",
                                                        "unique_config_pay_bands_pay_band_id",
                                                        "voluntary_deferral_rates_unique_by_age_and_pay_band"], failed


def test_the_compiled_tests_are_kept_for_the_projects_state_and_read_back_without_dbt(polars_years, monkeypatch):
    _, db, settings = polars_years
    compiled = plain_sql.compiled_tests(db, settings)
    assert plain_sql.COMPILED_PATH.is_file()
    monkeypatch.setattr(dbt_tests, "_compiled", {})

    def no_dbt(*args, **kwargs):
        raise AssertionError("compiled again although the project is unchanged")

    monkeypatch.setattr(dbt_tests, "_compile", no_dbt)
    assert plain_sql.compiled_tests(db, settings) == compiled
    monkeypatch.setattr(dbt_tests, "_compiled", {})
    monkeypatch.setattr(store, "source_digest", lambda: "another state of the project")
    with pytest.raises(AssertionError, match="compiled again"):
        plain_sql.compiled_tests(db, settings)


def _scratch_with_inputs(db, scenario, year, path):
    path.parent.mkdir(parents=True)
    con = duckdb.connect(str(db))
    try:
        copy_sql_side_inputs(con, path, scenario, year)
    finally:
        con.close()
    return path


def _tables(path):
    """Every table of a database: its columns with their types, and its rows in a fixed order."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute("select table_name from duckdb_tables() order by table_name").fetchall()]
        return {name: (con.execute(f"describe {name}").fetchall(),
                       con.execute(f"select * from {name} order by all").fetchall()) for name in names}
    finally:
        con.close()


@pytest.mark.parametrize("year", [2025, 2026], ids=["first_year", "later_year"])
def test_the_year_models_run_as_plain_statements_build_what_dbt_run_builds(polars_years, tmp_path, year):
    scenario, db, settings = polars_years
    # The project's models are templates: filled in for the year, dbt's own compile for it.
    assert plain_sql.model_templates(db, settings) is not None
    assert plain_sql.year_model_sql(scenario, year, db, settings) == models._compile_models(
        scenario.scenario_id, year, scenario.start_year, db, settings)
    plain_db = _scratch_with_inputs(db, scenario, year, tmp_path / "plain" / "scratch.duckdb")
    dbt_db = _scratch_with_inputs(db, scenario, year, tmp_path / "dbt" / "scratch.duckdb")
    plain = plain_sql.build_year_models(scenario, year, plain_db, settings)
    dbt = run_dbt_build(scenario, year, dbt_db, settings, select=[PER_YEAR_SELECTOR], command="run")
    assert plain.success and dbt.success, (plain.error, dbt.error)
    assert sorted(n.unique_id for n in plain.nodes) == sorted(n.unique_id for n in dbt.nodes) and len(plain.nodes) == 17
    assert _tables(plain_db) == _tables(dbt_db)


def test_a_failing_model_fails_the_plain_build_and_skips_the_models_after_it(polars_years, tmp_path):
    scenario, db, settings = polars_years
    scratch = _scratch_with_inputs(db, scenario, 2026, tmp_path / "plain" / "scratch.duckdb")
    con = duckdb.connect(str(scratch))
    try:
        con.execute("delete from int_irs_limits_projected where plan_year = 2026")
    finally:
        con.close()
    result = plain_sql.build_year_models(scenario, 2026, scratch, settings)
    statuses = {n.unique_id.split(".")[-1]: n.status for n in result.nodes}
    assert not result.success and statuses["int_plan_contributions_calculated"] == "error"
    assert "no IRS limits for plan year 2026" in result.error
    assert statuses["fct_workforce_snapshot"] == "skipped" and statuses["int_starting_workforce_assembled"] == "success"


def _relations(path):
    """Every table and view of a database's main schema: its kind, its columns with their types,
    and its rows in a fixed order."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute("select table_name, table_type from information_schema.tables "
                            "where table_schema = 'main' order by table_name").fetchall()
        return {name: (kind, con.execute(f"describe {name}").fetchall(),
                       con.execute(f"select * from {name} order by all").fetchall()) for name, kind in names}
    finally:
        con.close()


def test_the_parameters_as_plain_statements_are_what_dbt_build_builds(tmp_path, scenario_factory, monkeypatch):
    scenario = load_scenario(scenario_factory(end_year=2026))
    dbt_db, plain_db = tmp_path / "dbt parameters.duckdb", tmp_path / "plain parameters.duckdb"
    settings = resolve_execution(dbt_db)
    # A state of the project with nothing kept: the first build goes through dbt and keeps the rest.
    monkeypatch.setattr(parameters, "PARAMETERS_PATH", tmp_path / "plain_parameters.json")
    monkeypatch.setattr(parameters, "_parameters", {})
    assert plain_sql.unsupported_parameters() == [] and plain_sql.parameter_statements() is None
    by_dbt = build_parameters(scenario, dbt_db, settings)
    assert by_dbt.success, by_dbt.error
    assert {n.message for n in by_dbt.nodes if n.resource_type in ("seed", "model")} != {"plain"}
    statements = plain_sql.parameter_statements()
    assert statements is not None and (tmp_path / "plain_parameters.json").is_file()
    views = [entry["relation"].split(".")[-1].strip('"') for entry in statements["views"]]
    assert len(statements["seeds"]) == 16 and len(views) == 9
    assert views.index("stg_scenario") < views.index("int_irs_limits_projected")  # dependency order

    def no_dbt(*args, **kwargs):
        raise AssertionError("dbt ran although the parameters' statements are kept")

    monkeypatch.setattr(dbt_runner, "invoke_dbt", no_dbt)
    plain = build_parameters(scenario, plain_db, settings)
    assert plain.success, plain.error
    assert sorted((n.unique_id, n.status) for n in plain.nodes) == sorted((n.unique_id, n.status) for n in by_dbt.nodes)
    assert {n.message for n in plain.nodes if n.resource_type in ("seed", "model")} == {"plain"}
    seed_rows = {n.unique_id: n.rows_affected for n in plain.nodes if n.resource_type == "seed"}
    assert seed_rows == {n.unique_id: n.rows_affected for n in by_dbt.nodes if n.resource_type == "seed"}
    relations = _relations(plain_db)
    assert relations == _relations(dbt_db) and len(relations) == 25
    # Loaded again over the same database (its views and tables in place), it is the same again.
    again = build_parameters(scenario, plain_db, settings)
    assert again.success, again.error
    assert _relations(plain_db) == relations


def test_the_parameters_reload_as_plain_statements_under_built_years(polars_years):
    scenario, db, settings = polars_years
    assert plain_sql.parameter_statements() is not None  # kept by the fixture's first build at the latest
    result = build_parameters(scenario, db, settings)
    assert result.success, result.error
    assert {n.message for n in result.nodes if n.resource_type in ("seed", "model")} == {"plain"}
    engine = resolve_engine(scenario, "polars", parity=False)
    year = build_year(scenario, 2026, db, settings, previous_built_in_this_run=True, engine=engine)
    assert year.success, year.error
