{#-
  The employer match formula: the plan's tiers (stg_match_tiers) applied to deferrals, in integer
  cents.
-#}

{#- The match on `deferral_cents` against `plan_pay_cents`, tier by tier over the tiers joined as
    `tiers` (an aggregate): match_rate x the deferrals between employee_min and employee_max of
    pay, rounded half away from zero to the cent once. -#}
{% macro match_on_deferrals(deferral_cents, plan_pay_cents) -%}
round(coalesce(sum(
    tiers.match_rate * least(
        greatest({{ deferral_cents }} - tiers.employee_min * {{ plan_pay_cents }}, 0),
        (tiers.employee_max - tiers.employee_min) * {{ plan_pay_cents }})), 0))::bigint
{%- endmacro %}
