"""Plan events and balances in Polars: one function per dbt model of ``models/intermediate/plan``,
the same rules in the same order (docstrings name the models); the contributions, the longest
model, are in contributions.py."""

from __future__ import annotations

from datetime import date

import polars as pl

from workforce_platform.engines.polars_engine.arithmetic import (
    add_days, add_years, band_of, days_between, days_in_year, divide_round_half_away, divide_round_half_up,
    draw_below, draw_is_below, whole_years, with_draws, year_end, year_start,
)
from workforce_platform.engines.polars_engine import workforce
from workforce_platform.engines.polars_engine.inputs import YearInputs
from workforce_platform.errors import SimulationOrderError
from workforce_platform.simulation import eligibility as eligibility_rules
from workforce_platform.simulation.rng import Stream

RATE_UNITS = 100_000
FULL_TIME_HOURS = eligibility_rules.FULL_TIME_HOURS * 100  # hours are carried in hundredths
# 414(q)(5)(B): fewer than 17 1/2 hours a week (x 52) leaves an employee out of the top-paid group's count
TOP_PAID_GROUP_MINIMUM_HOURS = 910 * 100


def _partition(inputs: YearInputs) -> list[pl.Expr]:
    return [pl.lit(inputs.scenario.scenario_id).alias("scenario_id"), pl.lit(inputs.year, dtype=pl.Int32).alias("simulation_year")]


_PEOPLE = ("employee_id", "employee_key", "birth_date", "hire_date", "level_id", "annual_compensation", "deferral_rate",
           "is_enrolled", "eligibility_date", "enrollment_date", "has_opted_out", "scheduled_hours")


def eligibility(inputs: YearInputs, starting: pl.DataFrame, hires: pl.DataFrame, terminations: pl.DataFrame) -> pl.DataFrame:
    """int_plan_eligibility_determined: everyone employed in the year, with the state on 1 January
    (or at hire), the employment period, and eligibility (date reached, hours met)."""
    s, first_day, last_day = inputs.scenario, pl.lit(year_start(inputs.year)), pl.lit(year_end(inputs.year))
    people = pl.concat([
        starting.select(*_PEOPLE, "prior_year_compensation", pl.lit(False).alias("is_new_hire")),
        hires.select(*_PEOPLE, pl.lit(None, dtype=pl.Int64).alias("prior_year_compensation"),
                     pl.lit(True).alias("is_new_hire")),
    ])
    # a census participant (enrolled, no enrollment date) has entered already, whatever the hours
    census_participant = pl.col("is_enrolled") & pl.col("enrollment_date").is_null()
    dated = people.join(terminations, on="employee_id", how="left").with_columns(
        period_start=pl.max_horizontal("hire_date", first_day),
        period_end=pl.coalesce("termination_date", last_day),
        annual_hours=pl.col("scheduled_hours").fill_null(FULL_TIME_HOURS),
        meets_hours=workforce.meets_service_hours(s, pl.col("scheduled_hours")) | census_participant,
        is_long_term_part_time=~census_participant & workforce.long_term_part_time_schedule(s, pl.col("scheduled_hours")),
    ).with_columns(
        # macro hours_worked: the schedule prorated by the days employed, hundredths rounded half up
        hours_worked=divide_round_half_up(
            pl.col("annual_hours") * (days_between(pl.col("period_start"), pl.col("period_end")) + 1),
            days_in_year(inputs.year)).cast(pl.Int64),
    )
    counted = pl.col("meets_hours") | pl.col("is_long_term_part_time")
    in_employment = pl.col("eligibility_date").is_between(pl.max_horizontal(first_day, "hire_date"), pl.col("period_end"))
    return dated.with_columns(*_partition(inputs)).select(
        "scenario_id", "simulation_year", "employee_id", "employee_key", "birth_date", "hire_date",
        "termination_date", "is_new_hire", "period_start", "period_end",
        pl.col("annual_compensation").alias("starting_compensation"),
        pl.col("deferral_rate").alias("starting_deferral_rate"),
        pl.col("is_enrolled").alias("enrolled_at_start"),
        pl.col("enrollment_date").alias("starting_enrollment_date"),
        pl.col("has_opted_out").alias("opted_out_at_start"),
        "scheduled_hours", "annual_hours", "hours_worked", "meets_hours", "is_long_term_part_time", "eligibility_date",
        (counted & (pl.col("eligibility_date") <= pl.col("period_end"))).alias("is_eligible"),
        pl.when(counted & in_employment).then(pl.col("eligibility_date")).otherwise(None)
        .alias("eligibility_event_date"),
        "level_id",  # the level on 1 January or at hire, for the snapshot (not written: no column of the model)
        # Age at year end and whole years from hire to the period's end, for the contributions,
        # the balances (vesting) and the snapshot: taken once here (not written either).
        whole_years(pl.col("birth_date"), last_day).alias("age_at_year_end"),
        whole_years(pl.col("hire_date"), pl.col("period_end")).alias("service_years"),
        "prior_year_compensation",  # pay of the year before, for the Roth catch-up test (not written either)
    )


