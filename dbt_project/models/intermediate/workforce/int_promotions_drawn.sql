-- Promotions on the scenario's promotion date: each starting employee below the top level who is
-- still employed that day is promoted with the probability of their age band x tenure band x
-- level. The new pay is the promotion raise, and at least the new level's band minimum.
with scenario as (
    select *, make_date({{ simulation_year() }}, promotion_month, promotion_day) as promotion_date
    from {{ ref('stg_scenario') }}
),

top_level as (
    select max(level_id) as top_level_id from {{ ref('config_levels') }}
),

candidates as (
    select
        workforce.*,
        scenario.random_seed,
        scenario.promotion_date,
        scenario.promotion_raise,
        hazard.promotion_probability
    from {{ ref('int_starting_workforce_assembled') }} as workforce
    cross join scenario
    cross join top_level
    left join {{ ref('int_experienced_terminations_selected') }} as leaver
        on leaver.employee_id = workforce.employee_id
       and leaver.simulation_year = {{ simulation_year() }}
    left join {{ ref('config_promotion_hazards') }} as hazard
        on hazard.age_band_id = workforce.age_band_id
       and hazard.tenure_band_id = workforce.tenure_band_id
       and hazard.level_id = workforce.level_id
    where workforce.simulation_year = {{ simulation_year() }}
      and workforce.level_id < top_level.top_level_id
      and (leaver.termination_date is null or leaver.termination_date >= scenario.promotion_date)
),

drawn as (
    {{ random_draws(
        "select * from candidates", "employee_key", "random_seed", simulation_year(),
        streams(["promotion"])) }}
)

select
    drawn.scenario_id,
    {{ simulation_year() }} as simulation_year,
    drawn.employee_id,
    drawn.promotion_date as effective_date,
    drawn.level_id as level_before,
    drawn.level_id + 1 as level_after,
    drawn.annual_compensation as compensation_before,
    greatest(
        round(drawn.annual_compensation * (1 + drawn.promotion_raise), 2),
        band.min_compensation
    )::decimal(18, 2) as compensation_after
from drawn
join {{ ref('config_levels') }} as band
    on band.level_id = drawn.level_id + 1
where {{ draw_is_below('drawn.h_promotion', 'coalesce(drawn.promotion_probability, 0)') }}
