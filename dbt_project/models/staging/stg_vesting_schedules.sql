-- Vesting steps of the match and of core, each valid up to the next step of its schedule.
select
    contribution,
    at_least_years,
    lead(at_least_years) over (partition by contribution order by at_least_years) as below_years,
    vested_rate
from {{ source('inputs', 'vesting_schedules') }}
