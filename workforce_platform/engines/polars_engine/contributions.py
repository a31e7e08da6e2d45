"""The year's contributions in Polars: the dbt model int_plan_contributions_calculated, step by
step in the order of the model's header comment (each step's docstring names its number there
and the model's CTEs it computes); its 415(c) steps, 7 and 8, are in annual_additions.py.
Integer cents; rates in hundred-thousandths."""

from __future__ import annotations

import polars as pl

from workforce_platform.engines.polars_engine.annual_additions import annual_additions_excess, correct_annual_additions
from workforce_platform.engines.polars_engine.arithmetic import (
    RATE_UNITS, add_days, days_between, days_in_year, divide_round_half_up, employee_order_key,
    first_row_of_employee, last_row_of_employee, match_on_deferrals,
)
from workforce_platform.engines.polars_engine.inputs import YearInputs
from workforce_platform.errors import SimulationOrderError

# The pay the match formula is measured against (step 4), wide enough for its products.
_MATCH_PAY = pl.col("match_compensation_cents").cast(pl.Int128)


def contributions(inputs: YearInputs, members: pl.DataFrame, promoted: pl.DataFrame, merits: pl.DataFrame,
                  escalated: pl.DataFrame, enrolled: pl.DataFrame) -> pl.DataFrame:
    """int_plan_contributions_calculated: deferrals over pay and deferral segments, 401(a)(17),
    402(g) with catch-up (none above the Roth wage threshold without Roth), the match on its
    compensation (true-up or per pay period), core, eligibility conditions, 415(c); integer cents."""
    s = inputs.scenario
    limits = _limits_row(inputs)
    segments = _pay_and_deferral_segments(members, promoted, merits, escalated, enrolled)
    tiers = inputs.match_tiers.sort("employee_min").rows(named=True)
    summed = _summed_segments(segments, tiers, s.match_true_up)
    diy = days_in_year(inputs.year)
    capped = _capped(s, members, summed, limits, diy)
    limited = _within_compensation_and_deferral_limits(s, capped, limits)
    with_employer = _with_match_and_core(inputs, limited, limits, tiers, diy)
    excess = annual_additions_excess(with_employer, limits)
    reduced = correct_annual_additions(s, excess, _MATCH_PAY, tiers, diy)
    return _contribution_columns(reduced)


def _limits_row(inputs: YearInputs) -> dict:
    """The year's IRS limits (int_irs_limits_projected: shipped or projected)."""
    if inputs.irs_limits.height != 1:
        raise SimulationOrderError(
            f"no IRS limits for plan year {inputs.year}: config_irs_limits begins later")
    return inputs.irs_limits.row(0, named=True)


def _pay_and_deferral_segments(members: pl.DataFrame, promoted: pl.DataFrame, merits: pl.DataFrame,
                               escalated: pl.DataFrame, enrolled: pl.DataFrame) -> pl.DataFrame:
    """Step 1 (match_start, changes, filled, segments): every pay change (start, promotion, merit)
    and deferral change (escalation, enrollment, opt-out) cuts the year into segments, each with
    its pay x days in cents (pay_cent_days), its deferrals (x the rate), and its pay while a
    participant."""
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
    return filled.with_columns(pay_cent_days=pl.col("pay").cast(pl.Int128) * days).with_columns(
        deferral_cent_days=pl.col("pay_cent_days") * pl.col("rate"), ending_deferral_rate=pl.col("rate"),
        participant_pay_cent_days=pl.when(pl.col("change_date") >= pl.col("match_start_date"))
        .then(pl.col("pay_cent_days")).otherwise(None))


def _summed_segments(segments: pl.DataFrame, tiers: list[dict], true_up) -> pl.DataFrame:
    """Step 1's sums and step 4's match per pay period (period_match, summed): one row per
    employee with the segments' sums and the ending deferral rate; without a true-up, also the
    segments' match and their deferrals inside matched tiers (zero with a true-up)."""
    summed_columns = ["pay_cent_days", "deferral_cent_days", "participant_pay_cent_days"]
    if not true_up:
        matched_units, matched_deferral_units = _period_match_units(tiers)
        segments = segments.with_columns(period_matched_units=matched_units,
                                         period_matched_deferral_units=matched_deferral_units)
        summed_columns += ["period_matched_units", "period_matched_deferral_units"]
    summed = employee_totals(segments, tuple(summed_columns), ("ending_deferral_rate",))
    if true_up:
        summed = summed.with_columns(period_matched_units=pl.lit(0, dtype=pl.Int128),
                                     period_matched_deferral_units=pl.lit(0, dtype=pl.Int128))
    return summed


def _period_match_units(tiers: list[dict]) -> tuple[pl.Expr, pl.Expr]:
    """Per pay period: each segment's match f(rate) x pay (1e-10 of pay x cent-days) and its
    deferrals inside matched tiers (1e-5 of pay x cent-days)."""
    matched_units: pl.Expr = pl.lit(0, dtype=pl.Int128)
    matched_deferral_units: pl.Expr = pl.lit(0, dtype=pl.Int128)
    for tier in tiers:
        inside = pl.min_horizontal(pl.max_horizontal(pl.col("rate") - tier["employee_min"], pl.lit(0)),
                                   pl.lit(tier["employee_max"] - tier["employee_min"]))
        matched_units = matched_units + pl.col("pay_cent_days") * tier["match_rate"] * inside
        if tier["match_rate"] > 0:
            matched_deferral_units = matched_deferral_units + pl.col("pay_cent_days") * inside
    return matched_units, matched_deferral_units


