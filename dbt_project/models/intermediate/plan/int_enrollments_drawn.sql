-- Enrollments of employees eligible this year and not enrolled on 1 January.
--  * Auto-enrollment (when on, for those in scope who never opted out): on the eligibility date
--    (or 1 January of the first year, for census employees in scope `all_not_enrolled`) plus the
--    enrollment window, at the default rate, when that day falls within this year's employment.
--    An auto-enrollee opts out with the probability of their age band x pay band, on a day within
--    the grace period (by their last day of employment or 31 December at the latest).
--  * Voluntary enrollment (when on, for everyone else eligible): with the probability of their
--    age band, on a day between eligibility (or 1 January) and their last day, at the rate of
--    their age band x pay band.
with scenario as (
    select * from {{ ref('stg_scenario') }}
),

candidates as (
    select
        members.*,
        scenario.random_seed,
        scenario.auto_enrollment_enabled
            and not members.opted_out_at_start
            and (scenario.auto_enrollment_scope = 'all_not_enrolled'
                 or members.hire_date >= make_date(scenario.start_year, 1, 1)) as in_auto_scope,
        (greatest(members.eligibility_date, make_date(scenario.start_year, 1, 1))
            + scenario.auto_enrollment_window_days)::date as auto_enrollment_date,
        greatest(members.eligibility_date, members.period_start) as voluntary_window_start,
        scenario.auto_enrollment_default_rate,
        scenario.opt_out_grace_days,
        scenario.voluntary_enrollment_enabled
    from {{ ref('int_plan_eligibility_determined') }} as members
    cross join scenario
    where members.simulation_year = {{ simulation_year() }}
      and members.is_eligible
      and not members.enrolled_at_start
),

drawn as (
    {{ random_draws(
        "select * from candidates", "employee_key", "random_seed", simulation_year(),
        streams(["opt_out", "opt_out_date", "voluntary_enrollment", "voluntary_enrollment_date"])) }}
),

banded as (
    select
        drawn.*,
        case when drawn.in_auto_scope then drawn.auto_enrollment_date else drawn.voluntary_window_start end as band_date,
        pay_band.pay_band_id
    from drawn
    left join {{ ref('config_pay_bands') }} as pay_band
        on drawn.starting_compensation >= pay_band.min_compensation
       and drawn.starting_compensation < pay_band.max_compensation
),

aged as (
    select banded.*, age_band.age_band_id
    from banded
    left join {{ ref('config_age_bands') }} as age_band
        on {{ whole_years('banded.birth_date', 'banded.band_date') }} >= age_band.min_age
       and {{ whole_years('banded.birth_date', 'banded.band_date') }} < age_band.max_age
),

automatic as (
    select
        aged.scenario_id, aged.employee_id,
        'auto' as enrollment_type,
        aged.auto_enrollment_date as enrollment_date,
        aged.auto_enrollment_default_rate as deferral_rate,
        {{ draw_is_below('aged.h_opt_out', 'coalesce(opt_out.opt_out_rate, 0)') }} as opted_out,
        least(
            (aged.auto_enrollment_date + {{ draw_below('aged.h_opt_out_date', 'aged.opt_out_grace_days + 1') }}::integer)::date,
            aged.period_end
        ) as opt_out_candidate_date
    from aged
    left join {{ ref('config_auto_enrollment_opt_out_rates') }} as opt_out
        on opt_out.age_band_id = aged.age_band_id and opt_out.pay_band_id = aged.pay_band_id
    where aged.in_auto_scope
      and aged.auto_enrollment_date between {{ year_start() }} and aged.period_end
),

voluntary as (
    select
        aged.scenario_id, aged.employee_id,
        'voluntary' as enrollment_type,
        (aged.voluntary_window_start + {{ draw_below(
            'aged.h_voluntary_enrollment_date',
            "date_diff('day', aged.voluntary_window_start, aged.period_end) + 1") }}::integer)::date as enrollment_date,
        chosen.deferral_rate,
        false as opted_out,
        null::date as opt_out_candidate_date
    from aged
    join {{ ref('config_voluntary_enrollment') }} as probability on probability.age_band_id = aged.age_band_id
    join {{ ref('config_voluntary_deferral_rates') }} as chosen
        on chosen.age_band_id = aged.age_band_id and chosen.pay_band_id = aged.pay_band_id
    where aged.voluntary_enrollment_enabled
      and not aged.in_auto_scope
      and {{ draw_is_below('aged.h_voluntary_enrollment', 'probability.enrollment_probability') }}
)

select
    scenario_id,
    {{ simulation_year() }} as simulation_year,
    employee_id,
    enrollment_type,
    enrollment_date,
    deferral_rate::decimal(7, 5) as deferral_rate,
    opted_out,
    case when opted_out then opt_out_candidate_date end as opt_out_date
from (select * from automatic union all select * from voluntary)
