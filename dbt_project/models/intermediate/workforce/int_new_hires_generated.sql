-- The year's hires: ids and keys from the year and a sequence number; level by the new-hire mix,
-- age by the age distribution, hire date uniform over the year but its last day (so a new-hire
-- termination always has a later day to fall on), pay uniform between the level's pay percentiles
-- of the year's indexed band (int_new_hire_pay_bands_indexed), and the schedule (scheduled hours;
-- null: full time) drawn from the census's active employees, each value weighted by how many
-- have it, so that hires keep the census's full-time / part-time mix.
-- Every choice is an exact integer function of one draw. A hire starts outside the plan, with
-- the eligibility date of the plan's rule for the schedule.
with needs as (
    select * from {{ ref('int_workforce_needs_solved') }} where simulation_year = {{ simulation_year() }}
),

sequenced as (
    select
        needs.scenario_id,
        unnest(generate_series(1, needs.hires)) as hire_sequence
    from needs
),

identified as (
    select
        sequenced.scenario_id,
        sequenced.hire_sequence,
        'NH' || {{ simulation_year() }}::varchar || '_' || lpad(sequenced.hire_sequence::varchar, 6, '0') as employee_id,
        scenario.random_seed
    from sequenced
    cross join {{ ref('stg_scenario') }} as scenario
),

keyed as (
    select *, {{ employee_key('employee_id') }} as employee_key from identified
),

drawn as (
    {{ random_draws(
        "select * from keyed", "employee_key", "random_seed", simulation_year(),
        streams(["new_hire_level", "new_hire_age", "new_hire_date", "new_hire_pay", "new_hire_birth_day",
                 "new_hire_schedule"])) }}
),

level_mix as (
    select
        level_id,
        pay_percentile_low,
        pay_percentile_high,
        sum(mix_weight) over (order by level_id) - mix_weight as cumulative_low,
        sum(mix_weight) over (order by level_id) as cumulative_high,
        sum(mix_weight) over () as total_weight
    from {{ ref('config_new_hire_levels') }}
),

age_mix as (
    select
        age_at_hire,
        sum(weight) over (order by age_at_hire) - weight as cumulative_low,
        sum(weight) over (order by age_at_hire) as cumulative_high,
        sum(weight) over () as total_weight
    from {{ ref('config_new_hire_ages') }}
),

schedule_mix as (
    select
        scheduled_hours,
        sum(count(*)) over (order by scheduled_hours nulls first) - count(*) as cumulative_low,
        sum(count(*)) over (order by scheduled_hours nulls first) as cumulative_high,
        sum(count(*)) over () as total_weight
    from {{ ref('int_baseline_workforce_prepared') }}
    group by scheduled_hours
),

chosen as (
    select
        drawn.*,
        level_mix.level_id,
        age_mix.age_at_hire,
        schedule_mix.scheduled_hours,
        ({{ year_start() }} + {{ draw_below('drawn.h_new_hire_date', days_in_year() ~ ' - 1') }}::integer)::date as hire_date,
        {{ money_to_cents('band.min_compensation + (band.max_compensation - band.min_compensation) * level_mix.pay_percentile_low') }} as pay_low_cents,
        {{ money_to_cents('band.min_compensation + (band.max_compensation - band.min_compensation) * level_mix.pay_percentile_high') }} as pay_high_cents
    from drawn
    join level_mix
        on {{ draw_below('drawn.h_new_hire_level', 'level_mix.total_weight') }} >= level_mix.cumulative_low
       and {{ draw_below('drawn.h_new_hire_level', 'level_mix.total_weight') }} < level_mix.cumulative_high
    join age_mix
        on {{ draw_below('drawn.h_new_hire_age', 'age_mix.total_weight') }} >= age_mix.cumulative_low
       and {{ draw_below('drawn.h_new_hire_age', 'age_mix.total_weight') }} < age_mix.cumulative_high
    join schedule_mix
        on {{ draw_below('drawn.h_new_hire_schedule', 'schedule_mix.total_weight') }} >= schedule_mix.cumulative_low
       and {{ draw_below('drawn.h_new_hire_schedule', 'schedule_mix.total_weight') }} < schedule_mix.cumulative_high
    join {{ ref('int_new_hire_pay_bands_indexed') }} as band
        on band.level_id = level_mix.level_id and band.plan_year = {{ simulation_year() }}
),

birth_year as (
    select
        *,
        {{ simulation_year() }} - age_at_hire as birth_year
    from chosen
),

born as (
    select
        scenario_id,
        {{ simulation_year() }} as simulation_year,
        employee_id,
        employee_key,
        hire_sequence,
        hire_date,
        (make_date(birth_year, 1, 1) + {{ draw_below(
        'h_new_hire_birth_day',
        "date_diff('day', make_date(birth_year, 1, 1), make_date(birth_year + 1, 1, 1))") }}::integer)::date as birth_date,
        level_id,
        {{ cents_to_money('pay_low_cents + ' ~ draw_below('h_new_hire_pay', 'pay_high_cents - pay_low_cents + 1')) }} as annual_compensation,
        0::decimal(7, 5) as deferral_rate,
        false as is_enrolled,
        scheduled_hours
    from birth_year
)

select
    born.* exclude (scheduled_hours),
    {{ plan_eligibility_rule_date('born.birth_date', 'born.hire_date', 'born.scheduled_hours') }} as eligibility_date,
    null::date as enrollment_date,
    false as has_opted_out,
    born.scheduled_hours::decimal(9, 2) as scheduled_hours
from born
cross join {{ ref('stg_scenario') }} as scenario
