"""dbt's compiled SQL run as plain DuckDB statements, where dbt's runner costs more than the SQL:
the project's tests, the year's models of the parity gate's SQL side, and the parameters' seeds
and views. What dbt compiled is read from the manifest and the files kept in target/, so a process
that only runs these never imports dbt (dbt_project.manifest_json).

**Tests** (the parameters' tests, and the year's tests after the Polars engine). They are dbt's own
(generic tests declared in the models' YAML). dbt compiles them once per state of the project;
the year's tests leave the year and the scenario as the DuckDB parameters $simulation_year and
$scenario_id (the macro `in_year_being_built`). Every build then runs them as plain queries. In
dbt's runner the same tests cost about 0.3-0.5 s a year and 0.7 s for the parameters (selection,
the adapter's cache, a compile per test); the queries take a few milliseconds each. The results
carry dbt's statuses, failing rows and messages, so the asset checks read them as they read
dbt's. Tests of another configuration than dbt's default (severity warn, another fail_calc,
warn_if or error_if, where, limit, stored failures) run through dbt. The compiled tests are kept
in memory and in target/plain_tests.json, labelled with the project's source digest: a changed
project compiles them again.

**The parity gate's SQL side** (`build_year_models`): the year's models as dbt compiles them for
the year (the same SQL `dbt run` would run: filled in from templates that dbt compiled once per
state of the project, see `model_templates`), run in dependency order with the two statements of
the `year_partition` materialization: create the table, or replace the year's rows in it. The
gate compares every table of it with the Polars engine's; a model of another materialization or
with hooks makes the build go through `dbt run`.

**The parameters** (`build_parameter_relations`): the first parameters build for a state of the
project goes through `dbt build` and keeps what dbt built (`keep_parameter_statements`): each
seed's table columns and CSV file, each view's SQL. Later builds create the seed tables with those
columns and fill them with dbt-duckdb's own statement (`COPY ... FROM` the file), then create the
views in dependency order. Anything else in the parameters (`unsupported_parameters`) makes the
build go through dbt.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import duckdb

from workforce_platform.config.scenario import Scenario
from workforce_platform.runtime.dbt_project import (
    DBT_PROJECT_DIR, manifest_json, parsed_manifest, per_year_unit, source_digest,
)
from workforce_platform.runtime import database
from workforce_platform.runtime.execution import ExecutionSettings

COMPILED_PATH = DBT_PROJECT_DIR / "target" / "plain_tests.json"
YEAR_AS_PARAMETERS_VAR = "year_as_parameters"
DBT_CATALOG = database.CATALOG  # profiles.yml attaches the scenario's database under this name
YEAR, PARAMETERS = "year", "parameters"  # the two sets: the per-year models' tests, the others
# Compiled with values that cannot be a real partition: a test whose SQL holds them reads the year
# other than through the parameters, and is refused (it would test the wrong rows every year).
_COMPILE_YEAR = 987_654
_COMPILE_SCENARIO = "tests-compiled-without-a-scenario"
_DEFAULT_CONFIGURATION = ("count(*)", "!= 0", "!= 0", "ERROR", None, None, False)
_lock = threading.Lock()
_compiled: dict[str, list[dict]] = {}


@dataclass(frozen=True)
class PlainTest:
    unique_id: str
    test_set: str  # YEAR or PARAMETERS
    sql: str  # dbt's compiled test: the failing rows (the year's with $simulation_year and $scenario_id)


def test_sets() -> dict[str, list[str]]:
    """The tests by set, by name, as dbt selects them: `dbt test --select tag:per_year` takes the
    tests of any per-year model (eager indirect selection), the parameters' build the others."""
    nodes = manifest_json()["nodes"]
    sets: dict[str, list[str]] = {YEAR: [], PARAMETERS: []}
    for uid, in_year_unit in per_year_unit(nodes).items():
        if nodes[uid]["resource_type"] == "test":
            sets[YEAR if in_year_unit else PARAMETERS].append(nodes[uid]["name"])
    return {name: sorted(names) for name, names in sets.items()}


