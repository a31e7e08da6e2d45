-- Who is highly compensated (414(q)(1)(B)) in the year: pay in the lookback year (the year
-- before) above that year's 414(q) threshold and, with the top-paid group election, among the
-- top-paid group: the top 20% of the lookback year's employees by that pay (ties by employee
-- id). Lookback pay is the pay earned in the previous simulated year (its snapshot, everyone
-- employed in it); in the first year the census's prior_year_compensation, or its pay rate where
-- the census does not give it (the run's header says which). A hire of the year has no lookback
-- pay and is not an HCE (5% owners are not modelled).
-- The group's size is 20% (rounded half up) of the lookback year's employees less those the law
-- lets a plan leave out of the count (IRC 414(q)(5), Treas. Reg. 1.414(q)-1T Q&A-9(b)): fewer than
-- 6 months of service by the end of the year (or their last day), under age 21 at its end, a
-- schedule of fewer than 17 1/2 hours a week (910 hours a year); seasonal work is not modelled.
-- Those left out of the count may still rank in the group.
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
    select employee_id, coalesce(prior_year_compensation, annual_compensation) as lookback_compensation,
           birth_date, hire_date, scheduled_hours, make_date({{ simulation_year() }} - 1, 12, 31) as last_day
    from {{ ref('int_baseline_workforce_prepared') }}
    {% else %}
    select employee_id, prorated_compensation as lookback_compensation,
           birth_date, hire_date, scheduled_hours,
           coalesce(termination_date, make_date({{ simulation_year() }} - 1, 12, 31)) as last_day
    from {{ previous_year_snapshot() }}
    where scenario_id = {{ scenario_id() }} and simulation_year = {{ simulation_year() }} - 1
    {% endif %}
),

counted as (
    select
        *,
        not ((hire_date + interval 6 month)::date > last_day
             or {{ whole_years('birth_date', 'make_date(' ~ simulation_year() ~ ' - 1, 12, 31)') }} < 21
             or coalesce(scheduled_hours, 2080) < 910) as counts_for_top_paid_group
    from lookback
),

-- The group's size as a scalar of its own: as a filtered window aggregate beside the ranking,
-- DuckDB took seconds per 100,000 employees, growing faster than the workforce.
top_paid_group as (
    select {{ divide_round_half_up('count(*) filter (where counts_for_top_paid_group) * 20', 100) }} as size
    from counted
),

ranked as (
    select
        counted.employee_id,
        counted.lookback_compensation,
        counted.counts_for_top_paid_group,
        row_number() over (order by counted.lookback_compensation desc, counted.employee_id)
            <= top_paid_group.size as in_top_paid_group
    from counted
    cross join top_paid_group
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
    coalesce(ranked.counts_for_top_paid_group, false) as counts_for_top_paid_group,
    coalesce(ranked.in_top_paid_group, false) as in_top_paid_group,
    coalesce(ranked.lookback_compensation > threshold.highly_compensated_threshold
             and (not scenario.hce_top_paid_group or ranked.in_top_paid_group), false) as is_hce
from members
left join ranked using (employee_id)
cross join threshold
cross join scenario
