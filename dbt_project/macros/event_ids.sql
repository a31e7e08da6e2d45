{#-
  The id of an event of fct_yearly_events.
-#}

{#- Content-derived event id: independent of thread count, row order and engine. -#}
{% macro event_id(employee_id, event_type) -%}
md5(concat_ws('|', {{ scenario_id() }}, {{ simulation_year() }}::varchar, {{ employee_id }}, {{ event_type }}))
{%- endmacro %}
