-- Promotions on the scenario's promotion date, as many per level as keep the census's level mix
-- (workforce_platform/simulation/promotion_openings.py):
--   target(l)          = round(ending headcount x census(l) / census total), half up
--   staying(l)         = starting employees at l who do not leave in the year + hires at l who stay
--   promoted_from(l-1) = clamp(target(l) - (staying(l) - promoted_from(l)), 0, candidates(l-1)),
--                        walking down from the top level (which promotes nobody)
-- The candidates are the starting employees below the top level still employed on the promotion
-- date with a positive weight in config_promotion_hazards (age band x tenure band x level); each
-- level promotes its count by weighted sampling without replacement (the smallest
-- -ln(1 - u) / weight win; employee id breaks ties). The new pay is the promotion raise, and at
-- least the new level's band minimum of the year (int_new_hire_pay_bands_indexed).
with recursive scenario as (
    select *, make_date({{ simulation_year() }}, promotion_month, promotion_day) as promotion_date
    from {{ ref('stg_scenario') }}
),

starting as (
    select * from {{ ref('int_starting_workforce_assembled') }} where simulation_year = {{ simulation_year() }}
),

leavers as (
    select employee_id, termination_date from {{ ref('int_experienced_terminations_selected') }}
    where simulation_year = {{ simulation_year() }}
),

candidates as (
    select
        starting.*,
        scenario.random_seed,
        scenario.promotion_date,
        scenario.promotion_raise,
        hazard.promotion_probability
    from starting
    cross join scenario
    left join leavers using (employee_id)
    join {{ ref('config_promotion_hazards') }} as hazard
        on hazard.age_band_id = starting.age_band_id
       and hazard.tenure_band_id = starting.tenure_band_id
       and hazard.level_id = starting.level_id
    where starting.level_id < (select max(level_id) from {{ ref('config_levels') }})
      and (leavers.termination_date is null or leavers.termination_date >= scenario.promotion_date)
      and hazard.promotion_probability > 0
),

census_mix as (
    select
        levels.level_id,
        count(census.employee_id) as census_headcount,
        sum(count(census.employee_id)) over () as census_total
    from {{ ref('config_levels') }} as levels
    left join {{ ref('int_baseline_workforce_prepared') }} as census using (level_id)
    group by levels.level_id
),

staying as (
    select level_id, count(*) as staying_headcount
    from (
        select starting.level_id from starting anti join leavers using (employee_id)
        union all
        select hires.level_id
        from {{ ref('int_new_hires_generated') }} as hires
        anti join (
            select employee_id from {{ ref('int_new_hire_terminations_selected') }}
            where simulation_year = {{ simulation_year() }}
        ) as hire_leavers using (employee_id)
        where hires.simulation_year = {{ simulation_year() }}
    )
    group by level_id
),

levels as (
    select
        census_mix.level_id,
        case when census_mix.census_total = 0 then 0
             else {{ divide_round_half_up('needs.target_ending_headcount * census_mix.census_headcount',
                                          'census_mix.census_total') }}
        end as target_headcount,
        coalesce(staying.staying_headcount, 0) as staying_headcount,
        (select count(*) from candidates where candidates.level_id = census_mix.level_id - 1) as candidates_below
    from census_mix
    cross join {{ ref('int_workforce_needs_solved') }} as needs
    left join staying using (level_id)
    where needs.simulation_year = {{ simulation_year() }}
),

-- promotions into each level, from the top level down
openings (level_id, promoted_in) as (
    select level_id, greatest(0, least(target_headcount - staying_headcount, candidates_below))
    from levels
    where level_id = (select max(level_id) from levels)
    union all
    select
        levels.level_id,
        greatest(0, least(levels.target_headcount - (levels.staying_headcount - openings.promoted_in),
                          levels.candidates_below))
    from openings
    join levels on levels.level_id = openings.level_id - 1
),

drawn as (
    {{ random_draws(
        "select * from candidates", "employee_key", "random_seed", simulation_year(),
        streams(["promotion"])) }}
),

ranked as (
    select
        drawn.*,
        row_number() over (
            partition by drawn.level_id
            order by {{ weighted_sort_key('drawn.u_promotion', 'drawn.promotion_probability') }}, drawn.employee_id
        ) as promotion_rank
    from drawn
)

select
    ranked.scenario_id,
    {{ simulation_year() }} as simulation_year,
    ranked.employee_id,
    ranked.promotion_date as effective_date,
    ranked.level_id as level_before,
    ranked.level_id + 1 as level_after,
    ranked.annual_compensation as compensation_before,
    greatest(
        round(ranked.annual_compensation * (1 + ranked.promotion_raise), 2),
        band.min_compensation
    )::decimal(18, 2) as compensation_after
from ranked
join openings on openings.level_id = ranked.level_id + 1
join {{ ref('int_new_hire_pay_bands_indexed') }} as band
    on band.level_id = ranked.level_id + 1 and band.plan_year = {{ simulation_year() }}
where ranked.promotion_rank <= openings.promoted_in
