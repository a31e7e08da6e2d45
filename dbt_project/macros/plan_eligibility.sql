{#-
  When an employee enters the plan: the eligibility rule's date, the plan's entry dates, and the
  hours tests of a year of service and of long-term part-time service. The Python reference is
  workforce_platform/simulation/eligibility.py.
-#}

{#- The date an employee enters the plan: the first of the plan's entry dates (the day itself,
    the first of a month, of a quarter, or of January or July) on or after the day the
    requirements are met.
    - Whose schedule gives the hours of a year of service (or when the plan asks none): the later
      of the end of the waiting period after hire, the birthday of the minimum age and, when the
      plan asks hours, the first anniversary of hire (the first eligibility computation period,
      the 12 months from hire, ends with the hours worked).
    - Otherwise, whose schedule gives 500 hours or more (long-term part-time, deferrals only): the
      later of the birthday of the minimum age and the end of the consecutive 12-month periods of
      500 hours that the law asks: three in 2024, two from 2025, none beginning before 2021. The
      periods are the 12 months from hire and then plan years, so the service ends on 31 December.
    - Otherwise the ordinary date, which such an employee never reaches (see meets_hours).
    Needs the scenario row as `scenario`. -#}
{% macro plan_eligibility_rule_date(birth_date, hire_date, scheduled_hours) -%}
{%- set counted_from = "greatest(year(" ~ hire_date ~ "), 2021)" -%}
{%- set ordinary = plan_entry_date('greatest(
    (' ~ hire_date ~ ' + scenario.eligibility_waiting_days)::date,
    (' ~ birth_date ~ ' + to_years(scenario.eligibility_minimum_age))::date,
    (' ~ hire_date ~ ' + to_years(case when scenario.eligibility_minimum_hours is null then 0 else 1 end))::date
)') -%}
case
    when {{ long_term_part_time_schedule(scheduled_hours) }}
        then {{ plan_entry_date('greatest(
            least(make_date(' ~ counted_from ~ ' + 3, 1, 1),
                  greatest(make_date(' ~ counted_from ~ ' + 2, 1, 1), DATE \'2025-01-01\')),
            (' ~ birth_date ~ ' + to_years(scenario.eligibility_minimum_age))::date
        )') }}
    else {{ ordinary }}
end
{%- endmacro %}

{#- Hours a year that make a long-term part-time employee (SECURE 2.0). -#}
{% macro long_term_part_time_hours() -%}500{%- endmacro %}

{#- The schedule gives the plan's year of service, or the plan asks no hours. Needs `scenario`. -#}
{% macro meets_service_hours(scheduled_hours) -%}
(scenario.eligibility_minimum_hours is null or {{ annual_hours(scheduled_hours) }} >= scenario.eligibility_minimum_hours)
{%- endmacro %}

{#- The schedule falls short of the year of service but reaches 500 hours: long-term part-time. -#}
{% macro long_term_part_time_schedule(scheduled_hours) -%}
(not {{ meets_service_hours(scheduled_hours) }} and {{ annual_hours(scheduled_hours) }} >= {{ long_term_part_time_hours() }})
{%- endmacro %}

{% macro plan_entry_date(requirements_met) -%}
{%- set step = "(case scenario.eligibility_entry_dates when 'quarterly' then 3 when 'semi_annual' then 6 else 1 end)" -%}
{%- set period_start = "make_date(year(" ~ requirements_met ~ "), (month(" ~ requirements_met ~ ") - 1) // " ~ step ~ " * " ~ step ~ " + 1, 1)" -%}
case
    when scenario.eligibility_entry_dates = 'immediate' or {{ requirements_met }} = {{ period_start }}
        then {{ requirements_met }}
    else ({{ period_start }} + to_months({{ step }}))::date
end
{%- endmacro %}
