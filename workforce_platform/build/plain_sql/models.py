"""The year's models as plain statements (the parity gate's SQL side): the SQL `dbt run` would run
for the year, filled in from templates that dbt compiled once per state of the project
(`model_templates`), run in dependency order with the two statements of the `year_partition`
materialization: create the table, or replace the year's rows in it. A model of another
materialization or with hooks makes the build go through `dbt run`."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional

import duckdb

from workforce_platform.build.dbt_runner import PER_YEAR_SELECTOR
from workforce_platform.build import dbt_runner
from workforce_platform.build.plain_sql.store import (
    DBT_CATALOG, KEPT_LOCK, NOT_KEPT, connect_as_dbt, kept_for_project, read_kept,
)
from workforce_platform.build.results import NodeResult, YearBuildResult
from workforce_platform.config.scenario import Scenario
from workforce_platform.runtime.dbt_project import DBT_PROJECT_DIR, manifest_json, parsed_manifest, per_year_unit
from workforce_platform.runtime.execution import ExecutionSettings


class ModelsNotCompiled(RuntimeError):
    """dbt could not compile the year's models."""
FIRST, LATER = "first_year", "later_year"  # is_first_year() compiles a model two ways
MODELS_PATH = DBT_PROJECT_DIR / "target" / "plain_models.json"
# Two sets of values that cannot be a real partition; see `model_templates`.
TEMPLATE_VALUES = ((987_654, "scenario_template_a"), (876_543, "scenario_template_b"))
_templates: dict[str, Optional[dict]] = {}


def build_year_models(scenario: Scenario, year: int, db_path: Path, settings: ExecutionSettings):
    """The year's models in `db_path` (a scratch database holding their inputs), as dbt compiles
    them for the year (`year_model_sql`), run as plain statements in dependency order; returns the
    build's result as `dbt run` would (a failing model fails it, and the models after it are
    skipped)."""
    models = _year_models()
    if any(node["config"]["materialized"] != "year_partition" or has_hooks(node) for node in models.values()):
        return dbt_runner.run_dbt_build(scenario, year, db_path, settings, select=[PER_YEAR_SELECTOR], command="run")
    started = time.perf_counter()
    try:
        compiled = year_model_sql(scenario, year, db_path, settings)
    except ModelsNotCompiled as exc:
        return YearBuildResult(year=year, success=False, dbt_seconds=time.perf_counter() - started, error=str(exc))
    result = YearBuildResult(year=year, success=True)
    con = connect_as_dbt(db_path, settings, read_only=False)
    try:
        existing = {name for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = ? and schema_name = 'main'",
            [DBT_CATALOG]).fetchall()}
        failed = None
        for uid in dependency_order(models):
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


def _year_models() -> dict[str, dict]:
    nodes = manifest_json()["nodes"]
    return {uid: nodes[uid] for uid, in_year_unit in per_year_unit(nodes).items()
            if in_year_unit and nodes[uid]["resource_type"] == "model"}


def has_hooks(node: dict) -> bool:
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
    template_year, template_scenario = TEMPLATE_VALUES[0]
    return template.replace(str(template_year), str(year)).replace(template_scenario, scenario_id)


def model_templates(db_path: Path, settings: ExecutionSettings) -> Optional[dict[str, dict[str, str]]]:
    """The year's models compiled by dbt for a template year and scenario, first and later year,
    kept per state of the project; None when they are not templates. They are taken only when
    filling in a second year and scenario gives, character for character, what dbt compiles for
    them: so the year and scenario enter the SQL only as their text (no arithmetic on them in
    Jinja, no other value that holds them), and filling in any year gives dbt's own SQL."""
    return kept_for_project(MODELS_PATH, _templates, lambda: _derive_templates(db_path, settings))


def prepare_year_models() -> None:
    """Loads what `build_year_models` needs: the manifest, and dbt itself (imported, the project
    parsed) only when no templates are kept for the project's state, so dbt will compile."""
    manifest_json()
    with KEPT_LOCK:
        kept = read_kept(MODELS_PATH, _templates)
    if kept is NOT_KEPT or kept is None:
        parsed_manifest()


def relations_read(first_year: bool, relations: list[str]) -> list[str]:
    """Those of `relations` that the year's models name (the first year's or a later year's), by
    the templates kept for the project's state; all of them when none are kept. A relation's name
    is in the compiled SQL of every model that reads it, so nothing read is left out."""
    with KEPT_LOCK:
        kept = read_kept(MODELS_PATH, _templates)
    if kept is NOT_KEPT or kept is None:
        return list(relations)
    sql = kept[FIRST if first_year else LATER].values()
    return [name for name in relations if any(name in text for text in sql)]


def _derive_templates(db_path: Path, settings: ExecutionSettings) -> Optional[dict[str, dict[str, str]]]:
    (year_a, scenario_a), (year_b, scenario_b) = TEMPLATE_VALUES
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
    variables = {"scenario_id": scenario_id, "simulation_year": year, "start_year": start_year}
    return compile_nodes(sorted(_year_models()), [PER_YEAR_SELECTOR], variables, "the year's models",
                          db_path, settings)


def compile_nodes(unique_ids: list[str], select: list[str], variables: dict, what: str, db_path: Path,
                   settings: ExecutionSettings) -> dict[str, str]:
    """The SQL dbt compiles for `unique_ids` (selected by `select`) with `variables`, by node id."""
    outcome = dbt_runner.invoke_dbt(["compile", "--quiet", "--log-level", "none", "--no-write-json", "--no-populate-cache",
                          "--vars", json.dumps(variables), "--select", *select], db_path, settings)
    if not outcome.success:
        raise ModelsNotCompiled(f"dbt could not compile {what}: {outcome.exception}")
    compiled = {r.node.unique_id: r.node.compiled_code for r in outcome.result.results if r.node.unique_id in unique_ids}
    if sorted(compiled) != unique_ids:
        raise RuntimeError(f"dbt compiled {sorted(compiled)}, not {what} {unique_ids}")
    return compiled


def dependency_order(models: dict) -> list[str]:
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
