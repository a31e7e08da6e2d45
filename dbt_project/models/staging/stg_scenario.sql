-- The scenario's scalar parameters, one row.
select
    scenario_id,
    start_year,
    end_year,
    random_seed,
    target_growth_rate,
    termination_rate,
    new_hire_termination_rate,
    cola_rate,
    promotion_raise,
    promotion_month,
    promotion_day,
    merit_month,
    merit_day
from {{ source('inputs', 'scenario') }}
