-- Contributions for the year, per employee, exactly (integer cents):
--  1. Deferrals: every pay change (start, promotion, merit) and deferral change (escalation,
--     enrollment, opt-out) cuts the year into segments; deferral = sum of pay cents x days x rate
--     / days in the year, rounded half up once.
--  2. 401(a)(17): plan compensation = prorated pay capped at the year's limit; deferrals on pay
--     above it are scaled down in proportion.
--  3. 402(g): deferrals capped at the limit plus the catch-up of the age reached by 31 December
--     (50+: catch-up; 60-63: the larger "super" catch-up instead). SECURE 2.0 section 603 (IRC
--     414(v)(7)): in a year the rule is in force, an employee whose pay from the employer in the
--     previous year (FICA wages: the previous snapshot's prorated pay; first year: the census's
--     prior_year_compensation, else its pay rate) exceeded the year's threshold may make catch-up
--     only as Roth: with roth_available their catch-up is reported as roth_catch_up, without it
--     they have no catch-up room at all (deferrals stop at 402(g)).
--  4. Match (IRC 401(m)), against the match compensation: match.compensation plan_year, the plan
--     compensation; while_participant, the pay earned from the day the year's deferrals start
--     (the enrollment date of an employee who enrolls in the year, else the first day employed in
--     the year), capped at the full 401(a)(17) limit (not prorated for a part year of
--     participation, Treas. Reg. 1.401(a)(17)-1(b)(3)(iii)). The deferrals matched are those less
--     the 402(g) catch-up when match.on_catch_up is false.
--     - true_up: the tier formula on the year's totals:
--       sum of match_rate x clamp(deferrals - employee_min x pay, 0, (employee_max - employee_min) x pay).
--     - no true-up (per pay period): each segment earns the formula on its own rate and pay,
--       f(rate) x segment pay; the year's match is their sum, scaled by the share of the
--       deferrals that the limits (401(a)(17), 402(g), and the catch-up when unmatched) let
--       through, as those cuts take deferrals, and the match on them, from every segment alike.
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

-- pay earned in the previous year, for the Roth catch-up wage test (hires of the year have none)
previous_pay as (
    select employee_id, prior_year_compensation
    from {{ ref('int_starting_workforce_assembled') }} where simulation_year = {{ simulation_year() }}
),