def unsupported_configuration(test_set: str) -> list[str]:
    """The set's tests whose configuration the plain queries do not reproduce."""
    names = set(test_sets()[test_set])
    unsupported = []
    for node in manifest_json()["nodes"].values():
        if node["resource_type"] == "test" and node["name"] in names:
            config = node["config"]
            if (config.get("fail_calc"), config.get("warn_if"), config.get("error_if"),
                    str(config.get("severity")).upper(), config.get("where"), config.get("limit"),
                    bool(config.get("store_failures"))) != _DEFAULT_CONFIGURATION:
                unsupported.append(node["name"])
    return unsupported


def compiled_tests(db_path: Path, settings: ExecutionSettings) -> list[PlainTest]:
    """Every compiled test for the project's current state (compiled by dbt when none are kept)."""
    kept = _kept_for_project(COMPILED_PATH, _compiled, lambda: [
        {"unique_id": t.unique_id, "test_set": t.test_set, "sql": t.sql} for t in _compile(db_path, settings)])
    return [PlainTest(t["unique_id"], t["test_set"], t["sql"]) for t in kept]


_NOT_KEPT = object()


def _kept_for_project(path: Path, memory: dict, derive: Callable[[], Any]) -> Any:
    """`derive()`'s value (JSON) for the project's current state: from `memory`, else from `path`
    when it was kept there for this state, else derived and kept (labelled with the digest)."""
    with _lock:
        value = _read_kept(path, memory)
        if value is _NOT_KEPT:
            value = derive()
            _keep(path, memory, value)
        return value


def _read_kept(path: Path, memory: dict) -> Any:
    """The value kept in `memory` or `path` for the project's current state, else _NOT_KEPT."""
    digest = source_digest()
    if digest in memory:
        return memory[digest]
    try:
        kept = json.loads(path.read_text())
        value = kept["value"] if kept.get("source_digest") == digest else _NOT_KEPT
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        value = _NOT_KEPT
    if value is not _NOT_KEPT:
        memory.clear()
        memory[digest] = value
    return value


def _keep(path: Path, memory: dict, value: Any) -> None:
    digest = source_digest()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps({"source_digest": digest, "value": value}, indent=1))
    os.replace(partial, path)  # another process reads the old file or the new one
    memory.clear()
    memory[digest] = value


def _compile(db_path: Path, settings: ExecutionSettings) -> list[PlainTest]:
    from workforce_platform.build.year import invoke_dbt

    sets = test_sets()
    set_of = {name: test_set for test_set, names in sets.items() for name in names}
    variables = {"scenario_id": _COMPILE_SCENARIO, "simulation_year": _COMPILE_YEAR, "start_year": _COMPILE_YEAR,
                 YEAR_AS_PARAMETERS_VAR: True}
    # `--log-level none`: dbt prints the compiled SQL of every node named in a selection, even quietly.
    outcome = invoke_dbt(["compile", "--quiet", "--log-level", "none", "--no-write-json", "--no-populate-cache", "--no-introspect",
                          "--vars", json.dumps(variables), "--select", *sorted(set_of)], db_path, settings)
    if not outcome.success:
        raise RuntimeError(f"dbt could not compile the project's tests: {outcome.exception}")
    compiled = {r.node.unique_id: r.node.compiled_code for r in outcome.result.results
                if str(r.node.resource_type) == "test"}
    if sorted(uid.split(".")[2] for uid in compiled) != sorted(set_of):
        raise RuntimeError(f"dbt compiled the tests {sorted(compiled)}, not the project's {sorted(set_of)}")
    tests = [PlainTest(uid, set_of[uid.split(".")[2]], sql) for uid, sql in sorted(compiled.items())]
    for test in tests:
        literal = str(_COMPILE_YEAR) in test.sql or _COMPILE_SCENARIO in test.sql
        if literal or (test.test_set == YEAR and "$simulation_year" not in test.sql):
            raise RuntimeError(f"{test.unique_id} reads the year other than through in_year_being_built(), so it "
                               "cannot be compiled once for every year:\n" + test.sql)
    return tests


