-- Yearly auto-escalation on the escalation date: employees enrolled on 1 January, employed that
-- day, below the cap, who never opted out, and enrolled at least `delay_years` whole years
-- before (census participants count as long enrolled) get +increment, up to the cap.
with scenario as (
    select *, make_date({{ simulation_year() }}, escalation_month, escalation_day) as escalation_date
    from {{ ref('stg_scenario') }}
)

select
    members.scenario_id,
    {{ simulation_year() }} as simulation_year,
    members.employee_id,
    scenario.escalation_date as effective_date,
    members.starting_deferral_rate as deferral_rate_before,
    least(members.starting_deferral_rate + scenario.escalation_increment, scenario.escalation_cap)::decimal(7, 5) as deferral_rate_after
from {{ ref('int_plan_eligibility_determined') }} as members
cross join scenario
where members.simulation_year = {{ simulation_year() }}
  and scenario.escalation_enabled
  and not members.is_new_hire
  and members.enrolled_at_start
  and not members.opted_out_at_start
  and members.starting_deferral_rate < scenario.escalation_cap
  and scenario.escalation_date between members.period_start and members.period_end
  and (members.starting_enrollment_date is null
       or (members.starting_enrollment_date + to_years(scenario.escalation_delay_years))::date <= scenario.escalation_date)
