{#-
  Generic tests of the tables built once per scenario run (the seeds and the staging and
  parameter views): each looks at the whole table.
-#}

{#- Rows where the expression is false. -#}
{% test expression_true(model, expression) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}

{#- A key of several columns: the combinations that occur more than once (nulls are the
    columns' not_null tests). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
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
