-- The scenario's scalar parameters (one row): workforce, pay and plan design.
select * from {{ source('inputs', 'scenario') }}
