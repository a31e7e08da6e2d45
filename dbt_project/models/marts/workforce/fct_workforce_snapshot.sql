{{ config(meta={'dagster': {'has_self_dependency': true}}) }}
-- One row per employee employed at any time in the year, with the state on 31 December (or on the
-- termination date). Next year's starting workforce is this year's `active` rows, which is why
-- Dagster gives this asset a dependency on its own previous partition.
--
-- Prorated pay sums each pay segment of the year (start, promotion, merit) as cents x days, and
-- divides once by the days in the year, rounding half up: exact, whatever the engine. The plan
-- columns come from the plan models: eligibility, the deferral rate in force at the end of the
-- employment period, contributions after the IRS limits (roth_catch_up: the catch-up made as
-- Roth under SECURE 2.0), the accounts at year end (a leaver's at zero after the distribution of
-- the vested balance) and the vesting service on the last day employed, which next year starts from.
-- termination_reason says why a leaver left: `retirement`, `death` or `other` (experienced
-- terminations), `new_hire` (new-hire terminations); null for the employees active on 31 December.
with members as (
    select * from {{ ref('int_plan_eligibility_determined') }} where simulation_year = {{ simulation_year() }}
),

promotions as (
    select * from {{ ref('int_promotions_drawn') }} where simulation_year = {{ simulation_year() }}
),

merits as (
    select * from {{ ref('int_merit_raises_applied') }} where simulation_year = {{ simulation_year() }}
),

enrollments as (
    select * from {{ ref('int_enrollments_drawn') }} where simulation_year = {{ simulation_year() }}
),

contributions as (
    select * from {{ ref('int_plan_contributions_calculated') }} where simulation_year = {{ simulation_year() }}
),

balances as (
    select * from {{ ref('int_account_balances_rolled') }} where simulation_year = {{ simulation_year() }}
),

starting_levels as (
    select employee_id, level_id from {{ ref('int_starting_workforce_assembled') }} where simulation_year = {{ simulation_year() }}
    union all
    select employee_id, level_id from {{ ref('int_new_hires_generated') }} where simulation_year = {{ simulation_year() }}
)

select
    members.scenario_id,
    {{ simulation_year() }} as simulation_year,
    members.employee_id,
    members.employee_key,
    case when members.termination_date is null then 'active' else 'terminated' end as employment_status,
    case
        when members.termination_date is null and not members.is_new_hire then 'continuous_active'
        when members.termination_date is null and members.is_new_hire then 'new_hire_active'
        when not members.is_new_hire then 'experienced_termination'
        else 'new_hire_termination'
    end as status_detail,
    members.hire_date,
    members.termination_date,
    members.birth_date,
    {{ whole_years('members.birth_date', year_end()) }} as age,
    {{ whole_years('members.hire_date', 'members.period_end') }} as tenure_years,
    coalesce(promotions.level_after, starting_levels.level_id)::integer as level_id,
    coalesce(merits.compensation_after, promotions.compensation_after, members.starting_compensation)::decimal(18, 2) as annual_compensation,
    contributions.prorated_compensation,
    members.is_eligible,
    members.eligibility_date,
    contributions.ending_deferral_rate > 0 as is_enrolled,
    contributions.ending_deferral_rate as deferral_rate,
    coalesce(enrollments.enrollment_date, members.starting_enrollment_date) as enrollment_date,
    members.opted_out_at_start or coalesce(enrollments.opted_out, false) as has_opted_out,
    members.scheduled_hours,
    members.hours_worked,
    members.is_long_term_part_time,
    contributions.plan_compensation,
    contributions.employee_contribution,
    contributions.employer_match,
    contributions.employer_core,
    balances.match_vested_rate,
    balances.core_vested_rate,
    balances.forfeiture,
    balances.employee_balance,
    balances.match_balance,
    balances.core_balance,
    contributions.roth_catch_up,
    balances.distribution,
    balances.vesting_years as vesting_service_years,
    case when members.termination_date is null then null
         when members.is_new_hire then 'new_hire'
         else leavers.termination_reason
    end as termination_reason
from members
join starting_levels using (employee_id)
join contributions using (employee_id)
join balances using (employee_id)
left join promotions using (employee_id)
left join merits using (employee_id)
left join enrollments using (employee_id)
left join (
    select employee_id, termination_reason from {{ ref('int_experienced_terminations_selected') }}
    where simulation_year = {{ simulation_year() }}
) as leavers using (employee_id)
