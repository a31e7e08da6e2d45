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

{#- The date an employee becomes eligible for the plan: the later of the end of the waiting
    period after hire and the birthday of the minimum age. Needs the scenario row as `scenario`. -#}
{% macro plan_eligibility_rule_date(birth_date, hire_date) -%}
greatest(
    ({{ hire_date }} + scenario.eligibility_waiting_days)::date,
    ({{ birth_date }} + to_years(scenario.eligibility_minimum_age))::date
)
{%- endmacro %}

{#- Annual hours: the census's scheduled hours, or full time. -#}
{% macro annual_hours(scheduled_hours) -%}
coalesce({{ scheduled_hours }}, 2080)
{%- endmacro %}