def run_tests(test_set: str, db_path: Path, settings: ExecutionSettings, year: int = 0, scenario_id: str = ""):
    """Runs the set's tests on `db_path` (the caller holds the database; the year's with `year` and
    `scenario_id`) and returns their results as dbt would: pass, fail or error, the failing rows
    and dbt's message."""
    from workforce_platform.build.year import NodeResult, YearBuildResult

    started = time.perf_counter()
    tests = [t for t in compiled_tests(db_path, settings) if t.test_set == test_set]
    parameters = {"simulation_year": year, "scenario_id": scenario_id} if test_set == YEAR else None
    nodes = []
    con = _connect_as_dbt(db_path, settings, read_only=True)
    try:
        for test in tests:
            begun = time.perf_counter()
            try:
                # dbt's own wrapper for a test of the default configuration (count, != 0).
                # Only the parameters the query names: DuckDB refuses any other.
                named = {k: v for k, v in parameters.items() if f"${k}" in test.sql} if parameters else None
                failures = con.execute(f"select count(*) from (\n{test.sql}\n) as dbt_internal_test",
                                       named).fetchall()[0][0]
            except duckdb.Error as exc:
                nodes.append(NodeResult(test.unique_id, "test", "error", str(exc), time.perf_counter() - begun))
                continue
            message = "" if failures == 0 else (
                f"Got {failures} result{'s' if failures != 1 else ''}, configured to fail if != 0")
            nodes.append(NodeResult(test.unique_id, "test", "pass" if failures == 0 else "fail", message,
                                    time.perf_counter() - begun, failures=failures))
    finally:
        con.close()
    result = YearBuildResult(year=year, success=True, nodes=nodes, dbt_seconds=time.perf_counter() - started)
    result.fail_with_failed_nodes(settings)
    return result


def _connect_as_dbt(db_path: Path, settings: ExecutionSettings, read_only: bool) -> duckdb.DuckDBPyConnection:
    """`db_path` under the catalog name that dbt's profile gives it (the compiled SQL names it),
    with the profile's DuckDB settings."""
    return database.connect(db_path, read_only=read_only, settings=settings,
                            session={"preserve_insertion_order": False})  # as profiles.yml sets it


def run_year_tests(scenario: Scenario, year: int, db_path: Path, settings: ExecutionSettings):
    """The year's tests, as plain queries (or as `dbt test` when one has another configuration)."""
    from workforce_platform.build.year import PER_YEAR_SELECTOR, run_dbt_build

    if unsupported_configuration(YEAR):
        return run_dbt_build(scenario, year, db_path, settings, select=[PER_YEAR_SELECTOR], command="test")
    return run_tests(YEAR, db_path, settings, year, scenario.scenario_id)


def build_year_models(scenario: Scenario, year: int, db_path: Path, settings: ExecutionSettings):
    """The year's models in `db_path` (a scratch database holding their inputs), as dbt compiles
    them for the year (`year_model_sql`), run as plain statements in dependency order; returns the
    build's result as `dbt run` would (a failing model fails it, and the models after it are
    skipped)."""
    from workforce_platform.build.year import (
        PER_YEAR_SELECTOR, NodeResult, YearBuildResult, run_dbt_build,
    )

    models = _year_models()
    if any(node["config"]["materialized"] != "year_partition" or _has_hooks(node) for node in models.values()):
        return run_dbt_build(scenario, year, db_path, settings, select=[PER_YEAR_SELECTOR], command="run")
    started = time.perf_counter()
    try:
        compiled = year_model_sql(scenario, year, db_path, settings)
    except ModelsNotCompiled as exc:
        return YearBuildResult(year=year, success=False, dbt_seconds=time.perf_counter() - started, error=str(exc))
    result = YearBuildResult(year=year, success=True)
    con = _connect_as_dbt(db_path, settings, read_only=False)
    try:
        existing = {name for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = ? and schema_name = 'main'",
            [DBT_CATALOG]).fetchall()}
        failed = None
        for uid in _dependency_order(models):
            if failed is not None:
                result.nodes.append(NodeResult(uid, "model", "skipped", f"skipped after {failed} failed", 0.0))
                continue
            table = f'{DBT_CATALOG}.main."{models[uid]["alias"]}"'
            begun = time.perf_counter()
            try:
                if models[uid]["alias"] in existing:  # each model writes only its own table
                    con.execute("begin transaction")
                    con.execute(f"delete from {table} where scenario_id = ? and simulation_year = ?",
                                [scenario.scenario_id, year])
                    con.execute(f"insert into {table} by name {compiled[uid]}")
                    con.execute("commit")
                else:
                    con.execute(f"create table {table} as {compiled[uid]}")
                result.nodes.append(NodeResult(uid, "model", "success", "plain", time.perf_counter() - begun))
            except duckdb.Error as exc:
                failed = uid
                result.nodes.append(NodeResult(uid, "model", "error", str(exc), time.perf_counter() - begun))
    finally:
        con.close()
    result.dbt_seconds = time.perf_counter() - started
    result.fail_with_failed_nodes(settings)
    return result


