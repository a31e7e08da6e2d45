{#-
  The counter-based random numbers of shared/spec/rng.md: the draws of each row, and an
  employee's random-number key. The stream numbers are in streams.sql; choices made from a draw
  in draw_choices.sql.

  random_draws(relation_sql, key_column, seed_expr, year_expr, streams) returns a query with every
  column of relation_sql plus, for each stream name -> number in `streams`, `h_<name>` (the 32-bit
  integer, UBIGINT) and `u_<name>` (h / 2^32, a DOUBLE in [0, 1)).

  Each fmix step is its own projection: nesting the steps as one expression makes DuckDB copy
  sub-expressions (seconds instead of milliseconds on a million rows). DuckDB's `^` is power,
  so xor is the function `xor`.
-#}
{% macro random_draws(relation_sql, key_column, seed_expr, year_expr, streams) -%}
{%- set mask = 4294967295 -%}
{%- set ns = namespace(query="select *, xor((" ~ seed_expr ~ ")::ubigint & " ~ mask ~ ", " ~ key_column ~ "::ubigint & " ~ mask ~ ") as rng_h from (" ~ relation_sql ~ ") rng_input") -%}
{%- set ns.query = _fmix_stages(ns.query, "rng_h") -%}
{%- set ns.query = "select * replace (xor(rng_h, " ~ key_column ~ "::ubigint >> 32) as rng_h) from (" ~ ns.query ~ ")" -%}
{%- set ns.query = _fmix_stages(ns.query, "rng_h") -%}
{%- set ns.query = "select * replace (xor(rng_h, (" ~ year_expr ~ ")::ubigint) as rng_h) from (" ~ ns.query ~ ")" -%}
{%- set ns.query = _fmix_stages(ns.query, "rng_h") -%}
{%- for name, number in streams.items() -%}
{%- set ns.query = "select *, xor(rng_h, " ~ number ~ "::ubigint) as h_" ~ name ~ " from (" ~ ns.query ~ ")" -%}
{%- set ns.query = _fmix_stages(ns.query, "h_" ~ name) -%}
{%- endfor -%}
select * exclude (rng_h)
{%- for name in streams.keys() %}, h_{{ name }}::double / 4294967296.0 as u_{{ name }}{% endfor %}
from ({{ ns.query }})
{%- endmacro %}

{% macro _fmix_stages(query, col) -%}
{%- set mask = 4294967295 -%}
{%- set q = "select * replace (xor(" ~ col ~ ", " ~ col ~ " >> 16) as " ~ col ~ ") from (" ~ query ~ ")" -%}
{%- set q = "select * replace ((" ~ col ~ " * 2246822507::ubigint) & " ~ mask ~ " as " ~ col ~ ") from (" ~ q ~ ")" -%}
{%- set q = "select * replace (xor(" ~ col ~ ", " ~ col ~ " >> 13) as " ~ col ~ ") from (" ~ q ~ ")" -%}
{%- set q = "select * replace ((" ~ col ~ " * 3266489909::ubigint) & " ~ mask ~ " as " ~ col ~ ") from (" ~ q ~ ")" -%}
{%- set q = "select * replace (xor(" ~ col ~ ", " ~ col ~ " >> 16) as " ~ col ~ ") from (" ~ q ~ ")" -%}
{{- q -}}
{%- endmacro %}


{#- An employee's random-number key (rng.md): md5_number_lower(id) >> 1, written as the high bits
    of one md5_number, which DuckDB computes about three times faster than md5_number_lower. -#}
{% macro employee_key(employee_id) -%}
    (md5_number({{ employee_id }}) >> 65)::ubigint
{%- endmacro %}
