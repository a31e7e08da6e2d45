"""Workforce events in Polars: one function per dbt model of ``models/intermediate/workforce``,
the same rule in the same order (each function's docstring names its model).

Functions that take a frame of employees work on any subset of them (a shard); the two
selections that rank the whole workforce (who leaves) take every shard's candidates. The hires
and the new-hire terminations are in hiring.py; the plan's eligibility rules (macros
plan_eligibility_rule_date, meets_service_hours, long_term_part_time_schedule) are here, for
the hires' eligibility date and plan.py.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from workforce_platform.engines.polars_engine.arithmetic import (
    add_days, add_years, band_of, days_in_year, divide_round_half_up, draw_below,
    draw_is_below, weighted_sort_key, whole_years, with_draws, year_start,
)
from workforce_platform.engines.polars_engine.inputs import YearInputs
from workforce_platform.simulation.eligibility import FULL_TIME_HOURS, LONG_TERM_PART_TIME_HOURS
from workforce_platform.simulation.promotion_openings import level_targets, promotions_by_level
from workforce_platform.simulation.rng import Stream
from workforce_platform.simulation.workforce_needs import WorkforceNeeds, solve_workforce_needs

RATE_UNITS = 100_000


def partition_columns(inputs: YearInputs) -> list[pl.Expr]:
    """The scenario_id and simulation_year columns of the year's tables."""
    return [pl.lit(inputs.scenario.scenario_id).alias("scenario_id"), pl.lit(inputs.year, dtype=pl.Int32).alias("simulation_year")]


def starting_workforce(inputs: YearInputs, state: pl.DataFrame) -> pl.DataFrame:
    """int_starting_workforce_assembled: the state on 1 January with age, tenure and their bands."""
    first_day = pl.lit(year_start(inputs.year))
    aged = state.with_columns(
        age=whole_years(pl.col("birth_date"), first_day),
        tenure_years=whole_years(pl.col("hire_date"), first_day),
    )
    return aged.with_columns(
        *partition_columns(inputs),
        age_band_id=band_of(pl.col("age"), inputs.age_bands, "age_band_id", "min_age", "max_age"),
        tenure_band_id=band_of(pl.col("tenure_years"), inputs.tenure_bands, "tenure_band_id",
                               "min_tenure_years", "max_tenure_years"),
    )


def retirements_and_deaths(inputs: YearInputs, starting: pl.DataFrame) -> pl.DataFrame:
    """Macro retirements_and_deaths_drawn: each starting employee's `age_decrement` ('death',
    'retirement' or null) by age on 1 January. Death when the `death` draw falls below the
    mortality rate of the age (clamped to the table's ages), else retirement when the `retirement`
    draw falls below the rate for age - normal_retirement_age (none before the table's first row,
    the last row's rate after it)."""
    s = inputs.scenario
    mortality, retirement = inputs.mortality_rates, inputs.retirement_rates
    youngest, oldest = int(mortality["age"].min()), int(mortality["age"].max())
    last_row = int(retirement["years_from_normal_retirement_age"].max())
    rated = (
        starting.select(
            "employee_id", "employee_key",
            pl.col("age").cast(pl.Int64).clip(youngest, oldest).alias("age"),
            pl.min_horizontal(pl.col("age").cast(pl.Int64) - s.normal_retirement_age, pl.lit(last_row, dtype=pl.Int64))
            .alias("years_from_normal_retirement_age"))
        .join(mortality, on="age", how="left")
        .join(retirement, on="years_from_normal_retirement_age", how="left")
    )
    drawn = with_draws(rated, "employee_key", s.random_seed, inputs.year,
                       {"death": Stream.DEATH, "retirement": Stream.RETIREMENT})
    return drawn.select(
        "employee_id",
        pl.when(draw_is_below(pl.col("h_death"), pl.col("mortality_rate").fill_null(0))).then(pl.lit("death"))
        .when(draw_is_below(pl.col("h_retirement"), pl.col("retirement_rate").fill_null(0))).then(pl.lit("retirement"))
        .otherwise(pl.lit(None, dtype=pl.String)).alias("age_decrement"),
    )


