{#-
  An employee's hours: the annual schedule, and the hours worked in the year (read by the
  eligibility, match and core hours rules).
-#}

{#- Annual hours: the census's scheduled hours, or full time. -#}
{% macro annual_hours(scheduled_hours) -%}
coalesce({{ scheduled_hours }}, 2080)
{%- endmacro %}

{#- Hours worked in the year: the annual schedule prorated by the days employed in it (from the
    later of 1 January and hire to the earlier of 31 December and termination), in hundredths
    rounded half up. -#}
{% macro hours_worked(scheduled_hours, period_start, period_end) -%}
{{ cents_to_money(divide_round_half_up(money_to_cents(annual_hours(scheduled_hours)) ~ ' * (date_diff(\'day\', ' ~ period_start ~ ', ' ~ period_end ~ ') + 1)', days_in_year())) }}::decimal(12, 2)
{%- endmacro %}
