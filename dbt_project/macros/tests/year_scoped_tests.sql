{#- Generic tests that look only at the year being built, so their cost does not grow with the
    number of years already in the table. -#}

{% test unique_in_year(model, column_name) %}
select {{ column_name }}, count(*) as occurrences
from {{ model }}
where simulation_year = {{ var("simulation_year") }} and scenario_id = '{{ var("scenario_id") }}'
group by {{ column_name }}
having count(*) > 1
{% endtest %}

{% test expression_true_in_year(model, expression) %}
select *
from {{ model }}
where simulation_year = {{ var("simulation_year") }} and scenario_id = '{{ var("scenario_id") }}'
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
