{#-
  Exact integer arithmetic on a draw's 32-bit value h, so that every engine agrees to the row.
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

{#- Rounds a non-negative integer ratio num / den half up, exactly. -#}
{% macro divide_round_half_up(num, den) -%}
((2 * ({{ num }})::hugeint + ({{ den }})::hugeint) // (2 * ({{ den }})::hugeint))
{%- endmacro %}

{#- Content-derived event id: independent of thread count, row order and engine. -#}
{% macro event_id(employee_id, event_type) -%}
md5(concat_ws('|', {{ scenario_id() }}, {{ simulation_year() }}::varchar, {{ employee_id }}, {{ event_type }}))
{%- endmacro %}

{#- Money <-> integer cents, exactly (DuckDB's DECIMAL division would go through DOUBLE). -#}
{% macro money_to_cents(amount) -%}
(({{ amount }}) * 100)::bigint
{%- endmacro %}
{% macro cents_to_money(cents) -%}
((({{ cents }}))::decimal(18, 0) * 0.01::decimal(3, 2))::decimal(18, 2)
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

{#- The match on `deferral_cents` against `plan_pay_cents`, tier by tier over the tiers joined as
    `tiers` (an aggregate): match_rate x the deferrals between employee_min and employee_max of
    pay, rounded half away from zero to the cent once. -#}
{% macro match_on_deferrals(deferral_cents, plan_pay_cents) -%}
round(coalesce(sum(
    tiers.match_rate * least(
        greatest({{ deferral_cents }} - tiers.employee_min * {{ plan_pay_cents }}, 0),
        (tiers.employee_max - tiers.employee_min) * {{ plan_pay_cents }})), 0))::bigint
{%- endmacro %}
