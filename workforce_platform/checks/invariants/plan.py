"""Invariants of the plan, one year at a time: plan state, IRS limits, the Roth catch-up,
nondiscrimination tests, hours and service, account balances and distributions."""

from __future__ import annotations

from workforce_platform.checks.invariants.invariant import YEAR_ROWS, Invariant

_IRS_LIMITS_OF_YEAR = "(select * from main.int_irs_limits_projected where plan_year = $year)"

PLAN_STATE = Invariant(
    name="plan_state",
    asset="fct_workforce_snapshot",
    description="Enrolled exactly when the deferral rate is > 0, and only when eligible; every deferral change has an event "
                "(the rate at year end is the last event's, or the rate of 1 January); at most one "
                "enrollment a year and none while enrolled; no escalation after an opt-out or above the cap.",
    violations_sql=f"""
            with snap as (select * from main.fct_workforce_snapshot where {YEAR_ROWS}),
            start as (
                select employee_id, deferral_rate, has_opted_out from main.int_starting_workforce_assembled where {YEAR_ROWS}
                union all
                select employee_id, deferral_rate, has_opted_out from main.int_new_hires_generated where {YEAR_ROWS}
            ),
            changes as (
                select * from main.fct_yearly_events
                where {YEAR_ROWS} and event_type in ('enrollment', 'opt_out', 'deferral_escalation')
            ),
            last_change as (
                select employee_id, arg_max(deferral_rate_after, event_sequence) as rate_after from changes group by 1
            )
            select snap.employee_id, 'is_enrolled disagrees with the deferral rate' as problem
            from snap where snap.is_enrolled <> (snap.deferral_rate > 0)
            union all
            select snap.employee_id, 'enrolled without being eligible'
            from snap where snap.is_enrolled and not snap.is_eligible
            union all
            select snap.employee_id, 'deferral rate changed without an event'
            from snap join start using (employee_id) left join last_change using (employee_id)
            where snap.deferral_rate <> coalesce(last_change.rate_after, start.deferral_rate)
            union all
            select changes.employee_id, 'enrollment while enrolled'
            from changes join start using (employee_id)
            where changes.event_type = 'enrollment' and start.deferral_rate > 0
            union all
            select employee_id, 'more than one enrollment in the year'
            from changes where event_type = 'enrollment' group by 1 having count(*) > 1
            union all
            select changes.employee_id, 'escalation after an opt-out'
            from changes join start using (employee_id)
            where changes.event_type = 'deferral_escalation' and start.has_opted_out
            union all
            select changes.employee_id, 'escalation above the cap or not an increase'
            from changes cross join main.stg_scenario as scenario
            where changes.event_type = 'deferral_escalation'
              and (changes.deferral_rate_after > scenario.escalation_cap
                   or changes.deferral_rate_after <= changes.deferral_rate_before)
            order by 1, 2""",
)


IRS_LIMITS = Invariant(
    name="irs_limits",
    asset="fct_workforce_snapshot",
    description="The year has IRS limits; deferrals within 402(g) plus the catch-up for the age reached; "
                "plan pay is prorated pay capped at 401(a)(17), the match compensation at most plan pay, and "
                "the match stays within the formula on the match compensation; catch-up within the deferrals "
                "and the age's catch-up; deferrals (less catch-up), match and core within 415(c) (the lesser "
                "of the limit and pay).",
    violations_sql=f"""
            with limits as {_IRS_LIMITS_OF_YEAR},
            snap as (select s.*, c.catch_up_contribution, c.match_compensation
                     from main.fct_workforce_snapshot as s
                     join main.int_plan_contributions_calculated as c using (scenario_id, simulation_year, employee_id)
                     where s.scenario_id = $scenario_id and s.simulation_year = $year),
            formula as (select coalesce(sum(match_rate * (employee_max - employee_min)), 0) as max_match_rate
                        from main.stg_match_tiers),
            checked as (
                select
                    snap.employee_id, snap.age, snap.prorated_compensation, snap.plan_compensation,
                    snap.employee_contribution, snap.employer_match, snap.employer_core,
                    limits.elective_deferral_limit + case
                        when snap.age between limits.super_catch_up_min_age and limits.super_catch_up_max_age
                            then limits.super_catch_up_limit
                        when snap.age >= limits.catch_up_age then limits.catch_up_limit
                        else 0 end as deferral_limit,
                    snap.catch_up_contribution as catch_up,
                    least(limits.annual_additions_limit, snap.prorated_compensation) as additions_limit,
                    limits.elective_deferral_limit,
                    least(snap.prorated_compensation, limits.compensation_limit) as expected_plan_compensation,
                    snap.match_compensation,
                    -- the formula at its highest rate on the match compensation, which is rounded to the cent
                    -- (a match per pay period reads the pay before that rounding), and the match's own rounding
                    formula.max_match_rate * (snap.match_compensation + 0.005) + 0.005 as match_ceiling
                from snap cross join limits cross join formula
            )
            select employee_id, age, employee_contribution, deferral_limit, plan_compensation, employer_match, employer_core,
                   case when employee_contribution > deferral_limit then '402(g) and catch-up'
                        when plan_compensation <> expected_plan_compensation then '401(a)(17) plan compensation'
                        when match_compensation > plan_compensation then 'match compensation above plan compensation'
                        when employer_match > match_ceiling then 'match above the formula on the match compensation'
                        when catch_up > employee_contribution or catch_up > deferral_limit - elective_deferral_limit
                            then '414(v) catch-up above the deferrals or the age''s catch-up'
                        else '415(c) annual additions' end as limit_exceeded
            from checked
            where employee_contribution > deferral_limit
               or plan_compensation <> expected_plan_compensation
               or match_compensation > plan_compensation
               or employer_match > match_ceiling
               or catch_up > employee_contribution or catch_up > deferral_limit - elective_deferral_limit
               or employee_contribution - catch_up + employer_match + employer_core > additions_limit
            union all
            select null, null, null, null, null, null, null, 'no IRS limits for the year'
            where not exists (select 1 from limits)
            order by 1""",
)


