{#- One stream number per random decision, as in workforce_platform/simulation/rng.py (Stream).
    A number is never reused for another decision. -#}
{% macro stream(name) -%}
{%- set streams = {
    "termination": 1,
    "termination_date": 2,
    "new_hire_level": 3,
    "new_hire_age": 4,
    "new_hire_date": 5,
    "new_hire_pay": 6,
    "new_hire_termination": 7,
    "new_hire_termination_date": 8,
    "promotion": 9,
    "new_hire_birth_day": 10,
    "opt_out": 11,
    "opt_out_date": 12,
    "voluntary_enrollment": 13,
    "voluntary_enrollment_date": 14,
    "death": 15,
    "retirement": 16,
    "new_hire_schedule": 17,
} -%}
{%- if name not in streams -%}{{ exceptions.raise_compiler_error("unknown random stream: " ~ name) }}{%- endif -%}
{{- return(streams[name]) -}}
{%- endmacro %}

{% macro streams(names) -%}
{%- set out = {} -%}
{%- for n in names -%}{%- do out.update({n: stream(n)}) -%}{%- endfor -%}
{{- return(out) -}}
{%- endmacro %}
