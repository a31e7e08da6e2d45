"""The project's dbt tests as plain queries (the parameters' tests, and the year's tests after the
Polars engine): compiled by dbt once per state of the project, the year's with the year and the
scenario left as the DuckDB parameters $simulation_year and $scenario_id (the macro
`in_year_being_built`), then run as plain queries whose results carry dbt's statuses, failing rows
and messages. A test of another configuration than dbt's default runs through dbt."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from workforce_platform.build.dbt_runner import PER_YEAR_SELECTOR
from workforce_platform.build import dbt_runner
from workforce_platform.build.plain_sql.store import connect_as_dbt, kept_for_project
from workforce_platform.build.results import NodeResult, YearBuildResult
from workforce_platform.config.scenario import Scenario
from workforce_platform.runtime.dbt_project import DBT_PROJECT_DIR, manifest_json, per_year_unit
from workforce_platform.runtime.execution import ExecutionSettings

COMPILED_PATH = DBT_PROJECT_DIR / "target" / "plain_tests.json"
YEAR_AS_PARAMETERS_VAR = "year_as_parameters"
YEAR, PARAMETERS = "year", "parameters"  # the two sets: the per-year models' tests, the others
# Compiled with values that cannot be a real partition: a test whose SQL holds them reads the year
# other than through the parameters, and is refused (it would test the wrong rows every year).
_COMPILE_YEAR = 987_654
_COMPILE_SCENARIO = "tests-compiled-without-a-scenario"
_DEFAULT_CONFIGURATION = ("count(*)", "!= 0", "!= 0", "ERROR", None, None, False)
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
    kept = kept_for_project(COMPILED_PATH, _compiled, lambda: [
        {"unique_id": t.unique_id, "test_set": t.test_set, "sql": t.sql} for t in _compile(db_path, settings)])
    return [PlainTest(t["unique_id"], t["test_set"], t["sql"]) for t in kept]


def _compile(db_path: Path, settings: ExecutionSettings) -> list[PlainTest]:
    sets = test_sets()
    set_of = {name: test_set for test_set, names in sets.items() for name in names}
    variables = {"scenario_id": _COMPILE_SCENARIO, "simulation_year": _COMPILE_YEAR, "start_year": _COMPILE_YEAR,
                 YEAR_AS_PARAMETERS_VAR: True}
    # `--log-level none`: dbt prints the compiled SQL of every node named in a selection, even quietly.
    outcome = dbt_runner.invoke_dbt(["compile", "--quiet", "--log-level", "none", "--no-write-json", "--no-populate-cache", "--no-introspect",
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
    started = time.perf_counter()
    tests = [t for t in compiled_tests(db_path, settings) if t.test_set == test_set]
    parameters = {"simulation_year": year, "scenario_id": scenario_id} if test_set == YEAR else None
    nodes = []
    con = connect_as_dbt(db_path, settings, read_only=True)
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


def run_year_tests(scenario: Scenario, year: int, db_path: Path, settings: ExecutionSettings):
    """The year's tests, as plain queries (or as `dbt test` when one has another configuration)."""
    if unsupported_configuration(YEAR):
        return dbt_runner.run_dbt_build(scenario, year, db_path, settings, select=[PER_YEAR_SELECTOR], command="test")
    return run_tests(YEAR, db_path, settings, year, scenario.scenario_id)
