"""The marts in Polars: one function per dbt model of ``models/marts/workforce``."""

from __future__ import annotations

import polars as pl

from workforce_platform.engines.polars_engine.arithmetic import (
    divide_round_half_away, divide_round_half_up, employee_order_key, first_row_of_employee,
)
from workforce_platform.engines.polars_engine.inputs import EMPLOYEE_CODE, YearInputs

RATE_UNITS = 100_000


def snapshot(inputs: YearInputs, members: pl.DataFrame, promoted: pl.DataFrame, merits: pl.DataFrame, enrolled: pl.DataFrame,
             contributions: pl.DataFrame, balances: pl.DataFrame) -> pl.DataFrame:
    """fct_workforce_snapshot: one row per employee employed in the year, state at 31 December or
    at termination."""
    joined = (
        members.join(contributions.select("employee_id", "ending_deferral_rate", "prorated_compensation", "plan_compensation",
                                   "employee_contribution", "employer_match", "employer_core", "roth_catch_up"),
              on="employee_id", how="inner")
        .join(promoted.select("employee_id", "level_after", pl.col("compensation_after").alias("_promoted_pay")),
              on="employee_id", how="left")
        .join(merits.select("employee_id", pl.col("compensation_after").alias("_merit_pay")), on="employee_id", how="left")
        .join(enrolled.select("employee_id", pl.col("enrollment_date").alias("_enrolled_on"), "opted_out"),
              on="employee_id", how="left")
        .join(balances.select("employee_id", "match_vested_rate", "core_vested_rate", "forfeiture", "employee_balance",
                              "match_balance", "core_balance", "distribution", "vesting_years"),
              on="employee_id", how="inner")
    )
    active = pl.col("termination_date").is_null()
    return joined.select(
        "scenario_id", "simulation_year", "employee_id", "employee_key",
        pl.when(active).then(pl.lit("active")).otherwise(pl.lit("terminated")).alias("employment_status"),
        pl.when(active & ~pl.col("is_new_hire")).then(pl.lit("continuous_active"))
        .when(active & pl.col("is_new_hire")).then(pl.lit("new_hire_active"))
        .when(~pl.col("is_new_hire")).then(pl.lit("experienced_termination"))
        .otherwise(pl.lit("new_hire_termination")).alias("status_detail"),
        "hire_date", "termination_date", "birth_date",
        pl.col("age_at_year_end").alias("age"),
        pl.col("service_years").alias("tenure_years"),
        pl.coalesce("level_after", "level_id").cast(pl.Int32).alias("level_id"),
        pl.coalesce("_merit_pay", "_promoted_pay", "starting_compensation").alias("annual_compensation"),
        "prorated_compensation", "is_eligible", "eligibility_date",
        (pl.col("ending_deferral_rate") > 0).alias("is_enrolled"),
        pl.col("ending_deferral_rate").alias("deferral_rate"),
        pl.coalesce("_enrolled_on", "starting_enrollment_date").alias("enrollment_date"),
        (pl.col("opted_out_at_start") | pl.col("opted_out").fill_null(False)).alias("has_opted_out"),
        "scheduled_hours", "hours_worked", "is_long_term_part_time",
        "plan_compensation", "employee_contribution", "employer_match", "employer_core", "match_vested_rate", "core_vested_rate", "forfeiture", "employee_balance", "match_balance", "core_balance",
        "roth_catch_up", "distribution", pl.col("vesting_years").alias("vesting_service_years"),
        "termination_reason",
    )


# Priority of an employee's events on the same day (model fct_yearly_events).
EVENT_PRIORITY = {"hire": 1, "eligibility": 2, "deferral_escalation": 3, "enrollment": 4, "opt_out": 5,
                  "promotion": 6, "merit_raise": 7, "termination": 9, "new_hire_termination": 9, "distribution": 10}

_EVENT_COLUMNS = {
    "employee_id": EMPLOYEE_CODE, "event_type": pl.String, "effective_date": pl.Date,
    "level_before": pl.Int32, "level_after": pl.Int32, "compensation_before": pl.Int64,
    "compensation_after": pl.Int64, "deferral_rate_before": pl.Int64, "deferral_rate_after": pl.Int64,
    "amount": pl.Int64,
    "termination_reason": pl.String,
}


