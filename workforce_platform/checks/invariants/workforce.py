"""Invariants of the workforce, one year at a time: continuity between years, mass balance,
growth, the events' timeline and uniqueness, no resurrection, termination reasons and new-hire pay."""

from __future__ import annotations

from workforce_platform.checks.invariants.invariant import YEAR_ROWS, Invariant

CONTINUITY = Invariant(
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
                from main.int_starting_workforce_assembled where {YEAR_ROWS}
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
)


MASS_BALANCE = Invariant(
    name="mass_balance",
    asset="fct_year_summary",
    description="starting + hires - experienced terminations - new-hire terminations = ending, "
                "exactly, counted independently from the starting workforce, the events and the "
                "snapshot, and equal to the summary row.",
    violations_sql=f"""
            with counted as (
                select
                    (select count(*) from main.int_starting_workforce_assembled where {YEAR_ROWS}) as starting_headcount,
                    (select count(*) from main.fct_yearly_events where {YEAR_ROWS} and event_type = 'hire') as hires,
                    (select count(*) from main.fct_yearly_events where {YEAR_ROWS} and event_type = 'termination') as experienced_terminations,
                    (select count(*) from main.fct_yearly_events where {YEAR_ROWS} and event_type = 'new_hire_termination') as new_hire_terminations,
                    (select count(*) from main.fct_workforce_snapshot where {YEAR_ROWS} and employment_status = 'active') as ending_headcount
            )
            select counted.*, summary.starting_headcount as summary_starting, summary.hires as summary_hires,
                   summary.experienced_terminations as summary_terminations,
                   summary.new_hire_terminations as summary_new_hire_terminations,
                   summary.ending_headcount as summary_ending
            from counted
            left join (select * from main.fct_year_summary where {YEAR_ROWS}) as summary on true
            where summary.simulation_year is null
               or counted.starting_headcount + counted.hires - counted.experienced_terminations
                  - counted.new_hire_terminations <> counted.ending_headcount
               or (counted.starting_headcount, counted.hires, counted.experienced_terminations,
                   counted.new_hire_terminations, counted.ending_headcount)
                  is distinct from (summary.starting_headcount, summary.hires, summary.experienced_terminations,
                                    summary.new_hire_terminations, summary.ending_headcount)""",
)


GROWTH = Invariant(
    name="growth",
    asset="fct_year_summary",
    description="Ending headcount = round(starting x (1 + target growth)), half away from zero.",
    violations_sql="""
            select summary.starting_headcount, summary.ending_headcount,
                   round(summary.starting_headcount * (1 + scenario.target_growth_rate))::bigint as expected_ending
            from main.fct_year_summary as summary cross join main.stg_scenario as scenario
            where summary.scenario_id = $scenario_id and summary.simulation_year = $year
              and summary.ending_headcount <> round(summary.starting_headcount * (1 + scenario.target_growth_rate))::bigint""",
)


TIMELINE = Invariant(
    name="timeline",
    asset="fct_yearly_events",
    description="No event before the hire date, after the termination date or outside the year, "
                "none for someone not employed that year; a new hire's termination falls after "
                "the hire date, in the hire year.",
    violations_sql=f"""
            select e.employee_id, e.event_type, e.effective_date, s.hire_date, s.termination_date
            from (select * from main.fct_yearly_events where {YEAR_ROWS}) as e
            left join (select * from main.fct_workforce_snapshot where {YEAR_ROWS}) as s using (employee_id)
            where s.employee_id is null
               or e.effective_date < s.hire_date
               or e.effective_date > coalesce(s.termination_date, make_date($year, 12, 31))
               or year(e.effective_date) <> $year
               or (e.event_type = 'new_hire_termination'
                   and (year(s.hire_date) <> $year or e.effective_date <= s.hire_date))
            order by 1, 2""",
)


