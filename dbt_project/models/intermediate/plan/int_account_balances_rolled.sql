-- Each employee's three accounts for the year, in integer cents: employee deferrals, match and
-- core. An account earns the scenario's investment_return_rate on its starting balance (rounded
-- half away from zero), then receives the year's contributions. The starting balances are the
-- previous year's closing ones (in the first year the census's opening balances; zero for hires).
-- Vesting service (IRC 411(a)(5), the elapsed-time method) is the service on 31 December of the
-- year before (the census's vesting_service_years in the first year, prior service included)
-- plus the anniversaries of hire reached since, up to the last day employed in the year; a hire
-- counts whole years from hire. The vested share of the match and of core is the step of their
-- schedule reached; deferrals are always fully vested (IRC 411(a)(1)).
-- An employee who leaves forfeits the unvested part of the match and core balances (the balance
-- less its vested share, rounded half up) and is paid the vested balance on the termination date
-- (`distribution`; a `distribution` event in fct_yearly_events): a leaver's balances close at zero.
with scenario as (
    select (investment_return_rate * 100000)::bigint as return_rate_units from {{ ref('stg_scenario') }}
),

members as (
    select * from {{ ref('int_plan_eligibility_determined') }} where simulation_year = {{ simulation_year() }}
),

starting as (
    select employee_id, employee_balance, match_balance, core_balance, vesting_service_years
    from {{ ref('int_starting_workforce_assembled') }} where simulation_year = {{ simulation_year() }}
),

contributions as (
    select employee_id, employee_contribution, employer_match, employer_core
    from {{ ref('int_plan_contributions_calculated') }} where simulation_year = {{ simulation_year() }}
),

accounts as (
    select
        members.scenario_id,
        members.employee_id,
        members.termination_date,
        coalesce(starting.vesting_service_years
                 - {{ whole_years('members.hire_date', 'make_date(' ~ simulation_year() ~ ' - 1, 12, 31)') }}, 0)
            + {{ whole_years('members.hire_date', 'members.period_end') }} as vesting_years,
        {{ money_to_cents('coalesce(starting.employee_balance, 0)') }} as employee_start_cents,
        {{ money_to_cents('coalesce(starting.match_balance, 0)') }} as match_start_cents,
        {{ money_to_cents('coalesce(starting.core_balance, 0)') }} as core_start_cents,
        {{ money_to_cents('contributions.employee_contribution') }} as employee_added_cents,
        {{ money_to_cents('contributions.employer_match') }} as match_added_cents,
        {{ money_to_cents('contributions.employer_core') }} as core_added_cents
    from members
    join contributions using (employee_id)
    left join starting using (employee_id)
),

returned as (
    select
        accounts.*,
        {{ divide_round_half_away('employee_start_cents::hugeint * scenario.return_rate_units', 100000) }}::bigint as employee_return_cents,
        {{ divide_round_half_away('match_start_cents::hugeint * scenario.return_rate_units', 100000) }}::bigint as match_return_cents,
        {{ divide_round_half_away('core_start_cents::hugeint * scenario.return_rate_units', 100000) }}::bigint as core_return_cents
    from accounts
    cross join scenario
),

vested as (
    select
        returned.*,
        employee_start_cents + employee_return_cents + employee_added_cents as employee_end_cents,
        match_start_cents + match_return_cents + match_added_cents as match_end_cents,
        core_start_cents + core_return_cents + core_added_cents as core_end_cents,
        match_step.vested_rate as match_vested_rate,
        core_step.vested_rate as core_vested_rate
    from returned
    left join {{ ref('stg_vesting_schedules') }} as match_step
        on match_step.contribution = 'match' and returned.vesting_years >= match_step.at_least_years
       and (match_step.below_years is null or returned.vesting_years < match_step.below_years)
    left join {{ ref('stg_vesting_schedules') }} as core_step
        on core_step.contribution = 'core' and returned.vesting_years >= core_step.at_least_years
       and (core_step.below_years is null or returned.vesting_years < core_step.below_years)
),

forfeited as (
    select
        vested.*,
        case when termination_date is null then 0
             else match_end_cents - {{ divide_round_half_up('match_end_cents::hugeint * (match_vested_rate * 100000)::bigint', 100000) }}
        end::bigint as match_forfeited_cents,
        case when termination_date is null then 0
             else core_end_cents - {{ divide_round_half_up('core_end_cents::hugeint * (core_vested_rate * 100000)::bigint', 100000) }}
        end::bigint as core_forfeited_cents
    from vested
),

-- a leaver is paid what is vested: every account's closing balance less the forfeiture
distributed as (
    select
        forfeited.*,
        case when termination_date is null then 0
             else employee_end_cents + match_end_cents - match_forfeited_cents + core_end_cents - core_forfeited_cents
        end as distribution_cents
    from forfeited
)

select
    scenario_id,
    {{ simulation_year() }} as simulation_year,
    employee_id,
    vesting_years,
    match_vested_rate,
    core_vested_rate,
    {{ cents_to_money('employee_start_cents') }} as starting_employee_balance,
    {{ cents_to_money('match_start_cents') }} as starting_match_balance,
    {{ cents_to_money('core_start_cents') }} as starting_core_balance,
    {{ cents_to_money('employee_return_cents + match_return_cents + core_return_cents') }} as investment_return,
    {{ cents_to_money('match_forfeited_cents + core_forfeited_cents') }} as forfeiture,
    {{ cents_to_money('case when termination_date is null then employee_end_cents else 0 end') }} as employee_balance,
    {{ cents_to_money('case when termination_date is null then match_end_cents - match_forfeited_cents else 0 end') }} as match_balance,
    {{ cents_to_money('case when termination_date is null then core_end_cents - core_forfeited_cents else 0 end') }} as core_balance,
    {{ cents_to_money('distribution_cents') }} as distribution
from distributed