def _catch_up_room(s, limits: dict) -> tuple[pl.Expr, pl.Expr]:
    """Step 3's catch-up: whether SECURE 2.0 section 603 asks the catch-up as Roth, and the
    catch-up of the age reached by 31 December (none when it does and the plan has no Roth)."""
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
    return roth_required, catch_up


def _meets(minimum_hours) -> pl.Expr:
    """The hours worked reach the match's or core's minimum (none: always)."""
    return pl.lit(True) if minimum_hours is None else pl.col("hours_worked") >= minimum_hours * 100


def _capped(s, members: pl.DataFrame, summed: pl.DataFrame, limits: dict, diy: int) -> pl.DataFrame:
    """capped: the sums as cents (pay prorated, deferrals before the limits, pay while a
    participant), the 402(g) limit with the age's catch-up (step 3), and who receives the match
    and core (step 6)."""
    roth_required, catch_up = _catch_up_room(s, limits)
    elective_limit = limits["elective_deferral_limit"]
    return members.join(summed, on="employee_id", how="inner").with_columns(
        prorated_cents=divide_round_half_up(pl.col("pay_cent_days"), diy).cast(pl.Int64),
        deferral_uncapped_cents=divide_round_half_up(pl.col("deferral_cent_days"), diy * RATE_UNITS).cast(pl.Int64),
        participant_pay_cents=divide_round_half_up(pl.col("participant_pay_cent_days"), diy).cast(pl.Int64),
        deferral_limit_cents=pl.lit(elective_limit) + catch_up,
        roth_catch_up_required=roth_required,
        receives_match=pl.col("is_eligible") & ~pl.col("is_long_term_part_time")
        & (pl.lit(not s.match_requires_last_day) | pl.col("termination_date").is_null()
           | (pl.lit(bool(s.match_last_day_exempts_retirement))
              & pl.col("termination_reason").is_in(["retirement", "death"])))
        & _meets(s.match_minimum_hours),
        receives_core=pl.col("is_eligible") & ~pl.col("is_long_term_part_time") & pl.lit(s.core_basis != "none")
        & (pl.lit(not s.core_requires_last_day) | pl.col("termination_date").is_null()
           | (pl.lit(bool(s.core_last_day_exempts_retirement))
              & pl.col("termination_reason").is_in(["retirement", "death"])))
        & _meets(s.core_minimum_hours),
    )


def _within_compensation_and_deferral_limits(s, capped: pl.DataFrame, limits: dict) -> pl.DataFrame:
    """Steps 2 and 3 (deferred, limited): plan and match compensation capped at 401(a)(17),
    deferrals on pay above it scaled down, then capped at 402(g) plus catch-up; the catch-up that
    is not matched."""
    compensation_limit = limits["compensation_limit"]
    elective_limit = limits["elective_deferral_limit"]
    return capped.with_columns(
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


def _match(s, tiers: list[dict], diy: int) -> pl.Expr:
    """Step 4 (matched): the match on the deferrals less the unmatched catch-up, the tier formula
    on the year's totals (true-up), or the segments' match scaled by the share of the deferrals
    that the limits let through (per pay period)."""
    matchable = pl.col("deferral_cents") - pl.col("unmatched_catch_up_cents")
    if s.match_true_up:
        return match_on_deferrals(matchable, _MATCH_PAY, tiers)
    return pl.when(pl.col("deferral_uncapped_cents") == 0).then(0).otherwise(divide_round_half_up(
        pl.col("period_matched_units") * matchable,
        pl.col("deferral_uncapped_cents").cast(pl.Int128) * (diy * RATE_UNITS * RATE_UNITS)).cast(pl.Int64))


def _with_match_and_core(inputs: YearInputs, limited: pl.DataFrame, limits: dict, tiers: list[dict],
                         diy: int) -> pl.DataFrame:
    """Steps 4 to 6 (matched, cored, annual_additions): the match and core of those who receive
    them, the catch-up above 402(g), and the 415(c) limit (the lesser of the limit and pay)."""
    s = inputs.scenario
    elective_limit = limits["elective_deferral_limit"]
    plan_pay = pl.col("plan_compensation_cents").cast(pl.Int128)
    core_rate = _core_rate(inputs, s.core_basis)
    return limited.with_columns(
        match_cents=pl.when(pl.col("receives_match")).then(_match(s, tiers, diy)).otherwise(0),
        core_cents=pl.when(pl.col("receives_core"))
        .then(divide_round_half_up(core_rate.fill_null(0) * plan_pay, RATE_UNITS).cast(pl.Int64)).otherwise(0),
        deferral_catch_up_cents=pl.max_horizontal(pl.col("deferral_cents") - elective_limit, pl.lit(0)),
        additions_limit_cents=pl.min_horizontal(pl.lit(limits["annual_additions_limit"]), pl.col("prorated_cents")),
    )


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


def _contribution_columns(reduced: pl.DataFrame) -> pl.DataFrame:
    """The model's columns, the catch-up made being at most the deferrals kept."""
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
