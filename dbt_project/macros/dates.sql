{#-
  Dates of the simulated year and whole-year counting between dates.
-#}

{% macro year_start() -%}make_date({{ simulation_year() }}, 1, 1){%- endmacro %}
{% macro year_end() -%}make_date({{ simulation_year() }}, 12, 31){%- endmacro %}
{% macro days_in_year() -%}(date_diff('day', make_date({{ simulation_year() }}, 1, 1), make_date({{ simulation_year() }} + 1, 1, 1)))::bigint{%- endmacro %}

{#- Whole years from `from_date` to `to_date` (birthday / anniversary counting). -#}
{% macro whole_years(from_date, to_date) -%}
date_sub('year', {{ from_date }}, {{ to_date }})
{%- endmacro %}
