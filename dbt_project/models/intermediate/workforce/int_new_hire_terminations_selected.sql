-- Which of the year's hires leave within their hire year: the solver fixes how many, a uniform
-- draw decides who (employee id breaks ties), and the date falls after the hire date, by 31 December.
with hires as (
    select hires.*, scenario.random_seed
    from {{ ref('int_new_hires_generated') }} as hires
    cross join {{ ref('stg_scenario') }} as scenario
    where hires.simulation_year = {{ simulation_year() }}
),

drawn as (
    {{ random_draws(
        "select * from hires", "employee_key", "random_seed", simulation_year(),
        streams(["new_hire_termination", "new_hire_termination_date"])) }}
),

ranked as (
    select *, row_number() over (order by h_new_hire_termination, employee_id) as termination_rank
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
