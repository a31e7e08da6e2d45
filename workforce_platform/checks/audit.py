"""Write-audit-publish for one year.

- Audit: after the year's build, its invariants are evaluated and a record is written to
  `audit.year_materializations`: the run, the fingerprint of the inputs (census content, scenario
  and seed, parameter tables, the previous year's snapshot, code version), the fingerprint of
  every result table, and whether every blocking check passed.
- Determinism: a materialisation whose inputs fingerprint equals an earlier one's must produce
  the same output fingerprint.
- Publish: the year's rows are copied to schema `published` in one transaction (a reader sees
  the old year or the new one, never half), only when the year's latest audit passed and the
  working tables still have the audited fingerprint (an audit of an earlier run also needs the
  inputs unchanged since); a record goes to `published.promotions`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import duckdb

import workforce_platform
from workforce_platform.config.scenario import Scenario
from workforce_platform.orchestration import database
from workforce_platform.orchestration.dbt_project import source_digest
from workforce_platform.orchestration.tables import add_missing_columns, columns_of, table_exists
from workforce_platform.orchestration.fingerprint import (
    RESULT_TABLES, table_fingerprint, table_fingerprints, year_fingerprints,
)
from workforce_platform.paths import PROJECT_ROOT

PARAMETER_TABLES = (
    "config_levels", "config_age_bands", "config_tenure_bands", "config_termination_hazards",
    "config_promotion_hazards", "config_new_hire_levels", "config_new_hire_ages", "config_irs_limits",
    "config_new_hire_termination_hazards",
    "stg_merit_rates", "int_irs_limits_projected", "int_new_hire_pay_bands_indexed",
)


class PublishRefused(RuntimeError):
    """The year may not be published (no passing audit, or tables or inputs changed since)."""


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def code_version() -> str:
    """The dbt project's sources and the package's Python sources, digested."""
    digest = hashlib.sha256(source_digest().encode())
    package = PROJECT_ROOT / "workforce_platform"
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return f"{workforce_platform.__version__}+{digest.hexdigest()[:12]}"


def inputs_fingerprint(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int) -> tuple[str, dict]:
    parts = {
        "scenario": scenario.fingerprint(),
        "census": table_fingerprint(con, "inputs.census"),
        "parameters": _digest(table_fingerprints(con, {t: (f"main.{t}", None) for t in PARAMETER_TABLES})),
        "code_version": code_version(),
        "year": year,
    }
    if year > scenario.start_year:
        parts["previous_year_snapshot"] = table_fingerprint(
            con, "main.fct_workforce_snapshot",
            f"scenario_id = '{scenario.scenario_id}' and simulation_year = {year - 1}",
        )
    return _digest(parts), parts


def output_fingerprint(tables: dict[str, str]) -> str:
    return _digest(tables)


_AUDIT_DDL = """
create schema if not exists audit;
create table if not exists audit.year_materializations (
    scenario_id varchar, simulation_year integer, run_id varchar, inputs_fingerprint varchar,
    output_fingerprint varchar, table_fingerprints varchar, inputs_detail varchar, code_version varchar,
    checks_passed boolean, failed_checks varchar, recorded_at timestamp default current_timestamp
);
"""


@dataclass(frozen=True)
class AuditRecord:
    run_id: str
    inputs_fingerprint: str
    output_fingerprint: str
    table_fingerprints: dict
    checks_passed: bool


def _audit_exists(con: duckdb.DuckDBPyConnection) -> bool:
    return table_exists(con, "audit", "year_materializations")


def previous_record(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int, inputs: str,
                    run_id: str) -> Optional[AuditRecord]:
    """The latest earlier materialisation of this year with the same inputs."""
    if not _audit_exists(con):
        return None
    rows = con.execute(
        """select run_id, inputs_fingerprint, output_fingerprint, table_fingerprints, checks_passed
           from audit.year_materializations
           where scenario_id = ? and simulation_year = ? and inputs_fingerprint = ? and run_id <> ?
           order by recorded_at desc limit 1""",
        [scenario_id, year, inputs, run_id],
    ).fetchall()
    if not rows:
        return None
    run, inp, out, tables, passed = rows[0]
    return AuditRecord(run, inp, out, json.loads(tables), passed)


def record_audit(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, run_id: str, inputs: str,
                 inputs_detail: dict, tables: dict[str, str], failed_checks: list[str]) -> None:
    con.execute(_AUDIT_DDL)
    con.execute(
        "insert into audit.year_materializations (scenario_id, simulation_year, run_id, inputs_fingerprint, "
        "output_fingerprint, table_fingerprints, inputs_detail, code_version, checks_passed, failed_checks) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [scenario.scenario_id, year, run_id, inputs, output_fingerprint(tables), json.dumps(tables, sort_keys=True),
         json.dumps(inputs_detail, sort_keys=True), inputs_detail["code_version"], not failed_checks,
         ",".join(failed_checks)],
    )


def latest_audit(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int) -> Optional[AuditRecord]:
    if not _audit_exists(con):
        return None
    rows = con.execute(
        """select run_id, inputs_fingerprint, output_fingerprint, table_fingerprints, checks_passed
           from audit.year_materializations where scenario_id = ? and simulation_year = ?
           order by recorded_at desc limit 1""",
        [scenario_id, year],
    ).fetchall()
    if not rows:
        return None
    run, inp, out, tables, passed = rows[0]
    return AuditRecord(run, inp, out, json.loads(tables), passed)


def is_published(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int) -> bool:
    return table_exists(con, "published", "promotions") and con.execute(
        "select count(*) from published.promotions where scenario_id = ? and simulation_year = ?", [scenario_id, year]
    ).fetchall()[0][0] > 0


def publish_year(db_path: Path, scenario: Scenario, year: int, run_id: str, shards: int = 1) -> dict[str, int]:
    """Replaces the year in `published` atomically. Returns rows published per table."""
    con = database.connect(db_path)
    try:
        record = latest_audit(con, scenario.scenario_id, year)
        if record is None:
            raise PublishRefused(
                f"year {year} of '{scenario.scenario_id}' has no audit: run its checks first (materialise the "
                f"year with its checks, or the job audit_year for partition {year})")
        if not record.checks_passed:
            raise PublishRefused(f"year {year} of '{scenario.scenario_id}' failed its blocking checks in run "
                                 f"{record.run_id}; nothing was published")
        current = year_fingerprints(con, scenario.scenario_id, year, shards)
        if output_fingerprint(current) != record.output_fingerprint:
            raise PublishRefused(f"year {year}'s working tables changed after their checks ran; run the year again")
        # An audit from an earlier run vouches for these tables only while they still follow from
        # the current inputs (the previous year above all).
        if record.run_id != run_id and inputs_fingerprint(con, scenario, year)[0] != record.inputs_fingerprint:
            raise PublishRefused(
                f"year {year} of '{scenario.scenario_id}' was computed from inputs that have changed since "
                f"(an earlier year re-materialised, or the scenario or census edited): materialise year {year} "
                "again; nothing was published")
        counts = {}
        con.execute("begin transaction")
        try:
            con.execute("create schema if not exists published")
            for table in RESULT_TABLES:
                con.execute(f"create table if not exists published.{table} as select * from main.{table} limit 0")
                add_missing_columns(con, "published", table, columns_of(con, f"main.{table}"))
                con.execute(f"delete from published.{table} where scenario_id = ? and simulation_year = ?",
                            [scenario.scenario_id, year])
                con.execute(
                    f"insert into published.{table} by name select * from main.{table} "
                    "where scenario_id = ? and simulation_year = ?", [scenario.scenario_id, year])
                counts[table] = con.execute(
                    f"select count(*) from published.{table} where scenario_id = ? and simulation_year = ?",
                    [scenario.scenario_id, year]).fetchall()[0][0]
            con.execute(
                """create table if not exists published.promotions (
                       scenario_id varchar, simulation_year integer, run_id varchar, random_seed ubigint,
                       scenario_fingerprint varchar, inputs_fingerprint varchar, output_fingerprint varchar,
                       code_version varchar, promoted_at timestamp)""")
            con.execute("delete from published.promotions where scenario_id = ? and simulation_year = ?",
                        [scenario.scenario_id, year])
            con.execute(
                "insert into published.promotions values (?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)",
                [scenario.scenario_id, year, run_id, scenario.random_seed, scenario.fingerprint(),
                 record.inputs_fingerprint, record.output_fingerprint, code_version()])
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return counts
    finally:
        con.close()