-- the day the year's deferrals start: match compensation while a participant runs from it
match_start as (
    select members.employee_id, coalesce(enrollments.enrollment_date, members.period_start) as match_start_date
    from members
    left join enrollments using (employee_id)
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

segments as (
    select
        filled.employee_id,
        filled.change_date,
        filled.from_last,
        filled.rate,
        round(filled.rate * 100000)::bigint as rate_units,
        {{ money_to_cents('filled.pay') }}::hugeint
            * date_diff('day', filled.change_date, coalesce(filled.next_change_date, members.period_end + 1)) as pay_cent_days
    from filled
    join members using (employee_id)
),

-- Without a true-up, each segment's match f(rate) x pay, summed over the match's tiers: in
-- 1e-10 of pay x cent-days (matched_units), and the deferrals inside matched tiers in 1e-5 of
-- pay x cent-days (matched_deferral_units), which 415(c) returns last.
period_match as (
    select
        segments.employee_id,
        sum(segments.pay_cent_days * (tiers.match_rate * 100000)::bigint
            * least(greatest(segments.rate_units - (tiers.employee_min * 100000)::bigint, 0),
                    ((tiers.employee_max - tiers.employee_min) * 100000)::bigint)) as matched_units,
        coalesce(sum(segments.pay_cent_days
            * least(greatest(segments.rate_units - (tiers.employee_min * 100000)::bigint, 0),
                    ((tiers.employee_max - tiers.employee_min) * 100000)::bigint))
            filter (where tiers.match_rate > 0), 0) as matched_deferral_units
    from segments
    cross join {{ ref('stg_match_tiers') }} as tiers
    cross join scenario
    where not scenario.match_true_up
    group by segments.employee_id
),

summed as (
    select
        segments.employee_id,
        sum(segments.pay_cent_days) as pay_cent_days,
        sum(segments.pay_cent_days) filter (where segments.change_date >= match_start.match_start_date)
            as participant_pay_cent_days,
        sum(segments.pay_cent_days * segments.rate_units) as deferral_cent_days_scaled,
        max(case when segments.from_last = 1 then segments.rate end)::decimal(7, 5) as ending_deferral_rate
    from segments
    join match_start using (employee_id)
    group by segments.employee_id
),

capped as (
    select
        members.*,
        summed.ending_deferral_rate,
        -- BIGINT cents keep DECIMAL products within 38 digits (beyond, DuckDB would use DOUBLE)
        {{ divide_round_half_up('summed.pay_cent_days', days_in_year()) }}::bigint as prorated_cents,
        {{ divide_round_half_up('summed.deferral_cent_days_scaled', days_in_year() ~ ' * 100000') }}::bigint as deferral_uncapped_cents,
        {{ divide_round_half_up('coalesce(summed.participant_pay_cent_days, 0)', days_in_year()) }}::bigint as participant_pay_cents,
        coalesce(period_match.matched_units, 0) as period_matched_units,
        coalesce(period_match.matched_deferral_units, 0) as period_matched_deferral_units,
        {{ money_to_cents('limits.compensation_limit') }} as compensation_limit_cents,
        {{ money_to_cents('limits.elective_deferral_limit') }} as elective_limit_cents,
        {{ money_to_cents('limits.annual_additions_limit') }} as annual_additions_limit_cents,
        {{ whole_years('members.birth_date', year_end()) }} as age_at_year_end,
        {{ whole_years('members.hire_date', 'members.period_end') }} as service_years,
        coalesce(previous_pay.prior_year_compensation, 0)::decimal(18, 2) as prior_year_compensation,
        -- SECURE 2.0 section 603: previous-year wages above the threshold, catch-up only as Roth
        limits.roth_catch_up_in_force
            and coalesce(previous_pay.prior_year_compensation > limits.roth_catch_up_wage_threshold, false)
            as roth_catch_up_required,
        {{ money_to_cents(
            'limits.elective_deferral_limit + case
                when limits.roth_catch_up_in_force and not scenario.roth_available
                     and coalesce(previous_pay.prior_year_compensation > limits.roth_catch_up_wage_threshold, false)
                    then 0
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
        scenario.annual_additions_correction,
        scenario.match_compensation,
        scenario.match_true_up,
        scenario.match_on_catch_up
    from members
    join summed using (employee_id)
    left join period_match using (employee_id)
    left join previous_pay using (employee_id)
    cross join limits
    cross join scenario
),

deferred as (
    select
        *,
        least(prorated_cents, compensation_limit_cents) as plan_compensation_cents,
        least(case when match_compensation = 'plan_year' then prorated_cents else participant_pay_cents end,
              compensation_limit_cents) as match_compensation_cents,
        case when prorated_cents > compensation_limit_cents
             then {{ divide_round_half_up('deferral_uncapped_cents::hugeint * compensation_limit_cents', 'prorated_cents') }}::bigint
             else deferral_uncapped_cents end as deferral_on_plan_pay_cents
    from capped
),

limited as (
    select
        *,
        least(deferral_on_plan_pay_cents, deferral_limit_cents) as deferral_cents,
        -- the catch-up above 402(g) that is not matched (match.on_catch_up false)
        case when match_on_catch_up then 0
             else greatest(least(deferral_on_plan_pay_cents, deferral_limit_cents) - elective_limit_cents, 0)
        end as unmatched_catch_up_cents
    from deferred
),

matched as (
    select
        limited.employee_id,
        case when not limited.receives_match then 0
             when limited.match_true_up
                 then {{ match_on_deferrals('limited.deferral_cents - limited.unmatched_catch_up_cents',
                                            'limited.match_compensation_cents') }}
             when limited.deferral_uncapped_cents = 0 then 0
             else {{ divide_round_half_up(
                 'limited.period_matched_units * (limited.deferral_cents - limited.unmatched_catch_up_cents)',
                 days_in_year() ~ '::hugeint * 10000000000 * limited.deferral_uncapped_cents') }}::bigint
        end as match_cents
    from limited
    left join {{ ref('stg_match_tiers') }} as tiers on true
    group by limited.employee_id, limited.receives_match, limited.match_true_up, limited.deferral_cents,
             limited.unmatched_catch_up_cents, limited.match_compensation_cents, limited.deferral_uncapped_cents,
             limited.period_matched_units
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
-- (y - catch-up) + match(y) <= limit - core. The match reads the deferrals less the unmatched
-- catch-up u (z = y - u), so with the true-up, in each region of the formula that is linear in z:
-- z x (1e10 + rate) <= (limit - core + catch-up - u) x 1e10 - matched below x pay + rate x start x pay;
-- the answer is the largest z that a region allows, y = z + u. Only matched rows over the limit are solved.
region_candidates as (
    select
        excess.employee_id,
        (excess.additions_limit_cents - excess.core_cents + excess.catch_up_cents - excess.unmatched_catch_up_cents)::hugeint
            * 10000000000
            - region.matched_below_units * excess.match_compensation_cents
            + region.rate_units::hugeint * region.start_units * excess.match_compensation_cents as numerator,
        10000000000 + region.rate_units::hugeint * 100000 as denominator,
        (region.start_units::hugeint * excess.match_compensation_cents + 99999) // 100000 as region_first_cent,
        case when region.end_units is null then excess.deferral_cents - excess.unmatched_catch_up_cents
             else (region.end_units::hugeint * excess.match_compensation_cents) // 100000 end as region_last_cent
    from excess
    cross join match_regions as region
    where excess.excess_cents > 0 and excess.receives_match and excess.match_true_up
      and excess.annual_additions_correction = 'deferrals_first'
),

-- Without a true-up the match follows the matched deferrals kept. With K the matchable deferrals
-- (deferrals less u), U the deferrals before the limits, S_f the segments' matched units and S_g
-- their deferrals inside matched tiers (period_match): the match is m = S_f x K / (days x 1e10 x U)
-- and the deferrals it was earned on M = S_g x K / (days x 1e5 x U), so that keeping z matchable
-- deferrals keeps a match of m x min(z, M) / M = S_f x min(z, M) / (1e5 x S_g). Unmatched deferrals
-- come back first (z >= M: z <= target - m), then matched ones with their match
-- (z <= M: z x (1e5 x S_g + S_f) <= target x 1e5 x S_g). (M, unrounded, may exceed K by a fraction
-- of a cent: then only the second case applies.)
period_candidates as (
    select
        excess.employee_id,
        excess.additions_limit_cents - excess.core_cents + excess.catch_up_cents - excess.unmatched_catch_up_cents
            as target_cents,
        excess.deferral_cents - excess.unmatched_catch_up_cents as matchable_cents,
        {{ days_in_year() }} * greatest(excess.deferral_uncapped_cents, 1)::hugeint as period_units,
        excess.period_matched_units,
        excess.period_matched_deferral_units
    from excess
    where excess.excess_cents > 0 and excess.receives_match and not excess.match_true_up
      and excess.annual_additions_correction = 'deferrals_first'
),

period_regions as (
    select
        employee_id,
        -- z >= M: all the matched deferrals kept, the match whole
        case when target_cents * period_units * 10000000000 >= period_matched_units * matchable_cents
             then least((target_cents * period_units * 10000000000 - period_matched_units * matchable_cents)
                        // (period_units * 10000000000), matchable_cents) end as kept_if_unmatched_returned,
        -- z <= M: matched deferrals returned with their match
        case when target_cents >= 0 and period_matched_deferral_units > 0
             then (target_cents::hugeint * 100000 * period_matched_deferral_units)
                  // (100000 * period_matched_deferral_units + period_matched_units) end as kept_if_matched_returned,
        period_units,
        period_matched_deferral_units,
        matchable_cents
    from period_candidates
),

deferrals_solved as (
    select
        employee_id,
        max(least(numerator // denominator, region_last_cent))
            filter (where numerator >= 0 and least(numerator // denominator, region_last_cent) >= region_first_cent)
            as largest_matchable_cents
    from region_candidates
    group by employee_id
    union all
    select
        employee_id,
        greatest(
            case when kept_if_unmatched_returned * period_units * 100000 >= period_matched_deferral_units * matchable_cents
                 then kept_if_unmatched_returned end,
            case when kept_if_matched_returned * period_units * 100000 <= period_matched_deferral_units * matchable_cents
                 then kept_if_matched_returned end)
    from period_regions
),

deferrals_returned as (
    select
        excess.*,
        case when excess.excess_cents = 0 or excess.annual_additions_correction <> 'deferrals_first'
                 then excess.deferral_cents
             when excess.receives_match
                 then greatest(least(coalesce(deferrals_solved.largest_matchable_cents + excess.unmatched_catch_up_cents, 0),
                                     excess.deferral_cents),
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
        case when not kept.receives_match then 0
             when kept.match_true_up
                 then {{ match_on_deferrals('kept.deferral_kept_cents - kept.unmatched_catch_up_cents',
                                            'kept.match_compensation_cents') }}
             -- the matched deferrals all kept: the whole match
             when (kept.deferral_kept_cents - kept.unmatched_catch_up_cents)::hugeint * {{ days_in_year() }}
                      * greatest(kept.deferral_uncapped_cents, 1) * 100000
                  >= kept.period_matched_deferral_units * (kept.deferral_cents - kept.unmatched_catch_up_cents)
                 then kept.match_cents
             else {{ divide_round_half_up(
                 'kept.period_matched_units * (kept.deferral_kept_cents - kept.unmatched_catch_up_cents)',
                 '100000 * kept.period_matched_deferral_units') }}::bigint
        end as match_kept_cents
    from deferrals_returned as kept
    left join {{ ref('stg_match_tiers') }} as tiers on true
    where kept.excess_cents > 0 and kept.annual_additions_correction = 'deferrals_first'
    group by kept.employee_id, kept.receives_match, kept.match_true_up, kept.deferral_kept_cents,
             kept.unmatched_catch_up_cents, kept.match_compensation_cents, kept.deferral_uncapped_cents,
             kept.period_matched_deferral_units, kept.deferral_cents, kept.match_cents, kept.period_matched_units
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
    {{ cents_to_money('case when roth_catch_up_required then least(catch_up_cents, deferral_final_cents) else 0 end') }}
        as roth_catch_up,
    prior_year_compensation,
    roth_catch_up_required,
    {{ cents_to_money('match_compensation_cents') }} as match_compensation,
    {{ cents_to_money('match_final_cents') }} as employer_match,
    {{ cents_to_money('core_final_cents') }} as employer_core,
    {{ cents_to_money('additions_limit_cents') }} as annual_additions_limit,
    receives_match,
    receives_core
from reduced
