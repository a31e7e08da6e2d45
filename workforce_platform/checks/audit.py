"""Write-audit-publish for one year.

- Audit: after the year's build, its invariants are evaluated and a record is written to
  `audit.year_materializations`: the run, the fingerprint of the inputs (census content, scenario
  and seed, parameter tables, the previous year's snapshot, code version), the fingerprint of
  every result table, and whether every blocking check passed.
- Determinism: a materialisation whose inputs fingerprint equals an earlier one's must produce
  the same output fingerprint.
- Publish: checks/publication.py promotes a year whose latest audit passed, keeping the
  published chain whole.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Optional

import duckdb

import workforce_platform
from workforce_platform.config.scenario import Scenario
from workforce_platform.runtime.dbt_project import source_digest
from workforce_platform.runtime.tables import table_exists
from workforce_platform.runtime.fingerprint import (
    table_fingerprint, table_fingerprints,
)
from workforce_platform.paths import PROJECT_ROOT

PARAMETER_TABLES = (
    "config_levels", "config_age_bands", "config_tenure_bands", "config_termination_hazards",
    "config_promotion_hazards", "config_new_hire_levels", "config_new_hire_ages", "config_irs_limits",
    "config_irs_limit_bases",
    "config_new_hire_termination_hazards", "config_mortality_rates", "config_retirement_rates",
    "stg_merit_rates", "int_irs_limits_projected", "int_new_hire_pay_bands_indexed",
)


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
    inputs_detail: dict


def _audit_exists(con: duckdb.DuckDBPyConnection) -> bool:
    return table_exists(con, "audit", "year_materializations")


def previous_record(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int, inputs: str,
                    run_id: str) -> Optional[AuditRecord]:
    """The latest earlier materialisation of this year with the same inputs."""
    if not _audit_exists(con):
        return None
    rows = con.execute(
        """select run_id, inputs_fingerprint, output_fingerprint, table_fingerprints, checks_passed, inputs_detail
           from audit.year_materializations
           where scenario_id = ? and simulation_year = ? and inputs_fingerprint = ? and run_id <> ?
           order by recorded_at desc limit 1""",
        [scenario_id, year, inputs, run_id],
    ).fetchall()
    if not rows:
        return None
    run, inp, out, tables, passed, detail = rows[0]
    return AuditRecord(run, inp, out, json.loads(tables), passed, json.loads(detail))


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
        """select run_id, inputs_fingerprint, output_fingerprint, table_fingerprints, checks_passed, inputs_detail
           from audit.year_materializations where scenario_id = ? and simulation_year = ?
           order by recorded_at desc limit 1""",
        [scenario_id, year],
    ).fetchall()
    if not rows:
        return None
    run, inp, out, tables, passed, detail = rows[0]
    return AuditRecord(run, inp, out, json.loads(tables), passed, json.loads(detail))


def is_published(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int) -> bool:
    return table_exists(con, "published", "promotions") and con.execute(
        "select count(*) from published.promotions where scenario_id = ? and simulation_year = ?", [scenario_id, year]
    ).fetchall()[0][0] > 0
