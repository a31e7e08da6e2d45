-- Which of the year's hires leave within their hire year: the solver fixes how many; the hazard
-- by months employed in the year (13 - the hire month) decides who, by weighted sampling without
-- replacement (the smallest -ln(1 - u) / hazard win; employee id breaks ties), so a December hire
-- is less likely to leave within the year than a January one. The date falls after the hire
-- date, by 31 December.
with hires as (
    select hires.*, scenario.random_seed, hazard.termination_hazard
    from {{ ref('int_new_hires_generated') }} as hires
    cross join {{ ref('stg_scenario') }} as scenario
    left join {{ ref('config_new_hire_termination_hazards') }} as hazard
        on hazard.months_employed = 13 - month(hires.hire_date)
    where hires.simulation_year = {{ simulation_year() }}
),

drawn as (
    {{ random_draws(
        "select * from hires", "employee_key", "random_seed", simulation_year(),
        streams(["new_hire_termination", "new_hire_termination_date"])) }}
),

ranked as (
    select
        *,
        row_number() over (
            order by {{ weighted_sort_key('u_new_hire_termination', 'coalesce(termination_hazard, 0)') }}, employee_id
        ) as termination_rank
    from drawn
)

select
    ranked.scenario_id,
    {{ simulation_year() }} as simulation_year,
    ranked.employee_id,
    ranked.hire_date,
    ranked.termination_rank,
    (ranked.hire_date + 1 + {{ draw_below(
        'ranked.h_new_hire_termination_date',
        "date_diff('day', ranked.hire_date, " ~ year_end() ~ ")") }}::integer)::date as termination_date
from ranked
cross join {{ ref('int_workforce_needs_solved') }} as needs
where needs.simulation_year = {{ simulation_year() }}
  and ranked.termination_rank <= needs.new_hire_terminations