UNIQUE_EVENT_IDS = Invariant(
    name="unique_event_ids",
    asset="fct_yearly_events",
    description="event_id is unique across the whole table.",
    violations_sql=f"""
            select event_id, count(*) as occurrences from main.fct_yearly_events
            where event_id in (select event_id from main.fct_yearly_events where {YEAR_ROWS})
            group by 1 having count(*) > 1 order by 1""",
)


ONE_HIRE_PER_EMPLOYEE = Invariant(
    name="one_hire_per_employee",
    asset="fct_yearly_events",
    description="At most one hire per employee, over every year so far.",
    violations_sql=f"""
            select employee_id, count(*) as hires from main.fct_yearly_events
            where scenario_id = $scenario_id and simulation_year <= $year and event_type = 'hire'
              and employee_id in (select employee_id from main.fct_workforce_snapshot where {YEAR_ROWS})
            group by 1 having count(*) > 1 order by 1""",
)


ONE_TERMINATION_PER_EMPLOYEE = Invariant(
    name="one_termination_per_employee",
    asset="fct_yearly_events",
    description="At most one termination (experienced or new-hire) per employee, over every year so far.",
    violations_sql=f"""
            select employee_id, count(*) as terminations from main.fct_yearly_events
            where scenario_id = $scenario_id and simulation_year <= $year
              and event_type in ('termination', 'new_hire_termination')
              and employee_id in (select employee_id from main.fct_workforce_snapshot where {YEAR_ROWS})
            group by 1 having count(*) > 1 order by 1""",
)


ONE_SNAPSHOT_ROW_PER_EMPLOYEE = Invariant(
    name="one_snapshot_row_per_employee",
    asset="fct_workforce_snapshot",
    description="One snapshot row per employee and year.",
    violations_sql=f"""
            select employee_id, count(*) as rows from main.fct_workforce_snapshot
            where {YEAR_ROWS} group by 1 having count(*) > 1 order by 1""",
)


NO_RESURRECTION = Invariant(
    name="no_resurrection",
    asset="fct_workforce_snapshot",
    description="Nobody terminated in an earlier year appears in this year's snapshot.",
    violations_sql=f"""
            select s.employee_id, t.simulation_year as terminated_in, t.effective_date
            from (select * from main.fct_workforce_snapshot where {YEAR_ROWS}) as s
            join main.fct_yearly_events as t
              on t.scenario_id = s.scenario_id and t.employee_id = s.employee_id
             and t.simulation_year < $year and t.event_type in ('termination', 'new_hire_termination')
            order by 1""",
)


TERMINATION_REASONS = Invariant(
    name="termination_reasons",
    asset="fct_yearly_events",
    description="Every termination has its reason (retirement, death or other; new_hire for a new-hire "
                "termination) and no other event has one; the snapshot gives each leaver the reason of its "
                "termination and the active employees none; the year's retirements and deaths are those the "
                "solver counted, within its experienced terminations.",
    violations_sql=f"""
            with events as (select * from main.fct_yearly_events where {YEAR_ROWS}),
            snap as (select * from main.fct_workforce_snapshot where {YEAR_ROWS}),
            needs as (select * from main.int_workforce_needs_solved where {YEAR_ROWS}),
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
)


NEW_HIRE_PAY_IN_BAND = Invariant(
    name="new_hire_pay_in_band",
    asset="fct_yearly_events",
    description="Every hire's starting pay lies within its level's pay band for the year, indexed "
                "from config_levels (int_new_hire_pay_bands_indexed).",
    violations_sql=f"""
            select hire.employee_id, hire.level_after, hire.compensation_after, band.min_compensation, band.max_compensation
            from (select * from main.fct_yearly_events where {YEAR_ROWS} and event_type = 'hire') as hire
            left join main.int_new_hire_pay_bands_indexed as band
              on band.plan_year = hire.simulation_year and band.level_id = hire.level_after
            where band.level_id is null
               or hire.compensation_after not between band.min_compensation and band.max_compensation
            order by 1""",
)

