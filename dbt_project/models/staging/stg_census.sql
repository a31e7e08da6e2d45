-- The census as typed rows with each employee's stable random key (rng.md: md5_number_lower >> 1,
-- digested once as the census is loaded).
select
    employee_id,
    employee_key,
    birth_date,
    hire_date,
    termination_date,
    annual_compensation,
    level_id,
    coalesce(deferral_rate, 0)::decimal(7, 5) as deferral_rate,
    scheduled_hours,
    prior_year_compensation,
    employee_balance,
    match_balance,
    core_balance,
    vesting_service_years
from {{ source('inputs', 'census') }}
