"""The per-year tables that an event engine writes, and how the Polars engine writes them.

The columns and types are those of the dbt models (a test compares them with a database that
dbt built). Inside the Polars engine a DECIMAL(p, s) column is carried as an exact integer count
of 10^-s units (cents, hundred-thousandths of a rate); the writer turns it back into DECIMAL in
DuckDB with integer arithmetic, so nothing passes through floating point.

Writing a year replaces exactly that year's rows of every table in one transaction, like the
dbt materialization `year_partition`: a reader sees the old year or the new one.
"""

from __future__ import annotations

import re
from typing import Mapping

import duckdb
import polars as pl

from workforce_platform.runtime.tables import add_missing_columns, columns_by_table

# table -> ((column, DuckDB type), ...), in the dbt models' dependency order (Dagster wants a
# multi-asset's outputs in topological order).
YEAR_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "int_starting_workforce_assembled": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("employee_key", "UBIGINT"), ("birth_date", "DATE"), ("hire_date", "DATE"), ("level_id", "INTEGER"),
        ("annual_compensation", "DECIMAL(18,2)"), ("deferral_rate", "DECIMAL(7,5)"),
        ("is_enrolled", "BOOLEAN"), ("eligibility_date", "DATE"), ("enrollment_date", "DATE"),
        ("has_opted_out", "BOOLEAN"), ("scheduled_hours", "DECIMAL(9,2)"), ("age", "BIGINT"),
        ("tenure_years", "BIGINT"), ("employee_balance", "DECIMAL(18,2)"), ("match_balance", "DECIMAL(18,2)"),
        ("core_balance", "DECIMAL(18,2)"), ("vesting_service_years", "BIGINT"),
        ("prior_year_compensation", "DECIMAL(18,2)"), ("age_band_id", "INTEGER"), ("tenure_band_id", "INTEGER"),
    ),
    "int_workforce_needs_solved": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("solver_branch", "VARCHAR"),
        ("starting_headcount", "BIGINT"), ("target_ending_headcount", "BIGINT"),
        ("experienced_terminations", "BIGINT"), ("hires", "BIGINT"), ("new_hire_terminations", "BIGINT"),
        ("target_growth_rate", "DECIMAL(7,5)"), ("termination_rate", "DECIMAL(7,5)"),
        ("new_hire_termination_rate", "DECIMAL(7,5)"), ("retirements", "BIGINT"), ("deaths", "BIGINT"),
    ),
    "int_experienced_terminations_selected": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("termination_hazard", "DECIMAL(7,5)"), ("termination_rank", "BIGINT"), ("termination_date", "DATE"),
        ("termination_reason", "VARCHAR"),
    ),
    "int_new_hires_generated": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("employee_key", "UBIGINT"), ("hire_sequence", "BIGINT"), ("hire_date", "DATE"),
        ("birth_date", "DATE"), ("level_id", "INTEGER"), ("annual_compensation", "DECIMAL(18,2)"),
        ("deferral_rate", "DECIMAL(7,5)"), ("is_enrolled", "BOOLEAN"), ("eligibility_date", "DATE"),
        ("enrollment_date", "DATE"), ("has_opted_out", "BOOLEAN"), ("scheduled_hours", "DECIMAL(9,2)"),
    ),
    "int_new_hire_terminations_selected": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("hire_date", "DATE"), ("termination_rank", "BIGINT"), ("termination_date", "DATE"),
    ),
    "int_promotions_drawn": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("effective_date", "DATE"), ("level_before", "INTEGER"), ("level_after", "INTEGER"),
        ("compensation_before", "DECIMAL(18,2)"), ("compensation_after", "DECIMAL(18,2)"),
    ),
    "int_merit_raises_applied": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("effective_date", "DATE"), ("level_id", "INTEGER"), ("raise_rate", "DECIMAL(7,5)"),
        ("compensation_before", "DECIMAL(18,2)"), ("compensation_after", "DECIMAL(18,2)"),
    ),
    "int_plan_eligibility_determined": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("employee_key", "UBIGINT"), ("birth_date", "DATE"), ("hire_date", "DATE"),
        ("termination_date", "DATE"), ("is_new_hire", "BOOLEAN"), ("period_start", "DATE"),
        ("period_end", "DATE"), ("starting_compensation", "DECIMAL(18,2)"),
        ("starting_deferral_rate", "DECIMAL(7,5)"), ("enrolled_at_start", "BOOLEAN"),
        ("starting_enrollment_date", "DATE"), ("opted_out_at_start", "BOOLEAN"),
        ("scheduled_hours", "DECIMAL(9,2)"), ("annual_hours", "DECIMAL(12,2)"), ("hours_worked", "DECIMAL(12,2)"),
        ("meets_hours", "BOOLEAN"), ("is_long_term_part_time", "BOOLEAN"), ("eligibility_date", "DATE"), ("is_eligible", "BOOLEAN"), ("eligibility_event_date", "DATE"),
    ),
    "int_enrollments_drawn": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("enrollment_type", "VARCHAR"), ("enrollment_date", "DATE"), ("deferral_rate", "DECIMAL(7,5)"),
        ("opted_out", "BOOLEAN"), ("opt_out_date", "DATE"),
    ),
    "int_deferral_escalations_applied": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("effective_date", "DATE"), ("deferral_rate_before", "DECIMAL(7,5)"),
        ("deferral_rate_after", "DECIMAL(7,5)"),
    ),
    "int_plan_contributions_calculated": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("ending_deferral_rate", "DECIMAL(7,5)"), ("age_at_year_end", "BIGINT"),
        ("prorated_compensation", "DECIMAL(18,2)"), ("plan_compensation", "DECIMAL(18,2)"),
        ("deferral_before_limits", "DECIMAL(18,2)"), ("deferral_limit", "DECIMAL(18,2)"),
        ("employee_contribution", "DECIMAL(18,2)"), ("catch_up_contribution", "DECIMAL(18,2)"),
        ("roth_catch_up", "DECIMAL(18,2)"), ("prior_year_compensation", "DECIMAL(18,2)"),
        ("roth_catch_up_required", "BOOLEAN"), ("match_compensation", "DECIMAL(18,2)"),
        ("employer_match", "DECIMAL(18,2)"), ("employer_core", "DECIMAL(18,2)"),
        ("annual_additions_limit", "DECIMAL(18,2)"), ("receives_match", "BOOLEAN"),
        ("receives_core", "BOOLEAN"),
    ),
    "int_account_balances_rolled": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("vesting_years", "BIGINT"), ("match_vested_rate", "DECIMAL(7,5)"), ("core_vested_rate", "DECIMAL(7,5)"),
        ("starting_employee_balance", "DECIMAL(18,2)"), ("starting_match_balance", "DECIMAL(18,2)"),
        ("starting_core_balance", "DECIMAL(18,2)"), ("investment_return", "DECIMAL(18,2)"),
        ("forfeiture", "DECIMAL(18,2)"), ("employee_balance", "DECIMAL(18,2)"), ("match_balance", "DECIMAL(18,2)"),
        ("core_balance", "DECIMAL(18,2)"), ("distribution", "DECIMAL(18,2)"),
    ),
    "int_highly_compensated_determined": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("lookback_compensation", "DECIMAL(18,2)"), ("lookback_threshold", "DECIMAL(18,2)"),
        ("counts_for_top_paid_group", "BOOLEAN"), ("in_top_paid_group", "BOOLEAN"), ("is_hce", "BOOLEAN"),
    ),
    "fct_workforce_snapshot": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("employee_id", "VARCHAR"),
        ("employee_key", "UBIGINT"), ("employment_status", "VARCHAR"), ("status_detail", "VARCHAR"),
        ("hire_date", "DATE"), ("termination_date", "DATE"), ("birth_date", "DATE"), ("age", "BIGINT"),
        ("tenure_years", "BIGINT"), ("level_id", "INTEGER"), ("annual_compensation", "DECIMAL(18,2)"),
        ("prorated_compensation", "DECIMAL(18,2)"), ("is_eligible", "BOOLEAN"), ("eligibility_date", "DATE"),
        ("is_enrolled", "BOOLEAN"), ("deferral_rate", "DECIMAL(7,5)"), ("enrollment_date", "DATE"),
        ("has_opted_out", "BOOLEAN"), ("scheduled_hours", "DECIMAL(9,2)"), ("hours_worked", "DECIMAL(12,2)"),
        ("is_long_term_part_time", "BOOLEAN"), ("plan_compensation", "DECIMAL(18,2)"), ("employee_contribution", "DECIMAL(18,2)"),
        ("employer_match", "DECIMAL(18,2)"), ("employer_core", "DECIMAL(18,2)"),
        ("match_vested_rate", "DECIMAL(7,5)"), ("core_vested_rate", "DECIMAL(7,5)"), ("forfeiture", "DECIMAL(18,2)"),
        ("employee_balance", "DECIMAL(18,2)"), ("match_balance", "DECIMAL(18,2)"), ("core_balance", "DECIMAL(18,2)"),
        ("roth_catch_up", "DECIMAL(18,2)"), ("distribution", "DECIMAL(18,2)"), ("vesting_service_years", "BIGINT"),
        ("termination_reason", "VARCHAR"),
    ),
    "fct_yearly_events": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("event_id", "VARCHAR"),
        ("employee_id", "VARCHAR"), ("event_type", "VARCHAR"), ("effective_date", "DATE"),
        ("event_sequence", "INTEGER"), ("level_before", "INTEGER"), ("level_after", "INTEGER"),
        ("compensation_before", "DECIMAL(18,2)"), ("compensation_after", "DECIMAL(18,2)"),
        ("deferral_rate_before", "DECIMAL(7,5)"), ("deferral_rate_after", "DECIMAL(7,5)"),
        ("amount", "DECIMAL(18,2)"),
        ("termination_reason", "VARCHAR"),
    ),
    "fct_year_summary": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("starting_headcount", "BIGINT"),
        ("hires", "BIGINT"), ("experienced_terminations", "BIGINT"), ("new_hire_terminations", "BIGINT"),
        ("ending_headcount", "BIGINT"), ("target_ending_headcount", "BIGINT"), ("solver_branch", "VARCHAR"),
        ("growth_rate", "DECIMAL(7,5)"), ("target_growth_rate", "DECIMAL(7,5)"),
        ("total_prorated_compensation", "DECIMAL(18,2)"), ("eligible_active", "BIGINT"),
        ("enrolled_active", "BIGINT"), ("participation_rate", "DECIMAL(7,5)"),
        ("average_deferral_rate", "DECIMAL(7,5)"), ("employee_contributions", "DECIMAL(18,2)"),
        ("employer_match", "DECIMAL(18,2)"), ("employer_core", "DECIMAL(18,2)"),
        ("employer_cost", "DECIMAL(18,2)"), ("forfeitures", "DECIMAL(18,2)"), ("net_employer_cost", "DECIMAL(18,2)"),
        ("employer_cost_pct_of_payroll", "DECIMAL(7,5)"), ("total_account_balances", "DECIMAL(18,2)"),
        ("distributions", "DECIMAL(18,2)"),
    ),
    "fct_nondiscrimination_tests": (
        ("scenario_id", "VARCHAR"), ("simulation_year", "INTEGER"), ("test_name", "VARCHAR"),
        ("testing_method", "VARCHAR"), ("basis_year", "INTEGER"), ("hce_count", "BIGINT"), ("nhce_count", "BIGINT"),
        ("hce_rate_units", "BIGINT"), ("nhce_rate_units", "BIGINT"), ("basis_nhce_count", "BIGINT"),
        ("basis_nhce_rate_units", "BIGINT"), ("hce_average", "DECIMAL(9,6)"), ("nhce_average", "DECIMAL(9,6)"),
        ("allowed_hce_average", "DECIMAL(9,6)"), ("margin", "DECIMAL(9,6)"), ("deemed_by_safe_harbor", "BOOLEAN"),
        ("passed", "BOOLEAN"), ("result", "VARCHAR"),
    ),
}