def workforce_needs(inputs: YearInputs, starting_headcount: int, retirements_and_deaths: int = 0) -> WorkforceNeeds:
    """int_workforce_needs_solved, through the Python solver that the SQL model is tested against."""
    s = inputs.scenario
    return solve_workforce_needs(starting_headcount, s.target_growth_rate, s.termination_rate, s.new_hire_termination_rate,
                                 retirements_and_deaths)


def needs_frame(inputs: YearInputs, needs: WorkforceNeeds, retirements: int = 0, deaths: int = 0) -> pl.DataFrame:
    s = inputs.scenario
    return pl.DataFrame({
        "scenario_id": [s.scenario_id], "simulation_year": [inputs.year], "solver_branch": [needs.solver_branch],
        "starting_headcount": [needs.starting_headcount], "target_ending_headcount": [needs.target_ending_headcount],
        "experienced_terminations": [needs.experienced_terminations], "hires": [needs.hires],
        "new_hire_terminations": [needs.new_hire_terminations],
        "target_growth_rate": [s.rate("target_growth_rate")], "termination_rate": [s.rate("termination_rate")],
        "new_hire_termination_rate": [s.rate("new_hire_termination_rate")],
        "retirements": [retirements], "deaths": [deaths],
    }, schema_overrides={"simulation_year": pl.Int32, "retirements": pl.Int64, "deaths": pl.Int64})


# Retirements and deaths rank before every other leaver.
_LEAVES_FOR_AGE = pl.col("age_decrement").is_null().cast(pl.Int8).alias("other_leaver")


def termination_candidates(inputs: YearInputs, starting: pl.DataFrame, decrements: pl.DataFrame,
                           count: int) -> pl.DataFrame:
    """int_experienced_terminations_selected, first half: this subset's retirements and deaths
    (`decrements`, from retirements_and_deaths) first, then every other employee's weighted sort
    key (hazard by age band x tenure band x level), keeping the `count` first of this subset."""
    hazards = inputs.termination_hazards
    drawn = with_draws(
        starting.select("employee_id", "employee_key", "age_band_id", "tenure_band_id", "level_id")
        .join(hazards, on=["age_band_id", "tenure_band_id", "level_id"], how="left")
        .join(decrements, on="employee_id", how="left"),
        "employee_key", inputs.scenario.random_seed, inputs.year,
        {"termination": Stream.TERMINATION, "termination_date": Stream.TERMINATION_DATE},
    )
    drawn = drawn.with_columns(_LEAVES_FOR_AGE, sort_key=weighted_sort_key(drawn, "h_termination", "termination_hazard"))
    return drawn.sort(["other_leaver", "sort_key", "employee_id"]).head(count)


def select_terminations(inputs: YearInputs, candidates: list[pl.DataFrame], count: int) -> pl.DataFrame:
    """int_experienced_terminations_selected, second half: every retirement and death, then the
    smallest keys of the other employees (employee id breaks ties), `count` in all (the solver
    leaves room for the retirements and deaths), each leaving on a day drawn uniformly over the
    year, with its reason."""
    ranked = pl.concat(candidates).sort(["other_leaver", "sort_key", "employee_id"]).head(count)
    return ranked.with_columns(*partition_columns(inputs)).select(
        "scenario_id", "simulation_year", "employee_id", "termination_hazard",
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("termination_rank"),
        add_days(pl.lit(year_start(inputs.year)),
                 draw_below(pl.col("h_termination_date"), days_in_year(inputs.year))).alias("termination_date"),
        pl.col("age_decrement").fill_null("other").alias("termination_reason"),
    )


def _leavers(terminations: pl.DataFrame) -> pl.DataFrame:
    return terminations.select("employee_id", pl.col("termination_date").alias("_leaves_on"))


def _still_employed_on(day: date) -> pl.Expr:
    return pl.col("_leaves_on").is_null() | (pl.col("_leaves_on") >= pl.lit(day))


