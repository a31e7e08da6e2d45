-- Merit rate by level: the scenario's override where given, the config_levels seed otherwise.
select
    levels.level_id,
    coalesce(overrides.merit_rate, levels.merit_rate)::decimal(7, 5) as merit_rate
from {{ ref('config_levels') }} as levels
left join {{ source('inputs', 'merit_rate_overrides') }} as overrides
    on overrides.level_id = levels.level_id