ROTH_CATCH_UP = Invariant(
    name="roth_catch_up",
    asset="fct_workforce_snapshot",
    description="SECURE 2.0 section 603 (IRC 414(v)(7)): in a year the rule is in force, an employee whose "
                "previous-year wages exceeded the threshold makes the whole catch-up as Roth when the plan offers "
                "Roth, and no catch-up (deferrals within 402(g)) when it does not; nobody else has Roth catch-up.",
    violations_sql=f"""
            with limits as {_IRS_LIMITS_OF_YEAR},
            contributions as (select * from main.int_plan_contributions_calculated where {YEAR_ROWS}),
            previous_pay as (
                select employee_id, prior_year_compensation from main.int_starting_workforce_assembled where {YEAR_ROWS}
            ),
            tested as (
                select contributions.*,
                       limits.roth_catch_up_in_force
                           and coalesce(previous_pay.prior_year_compensation > limits.roth_catch_up_wage_threshold, false)
                           as wages_above_threshold,
                       limits.elective_deferral_limit,
                       scenario.roth_available
                from contributions
                left join previous_pay using (employee_id)
                cross join limits
                cross join main.stg_scenario as scenario
            )
            select employee_id, 'Roth catch-up required but not flagged, or flagged but not required' as problem
            from tested where roth_catch_up_required <> wages_above_threshold
            union all
            select employee_id, 'Roth catch-up without the requirement, or not the whole catch-up'
            from tested
            where roth_catch_up <> case when wages_above_threshold and roth_available then catch_up_contribution else 0 end
            union all
            select employee_id, 'catch-up for an employee above the threshold in a plan without Roth'
            from tested
            where wages_above_threshold and not roth_available
              and (catch_up_contribution <> 0 or employee_contribution > elective_deferral_limit)
            union all
            select snapshot.employee_id, 'the snapshot roth_catch_up differs from the contributions'
            from main.fct_workforce_snapshot as snapshot join contributions using (scenario_id, simulation_year, employee_id)
            where snapshot.roth_catch_up <> contributions.roth_catch_up
            order by 1, 2""",
)


NONDISCRIMINATION_TESTS_COMPLETE = Invariant(
    name="nondiscrimination_tests_complete",
    asset="fct_nondiscrimination_tests",
    description="The year has its ADP and ACP tests, each over exactly the year's eligible employees (less "
                "the long-term part-time) split into HCEs and NHCEs, and every HCE was paid above the "
                "lookback year's 414(q) threshold.",
    violations_sql=f"""
            with tests as (select * from main.fct_nondiscrimination_tests where {YEAR_ROWS}),
            eligible as (
                select count(*) filter (where coalesce(hce.is_hce, false)) as hces,
                       count(*) filter (where not coalesce(hce.is_hce, false)) as nhces
                from main.fct_workforce_snapshot as snapshot
                left join main.int_highly_compensated_determined as hce using (scenario_id, simulation_year, employee_id)
                where snapshot.scenario_id = $scenario_id and snapshot.simulation_year = $year and snapshot.is_eligible
                  and not snapshot.is_long_term_part_time
            )
            select expected.test_name as subject, 'test missing' as problem
            from (values ('adp'), ('acp')) as expected (test_name)
            where expected.test_name not in (select test_name from tests)
            union all
            select tests.test_name, 'HCE and NHCE counts differ from the eligible employees'
            from tests cross join eligible
            where tests.hce_count <> eligible.hces or tests.nhce_count <> eligible.nhces
            union all
            select employee_id, 'HCE not paid above the lookback threshold'
            from main.int_highly_compensated_determined
            where {YEAR_ROWS} and is_hce and not coalesce(lookback_compensation > lookback_threshold, false)
            order by 1, 2""",
)


