-- Merit raise plus COLA on the scenario's merit date, folded into one `merit_raise` event (both
-- take effect that day). Starting employees still employed that day receive it; the year's hires
-- and anyone terminated before the date do not. The rate is that of the level held on the merit
-- date (after a promotion, which the scenario dates no later than the merit).
with scenario as (
    select *, make_date({{ simulation_year() }}, merit_month, merit_day) as merit_date
    from {{ ref('stg_scenario') }}
),

eligible as (
    select
        workforce.scenario_id,
        workforce.employee_id,
        scenario.merit_date,
        scenario.cola_rate,
        coalesce(promotion.level_after, workforce.level_id) as level_id,
        coalesce(promotion.compensation_after, workforce.annual_compensation) as compensation_before
    from {{ ref('int_starting_workforce_assembled') }} as workforce
    cross join scenario
    left join {{ ref('int_experienced_terminations_selected') }} as leaver
        on leaver.employee_id = workforce.employee_id
       and leaver.simulation_year = {{ simulation_year() }}
    left join {{ ref('int_promotions_drawn') }} as promotion
        on promotion.employee_id = workforce.employee_id
       and promotion.simulation_year = {{ simulation_year() }}
    where workforce.simulation_year = {{ simulation_year() }}
      and (leaver.termination_date is null or leaver.termination_date >= scenario.merit_date)
)

select
    eligible.scenario_id,
    {{ simulation_year() }} as simulation_year,
    eligible.employee_id,
    eligible.merit_date as effective_date,
    eligible.level_id,
    (merit.merit_rate + eligible.cola_rate)::decimal(7, 5) as raise_rate,
    eligible.compensation_before,
    round(eligible.compensation_before * (1 + merit.merit_rate + eligible.cola_rate), 2)::decimal(18, 2) as compensation_after
from eligible
join {{ ref('stg_merit_rates') }} as merit
    on merit.level_id = eligible.level_id
where merit.merit_rate + eligible.cola_rate <> 0
