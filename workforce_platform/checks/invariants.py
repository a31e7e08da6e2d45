"""The invariant catalogue: the named invariants of data_contract.md. Each entry is a query
returning the violating rows, with the named parameters $scenario_id, $year and $start_year:

- scope `year`: one finished year of the working tables (invariants 1-7 and 10), a blocking
  Dagster asset check on the year's partition (defs/assets/gates.py);
- scope `published`: the scenario's whole published layer (invariant 9), a blocking check on the
  published assets that runs after every promotion (defs/assets/publish.py).

Every entry is also a test case with a hand-made violation (tests/integration/test_invariants.py).
Adding an invariant is adding one entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import duckdb

SHOWN_ROWS = 5


@dataclass(frozen=True)
class Invariant:
    name: str
    asset: str  # the asset whose check this is: a dbt model, or `published/<table>`
    description: str
    violations_sql: str
    blocking: bool = True
    scope: str = "year"  # `year`: one year of the working tables; `published`: the whole published layer

    @property
    def asset_path(self) -> tuple[str, ...]:
        """The asset key's path under the scenario id."""
        return tuple(self.asset.split("/"))


_YEAR = "scenario_id = $scenario_id and simulation_year = $year"

CATALOGUE: tuple[Invariant, ...] = (
    Invariant(
        name="continuity",
        asset="int_starting_workforce_assembled",
        description="The year's starting employees are exactly those active at the end of the previous "
                    "year (the census baseline in the first year), with the same dates, level and pay.",
        violations_sql=f"""
            with expected as (
                select employee_id, birth_date, hire_date, level_id, annual_compensation
                from main.fct_workforce_snapshot
                where scenario_id = $scenario_id and simulation_year = $year - 1
                  and employment_status = 'active' and $year > $start_year
                union all
                select employee_id, birth_date, hire_date, level_id, annual_compensation
                from main.int_baseline_workforce_prepared where $year = $start_year
            ),
            actual as (
                select employee_id, birth_date, hire_date, level_id, annual_compensation
                from main.int_starting_workforce_assembled where {_YEAR}
            )
            select coalesce(e.employee_id, a.employee_id) as employee_id,
                   case when a.employee_id is null then 'active at the previous year end, missing at the start'
                        when e.employee_id is null then 'at the start, not active at the previous year end'
                        else 'dates, level or pay changed between years' end as problem
            from expected e full join actual a on e.employee_id = a.employee_id
            where e.employee_id is null or a.employee_id is null
               or (e.birth_date, e.hire_date, e.level_id, e.annual_compensation)
                  is distinct from (a.birth_date, a.hire_date, a.level_id, a.annual_compensation)
            order by 1""",
    ),
    Invariant(
        name="mass_balance",
        asset="fct_year_summary",
        description="starting + hires - experienced terminations - new-hire terminations = ending, "
                    "exactly, counted independently from the starting workforce, the events and the "
                    "snapshot, and equal to the summary row.",
        violations_sql=f"""
            with counted as (
                select
                    (select count(*) from main.int_starting_workforce_assembled where {_YEAR}) as starting_headcount,
                    (select count(*) from main.fct_yearly_events where {_YEAR} and event_type = 'hire') as hires,
                    (select count(*) from main.fct_yearly_events where {_YEAR} and event_type = 'termination') as experienced_terminations,
                    (select count(*) from main.fct_yearly_events where {_YEAR} and event_type = 'new_hire_termination') as new_hire_terminations,
                    (select count(*) from main.fct_workforce_snapshot where {_YEAR} and employment_status = 'active') as ending_headcount
            )
            select counted.*, summary.starting_headcount as summary_starting, summary.hires as summary_hires,
                   summary.experienced_terminations as summary_terminations,
                   summary.new_hire_terminations as summary_new_hire_terminations,
                   summary.ending_headcount as summary_ending
            from counted
            left join (select * from main.fct_year_summary where {_YEAR}) as summary on true
            where summary.simulation_year is null
               or counted.starting_headcount + counted.hires - counted.experienced_terminations
                  - counted.new_hire_terminations <> counted.ending_headcount
               or (counted.starting_headcount, counted.hires, counted.experienced_terminations,
                   counted.new_hire_terminations, counted.ending_headcount)
                  is distinct from (summary.starting_headcount, summary.hires, summary.experienced_terminations,
                                    summary.new_hire_terminations, summary.ending_headcount)""",
    ),
    Invariant(
        name="growth",
        asset="fct_year_summary",
        description="Ending headcount = round(starting x (1 + target growth)), half away from zero.",
        violations_sql="""
            select summary.starting_headcount, summary.ending_headcount,
                   round(summary.starting_headcount * (1 + scenario.target_growth_rate))::bigint as expected_ending
            from main.fct_year_summary as summary cross join main.stg_scenario as scenario
            where summary.scenario_id = $scenario_id and summary.simulation_year = $year
              and summary.ending_headcount <> round(summary.starting_headcount * (1 + scenario.target_growth_rate))::bigint""",
    ),
    Invariant(
        name="timeline",
        asset="fct_yearly_events",
        description="No event before the hire date, after the termination date or outside the year, "
                    "none for someone not employed that year; a new hire's termination falls after "
                    "the hire date, in the hire year.",
        violations_sql=f"""
            select e.employee_id, e.event_type, e.effective_date, s.hire_date, s.termination_date
            from (select * from main.fct_yearly_events where {_YEAR}) as e
            left join (select * from main.fct_workforce_snapshot where {_YEAR}) as s using (employee_id)
            where s.employee_id is null
               or e.effective_date < s.hire_date
               or e.effective_date > coalesce(s.termination_date, make_date($year, 12, 31))
               or year(e.effective_date) <> $year
               or (e.event_type = 'new_hire_termination'
                   and (year(s.hire_date) <> $year or e.effective_date <= s.hire_date))
            order by 1, 2""",
    ),
    Invariant(
        name="unique_event_ids",
        asset="fct_yearly_events",
        description="event_id is unique across the whole table.",
        violations_sql=f"""
            select event_id, count(*) as occurrences from main.fct_yearly_events
            where event_id in (select event_id from main.fct_yearly_events where {_YEAR})
            group by 1 having count(*) > 1 order by 1""",
    ),
    Invariant(
        name="one_hire_per_employee",
        asset="fct_yearly_events",
        description="At most one hire per employee, over every year so far.",
        violations_sql=f"""
            select employee_id, count(*) as hires from main.fct_yearly_events
            where scenario_id = $scenario_id and simulation_year <= $year and event_type = 'hire'
              and employee_id in (select employee_id from main.fct_workforce_snapshot where {_YEAR})
            group by 1 having count(*) > 1 order by 1""",
    ),
    Invariant(
        name="one_termination_per_employee",
        asset="fct_yearly_events",
        description="At most one termination (experienced or new-hire) per employee, over every year so far.",
        violations_sql=f"""
            select employee_id, count(*) as terminations from main.fct_yearly_events
            where scenario_id = $scenario_id and simulation_year <= $year
              and event_type in ('termination', 'new_hire_termination')
              and employee_id in (select employee_id from main.fct_workforce_snapshot where {_YEAR})
            group by 1 having count(*) > 1 order by 1""",
    ),
    Invariant(
        name="one_snapshot_row_per_employee",
        asset="fct_workforce_snapshot",
        description="One snapshot row per employee and year.",
        violations_sql=f"""
            select employee_id, count(*) as rows from main.fct_workforce_snapshot
            where {_YEAR} group by 1 having count(*) > 1 order by 1""",
    ),
    Invariant(
        name="no_resurrection",
        asset="fct_workforce_snapshot",
        description="Nobody terminated in an earlier year appears in this year's snapshot.",
        violations_sql=f"""
            select s.employee_id, t.simulation_year as terminated_in, t.effective_date
            from (select * from main.fct_workforce_snapshot where {_YEAR}) as s
            join main.fct_yearly_events as t
              on t.scenario_id = s.scenario_id and t.employee_id = s.employee_id
             and t.simulation_year < $year and t.event_type in ('termination', 'new_hire_termination')
            order by 1""",
    ),
)

