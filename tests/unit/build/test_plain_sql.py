"""The guards of the dbt tests as plain SQL: a compiled test must read the year only through its
parameters, dbt must compile exactly the project's tests, and the year's tests of another
configuration than dbt's default go through `dbt test`."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from workforce_platform.build import dbt_runner, plain_sql
from workforce_platform.build.plain_sql import dbt_tests, models, parameters, store
from workforce_platform.runtime.execution import resolve_execution

NAMES = ["events_typed_and_within_year", "unique_in_year_fct_nondiscrimination_tests_test_name"]
PARAMETER_TEST = "unique_config_levels_level_id"


def _compiled(sqls: dict[str, str]):
    results = [SimpleNamespace(node=SimpleNamespace(unique_id=f"test.workforce_simulation.{name}.abc",
                                                    resource_type="test", compiled_code=sql))
               for name, sql in sqls.items()]
    return SimpleNamespace(success=True, result=SimpleNamespace(results=results), exception=None)


@pytest.fixture
def compile_returns(monkeypatch):
    monkeypatch.setattr(dbt_tests, "test_sets", lambda: {plain_sql.YEAR: NAMES, plain_sql.PARAMETERS: [PARAMETER_TEST]})

    def returns(sqls):
        monkeypatch.setattr(dbt_runner, "invoke_dbt", lambda args, db_path, settings: _compiled(sqls))
    return returns


def test_a_compiled_year_test_that_reads_the_year_as_parameters_is_taken(compile_returns, tmp_path):
    sql = "select * from main.fct_yearly_events where simulation_year = $simulation_year and scenario_id = $scenario_id"
    compile_returns({**{name: sql for name in NAMES}, PARAMETER_TEST: "select 1 from main.config_levels"})
    tests = dbt_tests._compile(tmp_path / "x.duckdb", resolve_execution(tmp_path / "x.duckdb"))
    assert sorted((t.unique_id.split(".")[2], t.test_set) for t in tests) == [
        (NAMES[0], "year"), (PARAMETER_TEST, "parameters"), (NAMES[1], "year")]
    assert tests[0].sql == sql


def test_a_compiled_year_test_without_the_year_parameter_is_refused(compile_returns, tmp_path):
    compile_returns({NAMES[0]: "select 1 where simulation_year = $simulation_year", NAMES[1]: "select 1",
                     PARAMETER_TEST: "select 1"})
    with pytest.raises(RuntimeError, match=f"{NAMES[1]}.*reads the year other than through in_year_being_built"):
        dbt_tests._compile(tmp_path / "x.duckdb", resolve_execution(tmp_path / "x.duckdb"))


@pytest.mark.parametrize("literal", [str(dbt_tests._COMPILE_YEAR), dbt_tests._COMPILE_SCENARIO])
def test_a_compiled_test_that_holds_the_year_or_scenario_as_a_literal_is_refused(compile_returns, tmp_path, literal):
    good = "select 1 where simulation_year = $simulation_year"
    compile_returns({NAMES[0]: good, NAMES[1]: good, PARAMETER_TEST: f"select 1 where x = '{literal}'"})
    with pytest.raises(RuntimeError, match=f"{PARAMETER_TEST}.*reads the year other than through in_year_being_built"):
        dbt_tests._compile(tmp_path / "x.duckdb", resolve_execution(tmp_path / "x.duckdb"))


def test_dbt_compiling_other_tests_than_the_years_is_refused(compile_returns, tmp_path):
    compile_returns({NAMES[0]: "select 1 where simulation_year = $simulation_year", PARAMETER_TEST: "select 1"})
    with pytest.raises(RuntimeError, match="not the project's"):
        dbt_tests._compile(tmp_path / "x.duckdb", resolve_execution(tmp_path / "x.duckdb"))


def test_year_tests_of_another_configuration_run_through_dbt_test(monkeypatch, tmp_path):
    monkeypatch.setattr(dbt_tests, "unsupported_configuration", lambda test_set: ["a_warning_test"])
    calls = []
    monkeypatch.setattr(dbt_runner, "run_dbt_build", lambda *args, **kwargs: calls.append(kwargs) or "dbt's result")
    db = Path(tmp_path / "x.duckdb")
    assert plain_sql.run_year_tests(SimpleNamespace(scenario_id="s"), 2025, db, resolve_execution(db)) == "dbt's result"
    assert calls == [{"select": [dbt_runner.PER_YEAR_SELECTOR], "command": "test"}]


def _compiles_as(render):
    """A stand-in for dbt's compile of the year's models: model id -> SQL rendered from the values."""
    def compile_models(scenario_id, year, start_year, db_path, settings):
        return {"model.workforce_simulation.m": render(scenario_id, year, start_year)}
    return compile_models


def test_models_whose_sql_holds_the_year_and_scenario_only_as_text_become_templates(monkeypatch, tmp_path):
    render = lambda scenario, year, start: (f"select '{scenario}' as scenario_id, {year} as simulation_year, "
                                            f"make_date({year}, 12, 31) {'-- first' if year == start else ''}")
    monkeypatch.setattr(models, "_compile_models", _compiles_as(render))
    templates = models._derive_templates(tmp_path / "x.duckdb", resolve_execution(tmp_path / "x.duckdb"))
    assert templates is not None
    filled = models._fill(templates[models.LATER]["model.workforce_simulation.m"], 2026, "s987654")
    assert filled == render("s987654", 2026, 2025)  # a scenario id with the template year's digits stays
    assert models._fill(templates[models.FIRST]["model.workforce_simulation.m"], 2025, "b") == render("b", 2025, 2025)


def test_models_with_arithmetic_on_the_year_in_jinja_are_compiled_for_each_year(monkeypatch, tmp_path):
    monkeypatch.setattr(models, "_compile_models", _compiles_as(
        lambda scenario, year, start: f"select 'lookback year {year - 1}' as message"))
    assert models._derive_templates(tmp_path / "x.duckdb", resolve_execution(tmp_path / "x.duckdb")) is None


def test_a_year_test_gets_only_the_parameters_it_names(monkeypatch, tmp_path):
    import duckdb

    db = tmp_path / "x.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table events as select * from (values (2025, 's', 1), (2026, 's', -1)) "
                "as t(simulation_year, scenario_id, amount)")
    con.close()
    monkeypatch.setattr(dbt_tests, "compiled_tests", lambda db_path, settings: [
        plain_sql.PlainTest("test.p.year_only", plain_sql.YEAR,
                            "select * from main.events where simulation_year = $simulation_year and amount < 0"),
        plain_sql.PlainTest("test.p.both", plain_sql.YEAR, "select * from main.events where "
                            "simulation_year = $simulation_year and scenario_id = $scenario_id and amount < 0")])
    for year, failing in ((2025, 0), (2026, 1)):
        result = plain_sql.run_tests(plain_sql.YEAR, db, resolve_execution(db), year, "s")
        assert [(n.unique_id, n.status, n.failures) for n in result.nodes] == [
            ("test.p.year_only", "pass" if not failing else "fail", failing),
            ("test.p.both", "pass" if not failing else "fail", failing)]


def test_parameter_views_whose_sql_depends_on_the_variables_are_left_to_dbt(monkeypatch, tmp_path):
    monkeypatch.setattr(parameters, "PARAMETERS_PATH", tmp_path / "plain_parameters.json")
    monkeypatch.setattr(parameters, "_parameters", {})
    monkeypatch.setattr(parameters, "unsupported_parameters", lambda: [])
    compiles = iter([{"model.p.v": "select 2025 as year"}, {"model.p.v": "select 2026 as year"}])
    monkeypatch.setattr(parameters, "_compile_parameter_views", lambda variables, db_path, settings: next(compiles))
    db = tmp_path / "x.duckdb"
    plain_sql.keep_parameter_statements(db, resolve_execution(db))
    assert plain_sql.parameter_statements() is None  # kept as "dbt builds them"
    plain_sql.keep_parameter_statements(db, resolve_execution(db))  # once per state: no compile again


def _manifest_of(nodes: dict) -> dict:
    defaults = {"tags": [], "language": "sql", "depends_on": {"nodes": []}}
    return {"nodes": {uid: {**defaults, **node} for uid, node in nodes.items()}}


def test_parameter_nodes_that_plain_statements_would_not_build_as_dbt_are_named(monkeypatch):
    monkeypatch.setattr(parameters, "manifest_json", lambda: _manifest_of({
        "seed.p.s": {"resource_type": "seed", "config": {}},
        "seed.p.slow_seed": {"resource_type": "seed", "config": {"fast": False}},
        "model.p.view": {"resource_type": "model", "config": {"materialized": "view"}},
        "model.p.table": {"resource_type": "model", "config": {"materialized": "table"}},
        "model.p.hooked": {"resource_type": "model", "config": {"materialized": "view", "post-hook": ["select 1"]}},
        "model.p.python": {"resource_type": "model", "language": "python", "config": {"materialized": "view"}},
        "snapshot.p.snap": {"resource_type": "snapshot", "config": {}},
        "model.p.year": {"resource_type": "model", "tags": ["per_year"], "config": {"materialized": "year_partition"}},
        "test.p.t": {"resource_type": "test", "config": {}},
    }))
    assert sorted(plain_sql.unsupported_parameters()) == [
        "model.p.hooked", "model.p.python", "model.p.table", "seed.p.slow_seed", "snapshot.p.snap"]


def test_a_failing_parameter_view_fails_the_plain_build_and_skips_the_nodes_after_it(tmp_path):
    db = tmp_path / "x.duckdb"
    statements = {
        "seeds": [{"unique_id": "seed.p.config_age_bands", "relation": '"simulation"."main"."config_age_bands"',
                   "path": "seeds/config_age_bands.csv", "delimiter": ",",
                   "columns": [["age_band_id", "INTEGER"], ["age_band_label", "VARCHAR"],
                               ["min_age", "INTEGER"], ["max_age", "INTEGER"]]}],
        "views": [{"unique_id": "model.p.broken", "relation": '"simulation"."main"."broken"',
                   "sql": "select * from main.no_such_table"},
                  {"unique_id": "model.p.after", "relation": '"simulation"."main"."after"',
                   "sql": "select * from main.config_age_bands"}]}
    result = plain_sql.build_parameter_relations(statements, db, resolve_execution(db))
    outcomes = {n.unique_id: n.status for n in result.nodes}
    assert outcomes == {"seed.p.config_age_bands": "success", "model.p.broken": "error", "model.p.after": "skipped"}
    assert not result.success and "model.p.broken" in result.error and "no_such_table" in result.error
    assert result.nodes[0].rows_affected > 0


def test_parameters_are_not_kept_when_a_seed_is_missing_from_the_database(monkeypatch, tmp_path):
    monkeypatch.setattr(parameters, "PARAMETERS_PATH", tmp_path / "plain_parameters.json")
    monkeypatch.setattr(parameters, "_parameters", {})
    monkeypatch.setattr(parameters, "unsupported_parameters", lambda: [])
    monkeypatch.setattr(parameters, "_compile_parameter_views", lambda variables, db_path, settings: {})
    monkeypatch.setattr(parameters, "_parameter_nodes", lambda: {"seed.p.config_levels": {
        "resource_type": "seed", "relation_name": '"simulation"."main"."config_levels"', "schema": "main",
        "alias": "config_levels", "original_file_path": "seeds/config_levels.csv", "config": {}}})
    db = tmp_path / "x.duckdb"
    duckdb.connect(str(db)).close()  # a database without the seed's table
    plain_sql.keep_parameter_statements(db, resolve_execution(db))
    assert plain_sql.parameter_statements() is None


def test_the_relations_a_year_reads_are_those_its_kept_models_name(monkeypatch, tmp_path):
    monkeypatch.setattr(models, "MODELS_PATH", tmp_path / "plain_models.json")
    monkeypatch.setattr(models, "_templates", {})
    relations = ["config_levels", "int_baseline_workforce_prepared", "stg_scenario"]
    assert plain_sql.relations_read(False, relations) == relations  # nothing kept: all of them
    store.keep(models.MODELS_PATH, models._templates, {
        models.FIRST: {"model.p.a": 'select * from simulation.main."int_baseline_workforce_prepared"',
                          "model.p.b": "select * from simulation.main.stg_scenario join config_levels using (x)"},
        models.LATER: {"model.p.a": "select * from simulation.main.fct_workforce_snapshot",
                          "model.p.b": "select * from simulation.main.stg_scenario join config_levels using (x)"},
    })
    assert plain_sql.relations_read(True, relations) == relations
    assert plain_sql.relations_read(False, relations) == ["config_levels", "stg_scenario"]
    store.keep(models.MODELS_PATH, models._templates, None)  # kept as "not templates"
    assert plain_sql.relations_read(False, relations) == relations