def promotion_candidates(inputs: YearInputs, starting: pl.DataFrame, terminations: pl.DataFrame) -> pl.DataFrame:
    """int_promotions_drawn, first part: the starting employees below the top level, employed on
    the promotion date, with a positive promotion weight (age band x tenure band x level), each
    with the weighted sort key of its draw."""
    s = inputs.scenario
    promotion_date = date(inputs.year, s.promotion_month, s.promotion_day)
    top_level = inputs.levels["level_id"].max()
    candidates = (
        starting.filter(pl.col("level_id") < top_level)
        .join(_leavers(terminations), on="employee_id", how="left")
        .filter(_still_employed_on(promotion_date))
        .join(inputs.promotion_hazards, on=["age_band_id", "tenure_band_id", "level_id"], how="inner")
        .filter(pl.col("promotion_probability") > 0)
        .select("employee_id", "employee_key", "level_id", "annual_compensation", "promotion_probability")
    )
    drawn = with_draws(candidates, "employee_key", s.random_seed, inputs.year, {"promotion": Stream.PROMOTION})
    return drawn.with_columns(sort_key=weighted_sort_key(drawn, "h_promotion", "promotion_probability"))


def staying_by_level(starting: pl.DataFrame, terminations: pl.DataFrame, hires: pl.DataFrame,
                     new_hire_terminations: pl.DataFrame) -> dict[int, int]:
    """The employees at each level on 31 December without promotions: starting employees who do
    not leave, hires who stay (one shard's, or all)."""
    staying = pl.concat([
        starting.join(terminations, on="employee_id", how="anti").select(pl.col("level_id").cast(pl.Int64)),
        hires.join(new_hire_terminations, on="employee_id", how="anti").select(pl.col("level_id").cast(pl.Int64)),
    ])
    return {level: count for level, count in staying.group_by("level_id").len().iter_rows()}


def promotion_counts(inputs: YearInputs, needs: WorkforceNeeds, staying: dict[int, int],
                     candidates: list[pl.DataFrame]) -> dict[int, int]:
    """How many each level promotes: the openings that keep the census's level mix
    (simulation/promotion_openings.py)."""
    levels = sorted(int(level) for level in inputs.levels["level_id"])
    census = {int(level): int(count) for level, count in inputs.census_levels.iter_rows()}
    by_level: dict[int, int] = {}
    for part in candidates:
        for level, count in part.group_by("level_id").len().iter_rows():
            by_level[int(level)] = by_level.get(int(level), 0) + count
    return promotions_by_level(level_targets(needs.target_ending_headcount, census, levels), staying, by_level)


def promotions(inputs: YearInputs, candidates: list[pl.DataFrame], counts: dict[int, int]) -> pl.DataFrame:
    """int_promotions_drawn: each level's `counts[level]` smallest sort keys of its candidates
    (employee id breaks ties) move one level up; new pay = the raise, at least the new level's
    band minimum of the year (int_new_hire_pay_bands_indexed)."""
    s = inputs.scenario
    promotion_date = date(inputs.year, s.promotion_month, s.promotion_day)
    quota = pl.DataFrame({"level_id": list(counts), "quota": list(counts.values())},
                         schema={"level_id": pl.Int32, "quota": pl.Int64})
    ranked = (
        pl.concat(candidates).with_columns(pl.col("level_id").cast(pl.Int32))
        .sort(["level_id", "sort_key", "employee_id"])
        .with_columns(rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("level_id"))
        .join(quota, on="level_id", how="inner")
        .filter(pl.col("rank") <= pl.col("quota"))
    )
    # the floor of the level above: its band minimum of the year, keyed by the level promoted from
    floors = inputs.new_hire_pay_bands.select((pl.col("level_id") - 1).cast(pl.Int32).alias("level_id"),
                                              "min_compensation")
    raised = divide_round_half_up(pl.col("annual_compensation") * (RATE_UNITS + s.rate("promotion_raise")), RATE_UNITS)
    return ranked.join(floors, on="level_id", how="inner").with_columns(
        *partition_columns(inputs)).select(
        "scenario_id", "simulation_year", "employee_id",
        pl.lit(promotion_date).alias("effective_date"),
        pl.col("level_id").alias("level_before"),
        (pl.col("level_id") + 1).alias("level_after"),
        pl.col("annual_compensation").alias("compensation_before"),
        pl.max_horizontal(raised.cast(pl.Int64), pl.col("min_compensation")).alias("compensation_after"),
    )


