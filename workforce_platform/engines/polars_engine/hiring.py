"""The year's hires in Polars: the dbt models int_new_hires_generated and
int_new_hire_terminations_selected, the same rules in the same order (each function's docstring
names its model). The hires' plan eligibility follows the rules of workforce.py."""

from __future__ import annotations

import numpy as np
import polars as pl

from workforce_platform.engines.polars_engine.arithmetic import (
    add_days, days_between, days_in_year, divide_round_half_up, draw_below, weighted_sort_key, with_draws,
    year_end, year_start,
)
from workforce_platform.engines.polars_engine.inputs import YearInputs
from workforce_platform.engines.polars_engine.workforce import eligibility_rule_date, partition_columns
from workforce_platform.simulation.rng import Stream, employee_key


def hire_identities(inputs: YearInputs, hires: int) -> pl.DataFrame:
    """The year's hires' ids and keys, from the year and a sequence number (lpad to 6 digits, as
    DuckDB's lpad: a longer number is cut to its first 6 digits)."""
    ids = [f"NH{inputs.year}_{str(n).rjust(6, '0')[:6]}" for n in range(1, hires + 1)]
    return pl.DataFrame({
        "hire_sequence": pl.int_range(1, hires + 1, dtype=pl.Int64, eager=True),
        "employee_id": pl.Series(ids, dtype=pl.String),
        "employee_key": pl.Series([employee_key(i) for i in ids], dtype=pl.UInt64),
    })


def _cumulative_choice(draw: pl.Series, cumulative_high: np.ndarray) -> np.ndarray:
    """Index of the entry whose [cumulative_low, cumulative_high) holds the draw."""
    return np.searchsorted(cumulative_high, draw.to_numpy(), side="right")


def new_hires(inputs: YearInputs, identities: pl.DataFrame) -> pl.DataFrame:
    """int_new_hires_generated: level by the new-hire mix, age by the age distribution, hire date
    uniform over the year but its last day, pay uniform between the level's pay percentiles of
    the year's indexed band, schedule by the census's scheduled hours."""
    s, year = inputs.scenario, inputs.year
    drawn = with_draws(identities, "employee_key", s.random_seed, year, {
        "new_hire_level": Stream.NEW_HIRE_LEVEL, "new_hire_age": Stream.NEW_HIRE_AGE,
        "new_hire_date": Stream.NEW_HIRE_DATE, "new_hire_pay": Stream.NEW_HIRE_PAY,
        "new_hire_birth_day": Stream.NEW_HIRE_BIRTH_DAY, "new_hire_schedule": Stream.NEW_HIRE_SCHEDULE,
    })
    level_mix = inputs.new_hire_levels.sort("level_id").join(
        inputs.new_hire_pay_bands.select("level_id", "min_compensation", "max_compensation"), on="level_id", how="inner")
    level_mix = level_mix.with_columns(cumulative_high=pl.col("mix_weight").cum_sum())
    age_mix = inputs.new_hire_ages.sort("age_at_hire").with_columns(cumulative_high=pl.col("weight").cum_sum())
    level_draw = drawn.select(draw_below(pl.col("h_new_hire_level"), int(level_mix["mix_weight"].sum()))).to_series()
    age_draw = drawn.select(draw_below(pl.col("h_new_hire_age"), int(age_mix["weight"].sum()))).to_series()
    chosen_level = level_mix[_cumulative_choice(level_draw, level_mix["cumulative_high"].to_numpy())]
    chosen_age = age_mix["age_at_hire"].to_numpy()[_cumulative_choice(age_draw, age_mix["cumulative_high"].to_numpy())]
    # the census's schedules, null (full time) first, each weighted by its headcount
    schedule_mix = inputs.census_schedules.sort("scheduled_hours", nulls_last=False).with_columns(
        cumulative_high=pl.col("headcount").cum_sum())
    schedule_draw = drawn.select(draw_below(pl.col("h_new_hire_schedule"), int(schedule_mix["headcount"].sum()))).to_series()
    chosen_schedule = schedule_mix["scheduled_hours"].gather(
        _cumulative_choice(schedule_draw, schedule_mix["cumulative_high"].to_numpy()))
    spread = pl.col("max_compensation") - pl.col("min_compensation")
    # (min + (max - min) x percentile) x 100 cast to BIGINT: DuckDB rounds half away from zero.
    pay_low = divide_round_half_up(pl.col("min_compensation") * 10_000 + spread * pl.col("pay_percentile_low"), 10_000)
    pay_high = divide_round_half_up(pl.col("min_compensation") * 10_000 + spread * pl.col("pay_percentile_high"), 10_000)
    chosen = pl.concat([
        drawn,
        chosen_level.select("level_id", pay_low.cast(pl.Int64).alias("pay_low"), pay_high.cast(pl.Int64).alias("pay_high")),
    ], how="horizontal").with_columns(birth_year=pl.lit(year) - pl.Series(chosen_age, dtype=pl.Int64),
                                      scheduled_hours=chosen_schedule.cast(pl.Int64))
    birth_jan1 = pl.date(pl.col("birth_year"), 1, 1)
    born = chosen.with_columns(
        hire_date=add_days(pl.lit(year_start(year)), draw_below(pl.col("h_new_hire_date"), days_in_year(year) - 1)),
        birth_date=add_days(birth_jan1, draw_below(pl.col("h_new_hire_birth_day"),
                                                   days_between(birth_jan1, pl.date(pl.col("birth_year") + 1, 1, 1)))),
        annual_compensation=pl.col("pay_low") + draw_below(pl.col("h_new_hire_pay"), pl.col("pay_high") - pl.col("pay_low") + 1),
    )
    return born.with_columns(*partition_columns(inputs)).select(
        "scenario_id", "simulation_year", "employee_id", "employee_key", "hire_sequence", "hire_date", "birth_date",
        pl.col("level_id").cast(pl.Int32), "annual_compensation",
        pl.lit(0, dtype=pl.Int64).alias("deferral_rate"),
        pl.lit(False).alias("is_enrolled"),
        eligibility_rule_date(inputs, pl.col("birth_date"), pl.col("hire_date"),
                              pl.col("scheduled_hours")).alias("eligibility_date"),
        pl.lit(None, dtype=pl.Date).alias("enrollment_date"),
        pl.lit(False).alias("has_opted_out"),
        "scheduled_hours",
    )


