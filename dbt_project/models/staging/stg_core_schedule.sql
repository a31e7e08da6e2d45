-- Core contribution rate steps, each valid up to the next step.
select
    at_least,
    lead(at_least) over (order by at_least) as below,
    rate
from {{ source('inputs', 'core_schedule') }}