# Columns that DuckDB derives from the frame's other columns as it writes them. The event id is
# the MD5 digest of the event's content, the same expression as the dbt macro `event_id`:
# DuckDB digests the rows as it writes them, far faster than Python's hashlib (docs/benchmarks.md).
DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    "fct_yearly_events": {
        "event_id": "md5(concat_ws('|', scenario_id, simulation_year::varchar, employee_id, event_type))",
    },
}

_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")


def decimal_scale(sql_type: str) -> int | None:
    match = _DECIMAL.fullmatch(sql_type)
    return int(match.group(2)) if match else None


def _from_frame(column: str, sql_type: str) -> str:
    """The SQL that turns the frame's column into the table's type (scaled integers back to DECIMAL)."""
    scale = decimal_scale(sql_type)
    if scale is None:
        return f'"{column}"::{sql_type} as "{column}"'
    unit = f"0.{'0' * (scale - 1)}1::decimal({scale + 1}, {scale})" if scale else "1"
    return f'("{column}"::decimal(18, 0) * {unit})::{sql_type} as "{column}"'


def frame_columns(table: str) -> list[str]:
    """The columns a frame of `table` carries (all but the derived ones)."""
    derived = DERIVED_COLUMNS.get(table, {})
    return [c for c, _ in YEAR_TABLES[table] if c not in derived]


