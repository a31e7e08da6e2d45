"""Plan events and contributions in Polars: one function per dbt model of
``models/intermediate/plan``, the same rules in the same order (docstrings name the models)."""

from __future__ import annotations

from datetime import date

import polars as pl

from workforce_platform.engines.polars_engine.arithmetic import (
    add_days, add_years, band_of, days_between, days_in_year, divide_round_half_away, divide_round_half_up,
    draw_below, draw_is_below, employee_order_key, first_row_of_employee, last_row_of_employee,
    whole_years, with_draws, year_end, year_start,
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


def _limits_row(inputs: YearInputs) -> dict:
    """The year's IRS limits (int_irs_limits_projected: shipped or projected)."""
    if inputs.irs_limits.height != 1:
        raise SimulationOrderError(
            f"no IRS limits for plan year {inputs.year}: config_irs_limits begins later")
    return inputs.irs_limits.row(0, named=True)


def contributions(inputs: YearInputs, members: pl.DataFrame, promoted: pl.DataFrame, merits: pl.DataFrame,
                  escalated: pl.DataFrame, enrolled: pl.DataFrame) -> pl.DataFrame:
    """int_plan_contributions_calculated: deferrals over pay and deferral segments, 401(a)(17),
    402(g) with catch-up (none above the Roth wage threshold without Roth), the match on its
    compensation (true-up or per pay period), core, eligibility conditions, 415(c); integer cents."""
    s, year = inputs.scenario, inputs.year
    limits = _limits_row(inputs)
    no_pay, no_rate = pl.lit(None, dtype=pl.Int64), pl.lit(None, dtype=pl.Int64)
    change = ["employee_id", "change_date", "change_order", "pay", "rate", "period_end", "match_start_date"]
    # the day the year's deferrals start: match compensation while a participant runs from it
    starts = members.select("employee_id", "period_start", "period_end").join(
        enrolled.select("employee_id", "enrollment_date"), on="employee_id", how="left").select(
        "employee_id", "period_end", pl.coalesce("enrollment_date", "period_start").alias("match_start_date"))
    changes = pl.concat([
        members.select("employee_id", pl.col("period_start").alias("change_date"), pl.lit(0).alias("change_order"),
                       pl.col("starting_compensation").alias("pay"), pl.col("starting_deferral_rate").alias("rate"))
        .join(starts, on="employee_id", how="left"),
        promoted.select("employee_id", pl.col("effective_date").alias("change_date"), pl.lit(1).alias("change_order"),
                        pl.col("compensation_after").alias("pay"), no_rate.alias("rate")),
        merits.select("employee_id", pl.col("effective_date").alias("change_date"), pl.lit(2).alias("change_order"),
                      pl.col("compensation_after").alias("pay"), no_rate.alias("rate")),
        escalated.select("employee_id", pl.col("effective_date").alias("change_date"), pl.lit(3).alias("change_order"),
                         no_pay.alias("pay"), pl.col("deferral_rate_after").alias("rate")),
        enrolled.select("employee_id", pl.col("enrollment_date").alias("change_date"), pl.lit(4).alias("change_order"),
                        no_pay.alias("pay"), pl.col("deferral_rate").alias("rate")),
        enrolled.filter(pl.col("opted_out")).select(
            "employee_id", pl.col("opt_out_date").alias("change_date"), pl.lit(5).alias("change_order"),
            no_pay.alias("pay"), pl.lit(0, dtype=pl.Int64).alias("rate")),
    ], how="diagonal").select(change)
    # the membership row gives the period's end too (a change of no member has none, and no row below)
    filled = fill_timeline(changes, ("pay", "rate", "period_end", "match_start_date"))
    days = days_between(pl.col("change_date"), pl.coalesce("next_change_date", add_days(pl.col("period_end"), 1)))
    segments = filled.with_columns(pay_cent_days=pl.col("pay").cast(pl.Int128) * days).with_columns(
        deferral_cent_days=pl.col("pay_cent_days") * pl.col("rate"), ending_deferral_rate=pl.col("rate"),
        participant_pay_cent_days=pl.when(pl.col("change_date") >= pl.col("match_start_date"))
        .then(pl.col("pay_cent_days")).otherwise(None))
    tiers = inputs.match_tiers.sort("employee_min").rows(named=True)
    summed_columns = ["pay_cent_days", "deferral_cent_days", "participant_pay_cent_days"]
    if not s.match_true_up:
        # per pay period: each segment's match f(rate) x pay (1e-10 of pay x cent-days) and its
        # deferrals inside matched tiers (1e-5 of pay x cent-days)
        matched_units: pl.Expr = pl.lit(0, dtype=pl.Int128)
        matched_deferral_units: pl.Expr = pl.lit(0, dtype=pl.Int128)
        for tier in tiers:
            inside = pl.min_horizontal(pl.max_horizontal(pl.col("rate") - tier["employee_min"], pl.lit(0)),
                                       pl.lit(tier["employee_max"] - tier["employee_min"]))
            matched_units = matched_units + pl.col("pay_cent_days") * tier["match_rate"] * inside
            if tier["match_rate"] > 0:
                matched_deferral_units = matched_deferral_units + pl.col("pay_cent_days") * inside
        segments = segments.with_columns(period_matched_units=matched_units,
                                         period_matched_deferral_units=matched_deferral_units)
        summed_columns += ["period_matched_units", "period_matched_deferral_units"]
    summed = employee_totals(segments, tuple(summed_columns), ("ending_deferral_rate",))
    if s.match_true_up:
        summed = summed.with_columns(period_matched_units=pl.lit(0, dtype=pl.Int128),
                                     period_matched_deferral_units=pl.lit(0, dtype=pl.Int128))
    diy = days_in_year(year)
    compensation_limit = limits["compensation_limit"]
    elective_limit = limits["elective_deferral_limit"]
    age = pl.col("age_at_year_end")
    # SECURE 2.0 section 603: previous-year wages above the threshold, catch-up only as Roth
    threshold = limits["roth_catch_up_wage_threshold"]
    roth_required = (pl.lit(bool(limits["roth_catch_up_in_force"])) & (
        pl.col("prior_year_compensation").fill_null(0) > threshold if threshold is not None else pl.lit(False)))
    catch_up = (
        pl.when(roth_required & pl.lit(not s.roth_available)).then(pl.lit(0))
        .when(age.is_between(limits["super_catch_up_min_age"], limits["super_catch_up_max_age"]))
        .then(pl.lit(limits["super_catch_up_limit"]))
        .when(age >= limits["catch_up_age"]).then(pl.lit(limits["catch_up_limit"]))
        .otherwise(pl.lit(0))
    )

    def meets(minimum_hours) -> pl.Expr:
        return pl.lit(True) if minimum_hours is None else pl.col("hours_worked") >= minimum_hours * 100

    capped = members.join(summed, on="employee_id", how="inner").with_columns(
        prorated_cents=divide_round_half_up(pl.col("pay_cent_days"), diy).cast(pl.Int64),
        deferral_uncapped_cents=divide_round_half_up(pl.col("deferral_cent_days"), diy * RATE_UNITS).cast(pl.Int64),
        participant_pay_cents=divide_round_half_up(pl.col("participant_pay_cent_days"), diy).cast(pl.Int64),
        deferral_limit_cents=pl.lit(elective_limit) + catch_up,
        roth_catch_up_required=roth_required,
        receives_match=pl.col("is_eligible") & ~pl.col("is_long_term_part_time") & (pl.lit(not s.match_requires_last_day) | pl.col("termination_date").is_null() | (pl.lit(bool(s.match_last_day_exempts_retirement)) & pl.col("termination_reason").is_in(["retirement", "death"])))
        & meets(s.match_minimum_hours),
        receives_core=pl.col("is_eligible") & ~pl.col("is_long_term_part_time") & pl.lit(s.core_basis != "none")
        & (pl.lit(not s.core_requires_last_day) | pl.col("termination_date").is_null() | (pl.lit(bool(s.core_last_day_exempts_retirement)) & pl.col("termination_reason").is_in(["retirement", "death"]))) & meets(s.core_minimum_hours),
    )
    limited = capped.with_columns(
        plan_compensation_cents=pl.min_horizontal("prorated_cents", pl.lit(compensation_limit)),
        match_compensation_cents=pl.min_horizontal(
            pl.col("prorated_cents" if s.match_compensation == "plan_year" else "participant_pay_cents"),
            pl.lit(compensation_limit)),
        deferral_on_plan_pay_cents=pl.when(pl.col("prorated_cents") > compensation_limit)
        .then(divide_round_half_up(pl.col("deferral_uncapped_cents").cast(pl.Int128) * compensation_limit,
                                   pl.col("prorated_cents")).cast(pl.Int64))
        .otherwise(pl.col("deferral_uncapped_cents")),
    ).with_columns(deferral_cents=pl.min_horizontal("deferral_on_plan_pay_cents", "deferral_limit_cents")).with_columns(
        # the catch-up above 402(g) that is not matched (match.on_catch_up false)
        unmatched_catch_up_cents=pl.lit(0, dtype=pl.Int64) if s.match_on_catch_up
        else pl.max_horizontal(pl.col("deferral_cents") - elective_limit, pl.lit(0)))

    match_pay = pl.col("match_compensation_cents").cast(pl.Int128)
    plan_pay = pl.col("plan_compensation_cents").cast(pl.Int128)
    matchable = pl.col("deferral_cents") - pl.col("unmatched_catch_up_cents")
    if s.match_true_up:
        match = _match_cents(matchable, match_pay, tiers)
    else:
        match = pl.when(pl.col("deferral_uncapped_cents") == 0).then(0).otherwise(divide_round_half_up(
            pl.col("period_matched_units") * matchable,
            pl.col("deferral_uncapped_cents").cast(pl.Int128) * (diy * RATE_UNITS * RATE_UNITS)).cast(pl.Int64))
    core_rate = _core_rate(inputs, s.core_basis)
    with_employer = limited.with_columns(
        match_cents=pl.when(pl.col("receives_match")).then(match).otherwise(0),
        core_cents=pl.when(pl.col("receives_core"))
        .then(divide_round_half_up(core_rate.fill_null(0) * plan_pay, RATE_UNITS).cast(pl.Int64)).otherwise(0),
        deferral_catch_up_cents=pl.max_horizontal(pl.col("deferral_cents") - elective_limit, pl.lit(0)),
        additions_limit_cents=pl.min_horizontal(pl.lit(limits["annual_additions_limit"]), pl.col("prorated_cents")),
    )
    # 414(v): deferrals above 415(c) are catch-up too, within the age's catch-up room.
    caught_up = with_employer.with_columns(catch_up_cents=pl.col("deferral_catch_up_cents") + pl.min_horizontal(
        pl.max_horizontal(pl.col("deferral_cents") - pl.col("deferral_catch_up_cents") + pl.col("match_cents")
                          + pl.col("core_cents") - pl.col("additions_limit_cents"), pl.lit(0)),
        pl.col("deferral_limit_cents") - elective_limit - pl.col("deferral_catch_up_cents"),
        pl.col("deferral_cents") - pl.col("deferral_catch_up_cents")))
    excess = caught_up.with_columns(excess_cents=pl.max_horizontal(
        pl.col("deferral_cents") - pl.col("catch_up_cents") + pl.col("match_cents") + pl.col("core_cents")
        - pl.col("additions_limit_cents"), pl.lit(0)))
    if s.annual_additions_correction == "employer_first":
        # 415(c): the excess comes off core first, then match, then deferrals.
        reduced = excess.with_columns(
            core_final=pl.col("core_cents") - pl.min_horizontal("core_cents", "excess_cents"),
            match_final=pl.col("match_cents") - pl.min_horizontal(
                pl.col("match_cents"), pl.max_horizontal(pl.col("excess_cents") - pl.col("core_cents"), pl.lit(0))),
            deferral_final=pl.col("deferral_cents") - pl.max_horizontal(
                pl.col("excess_cents") - pl.col("core_cents") - pl.col("match_cents"), pl.lit(0)),
        )
    else:
        reduced = _return_deferrals_first(excess, match_pay, tiers, bool(s.match_true_up), diy)
    catch_up_made = pl.min_horizontal("catch_up_cents", "deferral_final")
    return reduced.select(
        "scenario_id", "simulation_year", "employee_id", "ending_deferral_rate", "age_at_year_end",
        pl.col("prorated_cents").alias("prorated_compensation"),
        pl.col("plan_compensation_cents").alias("plan_compensation"),
        pl.col("deferral_uncapped_cents").alias("deferral_before_limits"),
        pl.col("deferral_limit_cents").alias("deferral_limit"),
        pl.col("deferral_final").alias("employee_contribution"),
        catch_up_made.alias("catch_up_contribution"),
        pl.when(pl.col("roth_catch_up_required")).then(catch_up_made).otherwise(0).alias("roth_catch_up"),
        pl.col("prior_year_compensation").fill_null(0).alias("prior_year_compensation"),
        "roth_catch_up_required",
        pl.col("match_compensation_cents").alias("match_compensation"),
        pl.col("match_final").alias("employer_match"),
        pl.col("core_final").alias("employer_core"),
        pl.col("additions_limit_cents").alias("annual_additions_limit"),
        "receives_match", "receives_core",
    )


def _match_cents(deferral_cents: pl.Expr, plan_pay: pl.Expr, tiers: list[dict]) -> pl.Expr:
    """The match on `deferral_cents`, tier by tier, in units of 1e-10 cents (rates in 1e-5),
    rounded half up once."""
    match_units: pl.Expr = pl.lit(0, dtype=pl.Int128)
    for tier in tiers:
        low = plan_pay * tier["employee_min"]
        width = plan_pay * (tier["employee_max"] - tier["employee_min"])
        above = pl.max_horizontal(deferral_cents.cast(pl.Int128) * RATE_UNITS - low, pl.lit(0, dtype=pl.Int128))
        match_units = match_units + tier["match_rate"] * pl.min_horizontal(above, width)
    return divide_round_half_up(match_units, RATE_UNITS * RATE_UNITS).cast(pl.Int64)


def match_regions(tiers: list[dict]) -> list[tuple[int, int | None, int, int]]:
    """The match as a function of deferrals, region by region (each tier and the gaps around it):
    (start, end or None, match rate, matched below), rates in 1e-5 of pay, matched below in 1e-10."""
    regions, below, previous_end = [], 0, 0
    for tier in tiers:
        regions.append((previous_end, tier["employee_min"], 0, below))
        regions.append((tier["employee_min"], tier["employee_max"], tier["match_rate"], below))
        below += tier["match_rate"] * (tier["employee_max"] - tier["employee_min"])
        previous_end = tier["employee_max"]
    regions.append((previous_end, None, 0, below))
    return regions


def _return_deferrals_first(excess: pl.DataFrame, match_pay: pl.Expr, tiers: list[dict], true_up: bool,
                            diy: int) -> pl.DataFrame:
    """415(c) in the EPCRS order (model int_plan_contributions_calculated, deferrals_first):
    deferrals come back from the top, unmatched first, then matched with their match, down to
    the largest whole cent y with (y - catch-up) + match(y) <= limit - core, the match counted
    exactly on the matchable deferrals z = y - u (u: the unmatched catch-up); what is still over
    comes off core, then off the match."""
    offset = pl.col("unmatched_catch_up_cents")
    # the target for z: z + match(z) <= limit - core + catch-up - u
    target = (pl.col("additions_limit_cents") - pl.col("core_cents") + pl.col("catch_up_cents") - offset).cast(pl.Int128)
    matchable = (pl.col("deferral_cents") - offset).cast(pl.Int128)
    scale = RATE_UNITS * RATE_UNITS
    if true_up:
        candidates = []
        for start, end, rate, below in match_regions(tiers):
            numerator = target * scale - match_pay * below + match_pay * (rate * start)
            last = matchable if end is None else (match_pay * end) // RATE_UNITS
            z = pl.min_horizontal(numerator // (scale + rate * RATE_UNITS), last)
            first = (match_pay * start + (RATE_UNITS - 1)) // RATE_UNITS
            candidates.append(pl.when((numerator >= 0) & (z >= first)).then(z).otherwise(None))
        solved = pl.max_horizontal(candidates)
    else:
        # per pay period: the match follows the matched deferrals kept (see the model's comment)
        units = pl.max_horizontal(pl.col("deferral_uncapped_cents"), pl.lit(1)).cast(pl.Int128) * diy
        matched, inside = pl.col("period_matched_units"), pl.col("period_matched_deferral_units")
        whole_match_numerator = target * units * scale - matched * matchable
        if_unmatched_returned = pl.when(whole_match_numerator >= 0).then(
            pl.min_horizontal(whole_match_numerator // (units * scale), matchable))
        if_matched_returned = pl.when((target >= 0) & (inside > 0)).then(
            (target * RATE_UNITS * inside) // (inside * RATE_UNITS + matched))
        solved = pl.max_horizontal(
            pl.when(if_unmatched_returned * units * RATE_UNITS >= inside * matchable).then(if_unmatched_returned),
            pl.when(if_matched_returned * units * RATE_UNITS <= inside * matchable).then(if_matched_returned))
    catch_up, deferrals = pl.col("catch_up_cents"), pl.col("deferral_cents")
    kept = excess.with_columns(deferral_kept=(
        pl.when(pl.col("excess_cents") == 0).then(deferrals)
        .when(pl.col("receives_match"))
        .then(pl.max_horizontal(pl.min_horizontal((solved + offset).fill_null(0), deferrals.cast(pl.Int128)), catch_up))
        .otherwise(pl.max_horizontal(pl.min_horizontal(target + offset, deferrals.cast(pl.Int128)), catch_up))
    ).cast(pl.Int64))
    kept_matchable = pl.col("deferral_kept") - offset
    if true_up:
        match_kept = _match_cents(kept_matchable, match_pay, tiers)
    else:
        units = pl.max_horizontal(pl.col("deferral_uncapped_cents"), pl.lit(1)).cast(pl.Int128) * diy
        inside = pl.col("period_matched_deferral_units")
        match_kept = pl.when(kept_matchable.cast(pl.Int128) * units * RATE_UNITS >= inside * matchable).then(
            pl.col("match_cents")).otherwise(divide_round_half_up(
                pl.col("period_matched_units") * kept_matchable, inside * RATE_UNITS).cast(pl.Int64))
    rematched = kept.with_columns(match_kept=pl.when(pl.col("excess_cents") == 0).then(pl.col("match_cents"))
                                  .when(pl.col("receives_match")).then(match_kept)
                                  .otherwise(0))
    still_over = rematched.with_columns(still_over=pl.max_horizontal(
        pl.col("deferral_kept") - catch_up + pl.col("match_kept") + pl.col("core_cents") - pl.col("additions_limit_cents"),
        pl.lit(0)))
    return still_over.with_columns(
        core_final=pl.col("core_cents") - pl.min_horizontal("core_cents", "still_over"),
        match_final=pl.col("match_kept") - pl.max_horizontal(pl.col("still_over") - pl.col("core_cents"), pl.lit(0)),
        deferral_final=pl.col("deferral_kept"),
    )


def fill_timeline(changes: pl.DataFrame, filled: tuple[str, ...]) -> pl.DataFrame:
    """Each employee's changes in order (date, then change order), with the `filled` columns in
    force (the last one given, as SQL's last_value ignore nulls) and the next change's date.

    Sorted by employee, a plain forward fill stays within an employee when each employee's first
    change gives every filled column (their membership row, on the first day of employment, always
    does): checked, and otherwise filled employee by employee, which is slower."""
    ordered = changes.sort(employee_order_key(pl.col("employee_id"), pl.col("change_date"), pl.col("change_order")))
    starts_filled = ordered.filter(first_row_of_employee() & pl.any_horizontal(pl.col(c).is_null() for c in filled)).height == 0
    if starts_filled:
        return ordered.with_columns(
            *[pl.col(c).forward_fill() for c in filled],
            pl.when(last_row_of_employee()).then(None).otherwise(pl.col("change_date").shift(-1)).alias("next_change_date"),
        )
    return ordered.with_columns(
        *[pl.col(c).forward_fill().over("employee_id") for c in filled],
        pl.col("change_date").shift(-1).over("employee_id").alias("next_change_date"),
    )


def employee_totals(frame: pl.DataFrame, summed: tuple[str, ...], last: tuple[str, ...]) -> pl.DataFrame:
    """One row per employee of `frame` (sorted by employee): the sums of the `summed` columns (a null
    adds nothing) and the `last` columns of their last row. Read off running totals at each
    employee's last row: on sorted rows a group_by costs three times more."""
    running = frame.select("employee_id", *[pl.col(c).fill_null(0).cum_sum() for c in summed], *last
                           ).filter(last_row_of_employee())
    return running.select("employee_id", *[pl.col(c) - pl.col(c).shift(1).fill_null(0) for c in summed], *last)


def _core_rate(inputs: YearInputs, basis: str) -> pl.Expr:
    """The core rate (hundred-thousandths): flat, or the step for service years or age at year end."""
    if basis == "flat":
        return pl.lit(inputs.scenario.rate("core_flat_rate"), dtype=pl.Int64)
    if basis not in ("service", "age"):
        return pl.lit(None, dtype=pl.Int64)
    measure = pl.col("service_years") if basis == "service" else pl.col("age_at_year_end")
    rate: pl.Expr = pl.lit(None, dtype=pl.Int64)
    for step in reversed(inputs.core_schedule.sort("at_least").rows(named=True)):
        in_step = measure >= step["at_least"]
        if step["below"] is not None:
            in_step = in_step & (measure < step["below"])
        rate = pl.when(in_step).then(pl.lit(step["rate"], dtype=pl.Int64)).otherwise(rate)
    return rate


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
