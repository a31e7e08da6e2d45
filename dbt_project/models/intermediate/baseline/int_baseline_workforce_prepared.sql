-- Employees active at the census date (no termination date), with the level derived from the pay
-- bands where the census leaves it empty (the band with min <= pay < max, clamped to the end
-- bands), and their plan state: a census deferral rate > 0 is an enrollment that persists, and
-- such an employee counts as eligible from the census date at the latest. The plan's history at
-- the census date: pay earned in the year before it (NULL when the census does not give it), the
-- opening account balances (zero when not given) and whole years of vesting service (when not
-- given, whole years from hire to the census date, the elapsed-time method).
with levels as (
    select level_id, min_compensation, max_compensation from {{ ref('config_levels') }}
),

bounds as (
    select min(level_id) as lowest_level, max(level_id) as highest_level,
           min(min_compensation) as lowest_pay
    from levels
),

census as (
    select * from {{ ref('stg_census') }} where termination_date is null
)

select
    census.employee_id,
    census.employee_key,
    census.birth_date,
    census.hire_date,
    coalesce(
        census.level_id,
        band.level_id,
        case when census.annual_compensation < bounds.lowest_pay then bounds.lowest_level
             else bounds.highest_level end
    )::integer as level_id,
    census.annual_compensation,
    census.deferral_rate,
    census.deferral_rate > 0 as is_enrolled,
    case when census.deferral_rate > 0
         then least({{ plan_eligibility_rule_date('census.birth_date', 'census.hire_date', 'census.scheduled_hours') }},
                    make_date(scenario.start_year - 1, 12, 31))
         else {{ plan_eligibility_rule_date('census.birth_date', 'census.hire_date', 'census.scheduled_hours') }}
    end as eligibility_date,
    null::date as enrollment_date,
    false as has_opted_out,
    census.scheduled_hours,
    census.prior_year_compensation,
    coalesce(census.employee_balance, 0)::decimal(18, 2) as employee_balance,
    coalesce(census.match_balance, 0)::decimal(18, 2) as match_balance,
    coalesce(census.core_balance, 0)::decimal(18, 2) as core_balance,
    coalesce(census.vesting_service_years,
             {{ whole_years('census.hire_date', 'make_date(scenario.start_year - 1, 12, 31)') }})::bigint as vesting_service_years
from census
cross join bounds
cross join {{ ref('stg_scenario') }} as scenario
left join levels as band
    on census.annual_compensation >= band.min_compensation
   and census.annual_compensation < band.max_compensation