def create_table_sql(table: str, qualified: str) -> str:
    columns = ", ".join(f'"{c}" {t}' for c, t in YEAR_TABLES[table])
    return f"create table if not exists {qualified} ({columns})"


def frame_select_sql(table: str, relation: str) -> str:
    """A SELECT over a registered frame that yields the table's columns and types."""
    derived = DERIVED_COLUMNS.get(table, {})
    columns = [f'({derived[c]})::{t} as "{c}"' if c in derived else _from_frame(c, t) for c, t in YEAR_TABLES[table]]
    return "select " + ", ".join(columns) + f" from {relation}"


def check_frame_columns(table: str, frame: pl.DataFrame) -> None:
    missing = [c for c in frame_columns(table) if c not in frame.columns]
    if missing:
        raise ValueError(f"the Polars engine's {table} lacks columns {missing}")


def add_missing_year_columns(con: duckdb.DuckDBPyConnection, schema: str = "main") -> None:
    """Gives the per-year tables that exist the columns they lack (a database built by an earlier
    version: its earlier years hold nulls there), before either engine writes a year. One query
    reads what every table has (this runs before every year)."""
    present = columns_by_table(con, schema)
    for table, columns in YEAR_TABLES.items():
        if table in present:
            add_missing_columns(con, schema, table, list(columns), present[table])


def write_year_tables(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int,
                      frames: Mapping[str, pl.DataFrame], schema: str = "main") -> dict[str, int]:
    """Replaces the year's rows of every per-year table with the frames' rows (one transaction).
    Returns the rows written per table."""
    for table, frame in frames.items():
        check_frame_columns(table, frame)
    written: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        add_missing_year_columns(con, schema)
        for table in YEAR_TABLES:
            frame = frames[table].select(frame_columns(table))
            qualified = f"{schema}.{table}"
            con.execute(create_table_sql(table, qualified))
            con.execute(f"delete from {qualified} where scenario_id = ? and simulation_year = ?", [scenario_id, year])
            view = f"_engine_frame_{table}"
            con.register(view, frame.to_arrow())
            try:
                con.execute(f"insert into {qualified} by name {frame_select_sql(table, view)}")
            finally:
                con.unregister(view)
            written[table] = frame.height
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return written