class ModelsNotCompiled(RuntimeError):
    """dbt could not compile the year's models."""


MODELS_PATH = DBT_PROJECT_DIR / "target" / "plain_models.json"
FIRST, LATER = "first_year", "later_year"  # is_first_year() compiles a model two ways
# Two sets of values that cannot be a real partition; see `model_templates`.
_TEMPLATE_VALUES = ((987_654, "scenario_template_a"), (876_543, "scenario_template_b"))
_templates: dict[str, Optional[dict]] = {}


def _year_models() -> dict[str, dict]:
    nodes = manifest_json()["nodes"]
    return {uid: nodes[uid] for uid, in_year_unit in per_year_unit(nodes).items()
            if in_year_unit and nodes[uid]["resource_type"] == "model"}


def _has_hooks(node: dict) -> bool:
    return bool(node["config"].get("pre-hook") or node["config"].get("post-hook"))


def year_model_sql(scenario: Scenario, year: int, db_path: Path, settings: ExecutionSettings) -> dict[str, str]:
    """The year's models' SQL, by model id, exactly as dbt compiles it for the scenario and year:
    filled in from the templates kept for the project's state (`model_templates`), or compiled by
    dbt for the year when the models are no textual function of the year and scenario."""
    templates = model_templates(db_path, settings)
    if templates is None:
        return _compile_models(scenario.scenario_id, year, scenario.start_year, db_path, settings)
    variant = FIRST if year == scenario.start_year else LATER
    return {uid: _fill(sql, year, scenario.scenario_id) for uid, sql in templates[variant].items()}


def _fill(template: str, year: int, scenario_id: str) -> str:
    # The year first: a scenario id may hold digits, the template scenario holds none.
    template_year, template_scenario = _TEMPLATE_VALUES[0]
    return template.replace(str(template_year), str(year)).replace(template_scenario, scenario_id)


def model_templates(db_path: Path, settings: ExecutionSettings) -> Optional[dict[str, dict[str, str]]]:
    """The year's models compiled by dbt for a template year and scenario, first and later year,
    kept per state of the project; None when they are not templates. They are taken only when
    filling in a second year and scenario gives, character for character, what dbt compiles for
    them: so the year and scenario enter the SQL only as their text (no arithmetic on them in
    Jinja, no other value that holds them), and filling in any year gives dbt's own SQL."""
    return _kept_for_project(MODELS_PATH, _templates, lambda: _derive_templates(db_path, settings))


def prepare_year_models() -> None:
    """Loads what `build_year_models` needs: the manifest, and dbt itself (imported, the project
    parsed) only when no templates are kept for the project's state, so dbt will compile."""
    manifest_json()
    with _lock:
        kept = _read_kept(MODELS_PATH, _templates)
    if kept is _NOT_KEPT or kept is None:
        parsed_manifest()


def relations_read(first_year: bool, relations: list[str]) -> list[str]:
    """Those of `relations` that the year's models name (the first year's or a later year's), by
    the templates kept for the project's state; all of them when none are kept. A relation's name
    is in the compiled SQL of every model that reads it, so nothing read is left out."""
    with _lock:
        kept = _read_kept(MODELS_PATH, _templates)
    if kept is _NOT_KEPT or kept is None:
        return list(relations)
    sql = kept[FIRST if first_year else LATER].values()
    return [name for name in relations if any(name in text for text in sql)]


def _derive_templates(db_path: Path, settings: ExecutionSettings) -> Optional[dict[str, dict[str, str]]]:
    (year_a, scenario_a), (year_b, scenario_b) = _TEMPLATE_VALUES
    templates = {}
    for variant, years_before in ((FIRST, 0), (LATER, 1)):
        first = _compile_models(scenario_a, year_a, year_a - years_before, db_path, settings)
        second = _compile_models(scenario_b, year_b, year_b - years_before, db_path, settings)
        if {uid: _fill(sql, year_b, scenario_b) for uid, sql in first.items()} != second:
            return None
        templates[variant] = first
    return templates


