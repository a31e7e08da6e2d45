{#-
  Who of the year's starting workforce dies or retires, by age on 1 January: one row per starting
  employee with `age_decrement` = 'death', 'retirement' or null (stays, or leaves for another
  reason chosen by the termination hazard). Death first: an employee dies when the draw on the
  `death` stream falls below config_mortality_rates' rate for the age (ages outside the table use
  its nearest row); otherwise retires when the draw on the `retirement` stream falls below the
  config_retirement_rates rate for age - normal_retirement_age (before the table's first row: no
  retirement; after its last row: the last row's rate).
  Read by int_workforce_needs_solved (how many) and int_experienced_terminations_selected (who).
-#}
{% macro retirements_and_deaths_drawn() -%}
{%- set rated -%}
select
    workforce.employee_id,
    workforce.employee_key,
    scenario.random_seed,
    coalesce(mortality.mortality_rate, 0) as mortality_rate,
    coalesce(retirement.retirement_rate, 0) as retirement_rate
from {{ ref('int_starting_workforce_assembled') }} as workforce
cross join {{ ref('stg_scenario') }} as scenario
cross join (
    select min(age) as youngest, max(age) as oldest from {{ ref('config_mortality_rates') }}
) as mortality_ages
cross join (
    select max(years_from_normal_retirement_age) as last_row from {{ ref('config_retirement_rates') }}
) as retirement_rows
left join {{ ref('config_mortality_rates') }} as mortality
    on mortality.age = least(greatest(workforce.age, mortality_ages.youngest), mortality_ages.oldest)
left join {{ ref('config_retirement_rates') }} as retirement
    on retirement.years_from_normal_retirement_age
       = least(workforce.age - scenario.normal_retirement_age, retirement_rows.last_row)
where workforce.simulation_year = {{ simulation_year() }}
{%- endset -%}
select
    employee_id,
    case
        when {{ draw_is_below('h_death', 'mortality_rate') }} then 'death'
        when {{ draw_is_below('h_retirement', 'retirement_rate') }} then 'retirement'
    end as age_decrement
from ({{ random_draws(rated, "employee_key", "random_seed", simulation_year(), streams(["death", "retirement"])) }})
{%- endmacro %}

{#- True for a starting employee who retires or dies in the year being built (a last-day rule
    conventionally exempts them). -#}
{% macro retires_or_dies_this_year(employee_id) -%}
({{ employee_id }} in (
    select employee_id from {{ ref('int_experienced_terminations_selected') }}
    where simulation_year = {{ simulation_year() }} and termination_reason in ('retirement', 'death')))
{%- endmacro %}
