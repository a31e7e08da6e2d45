-- IRS limits for every plan year from the first shipped row to the scenario's last year.
-- A shipped row (config_irs_limits) is used as published. A later year is projected from the
-- last shipped row: each dollar limit is carried forward year by year at the scenario's
-- irs_limit_indexing_rate, rounded to the cent each year, and the year's limit is the carried
-- value rounded down to the IRS increment ($500 for 402(g) and the catch-ups, $1,000 for
-- 415(c), $5,000 for 401(a)(17) and the 414(q) threshold), never below the last shipped figure
-- (the IRS does not lower a limit). The catch-up ages stay as shipped.
with recursive scenario as (
    select * from {{ ref('stg_scenario') }}
),

shipped as (
    select * from {{ ref('config_irs_limits') }}
),

last_shipped as (
    select * from shipped order by plan_year desc limit 1
),

carried (plan_year, elective_deferral_limit, catch_up_limit, super_catch_up_limit, compensation_limit,
         annual_additions_limit, highly_compensated_threshold) as (
    select plan_year, elective_deferral_limit, catch_up_limit, super_catch_up_limit, compensation_limit,
           annual_additions_limit, highly_compensated_threshold
    from last_shipped
    union all
    select
        carried.plan_year + 1,
        {{ indexed_one_year('carried.elective_deferral_limit', 'scenario.irs_limit_indexing_rate') }},
        {{ indexed_one_year('carried.catch_up_limit', 'scenario.irs_limit_indexing_rate') }},
        {{ indexed_one_year('carried.super_catch_up_limit', 'scenario.irs_limit_indexing_rate') }},
        {{ indexed_one_year('carried.compensation_limit', 'scenario.irs_limit_indexing_rate') }},
        {{ indexed_one_year('carried.annual_additions_limit', 'scenario.irs_limit_indexing_rate') }},
        {{ indexed_one_year('carried.highly_compensated_threshold', 'scenario.irs_limit_indexing_rate') }}
    from carried
    cross join scenario
    where carried.plan_year < scenario.end_year
)

select
    plan_year, elective_deferral_limit, catch_up_limit, super_catch_up_limit, compensation_limit,
    annual_additions_limit, highly_compensated_threshold, catch_up_age, super_catch_up_min_age,
    super_catch_up_max_age, false as is_projected
from shipped
union all
select
    carried.plan_year,
    greatest({{ rounded_down_to('carried.elective_deferral_limit', 500) }}, last_shipped.elective_deferral_limit) as elective_deferral_limit,
    greatest({{ rounded_down_to('carried.catch_up_limit', 500) }}, last_shipped.catch_up_limit) as catch_up_limit,
    greatest({{ rounded_down_to('carried.super_catch_up_limit', 500) }}, last_shipped.super_catch_up_limit) as super_catch_up_limit,
    greatest({{ rounded_down_to('carried.compensation_limit', 5000) }}, last_shipped.compensation_limit) as compensation_limit,
    greatest({{ rounded_down_to('carried.annual_additions_limit', 1000) }}, last_shipped.annual_additions_limit) as annual_additions_limit,
    greatest({{ rounded_down_to('carried.highly_compensated_threshold', 5000) }}, last_shipped.highly_compensated_threshold) as highly_compensated_threshold,
    last_shipped.catch_up_age,
    last_shipped.super_catch_up_min_age,
    last_shipped.super_catch_up_max_age,
    true as is_projected
from carried
cross join last_shipped
where carried.plan_year > last_shipped.plan_year
