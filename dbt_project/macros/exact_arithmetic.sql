{#-
  Exact integer arithmetic: ratios rounded to an integer, and integer counts of fixed fractions
  as DECIMAL, so that no result goes through DOUBLE and every engine agrees to the unit.
-#}

{#- Rounds a non-negative integer ratio num / den half up, exactly. -#}
{% macro divide_round_half_up(num, den) -%}
((2 * ({{ num }})::hugeint + ({{ den }})::hugeint) // (2 * ({{ den }})::hugeint))
{%- endmacro %}

{#- Rounds an integer ratio with a positive denominator half away from zero, exactly. -#}
{% macro divide_round_half_away(num, den) -%}
(sign({{ num }}) * {{ divide_round_half_up('abs(' ~ num ~ ')', den) }})
{%- endmacro %}

{#- An integer count of hundred-thousandths as DECIMAL(7, 5), exactly. -#}
{% macro rate_units_to_decimal(units) -%}
((({{ units }}))::decimal(18, 0) * 0.00001::decimal(6, 5))::decimal(7, 5)
{%- endmacro %}

{#- An integer count of millionths as DECIMAL(9, 6), exactly (the ADP and ACP averages). -#}
{% macro millionths_to_decimal(units) -%}
((({{ units }}))::decimal(18, 0) * 0.000001::decimal(7, 6))::decimal(9, 6)
{%- endmacro %}
