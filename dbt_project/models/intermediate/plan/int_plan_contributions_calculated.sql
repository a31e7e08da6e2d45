-- Contributions for the year, per employee, exactly (integer cents):
--  1. Deferrals: every pay change (start, promotion, merit) and deferral change (escalation,
--     enrollment, opt-out) cuts the year into segments; deferral = sum of pay cents x days x rate
--     / days in the year, rounded half up once.
--  2. 401(a)(17): plan compensation = prorated pay capped at the year's limit; deferrals on pay
--     above it are scaled down in proportion.
--  3. 402(g): deferrals capped at the limit plus the catch-up of the age reached by 31 December
--     (50+: catch-up; 60-63: the larger "super" catch-up instead).
--  4. Match: tier by tier on the capped deferrals, against plan compensation:
--     sum of match_rate x clamp(deferrals - employee_min x pay, 0, (employee_max - employee_min) x pay).
--  5. Core: the flat rate, or the step for years of service or age on the last day, x plan pay.
--  6. Match and core only for eligible employees meeting the plan's last-day and hours-worked
--     rules; long-term part-time employees defer only.
--  7. 414(v): deferrals above 415(c) count as catch-up within the age's catch-up room.
--  8. 415(c): deferrals (less catch-up) + match + core within the lesser of the limit and pay.
--     An excess is corrected in the scenario's order: deferrals_first (EPCRS: unmatched
--     deferrals, then matched deferrals with their match, then core) or employer_first (core,
--     then match, then deferrals).
-- IRS limits are the year's row of int_irs_limits_projected (shipped or projected); a year
-- without one stops the build.
with scenario as (
    select * from {{ ref('stg_scenario') }}
),

limits as (
    select year_limits.*
    from (select 1) as one
    left join {{ ref('int_irs_limits_projected') }} as year_limits on year_limits.plan_year = {{ simulation_year() }}
    where coalesce(year_limits.plan_year::varchar, error(
        'no IRS limits for plan year {{ simulation_year() }}: config_irs_limits begins later')) is not null
),

members as (
    select * from {{ ref('int_plan_eligibility_determined') }} where simulation_year = {{ simulation_year() }}
),

enrollments as (
    select * from {{ ref('int_enrollments_drawn') }} where simulation_year = {{ simulation_year() }}
),

changes as (
    select employee_id, period_start as change_date, 0 as change_order,
           starting_compensation as pay, starting_deferral_rate as rate
    from members
    union all
    select employee_id, effective_date, 1, compensation_after, null
    from {{ ref('int_promotions_drawn') }} where simulation_year = {{ simulation_year() }}
    union all
    select employee_id, effective_date, 2, compensation_after, null
    from {{ ref('int_merit_raises_applied') }} where simulation_year = {{ simulation_year() }}
    union all
    select employee_id, effective_date, 3, null, deferral_rate_after
    from {{ ref('int_deferral_escalations_applied') }} where simulation_year = {{ simulation_year() }}
    union all
    select employee_id, enrollment_date, 4, null, deferral_rate from enrollments
    union all
    select employee_id, opt_out_date, 5, null, 0 from enrollments where opted_out
),

filled as (
    select
        employee_id,
        change_date,
        last_value(pay ignore nulls) over timeline as pay,
        last_value(rate ignore nulls) over timeline as rate,
        lead(change_date) over (partition by employee_id order by change_date, change_order) as next_change_date,
        row_number() over (partition by employee_id order by change_date desc, change_order desc) as from_last
    from changes
    window timeline as (partition by employee_id order by change_date, change_order
                        rows between unbounded preceding and current row)
),

