"""The scenario-level build (not per year): the validated inputs, the parameter seeds and the
staging views, as plain statements when the project's state allows (build/plain_sql/), else
through dbt; skipped by `workforce simulate` when the database holds them for exactly this scenario,
census and code."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Optional

from workforce_platform.build import dbt_runner, plain_sql
from workforce_platform.build.audit_rows import audit_value, replace_audit_row
from workforce_platform.build.dbt_runner import PER_YEAR_SELECTOR
from workforce_platform.build.inputs import prepare_inputs
from workforce_platform.build.results import YearBuildResult
from workforce_platform.census.load import validated_census
from workforce_platform.checks.audit import code_version
from workforce_platform.config.scenario import Scenario
from workforce_platform.runtime.database import LOCK_WAIT_SECONDS, DatabaseLock, connection
from workforce_platform.runtime.execution import ExecutionSettings


def build_parameters(scenario: Scenario, db_path: Path, settings: ExecutionSettings) -> YearBuildResult:
    """The scenario-level build: validated inputs, parameter seeds and staging views (not per year).
    A successful build records its digest (see `parameters_current`)."""
    validated_census(scenario)  # bad input is refused before the database or its lock file exists
    with DatabaseLock(db_path, wait_seconds=LOCK_WAIT_SECONDS):
        started = time.perf_counter()
        prepare_inputs(scenario, db_path)  # raises on bad input before writing anything
        _record_parameters_digest(db_path, scenario.scenario_id, None)  # until this load succeeds
        inputs_seconds = time.perf_counter() - started
        # The seeds and views as dbt built them the first time for the project's state, and their
        # tests as dbt compiled them, both as plain statements (build/plain_sql/).
        plain = not plain_sql.unsupported_configuration(plain_sql.PARAMETERS)
        statements = plain_sql.parameter_statements() if plain else None
        if statements is not None:
            result = plain_sql.build_parameter_relations(statements, db_path, settings)
            result.year = scenario.start_year
        else:
            result = dbt_runner.run_dbt_build(
                scenario, scenario.start_year, db_path, settings,
                select=["fqn:*"], exclude=[PER_YEAR_SELECTOR, *(["resource_type:test"] if plain else [])],
            )
            if plain and result.success and not plain_sql.unsupported_parameters():
                plain_sql.keep_parameter_statements(db_path, settings)
        if plain and result.success:
            tests = plain_sql.run_tests(plain_sql.PARAMETERS, db_path, settings)
            result.nodes += tests.nodes
            result.success, result.error, result.hint = tests.success, tests.error, tests.hint
            result.dbt_seconds += tests.dbt_seconds
        if result.success:
            _record_parameters_digest(db_path, scenario.scenario_id, parameters_digest(scenario))
    result.inputs_seconds = inputs_seconds
    return result


PARAMETERS_DIGEST_TABLE = "audit.parameters_loaded"


def parameters_digest(scenario: Scenario) -> str:
    """What the parameters unit is built from: the scenario, the census file's bytes and the code
    (dbt sources, seeds included, and the package)."""
    digest = hashlib.sha256()
    for part in (scenario.scenario_id, scenario.fingerprint(), code_version()):
        digest.update(part.encode() + b"\0")
    with open(scenario.resolved_census_path(), "rb") as census:
        for block in iter(lambda: census.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record_parameters_digest(db_path: Path, scenario_id: str, digest: Optional[str]) -> None:
    """Records (or, with None, clears) the digest of the parameters loaded into the database."""
    replace_audit_row(db_path, PARAMETERS_DIGEST_TABLE, "scenario_id varchar, digest varchar",
                       {"scenario_id": scenario_id}, None if digest is None else (scenario_id, digest))


def parameters_current(db_path: Path, scenario: Scenario) -> Optional[str]:
    """The digest when the database holds the parameters of exactly this scenario, census and code
    (so loading them again would change nothing), else None."""
    if not db_path.is_file():
        return None
    with connection(db_path, read_only=True) as con:
        recorded = audit_value(con, PARAMETERS_DIGEST_TABLE, "digest", {"scenario_id": scenario.scenario_id})
    if recorded is None:
        return None
    digest = parameters_digest(scenario)
    return digest if recorded == digest else None
