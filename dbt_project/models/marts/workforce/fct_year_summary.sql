-- One row per scenario and year: the headcount flow, the year's pay, participation and plan cost
-- (gross, the forfeitures of the year's leavers, and net; employer cost as a share of pay), the
-- accounts' total at year end and the vested balances paid out to the year's leavers.
-- The rates are exact integer ratios rounded half away from zero to 5 decimals (no DOUBLE).
with snapshot as (
    select * from {{ ref('fct_workforce_snapshot') }} where simulation_year = {{ simulation_year() }}
),

needs as (
    select * from {{ ref('int_workforce_needs_solved') }} where simulation_year = {{ simulation_year() }}
),

flows as (
    select
        count(*) filter (where status_detail in ('continuous_active', 'experienced_termination')) as starting_headcount,
        count(*) filter (where status_detail in ('new_hire_active', 'new_hire_termination')) as hires,
        count(*) filter (where status_detail = 'experienced_termination') as experienced_terminations,
        count(*) filter (where status_detail = 'new_hire_termination') as new_hire_terminations,
        count(*) filter (where employment_status = 'active') as ending_headcount,
        coalesce(sum(prorated_compensation), 0)::decimal(18, 2) as total_prorated_compensation,
        count(*) filter (where employment_status = 'active' and is_eligible) as eligible_active,
        count(*) filter (where employment_status = 'active' and is_eligible and is_enrolled) as enrolled_active,
        (sum(deferral_rate * 100000) filter (where employment_status = 'active' and is_enrolled))::hugeint as enrolled_deferral_units,
        coalesce(sum(employee_contribution), 0)::decimal(18, 2) as employee_contributions,
        coalesce(sum(employer_match), 0)::decimal(18, 2) as employer_match,
        coalesce(sum(employer_core), 0)::decimal(18, 2) as employer_core,
        coalesce(sum(forfeiture), 0)::decimal(18, 2) as forfeitures,
        coalesce(sum(employee_balance + match_balance + core_balance), 0)::decimal(18, 2) as total_account_balances,
        coalesce(sum(distribution), 0)::decimal(18, 2) as distributions
    from snapshot
)

select
    needs.scenario_id,
    {{ simulation_year() }} as simulation_year,
    flows.starting_headcount::bigint as starting_headcount,
    flows.hires::bigint as hires,
    flows.experienced_terminations::bigint as experienced_terminations,
    flows.new_hire_terminations::bigint as new_hire_terminations,
    flows.ending_headcount::bigint as ending_headcount,
    needs.target_ending_headcount,
    needs.solver_branch,
    case when flows.starting_headcount = 0 then null
         else {{ rate_units_to_decimal(divide_round_half_away(
             '(flows.ending_headcount - flows.starting_headcount)::hugeint * 100000', 'flows.starting_headcount')) }}
    end as growth_rate,
    needs.target_growth_rate,
    flows.total_prorated_compensation,
    flows.eligible_active,
    flows.enrolled_active,
    -- participation: enrolled among eligible employees active on 31 December
    case when flows.eligible_active = 0 then null
         else {{ rate_units_to_decimal(divide_round_half_up('flows.enrolled_active * 100000', 'flows.eligible_active')) }}
    end as participation_rate,
    -- average deferral rate of enrolled employees active on 31 December
    case when flows.enrolled_active = 0 then null
         else {{ rate_units_to_decimal(divide_round_half_up('flows.enrolled_deferral_units', 'flows.enrolled_active')) }}
    end as average_deferral_rate,
    flows.employee_contributions,
    flows.employer_match,
    flows.employer_core,
    (flows.employer_match + flows.employer_core)::decimal(18, 2) as employer_cost,
    -- unvested match and core of the year's leavers, used to reduce the employer's contributions
    flows.forfeitures,
    (flows.employer_match + flows.employer_core - flows.forfeitures)::decimal(18, 2) as net_employer_cost,
    -- match and core over the year's pay
    case when flows.total_prorated_compensation = 0 then null
         else {{ rate_units_to_decimal(divide_round_half_up(
             money_to_cents('flows.employer_match + flows.employer_core') ~ ' * 100000',
             money_to_cents('flows.total_prorated_compensation'))) }}
    end as employer_cost_pct_of_payroll,
    flows.total_account_balances,
    flows.distributions
from flows
cross join needs
