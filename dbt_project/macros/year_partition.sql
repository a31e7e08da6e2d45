{#-
  Materialization `year_partition`: a table that holds every simulated year, where building a
  year replaces exactly that year's rows. The delete is keyed by the literal partition
  (scenario, year), never by a join on a column that is constant within the year, which would be
  quadratic in the year's rows; the insert matches columns by name. Two statements, one
  transaction: a reader sees the old year or the new one.

  The first build creates the table; --full-refresh drops it with every year in it. A table
  built by an earlier version gets the columns it lacks before the year is built
  (engines/year_tables.add_missing_year_columns, from the orchestrator).
-#}
{% materialization year_partition, adapter='duckdb' %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing_relation = load_cached_relation(this) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% if existing_relation is not none and should_full_refresh() %}
    {% do adapter.drop_relation(existing_relation) %}
    {% set existing_relation = none %}
  {% endif %}

  {% if existing_relation is none %}
    {% call statement('main') -%}
      create table {{ target_relation }} as {{ compiled_code }}
    {%- endcall %}
  {% else %}
    {% call statement('main') -%}
      delete from {{ target_relation }}
      where scenario_id = '{{ var("scenario_id") }}' and simulation_year = {{ var("simulation_year") | int }};
      insert into {{ target_relation }} by name {{ compiled_code }}
    {%- endcall %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do adapter.commit() %}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
