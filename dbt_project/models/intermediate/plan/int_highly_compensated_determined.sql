-- Who is highly compensated (414(q)(1)(B)) in the year: pay in the lookback year (the year
-- before) above that year's 414(q) threshold and, with the top-paid group election, among the
-- top 20% of the lookback year's employees by that pay (the count rounded half up; ties by
-- employee id). Lookback pay is the pay earned in the previous simulated year (its snapshot,
-- everyone employed in it), or in the first year the census pay rate. A hire of the year has no
-- lookback pay and is not an HCE (5% owners are not modelled).
with scenario as (
    select * from {{ ref('stg_scenario') }}
),

members as (
    select scenario_id, employee_id
    from {{ ref('int_plan_eligibility_determined') }}
    where simulation_year = {{ simulation_year() }}
),

lookback as (
    {% if is_first_year() %}
    select employee_id, annual_compensation as lookback_compensation
    from {{ ref('int_baseline_workforce_prepared') }}
    {% else %}
    select employee_id, prorated_compensation as lookback_compensation
    from {{ previous_year_snapshot() }}
    where scenario_id = {{ scenario_id() }} and simulation_year = {{ simulation_year() }} - 1
    {% endif %}
),

ranked as (
    select
        employee_id,
        lookback_compensation,
        row_number() over (order by lookback_compensation desc, employee_id)
            <= {{ divide_round_half_up('count(*) over () * 20', 100) }} as in_top_paid_group
    from lookback
),

threshold as (
    select year_limits.highly_compensated_threshold
    from (select 1) as one
    left join {{ ref('int_irs_limits_projected') }} as year_limits
        on year_limits.plan_year = {{ simulation_year() }} - 1
    where coalesce(year_limits.plan_year::varchar, error(
        'no IRS limits for the lookback year ' || ({{ simulation_year() }} - 1) || ': config_irs_limits begins later')) is not null
)

select
    members.scenario_id,
    {{ simulation_year() }} as simulation_year,
    members.employee_id,
    ranked.lookback_compensation,
    threshold.highly_compensated_threshold as lookback_threshold,
    coalesce(ranked.in_top_paid_group, false) as in_top_paid_group,
    coalesce(ranked.lookback_compensation > threshold.highly_compensated_threshold
             and (not scenario.hce_top_paid_group or ranked.in_top_paid_group), false) as is_hce
from members
left join ranked using (employee_id)
cross join threshold
cross join scenario
