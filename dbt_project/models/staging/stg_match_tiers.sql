-- The match formula's tiers.
select tier, employee_min, employee_max, match_rate from {{ source('inputs', 'match_tiers') }}