def _events_of(frame: pl.DataFrame, event_type: str, date_column: str, **columns: str | int | pl.Expr) -> pl.DataFrame:
    exprs = []
    for name, dtype in _EVENT_COLUMNS.items():
        if name == "event_type":
            exprs.append(pl.lit(event_type).alias(name))
        elif name == "effective_date":
            exprs.append(pl.col(date_column).alias(name))
        elif name == "employee_id":
            exprs.append(pl.col("employee_id"))
        elif name in columns:
            source = columns[name]
            expr = source if isinstance(source, pl.Expr) else pl.lit(source) if isinstance(source, int) else pl.col(source)
            exprs.append(expr.cast(dtype).alias(name))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(exprs)


def yearly_events(inputs: YearInputs, hires: pl.DataFrame, members: pl.DataFrame, escalated: pl.DataFrame,
                  enrolled: pl.DataFrame, promoted: pl.DataFrame, merits: pl.DataFrame,
                  terminations: pl.DataFrame, new_hire_terminations: pl.DataFrame,
                  balances: pl.DataFrame) -> pl.DataFrame:
    """fct_yearly_events: every event of the year (a leaver's vested balance paid out: a
    `distribution` on the termination date, the money in `amount`); event_sequence orders an
    employee's events by date, then EVENT_PRIORITY. The event id (MD5 of scenario, year, employee
    and type) is derived as the rows are written (year_tables.DERIVED_COLUMNS)."""
    paid = balances.filter(pl.col("distribution") > 0).select("employee_id", "distribution").join(
        members.select("employee_id", "termination_date"), on="employee_id", how="inner")
    events = pl.concat([
        _events_of(hires, "hire", "hire_date", level_after="level_id", compensation_after="annual_compensation"),
        _events_of(members.filter(pl.col("eligibility_event_date").is_not_null()), "eligibility", "eligibility_event_date"),
        _events_of(escalated, "deferral_escalation", "effective_date",
                   deferral_rate_before="deferral_rate_before", deferral_rate_after="deferral_rate_after"),
        _events_of(enrolled, "enrollment", "enrollment_date", deferral_rate_before=0, deferral_rate_after="deferral_rate"),
        _events_of(enrolled.filter(pl.col("opted_out")), "opt_out", "opt_out_date",
                   deferral_rate_before="deferral_rate", deferral_rate_after=0),
        _events_of(promoted, "promotion", "effective_date", level_before="level_before", level_after="level_after",
                   compensation_before="compensation_before", compensation_after="compensation_after"),
        _events_of(merits, "merit_raise", "effective_date", compensation_before="compensation_before",
                   compensation_after="compensation_after"),
        _events_of(terminations, "termination", "termination_date", termination_reason="termination_reason"),
        _events_of(new_hire_terminations, "new_hire_termination", "termination_date",
                   termination_reason=pl.lit("new_hire")),
        _events_of(paid, "distribution", "termination_date", amount="distribution"),
    ])
    priority = pl.col("event_type").replace_strict(EVENT_PRIORITY, return_dtype=pl.Int32)
    ordered = events.sort(employee_order_key(pl.col("employee_id"), pl.col("effective_date"), priority))
    # 1, 2, ... within each employee: the row's position minus the position of the employee's first row.
    position = pl.int_range(0, pl.len(), dtype=pl.Int64)
    sequenced = ordered.with_columns(
        event_sequence=(position - pl.when(first_row_of_employee()).then(position).otherwise(None).forward_fill() + 1).cast(pl.Int32))
    return sequenced.select(
        pl.lit(inputs.scenario.scenario_id).alias("scenario_id"),
        pl.lit(inputs.year, dtype=pl.Int32).alias("simulation_year"),
        "employee_id", "event_type", "effective_date", "event_sequence",
        *[c for c in _EVENT_COLUMNS if c not in ("employee_id", "event_type", "effective_date")],
    )


