-- Yearly auto-escalation on the escalation date: employees enrolled on 1 January, employed that
-- day, below the cap, who never opted out, and enrolled at least `delay_years` whole years
-- before (census participants count as long enrolled) get +increment, up to the cap.
-- Scope auto_enrolled (the default) escalates only the participants auto-enrolled by the
-- simulation, as an EACA or QACA escalates the election it deems made (IRC 401(k)(13)(C)(iii),
-- 414(w)); an affirmative election is left as chosen. Such a participant is one enrolled during
-- the simulation (an enrollment date) while in the auto-enrollment scope: in scope, enrollment is
-- only ever automatic (int_enrollments_drawn), and an opt-out, which leaves the scope, also ends
-- escalation. Scope all_participants escalates every participant.
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
  and (scenario.escalation_scope = 'all_participants'
       or (members.starting_enrollment_date is not null
           and scenario.auto_enrollment_enabled
           and (scenario.auto_enrollment_scope = 'all_not_enrolled'
                or members.hire_date >= make_date(scenario.start_year, 1, 1))))
