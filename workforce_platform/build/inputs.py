"""A year's inputs: the validated census and the scenario's tables in schema `inputs`, written in
one transaction after the year's place in the order is checked. Raises before writing on bad input."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from workforce_platform.census.load import validated_census, write_validated_census
from workforce_platform.checks.audit import is_published
from workforce_platform.config.scenario import Scenario
from workforce_platform.engines.year_tables import add_missing_year_columns
from workforce_platform.errors import SimulationOrderError, WorkforceInputError
from workforce_platform.paths import databases_dir
from workforce_platform.runtime.database import connection
from workforce_platform.runtime.tables import table_exists
from workforce_platform.simulation.vesting import vesting_steps


def default_db_path(scenario: Scenario) -> Path:
    """WORKFORCE_DB_PATH, else <WORKFORCE_DB_DIR or data/>/<scenario_id>.duckdb."""
    configured = os.environ.get("WORKFORCE_DB_PATH")
    return Path(configured).resolve() if configured else databases_dir() / f"{scenario.scenario_id}.duckdb"


def check_year_order(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, db_path: Path,
                     previous_built_in_this_run: bool = False) -> None:
    """Year N starts from year N-1's final state: refuse N when N-1 is not in the database, or
    did not pass its gates and was not published (unless N-1 was built earlier in this same run
    of several years, whose gates check every year before any is published)."""
    if year not in scenario.years:
        raise WorkforceInputError(
            f"{scenario.source_path}: year {year} is outside the scenario's years "
            f"{scenario.start_year}-{scenario.end_year}"
        )
    if year == scenario.start_year:
        return
    previous = year - 1
    present = table_exists(con, "main", "fct_workforce_snapshot") and con.execute(
        "select count(*) from main.fct_workforce_snapshot where scenario_id = ? and simulation_year = ?",
        [scenario.scenario_id, previous],
    ).fetchall()[0][0] > 0
    if not present:
        raise SimulationOrderError(
            f"year {year} of scenario '{scenario.scenario_id}' starts from year {previous}, which is not "
            f"materialised in {db_path}: materialise year {previous} first (years run in order from "
            f"{scenario.start_year}); nothing was written"
        )
    if not previous_built_in_this_run and not is_published(con, scenario.scenario_id, previous):
        raise SimulationOrderError(
            f"year {year} of scenario '{scenario.scenario_id}' starts from year {previous}, which did not pass "
            f"its blocking checks and was not published in {db_path}: materialise year {previous} with its "
            "checks and promotion (group 'published') first; nothing was written"
        )


def write_inputs(con: duckdb.DuckDBPyConnection, scenario: Scenario, census: bool = True) -> int:
    """Validates the census and writes the ``inputs`` schema in one transaction (with `census`
    False, only the scenario's tables; returns the census rows written)."""
    con.execute("begin transaction")
    try:
        rows = write_validated_census(con, validated_census(scenario)) if census else 0
        _write_scenario_tables(con, scenario)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return rows


def check_parameters_loaded(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    missing = [t for t in ("config_levels", "stg_scenario", "stg_census") if not table_exists(con, "main", t)]
    if missing:
        raise SimulationOrderError(
            f"{db_path} has no {', '.join(missing)}: materialise the scenario's parameter assets "
            f"(seeds and staging, Dagster group 'parameters') before year assets; "
            f"`workforce simulate` does this first"
        )


def _month_day(text: str) -> tuple[int, int]:
    month, day = (int(p) for p in text.split("-"))
    return month, day


def _write_scenario_tables(con: duckdb.DuckDBPyConnection, scenario: Scenario) -> None:
    """The scenario's parameters as tables the dbt models read (inside the caller's transaction)."""
    comp, plan = scenario.compensation, scenario.plan
    promotion_month, promotion_day = _month_day(comp.promotion_date)
    merit_month, merit_day = _month_day(comp.merit_date)
    escalation_month, escalation_day = _month_day(plan.auto_escalation.effective_date)
    columns = {
        "scenario_id": ("varchar", scenario.scenario_id),
        "start_year": ("integer", scenario.start_year),
        "end_year": ("integer", scenario.end_year),
        "random_seed": ("ubigint", scenario.random_seed),
        "target_growth_rate": ("decimal(7, 5)", str(scenario.target_growth_rate)),
        "termination_rate": ("decimal(7, 5)", str(scenario.termination_rate)),
        "new_hire_termination_rate": ("decimal(7, 5)", str(scenario.new_hire_termination_rate)),
        "cola_rate": ("decimal(7, 5)", str(comp.cola_rate)),
        "promotion_raise": ("decimal(7, 5)", str(comp.promotion_raise)),
        "promotion_month": ("integer", promotion_month),
        "promotion_day": ("integer", promotion_day),
        "merit_month": ("integer", merit_month),
        "merit_day": ("integer", merit_day),
        "new_hire_pay_indexing_rate": ("decimal(7, 5)", str(scenario.new_hire_pay_indexing_rate)),
        "irs_limit_indexing_rate": ("decimal(7, 5)", str(scenario.irs_limit_indexing_rate)),
        "eligibility_minimum_age": ("integer", plan.eligibility.minimum_age),
        "eligibility_waiting_days": ("integer", plan.eligibility.waiting_period_days),
        "eligibility_minimum_hours": ("integer", plan.eligibility.minimum_hours),
        "eligibility_entry_dates": ("varchar", plan.eligibility.entry_dates),
        "auto_enrollment_enabled": ("boolean", plan.auto_enrollment.enabled),
        "auto_enrollment_scope": ("varchar", plan.auto_enrollment.scope),
        "auto_enrollment_window_days": ("integer", plan.auto_enrollment.window_days),
        "auto_enrollment_default_rate": ("decimal(7, 5)", str(plan.auto_enrollment.default_deferral_rate)),
        "opt_out_grace_days": ("integer", plan.auto_enrollment.opt_out_grace_days),
        "voluntary_enrollment_enabled": ("boolean", plan.voluntary_enrollment.enabled),
        "escalation_enabled": ("boolean", plan.auto_escalation.enabled),
        "escalation_increment": ("decimal(7, 5)", str(plan.auto_escalation.increment)),
        "escalation_cap": ("decimal(7, 5)", str(plan.auto_escalation.cap)),
        "escalation_month": ("integer", escalation_month),
        "escalation_day": ("integer", escalation_day),
        "escalation_delay_years": ("integer", plan.auto_escalation.delay_years),
        "match_safe_harbor": ("boolean", plan.match.safe_harbor),
        "match_requires_last_day": ("boolean", plan.match.requires_last_day),
        "match_minimum_hours": ("integer", plan.match.minimum_hours),
        "match_compensation": ("varchar", plan.match.compensation),
        "match_true_up": ("boolean", plan.match.true_up),
        "match_on_catch_up": ("boolean", plan.match.on_catch_up),
        "roth_available": ("boolean", plan.roth_available),
        "escalation_scope": ("varchar", plan.auto_escalation.scope),
        "match_last_day_exempts_retirement": ("boolean", plan.match.last_day_exempts_retirement),
        "core_last_day_exempts_retirement": ("boolean", plan.core.last_day_exempts_retirement),
        "normal_retirement_age": ("integer", scenario.retirement.normal_retirement_age),
        "core_basis": ("varchar", plan.core.basis),
        "core_flat_rate": ("decimal(7, 5)", str(plan.core.flat_rate)),
        "core_requires_last_day": ("boolean", plan.core.requires_last_day),
        "core_minimum_hours": ("integer", plan.core.minimum_hours),
        "annual_additions_correction": ("varchar", plan.annual_additions_correction),
        "investment_return_rate": ("decimal(7, 5)", str(plan.investment_return_rate)),
        "testing_method": ("varchar", plan.nondiscrimination.testing_method),
        "hce_top_paid_group": ("boolean", plan.nondiscrimination.top_paid_group),
        "scenario_fingerprint": ("varchar", scenario.fingerprint()),
    }
    select = ", ".join(f"?::{sql_type} as {name}" for name, (sql_type, _) in columns.items())
    con.execute(f"create or replace table inputs.scenario as select {select}", [v for _, v in columns.values()])
    con.execute("create or replace table inputs.merit_rate_overrides (level_id integer, merit_rate decimal(7, 5))")
    for level, rate in sorted(comp.merit_by_level.items()):
        con.execute("insert into inputs.merit_rate_overrides values (?, ?::decimal(7, 5))", [level, str(rate)])
    con.execute("""create or replace table inputs.match_tiers (
                       tier integer, employee_min decimal(7, 5), employee_max decimal(7, 5), match_rate decimal(7, 5))""")
    for tier, spec in enumerate(plan.match.tiers, start=1):
        con.execute("insert into inputs.match_tiers values (?, ?::decimal(7, 5), ?::decimal(7, 5), ?::decimal(7, 5))",
                    [tier, str(spec.employee_min), str(spec.employee_max), str(spec.match_rate)])
    con.execute("create or replace table inputs.core_schedule (at_least integer, rate decimal(7, 5))")
    for step in plan.core.schedule:
        con.execute("insert into inputs.core_schedule values (?, ?::decimal(7, 5))", [step.at_least, str(step.rate)])
    con.execute("""create or replace table inputs.vesting_schedules (
                       contribution varchar, at_least_years integer, vested_rate decimal(7, 5))""")
    for contribution, schedule in (("match", plan.vesting.match), ("core", plan.vesting.core)):
        custom = None if isinstance(schedule, str) else [(s.years, s.vested) for s in schedule]
        for years, vested in vesting_steps(schedule if custom is None else custom):
            con.execute("insert into inputs.vesting_schedules values (?, ?, ?::decimal(7, 5))",
                        [contribution, years, str(vested)])


def prepare_inputs(scenario: Scenario, db_path: Path) -> None:
    """Validates and writes the inputs. Raises before writing on bad input."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with connection(db_path) as con:
        write_inputs(con, scenario)


def prepare_year(scenario: Scenario, year: int, db_path: Path, previous_built_in_this_run: bool = False) -> None:
    """Checks the year's order, then writes the validated inputs. Raises before writing.

    Only the first year reads the census; a later year starts from the previous year's snapshot,
    so it keeps the census that year was built from (validating and rewriting it every year
    would cost time and put a census the chain never read into the later years' inputs
    fingerprints)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with connection(db_path) as con:
        check_year_order(con, scenario, year, db_path, previous_built_in_this_run)
        check_parameters_loaded(con, db_path)
        write_inputs(con, scenario, census=year == scenario.start_year or not table_exists(con, "inputs", "census"))
        add_missing_year_columns(con)