def _compile_models(scenario_id: str, year: int, start_year: int, db_path: Path,
                    settings: ExecutionSettings) -> dict[str, str]:
    from workforce_platform.build.year import PER_YEAR_SELECTOR

    variables = {"scenario_id": scenario_id, "simulation_year": year, "start_year": start_year}
    return _compile_nodes(sorted(_year_models()), [PER_YEAR_SELECTOR], variables, "the year's models",
                          db_path, settings)


def _compile_nodes(unique_ids: list[str], select: list[str], variables: dict, what: str, db_path: Path,
                   settings: ExecutionSettings) -> dict[str, str]:
    """The SQL dbt compiles for `unique_ids` (selected by `select`) with `variables`, by node id."""
    from workforce_platform.build.year import invoke_dbt

    outcome = invoke_dbt(["compile", "--quiet", "--log-level", "none", "--no-write-json", "--no-populate-cache",
                          "--vars", json.dumps(variables), "--select", *select], db_path, settings)
    if not outcome.success:
        raise ModelsNotCompiled(f"dbt could not compile {what}: {outcome.exception}")
    compiled = {r.node.unique_id: r.node.compiled_code for r in outcome.result.results if r.node.unique_id in unique_ids}
    if sorted(compiled) != unique_ids:
        raise RuntimeError(f"dbt compiled {sorted(compiled)}, not {what} {unique_ids}")
    return compiled


def _dependency_order(models: dict) -> list[str]:
    """The models, each after the models it reads (ties by id, so the order is always the same)."""
    order: list[str] = []
    placed: set[str] = set()

    def place(uid: str) -> None:
        if uid in placed:
            return
        placed.add(uid)
        for parent in sorted(models[uid]["depends_on"]["nodes"]):
            if parent in models:
                place(parent)
        order.append(uid)

    for uid in sorted(models):
        place(uid)
    return order


PARAMETERS_PATH = DBT_PROJECT_DIR / "target" / "plain_parameters.json"
# Two sets of variables for compiling the parameters' views: they are taken only when both give
# the same SQL (the views do not depend on the scenario or year that dbt is told).
_PARAMETER_VARIABLES = tuple({"scenario_id": scenario, "simulation_year": year, "start_year": year - later}
                             for later, (year, scenario) in enumerate(_TEMPLATE_VALUES))
_parameters: dict[str, Optional[dict]] = {}


def _parameter_nodes() -> dict[str, dict]:
    """What the parameters' build (`dbt build --select fqn:* --exclude tag:per_year`) builds."""
    nodes = manifest_json()["nodes"]
    return {uid: nodes[uid] for uid, in_year_unit in per_year_unit(nodes).items() if not in_year_unit
            and nodes[uid]["resource_type"] not in ("test", "analysis", "operation", "sql_operation", "unit_test")}


def unsupported_parameters() -> list[str]:
    """The parameters' nodes that plain statements would not build as dbt does: anything but SQL
    views and seeds loaded by dbt-duckdb's CSV copy, hooks, SQL headers, enforced contracts."""
    unsupported = []
    for uid, node in _parameter_nodes().items():
        config = node["config"]
        plain = (not _has_hooks(node) and not config.get("sql_header")
                 and not (config.get("contract") or {}).get("enforced")
                 and ((node["resource_type"] == "model" and config.get("materialized") == "view"
                       and node.get("language", "sql") == "sql")
                      or (node["resource_type"] == "seed" and config.get("fast", True))))
        if not plain:
            unsupported.append(uid)
    return unsupported


def parameter_statements() -> Optional[dict]:
    """What plain statements need to build the parameters as dbt does (`keep_parameter_statements`),
    when kept for the project's current state; else None."""
    with _lock:
        kept = _read_kept(PARAMETERS_PATH, _parameters)
    return None if kept is _NOT_KEPT or unsupported_parameters() else kept


