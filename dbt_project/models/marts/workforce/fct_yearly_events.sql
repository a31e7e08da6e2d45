-- Every event of the year, one row each. `cola` is folded into `merit_raise` (both take effect on
-- the merit date). event_id is a digest of the event's content (scenario, year, employee, type:
-- at most one event of a type per employee and year), and event_sequence orders an employee's
-- events by date, then by a fixed priority: hire, eligibility, escalation, enrollment, opt-out,
-- promotion, merit, terminations, distribution. A leaver's vested balance is paid out on the
-- termination date: a `distribution` event with the amount in `amount` (the only event with
-- money paid; NULL on the others), when there is a vested balance. termination_reason is set on
-- terminations only: `retirement`, `death` or `other` for an experienced termination
-- (int_experienced_terminations_selected), `new_hire` for a new-hire termination.
with events as (
    select
        employee_id, 'hire' as event_type, hire_date as effective_date, 1 as priority,
        null::integer as level_before, level_id as level_after,
        null::decimal(18, 2) as compensation_before, annual_compensation as compensation_after,
        null::decimal(7, 5) as deferral_rate_before, null::decimal(7, 5) as deferral_rate_after,
        null::decimal(18, 2) as amount
    from {{ ref('int_new_hires_generated') }}
    where simulation_year = {{ simulation_year() }}

    union all
    select
        employee_id, 'eligibility', eligibility_event_date, 2,
        null, null, null, null, null, null, null
    from {{ ref('int_plan_eligibility_determined') }}
    where simulation_year = {{ simulation_year() }} and eligibility_event_date is not null

    union all
    select
        employee_id, 'deferral_escalation', effective_date, 3,
        null, null, null, null, deferral_rate_before, deferral_rate_after, null
    from {{ ref('int_deferral_escalations_applied') }}
    where simulation_year = {{ simulation_year() }}

    union all
    select
        employee_id, 'enrollment', enrollment_date, 4,
        null, null, null, null, 0::decimal(7, 5), deferral_rate, null
    from {{ ref('int_enrollments_drawn') }}
    where simulation_year = {{ simulation_year() }}

    union all
    select
        employee_id, 'opt_out', opt_out_date, 5,
        null, null, null, null, deferral_rate, 0::decimal(7, 5), null
    from {{ ref('int_enrollments_drawn') }}
    where simulation_year = {{ simulation_year() }} and opted_out

    union all
    select
        employee_id, 'promotion', effective_date, 6,
        level_before, level_after, compensation_before, compensation_after, null, null, null
    from {{ ref('int_promotions_drawn') }}
    where simulation_year = {{ simulation_year() }}

    union all
    select
        employee_id, 'merit_raise', effective_date, 7,
        null, null, compensation_before, compensation_after, null, null, null
    from {{ ref('int_merit_raises_applied') }}
    where simulation_year = {{ simulation_year() }}

    union all
    select
        employee_id, 'termination', termination_date, 9,
        null, null, null, null, null, null, null
    from {{ ref('int_experienced_terminations_selected') }}
    where simulation_year = {{ simulation_year() }}

    union all
    select
        employee_id, 'new_hire_termination', termination_date, 9,
        null, null, null, null, null, null, null
    from {{ ref('int_new_hire_terminations_selected') }}
    where simulation_year = {{ simulation_year() }}

    union all
    select
        balances.employee_id, 'distribution', members.termination_date, 10,
        null, null, null, null, null, null, balances.distribution
    from (select employee_id, distribution from {{ ref('int_account_balances_rolled') }}
          where simulation_year = {{ simulation_year() }} and distribution > 0) as balances
    join (select employee_id, termination_date from {{ ref('int_plan_eligibility_determined') }}
          where simulation_year = {{ simulation_year() }}) as members using (employee_id)
)

select
    {{ scenario_id() }} as scenario_id,
    {{ simulation_year() }} as simulation_year,
    {{ event_id('employee_id', 'event_type') }} as event_id,
    employee_id,
    event_type,
    effective_date,
    row_number() over (partition by employee_id order by effective_date, priority)::integer as event_sequence,
    level_before,
    level_after,
    compensation_before,
    compensation_after,
    deferral_rate_before,
    deferral_rate_after,
    amount,
    case events.event_type
        when 'termination' then leavers.termination_reason
        when 'new_hire_termination' then 'new_hire'
    end as termination_reason
from events
left join (
    select employee_id, termination_reason from {{ ref('int_experienced_terminations_selected') }}
    where simulation_year = {{ simulation_year() }}
) as leavers using (employee_id)