def new_hire_termination_candidates(inputs: YearInputs, hires: pl.DataFrame, count: int) -> pl.DataFrame:
    """int_new_hire_terminations_selected, first half: every hire's weighted sort key (hazard by
    months employed in the year, 13 - the hire month), keeping the `count` smallest of this subset."""
    drawn = with_draws(
        hires.select("employee_id", "employee_key", "hire_date",
                     (13 - pl.col("hire_date").dt.month().cast(pl.Int32)).alias("months_employed"))
        .join(inputs.new_hire_termination_hazards, on="months_employed", how="left"),
        "employee_key", inputs.scenario.random_seed, inputs.year, {
            "new_hire_termination": Stream.NEW_HIRE_TERMINATION,
            "new_hire_termination_date": Stream.NEW_HIRE_TERMINATION_DATE})
    drawn = drawn.with_columns(sort_key=weighted_sort_key(drawn, "h_new_hire_termination", "termination_hazard"))
    return drawn.sort(["sort_key", "employee_id"]).head(count)


def select_new_hire_terminations(inputs: YearInputs, candidates: list[pl.DataFrame], count: int) -> pl.DataFrame:
    """int_new_hire_terminations_selected: the `count` smallest keys of all hires leave, on a day
    after the hire date, by 31 December."""
    ranked = pl.concat(candidates).sort(["sort_key", "employee_id"]).head(count)
    return ranked.with_columns(*partition_columns(inputs)).select(
        "scenario_id", "simulation_year", "employee_id", "hire_date",
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("termination_rank"),
        add_days(pl.col("hire_date"), 1 + draw_below(pl.col("h_new_hire_termination_date"),
                                                     days_between(pl.col("hire_date"), pl.lit(year_end(inputs.year)))))
        .alias("termination_date"),
    )
