{#- The partition being built. Passed with --vars by the orchestrator. -#}
{% macro simulation_year() -%}{{ var("simulation_year") | int }}{%- endmacro %}
{% macro scenario_id() -%}'{{ var("scenario_id") }}'{%- endmacro %}
{% macro is_first_year() -%}{{ return((var("simulation_year") | int) == (var("start_year") | int)) }}{%- endmacro %}
{% macro year_start() -%}make_date({{ simulation_year() }}, 1, 1){%- endmacro %}
{% macro year_end() -%}make_date({{ simulation_year() }}, 12, 31){%- endmacro %}
{% macro days_in_year() -%}(date_diff('day', make_date({{ simulation_year() }}, 1, 1), make_date({{ simulation_year() }} + 1, 1, 1)))::bigint{%- endmacro %}

{#- Whole years from `from_date` to `to_date` (birthday / anniversary counting). -#}
{% macro whole_years(from_date, to_date) -%}
date_sub('year', {{ from_date }}, {{ to_date }})
{%- endmacro %}

{#- The snapshot of the previous year: the state this year starts from. A plain relation, not a
    ref(), because year N reads year N-1 of a model downstream of itself; Dagster carries the
    ordering through the snapshot's self-dependency. -#}
{% macro previous_year_snapshot() -%}
{{ api.Relation.create(database=target.database, schema=target.schema, identifier="fct_workforce_snapshot") }}
{%- endmacro %}

{#- The date an employee enters the plan: the first of the plan's entry dates (the day itself,
    the first of a month, of a quarter, or of January or July) on or after the day the
    requirements are met, the later of the end of the waiting period after hire and the birthday
    of the minimum age. Needs the scenario row as `scenario`. -#}
{% macro plan_eligibility_rule_date(birth_date, hire_date) -%}
{{ plan_entry_date('greatest(
    (' ~ hire_date ~ ' + scenario.eligibility_waiting_days)::date,
    (' ~ birth_date ~ ' + to_years(scenario.eligibility_minimum_age))::date
)') }}
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

{#- Annual hours: the census's scheduled hours, or full time. -#}
{% macro annual_hours(scheduled_hours) -%}
coalesce({{ scheduled_hours }}, 2080)
{%- endmacro %}
