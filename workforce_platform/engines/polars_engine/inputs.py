"""What a year of the Polars engine reads from the database, through Arrow.

The same inputs as the dbt models: the scenario row, the parameter seeds and staging views, and
the state on 1 January (the census baseline in the first year, otherwise the previous year's
active snapshot rows). DECIMAL columns arrive as exact integers of 10^-scale units (see
``year_tables``); the conversion happens in DuckDB, where it is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Optional

import duckdb
import polars as pl

from workforce_platform.engines.polars_engine.arithmetic import whole_years
from workforce_platform.errors import SimulationOrderError

# Inside the engine an employee is an integer code, not the id string: every join and sort of
# the year is keyed by employee, and integers join and sort much faster than strings (docs/benchmarks.md).
# The codes of the employees read are their positions in the database's order of their ids, so
# a tie broken by code is broken as SQL's `order by ..., employee_id` breaks it; the year's
# hires get the codes after them, in the order of their ids (``__init__.encode_hires``); the
# ids come back as the tables leave the engine (``__init__.decode_employee_ids``).
EMPLOYEE_CODE = pl.UInt32


def scaled(column: str, scale: int, alias: Optional[str] = None) -> str:
    """A DECIMAL column as an exact integer count of 10^-scale units."""
    return f"({column} * {10 ** scale})::bigint as {alias or column}"


def units(value: Decimal, scale: int) -> int:
    """A Decimal parameter as an integer count of 10^-scale units (exact, or an error)."""
    scaled_value = value * (10 ** scale)
    if scaled_value != scaled_value.to_integral_value():
        raise ValueError(f"{value} has more than {scale} decimals")
    return int(scaled_value)


@dataclass(frozen=True)
class ScenarioRow:
    """inputs.scenario: the parameters the models read, rates as hundred-thousandths."""

    values: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def rate(self, name: str) -> int:
        return units(self.values[name], 5)


@dataclass(frozen=True)
class YearInputs:
    scenario: ScenarioRow
    year: int
    starting: pl.DataFrame  # the state on 1 January
    levels: pl.DataFrame
    age_bands: pl.DataFrame
    tenure_bands: pl.DataFrame
    pay_bands: pl.DataFrame
    termination_hazards: pl.DataFrame
    new_hire_termination_hazards: pl.DataFrame
    promotion_hazards: pl.DataFrame
    mortality_rates: pl.DataFrame  # age, mortality_rate
    retirement_rates: pl.DataFrame  # years_from_normal_retirement_age, retirement_rate
    census_levels: pl.DataFrame  # the census's active employees by level (level_id, headcount), every level
    census_schedules: pl.DataFrame  # the census's active employees by scheduled_hours (null: full time)
    merit_rates: pl.DataFrame
    new_hire_levels: pl.DataFrame
    new_hire_ages: pl.DataFrame
    opt_out_rates: pl.DataFrame
    voluntary_enrollment: pl.DataFrame
    voluntary_deferral_rates: pl.DataFrame
    match_tiers: pl.DataFrame
    core_schedule: pl.DataFrame
    vesting_schedules: pl.DataFrame
    irs_limits: pl.DataFrame  # the year's row (shipped or projected)
    new_hire_pay_bands: pl.DataFrame  # the year's indexed band of each level
    lookback_pay: pl.DataFrame  # 414(q): everyone employed in the year before, their pay in it and what
    # decides whether they count for the top-paid group (birth_date, hire_date, scheduled_hours, last_day)
    lookback_threshold: Optional[int]  # the 414(q) threshold of the year before, in cents
    previous_tests: pl.DataFrame  # the year before's ADP and ACP rows (test_name, nhce_count, nhce_rate_units)
    employee_ids: pl.Series  # the id of each employee code of `starting` and `lookback_pay` (see EMPLOYEE_CODE)


_STATE_COLUMNS = (
    "employee_id, employee_key, birth_date, hire_date, level_id::integer as level_id, "
    f"{scaled('annual_compensation', 2)}, {scaled('deferral_rate', 5)}, is_enrolled, "
    f"eligibility_date, enrollment_date, has_opted_out, {scaled('scheduled_hours', 2)}"
)


def _frame(con: duckdb.DuckDBPyConnection, sql: str, parameters: Optional[list] = None) -> pl.DataFrame:
    if parameters:
        return con.sql(sql, params=parameters).pl()
    return con.sql(sql).pl()


def read_year_inputs(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int) -> YearInputs:
    """Reads everything year `year` starts from. The caller has checked the year order."""
    scenario = _scenario_row(con, scenario_id)
    people, previous_tests = _people_and_previous_tests(con, scenario_id, year, scenario)
    employee_ids = people["employee_id"]
    people = people.with_columns(employee_id=pl.int_range(0, people.height, dtype=EMPLOYEE_CODE, eager=True))
    starting = people.filter(pl.col("is_active")).drop("last_day", "is_active")
    lookback_pay = people.select("employee_id", pl.col("prior_year_compensation").alias("lookback_compensation"),
                                 "birth_date", "hire_date", "scheduled_hours", "last_day")
    thresholds = con.execute("select (highly_compensated_threshold * 100)::bigint from main.int_irs_limits_projected "
                             "where plan_year = ?", [year - 1]).fetchall()
    return YearInputs(
        scenario=scenario,
        year=year,
        starting=starting,
        **_parameter_tables(con, year),
        lookback_pay=lookback_pay,
        lookback_threshold=thresholds[0][0] if thresholds else None,
        previous_tests=previous_tests,
        employee_ids=employee_ids,
    )


def _scenario_row(con: duckdb.DuckDBPyConnection, scenario_id: str) -> ScenarioRow:
    """inputs.scenario, which must be the one row of `scenario_id`."""
    cursor = con.execute("select * from inputs.scenario")
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    if len(rows) != 1:
        raise SimulationOrderError("inputs.scenario must hold exactly one row: materialise the parameters first")
    scenario = ScenarioRow(dict(zip(names, rows[0])))
    if scenario.scenario_id != scenario_id:
        raise SimulationOrderError(
            f"the database's parameters are scenario '{scenario.scenario_id}', not '{scenario_id}'")
    return scenario


def _people_and_previous_tests(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int,
                               scenario: ScenarioRow) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The employees the year reads, in the order of their ids: the census baseline in the first
    year, else everyone in the year before's snapshot, each with whether they start the year (is_active)
    and the last day of the lookback year they were employed; and the year before's ADP and ACP rows."""
    balances = ", ".join(f"(coalesce({b}, 0) * 100)::bigint as {b}" for b in ("employee_balance", "match_balance", "core_balance"))
    if year == scenario.start_year:
        # the census baseline: everyone active, with the census's opening balances and vesting
        # service; the pay of the year before is the census's prior_year_compensation, else its pay rate
        people = _frame(con, f"select {_STATE_COLUMNS}, {balances}, vesting_service_years, "
                             f"{scaled('coalesce(prior_year_compensation, annual_compensation)', 2, 'prior_year_compensation')}, "
                             f"make_date({year} - 1, 12, 31) as last_day, true as is_active "
                             "from main.int_baseline_workforce_prepared order by employee_id")
        previous_tests = pl.DataFrame(schema={"test_name": pl.String, "nhce_count": pl.Int64, "nhce_rate_units": pl.Int64})
        return people, previous_tests
    # the year before's snapshot: its active employees start the year; all give the lookback pay
    people = _frame(
        con,
        f"select {_STATE_COLUMNS}, {balances}, vesting_service_years, "
        f"{scaled('prorated_compensation', 2, 'prior_year_compensation')}, "
        f"coalesce(termination_date, make_date({year} - 1, 12, 31)) as last_day, "
        "employment_status = 'active' as is_active "
        "from main.fct_workforce_snapshot where scenario_id = ? and simulation_year = ? order by employee_id",
        [scenario_id, year - 1],
    )
    # a snapshot built before vesting service was carried: whole years from hire to 31 December
    people = people.with_columns(vesting_service_years=pl.coalesce(
        "vesting_service_years", whole_years(pl.col("hire_date"), pl.lit(date(year - 1, 12, 31)))))
    previous_tests = _frame(con, "select test_name, nhce_count, nhce_rate_units from main.fct_nondiscrimination_tests "
                                 "where scenario_id = ? and simulation_year = ?", [scenario_id, year - 1])
    return people, previous_tests


