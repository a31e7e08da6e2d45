{#-
  The partition being built: the scenario and year the orchestrator passes with --vars (read at
  compile time, so one parsed manifest serves every year), and the relations and filters that
  depend on them.
-#}

{% macro simulation_year() -%}{{ var("simulation_year") | int }}{%- endmacro %}
{% macro scenario_id() -%}'{{ var("scenario_id") }}'{%- endmacro %}
{% macro is_first_year() -%}{{ return((var("simulation_year") | int) == (var("start_year") | int)) }}{%- endmacro %}

{#- The snapshot of the previous year: the state this year starts from. A plain relation, not a
    ref(), because year N reads year N-1 of a model downstream of itself; Dagster carries the
    ordering through the snapshot's self-dependency. -#}
{% macro previous_year_snapshot() -%}
{{ api.Relation.create(database=target.database, schema=target.schema, identifier="fct_workforce_snapshot") }}
{%- endmacro %}

{#- The rows of the year being built, for the year-scoped tests (tests/generic/year_scoped.sql).
    Compiled with the var `year_as_parameters` (the year's tests after the Polars engine: compiled
    once, run as plain SQL every year) the year and the scenario are the DuckDB parameters
    $simulation_year and $scenario_id instead of literals. -#}
{% macro in_year_being_built() -%}
{%- if var("year_as_parameters", false) -%}
simulation_year = $simulation_year and scenario_id = $scenario_id
{%- else -%}
simulation_year = {{ var("simulation_year") }} and scenario_id = '{{ var("scenario_id") }}'
{%- endif -%}
{%- endmacro %}
