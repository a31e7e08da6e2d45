-- Everyone employed in the year with their plan state on 1 January (or at hire), the hours they
-- work in it, and their eligibility. The eligibility date (macro plan_eligibility_rule_date) was
-- set at hire or from the census; census participants are eligible from the census date at the
-- latest. An employee is eligible from that date when their schedule (scheduled hours, or full
-- time 2,080) gives the plan's year of service (or they were in the plan at the census), or,
-- failing that, 500 hours a year: long-term part-time, eligible to defer only. The `eligibility` event falls on the eligibility date when
-- that date lies inside the year's employment.
with scenario as (
    select * from {{ ref('stg_scenario') }}
),

people as (
    select
        employee_id, employee_key, birth_date, hire_date, annual_compensation, deferral_rate,
        is_enrolled, eligibility_date, enrollment_date, has_opted_out, scheduled_hours, false as is_new_hire
    from {{ ref('int_starting_workforce_assembled') }}
    where simulation_year = {{ simulation_year() }}
    union all
    select
        employee_id, employee_key, birth_date, hire_date, annual_compensation, deferral_rate,
        is_enrolled, eligibility_date, enrollment_date, has_opted_out, scheduled_hours, true as is_new_hire
    from {{ ref('int_new_hires_generated') }}
    where simulation_year = {{ simulation_year() }}
),

terminations as (
    select employee_id, termination_date from {{ ref('int_experienced_terminations_selected') }}
    where simulation_year = {{ simulation_year() }}
    union all
    select employee_id, termination_date from {{ ref('int_new_hire_terminations_selected') }}
    where simulation_year = {{ simulation_year() }}
),

dated as (
    select
        people.*,
        terminations.termination_date,
        greatest(people.hire_date, {{ year_start() }}) as period_start,
        coalesce(terminations.termination_date, {{ year_end() }}) as period_end,
        {{ annual_hours('people.scheduled_hours') }} as annual_hours,
        -- a census participant (enrolled, with no enrollment date: in the plan before the
        -- simulation) has entered already, whatever the hours
        people.is_enrolled and people.enrollment_date is null as is_census_participant
    from people
    left join terminations using (employee_id)
),

classified as (
    select
        dated.*,
        {{ hours_worked('dated.scheduled_hours', 'dated.period_start', 'dated.period_end') }} as hours_worked,
        {{ meets_service_hours('dated.scheduled_hours') }} or dated.is_census_participant as meets_hours,
        not dated.is_census_participant and {{ long_term_part_time_schedule('dated.scheduled_hours') }}
            as is_long_term_part_time
    from dated
    cross join scenario
)

select
    scenario.scenario_id,
    {{ simulation_year() }} as simulation_year,
    dated.employee_id,
    dated.employee_key,
    dated.birth_date,
    dated.hire_date,
    dated.termination_date,
    dated.is_new_hire,
    dated.period_start,
    dated.period_end,
    dated.annual_compensation as starting_compensation,
    dated.deferral_rate as starting_deferral_rate,
    dated.is_enrolled as enrolled_at_start,
    dated.enrollment_date as starting_enrollment_date,
    dated.has_opted_out as opted_out_at_start,
    dated.scheduled_hours,
    dated.annual_hours,
    dated.hours_worked,
    dated.meets_hours,
    dated.is_long_term_part_time,
    dated.eligibility_date,
    ((dated.meets_hours or dated.is_long_term_part_time) and dated.eligibility_date <= dated.period_end) as is_eligible,
    case when (dated.meets_hours or dated.is_long_term_part_time)
              and dated.eligibility_date between greatest({{ year_start() }}, dated.hire_date) and dated.period_end
         then dated.eligibility_date end as eligibility_event_date
from classified as dated
cross join scenario