def _parameter_tables(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, pl.DataFrame]:
    """The parameter seeds and staging views the year reads, by their YearInputs field."""
    return dict(
        levels=_frame(con, f"select level_id, {scaled('min_compensation', 2)}, {scaled('max_compensation', 2)}, "
                           f"{scaled('merit_rate', 5)} from main.config_levels"),
        age_bands=_frame(con, "select age_band_id, min_age, max_age from main.config_age_bands"),
        tenure_bands=_frame(con, "select tenure_band_id, min_tenure_years, max_tenure_years from main.config_tenure_bands"),
        pay_bands=_frame(con, f"select pay_band_id, {scaled('min_compensation', 2)}, {scaled('max_compensation', 2)} "
                              "from main.config_pay_bands"),
        termination_hazards=_frame(con, f"select age_band_id, tenure_band_id, level_id, {scaled('termination_hazard', 5)} "
                                        "from main.config_termination_hazards"),
        new_hire_termination_hazards=_frame(
            con, f"select months_employed::integer as months_employed, {scaled('termination_hazard', 5)} "
                 "from main.config_new_hire_termination_hazards"),
        promotion_hazards=_frame(con, f"select age_band_id, tenure_band_id, level_id, {scaled('promotion_probability', 5)} "
                                      "from main.config_promotion_hazards"),
        mortality_rates=_frame(con, f"select age::bigint as age, {scaled('mortality_rate', 5)} "
                                    "from main.config_mortality_rates"),
        retirement_rates=_frame(con, "select years_from_normal_retirement_age::bigint as years_from_normal_retirement_age, "
                                     f"{scaled('retirement_rate', 5)} from main.config_retirement_rates"),
        census_levels=_frame(con, "select levels.level_id, count(census.employee_id)::bigint as headcount "
                                  "from main.config_levels as levels left join main.int_baseline_workforce_prepared "
                                  "as census using (level_id) group by levels.level_id order by 1"),
        census_schedules=_frame(con, f"select {scaled('scheduled_hours', 2)}, count(*)::bigint as headcount "
                                     "from main.int_baseline_workforce_prepared group by all"),
        merit_rates=_frame(con, f"select level_id, {scaled('merit_rate', 5)} from main.stg_merit_rates"),
        new_hire_levels=_frame(con, f"select level_id, mix_weight::bigint as mix_weight, {scaled('pay_percentile_low', 4)}, "
                                    f"{scaled('pay_percentile_high', 4)} from main.config_new_hire_levels"),
        new_hire_ages=_frame(con, "select age_at_hire, weight::bigint as weight from main.config_new_hire_ages"),
        opt_out_rates=_frame(con, f"select age_band_id, pay_band_id, {scaled('opt_out_rate', 5)} "
                                  "from main.config_auto_enrollment_opt_out_rates"),
        voluntary_enrollment=_frame(con, f"select age_band_id, {scaled('enrollment_probability', 5)} "
                                         "from main.config_voluntary_enrollment"),
        voluntary_deferral_rates=_frame(con, f"select age_band_id, pay_band_id, {scaled('deferral_rate', 5)} "
                                             "from main.config_voluntary_deferral_rates"),
        match_tiers=_frame(con, f"select tier, {scaled('employee_min', 5)}, {scaled('employee_max', 5)}, "
                                f"{scaled('match_rate', 5)} from main.stg_match_tiers"),
        core_schedule=_frame(con, f"select at_least, below, {scaled('rate', 5)} from main.stg_core_schedule"),
        vesting_schedules=_frame(con, f"select contribution, at_least_years, {scaled('vested_rate', 5)} "
                                      "from main.stg_vesting_schedules"),
        irs_limits=_frame(con, f"select plan_year, {scaled('elective_deferral_limit', 2)}, {scaled('catch_up_limit', 2)}, "
                               f"{scaled('super_catch_up_limit', 2)}, {scaled('compensation_limit', 2)}, "
                               f"{scaled('annual_additions_limit', 2)}, catch_up_age, super_catch_up_min_age, "
                               f"super_catch_up_max_age, {scaled('roth_catch_up_wage_threshold', 2)}, "
                               "roth_catch_up_in_force from main.int_irs_limits_projected where plan_year = ?", [year]),
        new_hire_pay_bands=_frame(con, f"select level_id, {scaled('min_compensation', 2)}, {scaled('max_compensation', 2)} "
                                       "from main.int_new_hire_pay_bands_indexed where plan_year = ?", [year]),
    )
