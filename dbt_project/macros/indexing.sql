{#-
  Indexing of amounts from year to year (the IRS limits, the new-hire pay bands) and the IRS's
  rounding of an indexed limit.
-#}

{#- One year of indexing: an amount raised by `rate`, rounded to the cent (half up). -#}
{% macro indexed_one_year(amount, rate) -%}
round({{ amount }} * (1 + {{ rate }}), 2)::decimal(18, 2)
{%- endmacro %}

{#- An amount rounded down to a whole multiple of `increment` dollars (the IRS's rounding of an
    indexed limit), in integer cents. -#}
{% macro rounded_down_to(amount, increment) -%}
{{ cents_to_money('(' ~ money_to_cents(amount) ~ ' // ' ~ (increment * 100) ~ ') * ' ~ (increment * 100)) }}
{%- endmacro %}

{#- The same with the increment an SQL expression (a whole number of dollars). -#}
{% macro rounded_down_to_increment(amount, increment) -%}
{{ cents_to_money('(' ~ money_to_cents(amount) ~ ' // ((' ~ increment ~ ') * 100)) * ((' ~ increment ~ ') * 100)') }}
{%- endmacro %}