def keep_parameter_statements(db_path: Path, settings: ExecutionSettings) -> None:
    """Keeps, for the project's current state, the parameters as dbt built them in `db_path` (just
    now, by `dbt build`): each seed's table columns and CSV file (dbt-duckdb creates the table
    with the types dbt infers or is told, then copies the file into it; both depend only on the
    project), and each view's SQL as dbt compiles it. Kept as None (dbt builds them) when the
    views' SQL depends on the variables. Once per state: nothing is done when they are kept."""
    with _lock:
        if _read_kept(PARAMETERS_PATH, _parameters) is not _NOT_KEPT:
            return
    compiled = [_compile_parameter_views(variables, db_path, settings) for variables in _PARAMETER_VARIABLES]
    value: Optional[dict] = None
    if compiled[0] == compiled[1]:
        nodes = _parameter_nodes()
        con = _connect_as_dbt(db_path, settings, read_only=True)
        try:
            seeds = [{"unique_id": uid, "relation": node["relation_name"],
                      "path": node["original_file_path"],  # in the project
                      "delimiter": node["config"].get("delimiter") or ",",
                      "columns": con.execute(
                          "select column_name, data_type from duckdb_columns() where database_name = ? "
                          "and schema_name = ? and table_name = ? order by column_index",
                          [DBT_CATALOG, node["schema"], node["alias"]]).fetchall()}
                     for uid, node in sorted(nodes.items()) if node["resource_type"] == "seed"]
        finally:
            con.close()
        views = {uid: node for uid, node in nodes.items() if node["resource_type"] == "model"}
        if all(seed["columns"] for seed in seeds):  # every seed built (else dbt builds them again)
            value = {"seeds": seeds, "views": [{"unique_id": uid, "relation": views[uid]["relation_name"],
                                                "sql": compiled[0][uid]} for uid in _dependency_order(views)]}
    with _lock:
        _keep(PARAMETERS_PATH, _parameters, value)


def _compile_parameter_views(variables: dict, db_path: Path, settings: ExecutionSettings) -> dict[str, str]:
    views = sorted(uid for uid, node in _parameter_nodes().items() if node["resource_type"] == "model")
    return _compile_nodes(views, [uid.split(".")[-1] for uid in views], variables, "the parameters' views",
                          db_path, settings)


def build_parameter_relations(statements: dict, db_path: Path, settings: ExecutionSettings):
    """The parameters' seeds and views in `db_path` from `parameter_statements()`, as dbt builds
    them: each seed's table created with dbt's columns and filled by the same CSV copy, then the
    views in dependency order. Returns the build's result as `dbt build` would (without the
    tests): a failing node fails it, and the nodes after it are skipped."""
    from workforce_platform.build.year import NodeResult, YearBuildResult

    started = time.perf_counter()
    result = YearBuildResult(year=0, success=True)
    con = _connect_as_dbt(db_path, settings, read_only=False)
    try:
        failed = None
        for kind, entries in (("seed", statements["seeds"]), ("model", statements["views"])):
            for entry in entries:
                uid, relation = entry["unique_id"], entry["relation"]
                if failed is not None:
                    result.nodes.append(NodeResult(uid, kind, "skipped", f"skipped after {failed} failed", 0.0))
                    continue
                begun = time.perf_counter()
                try:
                    rows = None
                    if kind == "seed":
                        columns = ", ".join(f'"{name}" {data_type}' for name, data_type in entry["columns"])
                        path = str(DBT_PROJECT_DIR / entry["path"]).replace("'", "''")
                        delimiter = entry["delimiter"].replace("'", "''")
                        con.execute("begin transaction")
                        con.execute(f"create or replace table {relation} ({columns})")
                        rows = con.execute(f"copy {relation} from '{path}' "
                                           f"(format csv, header true, delimiter '{delimiter}')").fetchall()[0][0]
                        con.execute("commit")
                    else:
                        con.execute(f"create or replace view {relation} as (\n{entry['sql']}\n)")
                    result.nodes.append(NodeResult(uid, kind, "success", "plain", time.perf_counter() - begun,
                                                   rows_affected=rows))
                except duckdb.Error as exc:
                    if kind == "seed":
                        con.execute("rollback")
                    failed = uid
                    result.nodes.append(NodeResult(uid, kind, "error", str(exc), time.perf_counter() - begun))
    finally:
        con.close()
    result.dbt_seconds = time.perf_counter() - started
    result.fail_with_failed_nodes(settings)
    return result
