-- How many leave and join this year, so that the mass balance is exact:
--   target   = round(start * (1 + growth))                 (half away from zero, in DECIMAL)
--   exp_term = max(floor(start * termination_rate), retirements + deaths)
--   net      = target - (start - exp_term)
--   net > 0 : hires = ceil(net / (1 - new_hire_termination_rate)), nh_term = hires - net
--   net <= 0: reduction in force: exp_term = start - target, no hires
-- Retirements and deaths (macro retirements_and_deaths_drawn) are part of the experienced
-- terminations; more leave than the rate only when they alone exceed it. A reduction in force
-- removes start - target >= exp_term employees, so it always includes them.
-- The ceiling is taken in integers (rates have 5 decimals) so no floating point touches a count.
with starting as (
    select count(*)::bigint as starting_headcount
    from {{ ref('int_starting_workforce_assembled') }}
    where simulation_year = {{ simulation_year() }}
),

-- Counted with a filter each, not aggregated over the decrement: DuckDB's optimizer takes
-- seconds to plan an aggregate over the draws' nested projections, and milliseconds for this.
decrements as (
    select
        (select count(*) from ({{ retirements_and_deaths_drawn() }}) where age_decrement = 'retirement')::bigint
            as retirements,
        (select count(*) from ({{ retirements_and_deaths_drawn() }}) where age_decrement = 'death')::bigint as deaths
),

planned as (
    select
        scenario.scenario_id,
        scenario.target_growth_rate,
        scenario.termination_rate,
        scenario.new_hire_termination_rate,
        starting.starting_headcount,
        decrements.retirements,
        decrements.deaths,
        round(starting.starting_headcount * (1 + scenario.target_growth_rate))::bigint as target_ending_headcount,
        greatest(floor(starting.starting_headcount * scenario.termination_rate)::bigint,
                 decrements.retirements + decrements.deaths) as planned_experienced_terminations,
        round(scenario.new_hire_termination_rate * 100000)::bigint as new_hire_termination_rate_scaled
    from starting
    cross join decrements
    cross join {{ ref('stg_scenario') }} as scenario
),

netted as (
    select
        *,
        target_ending_headcount - (starting_headcount - planned_experienced_terminations) as net_hires_needed
    from planned
),

solved as (
    select
        *,
        case when net_hires_needed > 0 then 'growth' else 'reduction_in_force' end as solver_branch,
        case when net_hires_needed > 0 then planned_experienced_terminations
             else starting_headcount - target_ending_headcount end as experienced_terminations,
        case when net_hires_needed > 0
             then (net_hires_needed * 100000 + (100000 - new_hire_termination_rate_scaled) - 1)
                  // (100000 - new_hire_termination_rate_scaled)
             else 0 end as hires
    from netted
)

select
    scenario_id,
    {{ simulation_year() }} as simulation_year,
    solver_branch,
    starting_headcount,
    target_ending_headcount,
    experienced_terminations::bigint as experienced_terminations,
    hires::bigint as hires,
    (case when net_hires_needed > 0 then hires - net_hires_needed else 0 end)::bigint as new_hire_terminations,
    target_growth_rate,
    termination_rate,
    new_hire_termination_rate,
    retirements,
    deaths
from solved