CATALOGUE += (
    Invariant(
        name="termination_reasons",
        asset="fct_yearly_events",
        description="Every termination has its reason (retirement, death or other; new_hire for a new-hire "
                    "termination) and no other event has one; the snapshot gives each leaver the reason of its "
                    "termination and the active employees none; the year's retirements and deaths are those the "
                    "solver counted, within its experienced terminations.",
        violations_sql=f"""
            with events as (select * from main.fct_yearly_events where {_YEAR}),
            snap as (select * from main.fct_workforce_snapshot where {_YEAR}),
            needs as (select * from main.int_workforce_needs_solved where {_YEAR}),
            leavers as (
                select employee_id, termination_reason from events
                where event_type in ('termination', 'new_hire_termination')
            )
            select employee_id, event_type || ' with reason ' || coalesce(termination_reason, 'none') as problem
            from events
            where (event_type = 'termination' and coalesce(termination_reason, '') not in ('retirement', 'death', 'other'))
               or (event_type = 'new_hire_termination' and termination_reason is distinct from 'new_hire')
               or (event_type not in ('termination', 'new_hire_termination') and termination_reason is not null)
            union all
            select snap.employee_id, 'snapshot reason ' || coalesce(snap.termination_reason, 'none')
                   || ', termination event reason ' || coalesce(leavers.termination_reason, 'none')
            from snap left join leavers using (employee_id)
            where snap.termination_reason is distinct from leavers.termination_reason
               or (snap.termination_date is null) <> (snap.termination_reason is null)
            union all
            select null, 'retirements and deaths (' || counted.retirements || ', ' || counted.deaths
                   || ') differ from the solver''s (' || needs.retirements || ', ' || needs.deaths
                   || ') or exceed its ' || needs.experienced_terminations || ' experienced terminations'
            from (select count(*) filter (where termination_reason = 'retirement') as retirements,
                         count(*) filter (where termination_reason = 'death') as deaths from leavers) as counted
            cross join needs
            where (counted.retirements, counted.deaths) is distinct from (needs.retirements, needs.deaths)
               or counted.retirements + counted.deaths > needs.experienced_terminations
            order by 1, 2""",
    ),
)