def enrollments(inputs: YearInputs, members: pl.DataFrame) -> pl.DataFrame:
    """int_enrollments_drawn: auto-enrollment (with opt-outs) for those in scope, voluntary
    enrollment for the other eligible employees not enrolled on 1 January."""
    s, year = inputs.scenario, inputs.year
    plan_start = date(s.start_year, 1, 1)
    in_auto_scope = (
        pl.lit(bool(s.auto_enrollment_enabled)) & ~pl.col("opted_out_at_start")
        & (pl.lit(s.auto_enrollment_scope == "all_not_enrolled") | (pl.col("hire_date") >= pl.lit(plan_start)))
    )
    candidates = members.filter(pl.col("is_eligible") & ~pl.col("enrolled_at_start")).with_columns(
        in_auto_scope=in_auto_scope,
        auto_enrollment_date=add_days(pl.max_horizontal("eligibility_date", pl.lit(plan_start)), s.auto_enrollment_window_days),
        voluntary_window_start=pl.max_horizontal("eligibility_date", "period_start"),
    )
    drawn = with_draws(candidates, "employee_key", s.random_seed, year, {
        "opt_out": Stream.OPT_OUT, "opt_out_date": Stream.OPT_OUT_DATE,
        "voluntary_enrollment": Stream.VOLUNTARY_ENROLLMENT,
        "voluntary_enrollment_date": Stream.VOLUNTARY_ENROLLMENT_DATE,
    })
    band_date = pl.when(pl.col("in_auto_scope")).then(pl.col("auto_enrollment_date")).otherwise(pl.col("voluntary_window_start"))
    # The age first, in its own projection: band_of repeats its value expression for every band.
    banded = drawn.with_columns(_age_on_band_date=whole_years(pl.col("birth_date"), band_date)).with_columns(
        pay_band_id=band_of(pl.col("starting_compensation"), inputs.pay_bands, "pay_band_id", "min_compensation", "max_compensation"),
        age_band_id=band_of(pl.col("_age_on_band_date"), inputs.age_bands, "age_band_id", "min_age", "max_age"),
    )
    automatic = (
        banded.filter(pl.col("in_auto_scope")
                      & pl.col("auto_enrollment_date").is_between(pl.lit(year_start(year)), pl.col("period_end")))
        .join(inputs.opt_out_rates, on=["age_band_id", "pay_band_id"], how="left")
        .select(
            "employee_id",
            pl.lit("auto").alias("enrollment_type"),
            pl.col("auto_enrollment_date").alias("enrollment_date"),
            pl.lit(s.rate("auto_enrollment_default_rate"), dtype=pl.Int64).alias("deferral_rate"),
            draw_is_below(pl.col("h_opt_out"), pl.col("opt_out_rate").fill_null(0)).alias("opted_out"),
            pl.min_horizontal(
                add_days(pl.col("auto_enrollment_date"), draw_below(pl.col("h_opt_out_date"), s.opt_out_grace_days + 1)),
                pl.col("period_end")).alias("opt_out_candidate_date"),
        )
    )
    voluntary_candidates = banded.filter(pl.lit(bool(s.voluntary_enrollment_enabled)) & ~pl.col("in_auto_scope"))
    voluntary = (
        voluntary_candidates
        .join(inputs.voluntary_enrollment, on="age_band_id", how="inner")
        .join(inputs.voluntary_deferral_rates, on=["age_band_id", "pay_band_id"], how="inner")
        .filter(draw_is_below(pl.col("h_voluntary_enrollment"), pl.col("enrollment_probability")))
        .select(
            "employee_id",
            pl.lit("voluntary").alias("enrollment_type"),
            add_days(pl.col("voluntary_window_start"), draw_below(
                pl.col("h_voluntary_enrollment_date"),
                days_between(pl.col("voluntary_window_start"), pl.col("period_end")) + 1)).alias("enrollment_date"),
            pl.col("deferral_rate").cast(pl.Int64),
            pl.lit(False).alias("opted_out"),
            pl.lit(None, dtype=pl.Date).alias("opt_out_candidate_date"),
        )
    )
    return pl.concat([automatic, voluntary]).with_columns(*_partition(inputs)).select(
        "scenario_id", "simulation_year", "employee_id", "enrollment_type", "enrollment_date", "deferral_rate",
        "opted_out",
        pl.when(pl.col("opted_out")).then(pl.col("opt_out_candidate_date")).otherwise(None).alias("opt_out_date"),
    )