summed as (
    select
        filled.employee_id,
        sum({{ money_to_cents('filled.pay') }}::hugeint
            * date_diff('day', filled.change_date, coalesce(filled.next_change_date, members.period_end + 1))) as pay_cent_days,
        sum({{ money_to_cents('filled.pay') }}::hugeint
            * date_diff('day', filled.change_date, coalesce(filled.next_change_date, members.period_end + 1))
            * round(filled.rate * 100000)::hugeint) as deferral_cent_days_scaled,
        max(case when filled.from_last = 1 then filled.rate end)::decimal(7, 5) as ending_deferral_rate
    from filled
    join members using (employee_id)
    group by filled.employee_id
),

capped as (
    select
        members.*,
        summed.ending_deferral_rate,
        -- BIGINT cents keep DECIMAL products within 38 digits (beyond, DuckDB would use DOUBLE)
        {{ divide_round_half_up('summed.pay_cent_days', days_in_year()) }}::bigint as prorated_cents,
        {{ divide_round_half_up('summed.deferral_cent_days_scaled', days_in_year() ~ ' * 100000') }}::bigint as deferral_uncapped_cents,
        {{ money_to_cents('limits.compensation_limit') }} as compensation_limit_cents,
        {{ money_to_cents('limits.elective_deferral_limit') }} as elective_limit_cents,
        {{ money_to_cents('limits.annual_additions_limit') }} as annual_additions_limit_cents,
        {{ whole_years('members.birth_date', year_end()) }} as age_at_year_end,
        {{ whole_years('members.hire_date', 'members.period_end') }} as service_years,
        {{ money_to_cents(
            'limits.elective_deferral_limit + case
                when ' ~ whole_years('members.birth_date', year_end()) ~ ' between limits.super_catch_up_min_age and limits.super_catch_up_max_age
                    then limits.super_catch_up_limit
                when ' ~ whole_years('members.birth_date', year_end()) ~ ' >= limits.catch_up_age then limits.catch_up_limit
                else 0 end') }} as deferral_limit_cents,
        members.is_eligible
            and not members.is_long_term_part_time
            and (not scenario.match_requires_last_day or members.termination_date is null or (scenario.match_last_day_exempts_retirement and {{ retires_or_dies_this_year('members.employee_id') }}))
            and (scenario.match_minimum_hours is null or members.hours_worked >= scenario.match_minimum_hours) as receives_match,
        members.is_eligible
            and not members.is_long_term_part_time
            and scenario.core_basis <> 'none'
            and (not scenario.core_requires_last_day or members.termination_date is null or (scenario.core_last_day_exempts_retirement and {{ retires_or_dies_this_year('members.employee_id') }}))
            and (scenario.core_minimum_hours is null or members.hours_worked >= scenario.core_minimum_hours) as receives_core,
        scenario.core_basis,
        scenario.core_flat_rate,
        scenario.annual_additions_correction
    from members
    join summed using (employee_id)
    cross join limits
    cross join scenario
),

deferred as (
    select
        *,
        least(prorated_cents, compensation_limit_cents) as plan_compensation_cents,
        case when prorated_cents > compensation_limit_cents
             then {{ divide_round_half_up('deferral_uncapped_cents::hugeint * compensation_limit_cents', 'prorated_cents') }}::bigint
             else deferral_uncapped_cents end as deferral_on_plan_pay_cents
    from capped
),

limited as (
    select
        *,
        least(deferral_on_plan_pay_cents, deferral_limit_cents) as deferral_cents
    from deferred
),

matched as (
    select
        limited.employee_id,
        case when limited.receives_match
             then {{ match_on_deferrals('limited.deferral_cents', 'limited.plan_compensation_cents') }}
             else 0 end as match_cents
    from limited
    left join {{ ref('stg_match_tiers') }} as tiers on true
    group by limited.employee_id, limited.receives_match
),

cored as (
    select
        limited.employee_id,
        case when not limited.receives_core then 0
             else round(coalesce(case limited.core_basis
                     when 'flat' then limited.core_flat_rate
                     when 'service' then step_by_service.rate
                     when 'age' then step_by_age.rate end, 0) * limited.plan_compensation_cents)::bigint
        end as core_cents
    from limited
    left join {{ ref('stg_core_schedule') }} as step_by_service
        on limited.core_basis = 'service' and limited.service_years >= step_by_service.at_least
       and (step_by_service.below is null or limited.service_years < step_by_service.below)
    left join {{ ref('stg_core_schedule') }} as step_by_age
        on limited.core_basis = 'age' and limited.age_at_year_end >= step_by_age.at_least
       and (step_by_age.below is null or limited.age_at_year_end < step_by_age.below)
),

annual_additions as (
    select
        limited.*,
        matched.match_cents,
        cored.core_cents,
        greatest(limited.deferral_cents - limited.elective_limit_cents, 0) as deferral_catch_up_cents,
        least(limited.annual_additions_limit_cents, limited.prorated_cents) as additions_limit_cents
    from limited
    join matched using (employee_id)
    join cored using (employee_id)
),

-- 414(v): deferrals above 415(c) are catch-up too, within the age's catch-up room.
catch_up as (
    select
        *,
        deferral_catch_up_cents + least(
            greatest(deferral_cents - deferral_catch_up_cents + match_cents + core_cents - additions_limit_cents, 0),
            deferral_limit_cents - elective_limit_cents - deferral_catch_up_cents,
            deferral_cents - deferral_catch_up_cents) as catch_up_cents
    from annual_additions
),

excess as (
    select
        *,
        greatest(deferral_cents - catch_up_cents + match_cents + core_cents - additions_limit_cents, 0) as excess_cents
    from catch_up
),

-- The match as a function of deferrals, region by region: each tier and the gaps around it, in
-- rate units (1e-5 of pay): from start_units to end_units (null: no end), match_rate_units per
-- unit deferred, matched_below_units (1e-10 of pay) earned below the region.
tier_units as (
    select
        (employee_min * 100000)::bigint as min_units,
        (employee_max * 100000)::bigint as max_units,
        (match_rate * 100000)::bigint as rate_units,
        coalesce(sum((match_rate * 100000)::bigint * ((employee_max - employee_min) * 100000)::bigint)
            over (order by employee_min rows between unbounded preceding and 1 preceding), 0)::hugeint as matched_below_units,
        lead((employee_min * 100000)::bigint) over (order by employee_min) as next_min_units
    from {{ ref('stg_match_tiers') }}
),

match_regions as (
    select min_units as start_units, max_units as end_units, rate_units, matched_below_units from tier_units
    union all
    select max_units, next_min_units, 0, matched_below_units + rate_units * (max_units - min_units) from tier_units
    union all
    select 0, (select min(min_units) from tier_units), 0, 0::hugeint
),

-- deferrals_first (the EPCRS order): deferrals come back from the top, unmatched ones first, then
-- matched ones with the match they earned, down to the largest whole-cent amount y (never into
-- the catch-up) whose additions, with the match on y counted exactly, fit the limit less core:
-- (y - catch-up) + match(y) <= limit - core. In each region that is linear in y:
-- y x (1e10 + rate) <= (limit - core + catch-up) x 1e10 - matched below x pay + rate x start x pay;
-- the answer is the largest y that a region allows. Only matched rows over the limit are solved.
region_candidates as (
    select
        excess.employee_id,
        (excess.additions_limit_cents - excess.core_cents + excess.catch_up_cents)::hugeint * 10000000000
            - region.matched_below_units * excess.plan_compensation_cents
            + region.rate_units::hugeint * region.start_units * excess.plan_compensation_cents as numerator,
        10000000000 + region.rate_units::hugeint * 100000 as denominator,
        (region.start_units::hugeint * excess.plan_compensation_cents + 99999) // 100000 as region_first_cent,
        case when region.end_units is null then excess.deferral_cents
             else (region.end_units::hugeint * excess.plan_compensation_cents) // 100000 end as region_last_cent
    from excess
    cross join match_regions as region
    where excess.excess_cents > 0 and excess.receives_match and excess.annual_additions_correction = 'deferrals_first'
),

deferrals_solved as (
    select
        employee_id,
        max(least(numerator // denominator, region_last_cent))
            filter (where numerator >= 0 and least(numerator // denominator, region_last_cent) >= region_first_cent)
            as largest_deferral_cents
    from region_candidates
    group by employee_id
),

deferrals_returned as (
    select
        excess.*,
        case when excess.excess_cents = 0 or excess.annual_additions_correction <> 'deferrals_first'
                 then excess.deferral_cents
             when excess.receives_match
                 then greatest(least(coalesce(deferrals_solved.largest_deferral_cents, 0), excess.deferral_cents),
                               excess.catch_up_cents)
             else greatest(least(excess.additions_limit_cents - excess.core_cents + excess.catch_up_cents,
                                 excess.deferral_cents), excess.catch_up_cents)
        end::bigint as deferral_kept_cents
    from excess
    left join deferrals_solved using (employee_id)
),

rematched as (
    select
        kept.employee_id,
        case when kept.receives_match
             then {{ match_on_deferrals('kept.deferral_kept_cents', 'kept.plan_compensation_cents') }}
             else 0 end as match_kept_cents
    from deferrals_returned as kept
    left join {{ ref('stg_match_tiers') }} as tiers on true
    where kept.excess_cents > 0 and kept.annual_additions_correction = 'deferrals_first'
    group by kept.employee_id, kept.receives_match
),

-- What is still over the limit after returning deferrals (only when catch-up and core alone
-- exceed it) comes off core, then off the match left on the catch-up.
deferrals_first as (
    select
        kept.employee_id,
        kept.deferral_kept_cents,
        coalesce(rematched.match_kept_cents, kept.match_cents) as match_kept_cents,
        greatest(kept.deferral_kept_cents - kept.catch_up_cents + coalesce(rematched.match_kept_cents, kept.match_cents)
                 + kept.core_cents - kept.additions_limit_cents, 0) as still_over_cents
    from deferrals_returned as kept
    left join rematched using (employee_id)
),

reduced as (
    select
        excess.*,
        case when excess.annual_additions_correction = 'deferrals_first'
             then excess.core_cents - least(excess.core_cents, deferrals_first.still_over_cents)
             else excess.core_cents - least(excess.core_cents, excess.excess_cents) end as core_final_cents,
        case when excess.annual_additions_correction = 'deferrals_first'
             then deferrals_first.match_kept_cents
                  - greatest(deferrals_first.still_over_cents - excess.core_cents, 0)
             else excess.match_cents - least(excess.match_cents, greatest(excess.excess_cents - excess.core_cents, 0))
        end as match_final_cents,
        case when excess.annual_additions_correction = 'deferrals_first'
             then deferrals_first.deferral_kept_cents
             else excess.deferral_cents - greatest(excess.excess_cents - excess.core_cents - excess.match_cents, 0)
        end as deferral_final_cents
    from excess
    join deferrals_first using (employee_id)
)

select
    scenario_id,
    simulation_year,
    employee_id,
    ending_deferral_rate,
    age_at_year_end,
    {{ cents_to_money('prorated_cents') }} as prorated_compensation,
    {{ cents_to_money('plan_compensation_cents') }} as plan_compensation,
    {{ cents_to_money('deferral_uncapped_cents') }} as deferral_before_limits,
    {{ cents_to_money('deferral_limit_cents') }} as deferral_limit,
    {{ cents_to_money('deferral_final_cents') }} as employee_contribution,
    {{ cents_to_money('least(catch_up_cents, deferral_final_cents)') }} as catch_up_contribution,
    {{ cents_to_money('match_final_cents') }} as employer_match,
    {{ cents_to_money('core_final_cents') }} as employer_core,
    {{ cents_to_money('additions_limit_cents') }} as annual_additions_limit,
    receives_match,
    receives_core
from reduced
