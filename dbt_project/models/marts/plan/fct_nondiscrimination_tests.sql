-- The ADP and ACP tests of the year (401(k)(3), 401(m)(2)), over the employees eligible in it.
-- Each one's rate: deferrals less catch-up (ADP) or match (ACP) over plan compensation, in
-- hundredths of a percent (units of 1e-4), rounded half up. The HCEs' average may not exceed the
-- greater of 1.25 x the NHCEs' and the lesser of 2 x the NHCEs' and the NHCEs' + 2 points. The
-- NHCE average is the year's own (current_year) or the year before's (prior_year; the first
-- simulated year uses its own). With sums S and counts n, allowed x 4 n_nhce =
-- max(5 S_nhce, 4 min(2 S_nhce, S_nhce + 200 n_nhce)) and the test passes when
-- 4 n_nhce S_hce <= allowed x 4 n_nhce x n_hce: exact integers. Averages and the margin (allowed
-- less the HCE average) are shown in millionths, rounded half up (the margin half away from
-- zero). A safe-harbor match deems both tests passed (result safe_harbor).
with scenario as (
    select * from {{ ref('stg_scenario') }}
),

tested as (
    select
        snapshot.employee_id,
        coalesce(hce.is_hce, false) as is_hce,
        case when contributions.plan_compensation > 0 then {{ divide_round_half_up(
            money_to_cents('contributions.employee_contribution - contributions.catch_up_contribution') ~ '::hugeint * 10000',
            money_to_cents('contributions.plan_compensation')) }} else 0 end as deferral_units,
        case when contributions.plan_compensation > 0 then {{ divide_round_half_up(
            money_to_cents('contributions.employer_match') ~ '::hugeint * 10000',
            money_to_cents('contributions.plan_compensation')) }} else 0 end as match_units
    from {{ ref('fct_workforce_snapshot') }} as snapshot
    join {{ ref('int_plan_contributions_calculated') }} as contributions
        on contributions.employee_id = snapshot.employee_id
       and contributions.scenario_id = snapshot.scenario_id
       and contributions.simulation_year = snapshot.simulation_year
    left join {{ ref('int_highly_compensated_determined') }} as hce
        on hce.employee_id = snapshot.employee_id
       and hce.scenario_id = snapshot.scenario_id
       and hce.simulation_year = snapshot.simulation_year
    -- long-term part-time employees are left out of the tests, as the law allows
    where snapshot.simulation_year = {{ simulation_year() }} and snapshot.is_eligible and not snapshot.is_long_term_part_time
),

by_test as (
    select
        'adp' as test_name,
        count(*) filter (where is_hce) as hce_count,
        coalesce(sum(deferral_units) filter (where is_hce), 0) as hce_rate_units,
        count(*) filter (where not is_hce) as nhce_count,
        coalesce(sum(deferral_units) filter (where not is_hce), 0) as nhce_rate_units
    from tested
    union all
    select
        'acp',
        count(*) filter (where is_hce),
        coalesce(sum(match_units) filter (where is_hce), 0),
        count(*) filter (where not is_hce),
        coalesce(sum(match_units) filter (where not is_hce), 0)
    from tested
),

previous_year as (
    {% if is_first_year() %}
    select null::varchar as test_name, null::bigint as nhce_count, null::bigint as nhce_rate_units where false
    {% else %}
    select test_name, nhce_count, nhce_rate_units
    from {{ this }}
    where scenario_id = {{ scenario_id() }} and simulation_year = {{ simulation_year() }} - 1
    {% endif %}
),

basis as (
    select
        by_test.test_name,
        by_test.hce_count::bigint as hce_count,
        by_test.hce_rate_units::bigint as hce_rate_units,
        by_test.nhce_count::bigint as nhce_count,
        by_test.nhce_rate_units::bigint as nhce_rate_units,
        uses_prior_year,
        case when uses_prior_year then {{ simulation_year() }} - 1 else {{ simulation_year() }} end as basis_year,
        case when uses_prior_year then previous_year.nhce_count else by_test.nhce_count end::bigint as basis_nhce_count,
        case when uses_prior_year then previous_year.nhce_rate_units else by_test.nhce_rate_units end::bigint as basis_nhce_rate_units
    from by_test
    cross join scenario
    left join previous_year using (test_name)
    cross join lateral (
        select scenario.testing_method = 'prior_year' and previous_year.test_name is not null as uses_prior_year)
),

allowed as (
    select
        *,
        greatest(5 * basis_nhce_rate_units::hugeint,
                 4 * least(2 * basis_nhce_rate_units::hugeint, basis_nhce_rate_units::hugeint + 200 * basis_nhce_count))
            as allowed_units_times_4n
    from basis
)

select
    scenario.scenario_id,
    {{ simulation_year() }} as simulation_year,
    allowed.test_name,
    scenario.testing_method,
    allowed.basis_year,
    allowed.hce_count,
    allowed.nhce_count,
    allowed.hce_rate_units,
    allowed.nhce_rate_units,
    allowed.basis_nhce_count,
    allowed.basis_nhce_rate_units,
    case when allowed.hce_count > 0 then {{ millionths_to_decimal(divide_round_half_up(
        'allowed.hce_rate_units::hugeint * 100', 'allowed.hce_count')) }} end as hce_average,
    case when allowed.basis_nhce_count > 0 then {{ millionths_to_decimal(divide_round_half_up(
        'allowed.basis_nhce_rate_units::hugeint * 100', 'allowed.basis_nhce_count')) }} end as nhce_average,
    case when allowed.basis_nhce_count > 0 then {{ millionths_to_decimal(divide_round_half_up(
        'allowed.allowed_units_times_4n * 100', '4 * allowed.basis_nhce_count')) }} end as allowed_hce_average,
    case when allowed.hce_count > 0 and allowed.basis_nhce_count > 0 then {{ millionths_to_decimal(divide_round_half_away(
        '(allowed.allowed_units_times_4n * allowed.hce_count - 4 * allowed.basis_nhce_count * allowed.hce_rate_units::hugeint) * 100',
        '4 * allowed.basis_nhce_count * allowed.hce_count')) }} end as margin,
    scenario.match_safe_harbor as deemed_by_safe_harbor,
    scenario.match_safe_harbor
        or allowed.hce_count = 0 or allowed.basis_nhce_count = 0
        or 4 * allowed.basis_nhce_count * allowed.hce_rate_units::hugeint <= allowed.allowed_units_times_4n * allowed.hce_count
        as passed,
    case when scenario.match_safe_harbor then 'safe_harbor'
         when allowed.hce_count = 0 or allowed.basis_nhce_count = 0
              or 4 * allowed.basis_nhce_count * allowed.hce_rate_units::hugeint <= allowed.allowed_units_times_4n * allowed.hce_count
             then 'pass'
         else 'fail' end as result
from allowed
cross join scenario