def year_summary(inputs: YearInputs, snapshot_frame: pl.DataFrame, needs: pl.DataFrame) -> pl.DataFrame:
    """fct_year_summary: the headcount flow, pay, participation and plan cost of the year; the
    ratios are exact, rounded half away from zero to 5 decimals."""
    active = pl.col("employment_status") == "active"
    flows = snapshot_frame.select(
        starting_headcount=pl.col("status_detail").is_in(["continuous_active", "experienced_termination"]).sum().cast(pl.Int64),
        hires=pl.col("status_detail").is_in(["new_hire_active", "new_hire_termination"]).sum().cast(pl.Int64),
        experienced_terminations=(pl.col("status_detail") == "experienced_termination").sum().cast(pl.Int64),
        new_hire_terminations=(pl.col("status_detail") == "new_hire_termination").sum().cast(pl.Int64),
        ending_headcount=active.sum().cast(pl.Int64),
        total_prorated_compensation=pl.col("prorated_compensation").sum().cast(pl.Int64),
        eligible_active=(active & pl.col("is_eligible")).sum().cast(pl.Int64),
        enrolled_active=(active & pl.col("is_eligible") & pl.col("is_enrolled")).sum().cast(pl.Int64),
        enrolled_deferral_sum=pl.col("deferral_rate").filter(active & pl.col("is_enrolled")).sum().cast(pl.Int64),
        employee_contributions=pl.col("employee_contribution").sum().cast(pl.Int64),
        employer_match=pl.col("employer_match").sum().cast(pl.Int64),
        employer_core=pl.col("employer_core").sum().cast(pl.Int64),
        forfeitures=pl.col("forfeiture").sum().cast(pl.Int64),
        total_account_balances=(pl.col("employee_balance") + pl.col("match_balance") + pl.col("core_balance"))
        .sum().cast(pl.Int64),
        distributions=pl.col("distribution").sum().cast(pl.Int64),
    )

    def ratio(numerator: pl.Expr, denominator: str) -> pl.Expr:
        return pl.when(pl.col(denominator) == 0).then(None).otherwise(
            divide_round_half_away(numerator, pl.col(denominator)).cast(pl.Int64))

    return pl.concat([flows, needs.select("scenario_id", "simulation_year", "target_ending_headcount", "solver_branch",
                                          "target_growth_rate")], how="horizontal").select(
        "scenario_id", pl.col("simulation_year").cast(pl.Int32),
        "starting_headcount", "hires", "experienced_terminations", "new_hire_terminations", "ending_headcount",
        "target_ending_headcount", "solver_branch",
        ratio((pl.col("ending_headcount") - pl.col("starting_headcount")) * RATE_UNITS, "starting_headcount").alias("growth_rate"),
        "target_growth_rate", "total_prorated_compensation", "eligible_active", "enrolled_active",
        ratio(pl.col("enrolled_active") * RATE_UNITS, "eligible_active").alias("participation_rate"),
        ratio(pl.col("enrolled_deferral_sum"), "enrolled_active").alias("average_deferral_rate"),
        "employee_contributions", "employer_match", "employer_core",
        (pl.col("employer_match") + pl.col("employer_core")).alias("employer_cost"),
        "forfeitures",
        (pl.col("employer_match") + pl.col("employer_core") - pl.col("forfeitures")).alias("net_employer_cost"),
        # match and core over the year's pay, half up
        pl.when(pl.col("total_prorated_compensation") == 0).then(None).otherwise(divide_round_half_up(
            (pl.col("employer_match") + pl.col("employer_core")) * RATE_UNITS, pl.col("total_prorated_compensation"))
        ).cast(pl.Int64).alias("employer_cost_pct_of_payroll"),
        "total_account_balances", "distributions",
    )


__all__ = ["snapshot", "yearly_events", "year_summary", "nondiscrimination_tests", "divide_round_half_up"]


TEN_THOUSANDTHS = 10_000