def escalations(inputs: YearInputs, members: pl.DataFrame) -> pl.DataFrame:
    """int_deferral_escalations_applied: +increment up to the cap on the escalation date, for
    employees enrolled on 1 January, employed that day, never opted out, enrolled long enough."""
    s = inputs.scenario
    escalation_date = date(inputs.year, s.escalation_month, s.escalation_day)
    cap, increment = s.rate("escalation_cap"), s.rate("escalation_increment")
    if not s.escalation_enabled:
        return members.head(0).with_columns(*_partition(inputs)).select(
            "scenario_id", "simulation_year", "employee_id", pl.lit(escalation_date).alias("effective_date"),
            pl.col("starting_deferral_rate").alias("deferral_rate_before"),
            pl.col("starting_deferral_rate").alias("deferral_rate_after"))
    day = pl.lit(escalation_date)
    long_enough = (pl.col("starting_enrollment_date").is_null()
                   | (add_years(pl.col("starting_enrollment_date"), s.escalation_delay_years) <= day))
    # scope auto_enrolled: enrolled by the simulation while in the auto-enrollment scope (in
    # scope, enrollment is only ever automatic; an opt-out leaves the scope)
    auto_enrolled = (pl.col("starting_enrollment_date").is_not_null() & pl.lit(bool(s.auto_enrollment_enabled))
                     & (pl.lit(s.auto_enrollment_scope == "all_not_enrolled")
                        | (pl.col("hire_date") >= pl.lit(date(s.start_year, 1, 1)))))
    in_scope = pl.lit(True) if s.escalation_scope == "all_participants" else auto_enrolled
    return members.filter(
        ~pl.col("is_new_hire") & pl.col("enrolled_at_start") & ~pl.col("opted_out_at_start")
        & (pl.col("starting_deferral_rate") < cap)
        & day.is_between(pl.col("period_start"), pl.col("period_end"))
        & long_enough & in_scope
    ).with_columns(*_partition(inputs)).select(
        "scenario_id", "simulation_year", "employee_id", day.alias("effective_date"),
        pl.col("starting_deferral_rate").alias("deferral_rate_before"),
        pl.min_horizontal(pl.col("starting_deferral_rate") + increment, pl.lit(cap)).alias("deferral_rate_after"),
    )


def highly_compensated(inputs: YearInputs, members: pl.DataFrame) -> pl.DataFrame:
    """int_highly_compensated_determined: pay in the lookback year above its 414(q) threshold and,
    with the top-paid group election, among the top 20% of the lookback year's employees by that
    pay (ties by employee id), the count leaving out those a plan may exclude (IRC 414(q)(5): under
    6 months of service, under 21, under 17 1/2 hours a week), rounded half up. Needs the whole
    workforce (not a shard)."""
    if inputs.lookback_threshold is None:
        raise SimulationOrderError(
            f"no IRS limits for the lookback year {inputs.year - 1}: config_irs_limits begins later")
    lookback = inputs.lookback_pay.with_columns(counts_for_top_paid_group=~(
        (pl.col("hire_date").dt.offset_by("6mo") > pl.col("last_day"))
        | (whole_years(pl.col("birth_date"), pl.lit(date(inputs.year - 1, 12, 31))) < 21)
        | (pl.col("scheduled_hours").fill_null(FULL_TIME_HOURS) < TOP_PAID_GROUP_MINIMUM_HOURS)))
    counted = int(lookback["counts_for_top_paid_group"].sum())
    top_count = (2 * counted * 20 + 100) // 200
    ranked = lookback.sort(["lookback_compensation", "employee_id"], descending=[True, False]).with_columns(
        in_top_paid_group=pl.int_range(1, lookback.height + 1, dtype=pl.Int64) <= top_count)
    threshold = inputs.lookback_threshold
    above = pl.col("lookback_compensation") > threshold
    is_hce = above & pl.col("in_top_paid_group") if inputs.scenario.hce_top_paid_group else above
    return members.select("employee_id").join(ranked, on="employee_id", how="left").with_columns(
        *_partition(inputs)).select(
        "scenario_id", "simulation_year", "employee_id", "lookback_compensation",
        pl.lit(threshold, dtype=pl.Int64).alias("lookback_threshold"),
        pl.col("counts_for_top_paid_group").fill_null(False),
        pl.col("in_top_paid_group").fill_null(False),
        is_hce.fill_null(False).alias("is_hce"),
    )