_IRS_LIMITS_OF_YEAR = "(select * from main.int_irs_limits_projected where plan_year = $year)"

CATALOGUE += (
    Invariant(
        name="plan_state",
        asset="fct_workforce_snapshot",
        description="Enrolled exactly when the deferral rate is > 0, and only when eligible; every deferral change has an event "
                    "(the rate at year end is the last event's, or the rate of 1 January); at most one "
                    "enrollment a year and none while enrolled; no escalation after an opt-out or above the cap.",
        violations_sql=f"""
            with snap as (select * from main.fct_workforce_snapshot where {_YEAR}),
            start as (
                select employee_id, deferral_rate, has_opted_out from main.int_starting_workforce_assembled where {_YEAR}
                union all
                select employee_id, deferral_rate, has_opted_out from main.int_new_hires_generated where {_YEAR}
            ),
            changes as (
                select * from main.fct_yearly_events
                where {_YEAR} and event_type in ('enrollment', 'opt_out', 'deferral_escalation')
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
    ),
    Invariant(
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
    ),
)

CATALOGUE += (
    Invariant(
        name="roth_catch_up",
        asset="fct_workforce_snapshot",
        description="SECURE 2.0 section 603 (IRC 414(v)(7)): in a year the rule is in force, an employee whose "
                    "previous-year wages exceeded the threshold makes the whole catch-up as Roth when the plan offers "
                    "Roth, and no catch-up (deferrals within 402(g)) when it does not; nobody else has Roth catch-up.",
        violations_sql=f"""
            with limits as {_IRS_LIMITS_OF_YEAR},
            contributions as (select * from main.int_plan_contributions_calculated where {_YEAR}),
            previous_pay as (
                select employee_id, prior_year_compensation from main.int_starting_workforce_assembled where {_YEAR}
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
    ),
    Invariant(
        name="new_hire_pay_in_band",
        asset="fct_yearly_events",
        description="Every hire's starting pay lies within its level's pay band for the year, indexed "
                    "from config_levels (int_new_hire_pay_bands_indexed).",
        violations_sql=f"""
            select hire.employee_id, hire.level_after, hire.compensation_after, band.min_compensation, band.max_compensation
            from (select * from main.fct_yearly_events where {_YEAR} and event_type = 'hire') as hire
            left join main.int_new_hire_pay_bands_indexed as band
              on band.plan_year = hire.simulation_year and band.level_id = hire.level_after
            where band.level_id is null
               or hire.compensation_after not between band.min_compensation and band.max_compensation
            order by 1""",
    ),
)

CATALOGUE += (
    Invariant(
        name="nondiscrimination_tests_complete",
        asset="fct_nondiscrimination_tests",
        description="The year has its ADP and ACP tests, each over exactly the year's eligible employees (less "
                    "the long-term part-time) split into HCEs and NHCEs, and every HCE was paid above the "
                    "lookback year's 414(q) threshold.",
        violations_sql=f"""
            with tests as (select * from main.fct_nondiscrimination_tests where {_YEAR}),
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
            where {_YEAR} and is_hce and not coalesce(lookback_compensation > lookback_threshold, false)
            order by 1, 2""",
    ),
)

CATALOGUE += (
    Invariant(
        name="hours_and_service",
        asset="fct_workforce_snapshot",
        description="Hours worked lie between zero and the schedule (scheduled_hours, else 2,080) and reach it "
                    "for a whole year employed; a long-term part-time employee has a schedule of 500 hours or "
                    "more and receives no match and no core.",
        violations_sql=f"""
            with snap as (
                select *, coalesce(scheduled_hours, 2080) as schedule from main.fct_workforce_snapshot where {_YEAR}
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
    ),
    Invariant(
        name="account_balances",
        asset="fct_workforce_snapshot",
        description="Money is conserved, to the cent: each employee's accounts start the year at the previous "
                    "year's closing balances (the census's opening balances in the first year, zero for hires), "
                    "and close at the start plus investment return plus the year's contributions less the "
                    "forfeiture and the distribution, which only a leaver has; a leaver is paid exactly the vested "
                    "balance and closes at zero.",
        violations_sql=f"""
            with snap as (select * from main.fct_workforce_snapshot where {_YEAR}),
            rolled as (select * from main.int_account_balances_rolled where {_YEAR}),
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
    ),
    Invariant(
        name="distributions",
        asset="fct_yearly_events",
        description="Every leaver with a vested balance has exactly one `distribution` event, on the termination "
                    "date, for the snapshot's distribution to the cent; nobody else has one; the summary's "
                    "distributions and total_account_balances are the snapshot's sums.",
        violations_sql=f"""
            with snap as (select * from main.fct_workforce_snapshot where {_YEAR}),
            paid as (
                select employee_id, count(*) as events, sum(amount) as amount, min(effective_date) as paid_on
                from main.fct_yearly_events where {_YEAR} and event_type = 'distribution' group by 1
            ),
            summary as (select * from main.fct_year_summary where {_YEAR})
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
    ),
    Invariant(
        name="published_chain_consistent",
        asset="published/fct_workforce_snapshot",
        description="Every published year starts from exactly the published year before it: that year is "
                    "published, the year was built on its snapshot (fingerprints recorded at promotion), its "
                    "starting employees are that year's active employees and its starting headcount that "
                    "year's ending headcount; no published row lacks its year's promotion record.",
        scope="published",
        violations_sql="""
            with promoted as (
                select simulation_year, snapshot_fingerprint, built_on_snapshot
                from published.promotions where scenario_id = $scenario_id
            ),
            linked as (
                select later.simulation_year, earlier.simulation_year is not null as earlier_published,
                       later.built_on_snapshot, earlier.snapshot_fingerprint as earlier_snapshot
                from promoted as later
                left join promoted as earlier on earlier.simulation_year = later.simulation_year - 1
                where later.simulation_year > $start_year
            ),
            snap as (
                select simulation_year, employee_id, employment_status, status_detail
                from published.fct_workforce_snapshot where scenario_id = $scenario_id
            ),
            starting as (
                select simulation_year, employee_id from snap
                where status_detail in ('continuous_active', 'experienced_termination')
            ),
            ended_active as (
                select simulation_year + 1 as simulation_year, employee_id from snap where employment_status = 'active'
            ),
            summary as (select * from published.fct_year_summary where scenario_id = $scenario_id)
            select simulation_year, null::varchar as employee_id, 'published without the year before it' as problem
            from linked where not earlier_published
            union all
            select simulation_year, null, 'built on another state of the year before than the published one'
            from linked
            where earlier_published and built_on_snapshot is not null and earlier_snapshot is not null
              and built_on_snapshot <> earlier_snapshot
            union all
            select coalesce(s.simulation_year, e.simulation_year), coalesce(s.employee_id, e.employee_id),
                   case when s.employee_id is null
                        then 'active at the end of the published year before, not among the starting employees'
                        else 'among the starting employees, not active at the end of the published year before' end
            from starting as s
            full join ended_active as e on s.simulation_year = e.simulation_year and s.employee_id = e.employee_id
            where (s.employee_id is null or e.employee_id is null)
              and coalesce(s.simulation_year, e.simulation_year) in (select simulation_year from linked where earlier_published)
            union all
            select later.simulation_year, null,
                   'starting headcount ' || later.starting_headcount || ' is not the ending headcount '
                   || earlier.ending_headcount || ' of the published year before'
            from summary as later join summary as earlier on earlier.simulation_year = later.simulation_year - 1
            where later.starting_headcount <> earlier.ending_headcount
            union all
            select distinct simulation_year, null, 'published rows without a promotion record'
            from (select simulation_year from published.fct_workforce_snapshot where scenario_id = $scenario_id
                  union all select simulation_year from published.fct_yearly_events where scenario_id = $scenario_id
                  union all select simulation_year from summary)
            where simulation_year not in (select simulation_year from promoted)
            order by 1, 2, 3""",
    ),
)

BY_NAME = {invariant.name: invariant for invariant in CATALOGUE}
YEAR_INVARIANTS = tuple(invariant for invariant in CATALOGUE if invariant.scope == "year")
PUBLISHED_INVARIANTS = tuple(invariant for invariant in CATALOGUE if invariant.scope == "published")


@dataclass(frozen=True)
class InvariantResult:
    invariant: Invariant
    violation_count: int
    columns: tuple[str, ...]
    first_rows: tuple[tuple, ...]

    @property
    def passed(self) -> bool:
        return self.violation_count == 0


def evaluate(con: duckdb.DuckDBPyConnection, invariant: Invariant, scenario_id: str, year: Optional[int],
             start_year: int) -> InvariantResult:
    """The invariant's violations for one year (`year` is not read by a `published` invariant)."""
    sql = invariant.violations_sql
    available = {"scenario_id": scenario_id, "year": year, "start_year": start_year}
    parameters = {name: value for name, value in available.items() if f"${name}" in sql}  # DuckDB refuses unused ones
    relation = con.execute(f"select *, count(*) over () as violations from ({sql}) limit {SHOWN_ROWS}", parameters)
    columns = tuple(d[0] for d in relation.description)[:-1]
    rows = relation.fetchall()
    count = rows[0][-1] if rows else 0
    return InvariantResult(invariant, count, columns, tuple(row[:-1] for row in rows))