def nondiscrimination_tests(inputs: YearInputs, snapshot_frame: pl.DataFrame, contributions: pl.DataFrame,
                            hce: pl.DataFrame) -> pl.DataFrame:
    """fct_nondiscrimination_tests: the ADP and ACP tests over the year's eligible employees (not the
    long-term part-time), in
    exact integers (rates in 1e-4 rounded half up; averages and margin shown in 1e-6)."""
    s, year = inputs.scenario, inputs.year
    plan_pay = pl.col("plan_compensation")

    def rate_units(amount: pl.Expr) -> pl.Expr:
        return pl.when(plan_pay > 0).then(divide_round_half_up(amount * TEN_THOUSANDTHS, plan_pay)).otherwise(0).cast(pl.Int64)

    tested = (
        snapshot_frame.filter(pl.col("is_eligible") & ~pl.col("is_long_term_part_time")).select("employee_id")
        .join(contributions.select("employee_id", "plan_compensation", "employee_contribution", "catch_up_contribution",
                                   "employer_match"), on="employee_id", how="inner")
        .join(hce.select("employee_id", "is_hce"), on="employee_id", how="left")
        .select(pl.col("is_hce").fill_null(False),
                rate_units(pl.col("employee_contribution") - pl.col("catch_up_contribution")).alias("adp"),
                rate_units(pl.col("employer_match")).alias("acp"))
    )
    previous = {row["test_name"]: row for row in inputs.previous_tests.iter_rows(named=True)}
    rows = []
    for test_name in ("adp", "acp"):
        hces, nhces = tested.filter(pl.col("is_hce")), tested.filter(~pl.col("is_hce"))
        hce_count, nhce_count = hces.height, nhces.height
        hce_units, nhce_units = int(hces[test_name].sum() or 0), int(nhces[test_name].sum() or 0)
        uses_prior = s.testing_method == "prior_year" and test_name in previous
        basis_count = previous[test_name]["nhce_count"] if uses_prior else nhce_count
        basis_units = previous[test_name]["nhce_rate_units"] if uses_prior else nhce_units
        allowed = max(5 * basis_units, 4 * min(2 * basis_units, basis_units + 200 * basis_count))
        passes = hce_count == 0 or basis_count == 0 or 4 * basis_count * hce_units <= allowed * hce_count
        margin = None
        if hce_count and basis_count:
            numerator = (allowed * hce_count - 4 * basis_count * hce_units) * 100
            denominator = 4 * basis_count * hce_count
            magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
            margin = -magnitude if numerator < 0 else magnitude
        rows.append({
            "scenario_id": s.scenario_id, "simulation_year": year, "test_name": test_name,
            "testing_method": s.testing_method, "basis_year": year - 1 if uses_prior else year,
            "hce_count": hce_count, "nhce_count": nhce_count, "hce_rate_units": hce_units, "nhce_rate_units": nhce_units,
            "basis_nhce_count": basis_count, "basis_nhce_rate_units": basis_units,
            "hce_average": _half_up(hce_units * 100, hce_count),
            "nhce_average": _half_up(basis_units * 100, basis_count),
            "allowed_hce_average": _half_up(allowed * 100, 4 * basis_count),
            "margin": margin,
            "deemed_by_safe_harbor": bool(s.match_safe_harbor),
            "passed": bool(s.match_safe_harbor) or passes,
            "result": "safe_harbor" if s.match_safe_harbor else "pass" if passes else "fail",
        })
    return pl.DataFrame(rows, schema={
        "scenario_id": pl.String, "simulation_year": pl.Int32, "test_name": pl.String, "testing_method": pl.String,
        "basis_year": pl.Int32, "hce_count": pl.Int64, "nhce_count": pl.Int64, "hce_rate_units": pl.Int64,
        "nhce_rate_units": pl.Int64, "basis_nhce_count": pl.Int64, "basis_nhce_rate_units": pl.Int64,
        "hce_average": pl.Int64, "nhce_average": pl.Int64, "allowed_hce_average": pl.Int64, "margin": pl.Int64,
        "deemed_by_safe_harbor": pl.Boolean, "passed": pl.Boolean, "result": pl.String,
    })


def _half_up(numerator: int, denominator: int) -> int | None:
    """A non-negative ratio rounded half up, or None over zero."""
    return None if denominator == 0 else (2 * numerator + denominator) // (2 * denominator)
