-- The census as typed rows with each employee's stable random key (rng.md: md5_number_lower >> 1).
select
    employee_id,
    md5_number_lower(employee_id) >> 1 as employee_key,
    birth_date,
    hire_date,
    termination_date,
    annual_compensation,
    level_id,
    coalesce(deferral_rate, 0)::decimal(7, 5) as deferral_rate,
    scheduled_hours
from {{ source('inputs', 'census') }}
