-- The pay band of each level for every simulated year, as new hires are paid from it: the
-- config_levels band in the first simulated year, then carried forward year by year at the
-- scenario's new_hire_pay_indexing_rate, rounded to the cent each year, so that new-hire pay
-- follows the market as incumbents' pay does with merit and COLA.
with recursive scenario as (
    select * from {{ ref('stg_scenario') }}
),

indexed (plan_year, level_id, min_compensation, max_compensation) as (
    select scenario.start_year, band.level_id, band.min_compensation, band.max_compensation
    from {{ ref('config_levels') }} as band
    cross join scenario
    union all
    select
        indexed.plan_year + 1,
        indexed.level_id,
        {{ indexed_one_year('indexed.min_compensation', 'scenario.new_hire_pay_indexing_rate') }},
        {{ indexed_one_year('indexed.max_compensation', 'scenario.new_hire_pay_indexing_rate') }}
    from indexed
    cross join scenario
    where indexed.plan_year < scenario.end_year
)

select plan_year, level_id, min_compensation, max_compensation from indexed