def account_balances(inputs: YearInputs, members: pl.DataFrame, starting: pl.DataFrame,
                     contributions: pl.DataFrame) -> pl.DataFrame:
    """int_account_balances_rolled: each account's starting balance, plus the return on it (half
    away from zero), plus the year's contributions; vesting service on 31 December before plus
    the anniversaries of hire since, to the last day employed (a hire: whole years from hire); a
    leaver forfeits the unvested match and core (balance less vested share, half up) and is paid
    the rest (the distribution), closing at zero."""
    rate = inputs.scenario.rate("investment_return_rate")
    december_before = pl.lit(date(inputs.year - 1, 12, 31))
    accounts = (
        members.select("employee_id", "termination_date", "hire_date", "service_years")
        .join(contributions.select("employee_id", "employee_contribution", "employer_match", "employer_core"),
              on="employee_id", how="inner")
        .join(starting.select("employee_id", "employee_balance", "match_balance", "core_balance",
                              "vesting_service_years"), on="employee_id", how="left")
        .with_columns(vesting_years=pl.col("service_years") + pl.when(pl.col("vesting_service_years").is_not_null())
                      .then(pl.col("vesting_service_years") - whole_years(pl.col("hire_date"), december_before))
                      .otherwise(0))
    )
    leaving = pl.col("termination_date").is_not_null()

    def vested_rate(contribution: str) -> pl.Expr:
        steps = inputs.vesting_schedules.filter(pl.col("contribution") == contribution).sort("at_least_years")
        rate_expr: pl.Expr = pl.lit(None, dtype=pl.Int64)
        for step in steps.iter_rows(named=True):
            rate_expr = pl.when(pl.col("vesting_years") >= step["at_least_years"]).then(
                pl.lit(step["vested_rate"], dtype=pl.Int64)).otherwise(rate_expr)
        return rate_expr

    rolled = accounts.with_columns(
        *[pl.col(c).fill_null(0).alias(f"{c}_start") for c in ("employee_balance", "match_balance", "core_balance")],
        match_vested_rate=vested_rate("match"), core_vested_rate=vested_rate("core"),
    ).with_columns(
        *[divide_round_half_away(pl.col(f"{c}_start") * rate, RATE_UNITS).alias(f"{c}_return")
          for c in ("employee_balance", "match_balance", "core_balance")],
    ).with_columns(
        employee_end=pl.col("employee_balance_start") + pl.col("employee_balance_return") + pl.col("employee_contribution"),
        match_end=pl.col("match_balance_start") + pl.col("match_balance_return") + pl.col("employer_match"),
        core_end=pl.col("core_balance_start") + pl.col("core_balance_return") + pl.col("employer_core"),
    ).with_columns(
        match_forfeited=pl.when(leaving).then(
            pl.col("match_end") - divide_round_half_up(pl.col("match_end") * pl.col("match_vested_rate"), RATE_UNITS)
        ).otherwise(0).cast(pl.Int64),
        core_forfeited=pl.when(leaving).then(
            pl.col("core_end") - divide_round_half_up(pl.col("core_end") * pl.col("core_vested_rate"), RATE_UNITS)
        ).otherwise(0).cast(pl.Int64),
    ).with_columns(
        employee_kept=pl.col("employee_end"),
        match_kept=pl.col("match_end") - pl.col("match_forfeited"),
        core_kept=pl.col("core_end") - pl.col("core_forfeited"),
    )
    return rolled.with_columns(*_partition(inputs)).select(
        "scenario_id", "simulation_year", "employee_id", "vesting_years", "match_vested_rate", "core_vested_rate",
        pl.col("employee_balance_start").alias("starting_employee_balance"),
        pl.col("match_balance_start").alias("starting_match_balance"),
        pl.col("core_balance_start").alias("starting_core_balance"),
        (pl.col("employee_balance_return") + pl.col("match_balance_return") + pl.col("core_balance_return"))
        .cast(pl.Int64).alias("investment_return"),
        (pl.col("match_forfeited") + pl.col("core_forfeited")).alias("forfeiture"),
        *[pl.when(leaving).then(0).otherwise(pl.col(f"{account}_kept")).cast(pl.Int64).alias(f"{account}_balance")
          for account in ("employee", "match", "core")],
        # a leaver is paid what is vested: every account's closing balance less the forfeiture
        pl.when(leaving).then(pl.col("employee_kept") + pl.col("match_kept") + pl.col("core_kept"))
        .otherwise(0).cast(pl.Int64).alias("distribution"),
    )
