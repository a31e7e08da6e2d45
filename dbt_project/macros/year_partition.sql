{#-
  Materialization `year_partition`: a table that holds every simulated year, where building a
  year replaces exactly that year's rows. The delete is keyed by the literal partition
  (scenario, year), never by a join on a column that is constant within the year, which would be
  quadratic in the year's rows; the insert matches columns by name. Two statements, one
  transaction: a reader sees the old year or the new one.

  The first build creates the table; --full-refresh drops it with every year in it. A table
  that lacks columns the model now has gets them added first.
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
    {#- A table built by an earlier version gets the columns it lacks (nulls in its earlier years). -#}
    {%- set existing_columns = adapter.get_columns_in_relation(target_relation) | map(attribute='name') | map('lower') | list -%}
    {%- for column in run_query('describe ' ~ compiled_code) -%}
      {%- if column[0] | lower not in existing_columns %}
        {% call statement('add_column_' ~ loop.index) -%}
          alter table {{ target_relation }} add column "{{ column[0] }}" {{ column[1] }}
        {%- endcall %}
      {%- endif -%}
    {%- endfor %}
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