HOURS_AND_SERVICE = Invariant(
    name="hours_and_service",
    asset="fct_workforce_snapshot",
    description="Hours worked lie between zero and the schedule (scheduled_hours, else 2,080) and reach it "
                "for a whole year employed; a long-term part-time employee has a schedule of 500 hours or "
                "more and receives no match and no core.",
    violations_sql=f"""
            with snap as (
                select *, coalesce(scheduled_hours, 2080) as schedule from main.fct_workforce_snapshot where {YEAR_ROWS}
            )
            select employee_id, 'hours worked outside zero to the schedule' as problem from snap
            where hours_worked is null or hours_worked < 0 or hours_worked > schedule
            union all
            select employee_id, 'a whole year employed without the scheduled hours' from snap
            where hire_date <= make_date($year, 1, 1) and termination_date is null and hours_worked <> schedule
            union all
            select employee_id, 'long-term part-time below 500 hours' from snap
            where is_long_term_part_time and schedule < 500
            union all
            select employee_id, 'long-term part-time with a match or core' from snap
            where is_long_term_part_time and (employer_match <> 0 or employer_core <> 0)
            order by 1, 2""",
)


ACCOUNT_BALANCES = Invariant(
    name="account_balances",
    asset="fct_workforce_snapshot",
    description="Money is conserved, to the cent: each employee's accounts start the year at the previous "
                "year's closing balances (the census's opening balances in the first year, zero for hires), "
                "and close at the start plus investment return plus the year's contributions less the "
                "forfeiture and the distribution, which only a leaver has; a leaver is paid exactly the vested "
                "balance and closes at zero.",
    violations_sql=f"""
            with snap as (select * from main.fct_workforce_snapshot where {YEAR_ROWS}),
            rolled as (select * from main.int_account_balances_rolled where {YEAR_ROWS}),
            previous as (
                select employee_id, employee_balance, match_balance, core_balance
                from main.fct_workforce_snapshot
                where scenario_id = $scenario_id and simulation_year = $year - 1 and employment_status = 'active'
                union all
                select employee_id, employee_balance, match_balance, core_balance
                from main.int_baseline_workforce_prepared where $year = $start_year
            )
            select snap.employee_id, 'starting balances differ from last year''s closing balances' as problem
            from snap join rolled using (employee_id) left join previous using (employee_id)
            where rolled.starting_employee_balance <> coalesce(previous.employee_balance, 0)
               or rolled.starting_match_balance <> coalesce(previous.match_balance, 0)
               or rolled.starting_core_balance <> coalesce(previous.core_balance, 0)
            union all
            select snap.employee_id,
                   'closing balances differ from start + return + contributions - forfeiture - distribution'
            from snap join rolled using (employee_id)
            where snap.employee_balance + snap.match_balance + snap.core_balance + snap.forfeiture + snap.distribution
                  <> rolled.starting_employee_balance + rolled.starting_match_balance + rolled.starting_core_balance
                     + rolled.investment_return + snap.employee_contribution + snap.employer_match + snap.employer_core
               or snap.employee_balance <> rolled.employee_balance or snap.match_balance <> rolled.match_balance
               or snap.core_balance <> rolled.core_balance or snap.forfeiture <> rolled.forfeiture
               or snap.distribution <> rolled.distribution
            union all
            select employee_id, 'forfeiture or distribution without a termination, or a negative amount'
            from snap
            where ((forfeiture <> 0 or distribution <> 0) and termination_date is null)
               or least(employee_balance, match_balance, core_balance, forfeiture, distribution) < 0
            union all
            select employee_id, 'a leaver with money left in the plan'
            from snap
            where termination_date is not null and employee_balance + match_balance + core_balance <> 0
            union all
            select snap.employee_id, 'snapshot row without accounts'
            from snap anti join rolled using (employee_id)
            order by 1, 2""",
)


DISTRIBUTIONS = Invariant(
    name="distributions",
    asset="fct_yearly_events",
    description="Every leaver with a vested balance has exactly one `distribution` event, on the termination "
                "date, for the snapshot's distribution to the cent; nobody else has one; the summary's "
                "distributions and total_account_balances are the snapshot's sums.",
    violations_sql=f"""
            with snap as (select * from main.fct_workforce_snapshot where {YEAR_ROWS}),
            paid as (
                select employee_id, count(*) as events, sum(amount) as amount, min(effective_date) as paid_on
                from main.fct_yearly_events where {YEAR_ROWS} and event_type = 'distribution' group by 1
            ),
            summary as (select * from main.fct_year_summary where {YEAR_ROWS})
            select coalesce(snap.employee_id, paid.employee_id) as subject,
                   'distribution event missing, repeated, or not the vested balance on the termination date' as problem
            from (select * from snap where distribution <> 0) as snap
            full join paid using (employee_id)
            where paid.employee_id is null or snap.employee_id is null or paid.events <> 1
               or paid.amount <> snap.distribution or paid.paid_on is distinct from snap.termination_date
            union all
            select null, 'summary distributions or total_account_balances differ from the snapshot'
            from summary
            where summary.distributions <> (select coalesce(sum(distribution), 0) from snap)
               or summary.total_account_balances
                  <> (select coalesce(sum(employee_balance + match_balance + core_balance), 0) from snap)
            order by 1, 2""",
)