def merit_raises(inputs: YearInputs, starting: pl.DataFrame, terminations: pl.DataFrame,
                 promoted: pl.DataFrame) -> pl.DataFrame:
    """int_merit_raises_applied: merit of the level held on the merit date plus COLA, for starting
    employees employed that day, on the pay after any promotion."""
    s = inputs.scenario
    merit_date = date(inputs.year, s.merit_month, s.merit_day)
    cola = s.rate("cola_rate")
    eligible = (
        starting.select("employee_id", "level_id", "annual_compensation")
        .join(_leavers(terminations), on="employee_id", how="left")
        .filter(_still_employed_on(merit_date))
        .join(promoted.select("employee_id", "level_after", pl.col("compensation_after").alias("_promoted_pay")),
              on="employee_id", how="left")
        .with_columns(
            level_id=pl.coalesce("level_after", "level_id"),
            compensation_before=pl.coalesce("_promoted_pay", "annual_compensation"),
        )
    )
    rated = eligible.join(inputs.merit_rates, on="level_id", how="inner").with_columns(
        raise_rate=pl.col("merit_rate") + cola)
    return rated.filter(pl.col("raise_rate") != 0).with_columns(*partition_columns(inputs)).select(
        "scenario_id", "simulation_year", "employee_id",
        pl.lit(merit_date).alias("effective_date"),
        "level_id", "raise_rate", "compensation_before",
        divide_round_half_up(pl.col("compensation_before") * (RATE_UNITS + pl.col("raise_rate")), RATE_UNITS)
        .cast(pl.Int64).alias("compensation_after"),
    )


def eligibility_rule_date(inputs: YearInputs, birth_date: pl.Expr, hire_date: pl.Expr,
                          scheduled_hours: pl.Expr) -> pl.Expr:
    """Macro plan_eligibility_rule_date: the first entry date on or after the day the requirements
    are met. A schedule (hundredths of an hour, null: full time) that gives the year of service
    (or no hours asked): the later of the waiting period's end, the minimum age and, when hours are
    asked, the first anniversary of hire. Else, 500 hours or more (long-term part-time): the later
    of the minimum age and 1 January after the consecutive 500-hour years (three in 2024, two from
    2025, none before 2021). Else the ordinary date, never reached."""
    s = inputs.scenario
    minimum_age_met = add_years(birth_date, s.eligibility_minimum_age)
    ordinary = _entry_date(s, pl.max_horizontal(
        add_days(hire_date, s.eligibility_waiting_days), minimum_age_met,
        add_years(hire_date, 0 if s.eligibility_minimum_hours is None else 1)))
    if s.eligibility_minimum_hours is None:
        return ordinary
    counted_from = pl.max_horizontal(hire_date.dt.year(), pl.lit(2021)).cast(pl.Int32)
    part_time_service = pl.min_horizontal(
        pl.date(counted_from + 3, 1, 1),
        pl.max_horizontal(pl.date(counted_from + 2, 1, 1), pl.lit(date(2025, 1, 1))))
    long_term_part_time = _entry_date(s, pl.max_horizontal(part_time_service, minimum_age_met))
    return pl.when(long_term_part_time_schedule(s, scheduled_hours)).then(long_term_part_time).otherwise(ordinary)


def meets_service_hours(s, scheduled_hours: pl.Expr) -> pl.Expr:
    """Macro meets_service_hours: the schedule (hundredths of an hour, null: full time) gives the
    plan's year of service, or the plan asks no hours."""
    if s.eligibility_minimum_hours is None:
        return pl.lit(True)
    return scheduled_hours.fill_null(FULL_TIME_HOURS * 100) >= s.eligibility_minimum_hours * 100


def long_term_part_time_schedule(s, scheduled_hours: pl.Expr) -> pl.Expr:
    """Macro long_term_part_time_schedule: short of the year of service, 500 hours or more."""
    return ~meets_service_hours(s, scheduled_hours) & (
        scheduled_hours.fill_null(FULL_TIME_HOURS * 100) >= LONG_TERM_PART_TIME_HOURS * 100)


def _entry_date(s, met: pl.Expr) -> pl.Expr:
    """Macro plan_entry_date: the first of the plan's entry dates on or after `met`."""
    if s.eligibility_entry_dates == "immediate":
        return met
    step = {"monthly": 1, "quarterly": 3, "semi_annual": 6}[s.eligibility_entry_dates]
    period_start = pl.date(met.dt.year(), (met.dt.month() - 1) // step * step + 1, 1)
    return pl.when(met == period_start).then(met).otherwise(period_start.dt.offset_by(f"{step}mo"))
