{#-
  Choices made from a draw (random_draws.sql): exact integer arithmetic on a draw's 32-bit value
  h, so that every engine agrees to the row, and the sort key of weighted sampling.
-#}

{#- A uniform integer in [0, n): floor(h * n / 2^32). -#}
{% macro draw_below(h, n) -%}
(({{ h }})::hugeint * ({{ n }})::hugeint >> 32)::bigint
{%- endmacro %}

{#- True with probability p, for p a DECIMAL with at most 5 decimals: h / 2^32 < p. -#}
{% macro draw_is_below(h, p) -%}
(({{ h }})::hugeint * 100000 < round(({{ p }}) * 100000)::hugeint * 4294967296)
{%- endmacro %}

{#- Weighted sampling without replacement (Efraimidis-Spirakis): the k smallest sort keys win.
    A zero hazard sorts last, so such a person is chosen only when nobody else is left. -#}
{% macro weighted_sort_key(u, weight) -%}
case when ({{ weight }}) > 0 then -ln(1.0 - ({{ u }})) / ({{ weight }})::double else 'infinity'::double end
{%- endmacro %}
