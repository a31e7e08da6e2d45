{#-
  Money <-> integer cents, exactly, for the calculations done in integer cents (DuckDB's DECIMAL
  division would go through DOUBLE).
-#}

{% macro money_to_cents(amount) -%}
(({{ amount }}) * 100)::bigint
{%- endmacro %}

{% macro cents_to_money(cents) -%}
((({{ cents }}))::decimal(18, 0) * 0.01::decimal(3, 2))::decimal(18, 2)
{%- endmacro %}
