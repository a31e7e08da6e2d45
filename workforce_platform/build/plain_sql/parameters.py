"""The parameters' seeds and views as plain statements: the first parameters build for a state of
the project goes through `dbt build` and keeps what dbt built (`keep_parameter_statements`): each
seed's table columns and CSV file, each view's SQL. Later builds create the seed tables with those
columns and fill them with dbt-duckdb's own statement (`COPY ... FROM` the file), then create the
views in dependency order. Anything else in the parameters (`unsupported_parameters`) makes the
build go through dbt."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import duckdb

from workforce_platform.build.plain_sql.models import TEMPLATE_VALUES, compile_nodes, dependency_order, has_hooks
from workforce_platform.build.plain_sql.store import (
    DBT_CATALOG, KEPT_LOCK, NOT_KEPT, connect_as_dbt, keep, read_kept,
)
from workforce_platform.build.results import NodeResult, YearBuildResult
from workforce_platform.runtime.dbt_project import DBT_PROJECT_DIR, manifest_json, per_year_unit
from workforce_platform.runtime.execution import ExecutionSettings


PARAMETERS_PATH = DBT_PROJECT_DIR / "target" / "plain_parameters.json"
# Two sets of variables for compiling the parameters' views: they are taken only when both give
# the same SQL (the views do not depend on the scenario or year that dbt is told).
_PARAMETER_VARIABLES = tuple({"scenario_id": scenario, "simulation_year": year, "start_year": year - later}
                             for later, (year, scenario) in enumerate(TEMPLATE_VALUES))
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
        plain = (not has_hooks(node) and not config.get("sql_header")
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
    with KEPT_LOCK:
        kept = read_kept(PARAMETERS_PATH, _parameters)
    return None if kept is NOT_KEPT or unsupported_parameters() else kept


def keep_parameter_statements(db_path: Path, settings: ExecutionSettings) -> None:
    """Keeps, for the project's current state, the parameters as dbt built them in `db_path` (just
    now, by `dbt build`): each seed's table columns and CSV file (dbt-duckdb creates the table
    with the types dbt infers or is told, then copies the file into it; both depend only on the
    project), and each view's SQL as dbt compiles it. Kept as None (dbt builds them) when the
    views' SQL depends on the variables. Once per state: nothing is done when they are kept."""
    with KEPT_LOCK:
        if read_kept(PARAMETERS_PATH, _parameters) is not NOT_KEPT:
            return
    compiled = [_compile_parameter_views(variables, db_path, settings) for variables in _PARAMETER_VARIABLES]
    value: Optional[dict] = None
    if compiled[0] == compiled[1]:
        nodes = _parameter_nodes()
        con = connect_as_dbt(db_path, settings, read_only=True)
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
                                                "sql": compiled[0][uid]} for uid in dependency_order(views)]}
    with KEPT_LOCK:
        keep(PARAMETERS_PATH, _parameters, value)


def _compile_parameter_views(variables: dict, db_path: Path, settings: ExecutionSettings) -> dict[str, str]:
    views = sorted(uid for uid, node in _parameter_nodes().items() if node["resource_type"] == "model")
    return compile_nodes(views, [uid.split(".")[-1] for uid in views], variables, "the parameters' views",
                          db_path, settings)


def build_parameter_relations(statements: dict, db_path: Path, settings: ExecutionSettings):
    """The parameters' seeds and views in `db_path` from `parameter_statements()`, as dbt builds
    them: each seed's table created with dbt's columns and filled by the same CSV copy, then the
    views in dependency order. Returns the build's result as `dbt build` would (without the
    tests): a failing node fails it, and the nodes after it are skipped."""
    started = time.perf_counter()
    result = YearBuildResult(year=0, success=True)
    con = connect_as_dbt(db_path, settings, read_only=False)
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
