{#-
  Generic tests of the per-year models: each looks only at the rows of the year being built
  (macro in_year_being_built), so its cost does not grow with the years already in the table.
  They read the year and the scenario only through that macro: compiled once with them as
  parameters, they run as plain SQL every year (workforce_platform/build/plain_sql.py).
-#}

{% test unique_in_year(model, column_name) %}
select {{ column_name }}, count(*) as occurrences
from {{ model }}
where {{ in_year_being_built() }}
group by {{ column_name }}
having count(*) > 1
{% endtest %}

{% test not_null_in_year(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ in_year_being_built() }}
  and {{ column_name }} is null
{% endtest %}

{#- For a model whose grain is the partition itself (scenario, year): exactly one row in the
    year; a failing test returns the year's row count. -#}
{% test one_row_in_year(model) %}
select count(*) as rows_in_year
from {{ model }}
where {{ in_year_being_built() }}
having count(*) <> 1
{% endtest %}

{% test expression_true_in_year(model, expression) %}
select *
from {{ model }}
where {{ in_year_being_built() }}
  and not ({{ expression }})
{% endtest %}
