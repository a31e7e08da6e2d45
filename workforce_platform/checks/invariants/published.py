"""The invariant of the scenario's whole published layer: the chain of published years."""

from __future__ import annotations

from workforce_platform.checks.invariants.invariant import Invariant

PUBLISHED_CHAIN_CONSISTENT = Invariant(
    name="published_chain_consistent",
    asset="published/fct_workforce_snapshot",
    description="Every published year starts from exactly the published year before it: that year is "
                "published, the year was built on its snapshot (fingerprints recorded at promotion), its "
                "starting employees are that year's active employees and its starting headcount that "
                "year's ending headcount; no published row lacks its year's promotion record.",
    scope="published",
    violations_sql="""
            with promoted as (
                select simulation_year, snapshot_fingerprint, built_on_snapshot
                from published.promotions where scenario_id = $scenario_id
            ),
            linked as (
                select later.simulation_year, earlier.simulation_year is not null as earlier_published,
                       later.built_on_snapshot, earlier.snapshot_fingerprint as earlier_snapshot
                from promoted as later
                left join promoted as earlier on earlier.simulation_year = later.simulation_year - 1
                where later.simulation_year > $start_year
            ),
            snap as (
                select simulation_year, employee_id, employment_status, status_detail
                from published.fct_workforce_snapshot where scenario_id = $scenario_id
            ),
            starting as (
                select simulation_year, employee_id from snap
                where status_detail in ('continuous_active', 'experienced_termination')
            ),
            ended_active as (
                select simulation_year + 1 as simulation_year, employee_id from snap where employment_status = 'active'
            ),
            summary as (select * from published.fct_year_summary where scenario_id = $scenario_id)
            select simulation_year, null::varchar as employee_id, 'published without the year before it' as problem
            from linked where not earlier_published
            union all
            select simulation_year, null, 'built on another state of the year before than the published one'
            from linked
            where earlier_published and built_on_snapshot is not null and earlier_snapshot is not null
              and built_on_snapshot <> earlier_snapshot
            union all
            select coalesce(s.simulation_year, e.simulation_year), coalesce(s.employee_id, e.employee_id),
                   case when s.employee_id is null
                        then 'active at the end of the published year before, not among the starting employees'
                        else 'among the starting employees, not active at the end of the published year before' end
            from starting as s
            full join ended_active as e on s.simulation_year = e.simulation_year and s.employee_id = e.employee_id
            where (s.employee_id is null or e.employee_id is null)
              and coalesce(s.simulation_year, e.simulation_year) in (select simulation_year from linked where earlier_published)
            union all
            select later.simulation_year, null,
                   'starting headcount ' || later.starting_headcount || ' is not the ending headcount '
                   || earlier.ending_headcount || ' of the published year before'
            from summary as later join summary as earlier on earlier.simulation_year = later.simulation_year - 1
            where later.starting_headcount <> earlier.ending_headcount
            union all
            select distinct simulation_year, null, 'published rows without a promotion record'
            from (select simulation_year from published.fct_workforce_snapshot where scenario_id = $scenario_id
                  union all select simulation_year from published.fct_yearly_events where scenario_id = $scenario_id
                  union all select simulation_year from summary)
            where simulation_year not in (select simulation_year from promoted)
            order by 1, 2, 3""",
)

