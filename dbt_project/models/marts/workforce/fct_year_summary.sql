-- One row per scenario and year: the headcount flow and the year's pay.
with snapshot as (
    select * from {{ ref('fct_workforce_snapshot') }} where simulation_year = {{ simulation_year() }}
),

needs as (
    select * from {{ ref('int_workforce_needs_solved') }} where simulation_year = {{ simulation_year() }}
),

flows as (
    select
        count(*) filter (where status_detail in ('continuous_active', 'experienced_termination')) as starting_headcount,
        count(*) filter (where status_detail in ('new_hire_active', 'new_hire_termination')) as hires,
        count(*) filter (where status_detail = 'experienced_termination') as experienced_terminations,
        count(*) filter (where status_detail = 'new_hire_termination') as new_hire_terminations,
        count(*) filter (where employment_status = 'active') as ending_headcount,
        coalesce(sum(prorated_compensation), 0)::decimal(18, 2) as total_prorated_compensation
    from snapshot
)

select
    needs.scenario_id,
    {{ simulation_year() }} as simulation_year,
    flows.starting_headcount::bigint as starting_headcount,
    flows.hires::bigint as hires,
    flows.experienced_terminations::bigint as experienced_terminations,
    flows.new_hire_terminations::bigint as new_hire_terminations,
    flows.ending_headcount::bigint as ending_headcount,
    needs.target_ending_headcount,
    needs.solver_branch,
    case when flows.starting_headcount = 0 then null
         else round((flows.ending_headcount - flows.starting_headcount)::decimal(18, 0)
                    / flows.starting_headcount, 5) end::decimal(7, 5) as growth_rate,
    needs.target_growth_rate,
    flows.total_prorated_compensation
from flows
cross join needs
