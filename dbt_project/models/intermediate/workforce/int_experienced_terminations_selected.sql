-- Who of the starting workforce leaves, and why. The solver fixes how many; the year's retirements
-- and deaths (drawn by age: macro retirements_and_deaths_drawn) all leave, and the rest of the
-- count goes to other leavers chosen by the hazard by age band x tenure band x level, by weighted
-- sampling without replacement (Efraimidis-Spirakis: the smallest -ln(1 - u) / hazard win;
-- employee id breaks ties). The solver's count always has room for the retirements and deaths.
-- The date is uniform over the year, whatever the reason.
with decrements as (
    {{ retirements_and_deaths_drawn() }}
),

starting as (
    select
        workforce.*,
        hazard.termination_hazard,
        decrements.age_decrement,
        scenario.random_seed
    from {{ ref('int_starting_workforce_assembled') }} as workforce
    cross join {{ ref('stg_scenario') }} as scenario
    join decrements using (employee_id)
    left join {{ ref('config_termination_hazards') }} as hazard
        on hazard.age_band_id = workforce.age_band_id
       and hazard.tenure_band_id = workforce.tenure_band_id
       and hazard.level_id = workforce.level_id
    where workforce.simulation_year = {{ simulation_year() }}
),

drawn as (
    {{ random_draws(
        "select * from starting", "employee_key", "random_seed", simulation_year(),
        streams(["termination", "termination_date"])) }}
),

ranked as (
    select
        *,
        row_number() over (
            order by age_decrement is null,
                     {{ weighted_sort_key('u_termination', 'coalesce(termination_hazard, 0)') }}, employee_id
        ) as termination_rank
    from drawn
)

select
    ranked.scenario_id,
    {{ simulation_year() }} as simulation_year,
    ranked.employee_id,
    ranked.termination_hazard,
    ranked.termination_rank,
    ({{ year_start() }} + {{ draw_below('ranked.h_termination_date', days_in_year()) }}::integer)::date as termination_date,
    coalesce(ranked.age_decrement, 'other') as termination_reason
from ranked
cross join {{ ref('int_workforce_needs_solved') }} as needs
where needs.simulation_year = {{ simulation_year() }}
  and ranked.termination_rank <= needs.experienced_terminations
