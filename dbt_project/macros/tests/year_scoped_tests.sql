{#- Generic tests that look only at the year being built, so their cost does not grow with the
    number of years already in the table. -#}

{#- The rows of the year being built. Compiled with the var `year_as_parameters` (the year's
    tests after the Polars engine: compiled once, run as plain SQL every year) the year and the
    scenario are the DuckDB parameters $simulation_year and $scenario_id instead of literals. -#}
{% macro in_year_being_built() -%}
{%- if var("year_as_parameters", false) -%}
simulation_year = $simulation_year and scenario_id = $scenario_id
{%- else -%}
simulation_year = {{ var("simulation_year") }} and scenario_id = '{{ var("scenario_id") }}'
{%- endif -%}
{%- endmacro %}

{% test unique_in_year(model, column_name) %}
select {{ column_name }}, count(*) as occurrences
from {{ model }}
where {{ in_year_being_built() }}
group by {{ column_name }}
having count(*) > 1
{% endtest %}

{% test expression_true_in_year(model, expression) %}
select *
from {{ model }}
where {{ in_year_being_built() }}
  and not ({{ expression }})
{% endtest %}

{#- For parameter tables: rows where the expression is false. -#}
{% test expression_true(model, expression) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}

{#- Bands [min, max) must tile without gaps or overlaps when ordered by their lower bound. -#}
{% test contiguous_bands(model, lower, upper) %}
with ordered as (
    select {{ lower }} as lower_bound, {{ upper }} as upper_bound,
           lead({{ lower }}) over (order by {{ lower }}) as next_lower
    from {{ model }}
)
select * from ordered
where upper_bound <= lower_bound or (next_lower is not null and next_lower <> upper_bound)
{% endtest %}

{#- Years must follow one another without gaps: a projection starts from the last one. -#}
{% test consecutive_years(model, column_name) %}
select {{ column_name }} from {{ model }}
where {{ column_name }} <> (select min({{ column_name }}) from {{ model }})
  and {{ column_name }} - 1 not in (select {{ column_name }} from {{ model }})
{% endtest %}
