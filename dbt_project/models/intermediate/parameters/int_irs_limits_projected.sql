-- IRS limits for every plan year from the first shipped row to the scenario's last year.
-- A shipped row (config_irs_limits) is used as published. A later year is projected from the
-- last shipped row's indexed values before rounding (IRC 415(d)): each limit's statutory base
-- (config_irs_limit_bases) x the CPI-U of that row's third quarter before / the CPI-U of the base
-- period, to the cent. Compounding from the unrounded value, not from the published figure the
-- IRS rounded down, keeps the projection from running low (at 2% a year, 24,500 x 1.02 = 24,990
-- would stay 24,500; the indexed 24,682.29 x 1.02 = 25,175.94 gives 25,000). Each value is carried
-- forward year by year at the scenario's irs_limit_indexing_rate, rounded to the cent each year;
-- the year's limit is the carried value rounded down to the limit's increment, never below the
-- last shipped figure (the IRS does not lower a limit; it also keeps the fixed $11,250 branch of
-- the 60-63 catch-up). The catch-up ages and whether the Roth catch-up rule is in force stay as
-- in the last shipped row.
with recursive scenario as (
    select * from {{ ref('stg_scenario') }}
),

shipped as (
    select * from {{ ref('config_irs_limits') }}
),

last_shipped as (
    select * from shipped order by plan_year desc limit 1
),

bases as (
    select * from {{ ref('config_irs_limit_bases') }}
),

-- Each limit's indexed value in the last shipped year, in cents: base x CPI / base CPI, half up.
indexed as (
    select
        bases.limit_name,
        bases.increment,
        {{ divide_round_half_up(
            money_to_cents('bases.base_amount') ~ '::hugeint * (last_shipped.cpi_u_third_quarter * 1000)::bigint',
            '(bases.base_cpi_u_third_quarter * 1000)::bigint') }} as indexed_cents
    from bases
    cross join last_shipped
),

{%- set limits = ["elective_deferral_limit", "catch_up_limit", "super_catch_up_limit", "compensation_limit",
                  "annual_additions_limit", "highly_compensated_threshold", "roth_catch_up_wage_threshold"] %}

unrounded as (
    select
        {%- for name in limits %}
        {{ cents_to_money("max(indexed_cents) filter (where limit_name = '" ~ name ~ "')") }} as {{ name }},
        max(increment) filter (where limit_name = '{{ name }}') as {{ name }}_increment{{ "," if not loop.last }}
        {%- endfor %}
    from indexed
),

carried (plan_year, {{ limits | join(', ') }}) as (
    select last_shipped.plan_year, {% for name in limits %}unrounded.{{ name }}{{ ", " if not loop.last }}{% endfor %}
    from last_shipped
    cross join unrounded
    union all
    select
        carried.plan_year + 1,
        {%- for name in limits %}
        {{ indexed_one_year('carried.' ~ name, 'scenario.irs_limit_indexing_rate') }}{{ "," if not loop.last }}
        {%- endfor %}
    from carried
    cross join scenario
    where carried.plan_year < scenario.end_year
)

select
    plan_year, elective_deferral_limit, catch_up_limit, super_catch_up_limit, compensation_limit,
    annual_additions_limit, highly_compensated_threshold, catch_up_age, super_catch_up_min_age,
    super_catch_up_max_age, roth_catch_up_wage_threshold, roth_catch_up_in_force, false as is_projected
from shipped
union all
select
    carried.plan_year,
    {%- for name in limits[:-1] %}
    greatest({{ rounded_down_to_increment('carried.' ~ name, 'unrounded.' ~ name ~ '_increment') }}, last_shipped.{{ name }}) as {{ name }},
    {%- endfor %}
    last_shipped.catch_up_age,
    last_shipped.super_catch_up_min_age,
    last_shipped.super_catch_up_max_age,
    greatest({{ rounded_down_to_increment('carried.roth_catch_up_wage_threshold', 'unrounded.roth_catch_up_wage_threshold_increment') }},
             coalesce(last_shipped.roth_catch_up_wage_threshold, 0)) as roth_catch_up_wage_threshold,
    last_shipped.roth_catch_up_in_force,
    true as is_projected
from carried
cross join last_shipped
cross join unrounded
where carried.plan_year > last_shipped.plan_year
