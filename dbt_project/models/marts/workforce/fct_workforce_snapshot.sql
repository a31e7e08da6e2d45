{{ config(meta={'dagster': {'has_self_dependency': true}}) }}
-- One row per employee employed at any time in the year, with the state on 31 December (or on the
-- termination date). Next year's starting workforce is this year's `active` rows, which is why
-- Dagster gives this asset a dependency on its own previous partition.
--
-- Prorated pay sums each pay segment of the year (start, promotion, merit) as cents x days, and
-- divides once by the days in the year, rounding half up: exact, whatever the engine.
with starting as (
    select
        scenario_id, employee_id, employee_key, birth_date, hire_date, level_id,
        annual_compensation, deferral_rate, is_enrolled, false as is_new_hire
    from {{ ref('int_starting_workforce_assembled') }}
    where simulation_year = {{ simulation_year() }}
),

hires as (
    select
        scenario_id, employee_id, employee_key, birth_date, hire_date, level_id,
        annual_compensation, deferral_rate, is_enrolled, true as is_new_hire
    from {{ ref('int_new_hires_generated') }}
    where simulation_year = {{ simulation_year() }}
),

terminations as (
    select employee_id, termination_date
    from {{ ref('int_experienced_terminations_selected') }}
    where simulation_year = {{ simulation_year() }}
    union all
    select employee_id, termination_date
    from {{ ref('int_new_hire_terminations_selected') }}
    where simulation_year = {{ simulation_year() }}
),

promotions as (
    select * from {{ ref('int_promotions_drawn') }} where simulation_year = {{ simulation_year() }}
),

merits as (
    select * from {{ ref('int_merit_raises_applied') }} where simulation_year = {{ simulation_year() }}
),

people as (
    select
        person.*,
        terminations.termination_date,
        promotions.effective_date as promotion_date,
        promotions.level_after as promoted_level_id,
        promotions.compensation_after as promoted_compensation,
        merits.effective_date as merit_date,
        merits.compensation_after as merit_compensation,
        greatest(person.hire_date, {{ year_start() }}) as period_start,
        coalesce(terminations.termination_date, {{ year_end() }}) as period_end
    from (select * from starting union all select * from hires) as person
    left join terminations on terminations.employee_id = person.employee_id
    left join promotions on promotions.employee_id = person.employee_id
    left join merits on merits.employee_id = person.employee_id
),

segmented as (
    select
        *,
        -- segment 0: from the period start to the day before the first change
        date_diff('day', period_start, coalesce(promotion_date, merit_date, period_end + 1)) as days_at_starting_pay,
        -- segment 1: from the promotion to the day before the merit raise
        case when promotion_date is null then 0
             else date_diff('day', promotion_date, coalesce(merit_date, period_end + 1)) end as days_at_promoted_pay,
        -- segment 2: from the merit raise to the end of the period
        case when merit_date is null then 0
             else date_diff('day', merit_date, period_end + 1) end as days_at_merit_pay
    from people
),

prorated as (
    select
        *,
        {{ money_to_cents('annual_compensation') }}::hugeint * days_at_starting_pay
        + coalesce({{ money_to_cents('promoted_compensation') }}, 0)::hugeint * days_at_promoted_pay
        + coalesce({{ money_to_cents('merit_compensation') }}, 0)::hugeint * days_at_merit_pay
            as pay_cent_days
    from segmented
)

select
    scenario_id,
    {{ simulation_year() }} as simulation_year,
    employee_id,
    employee_key,
    case when termination_date is null then 'active' else 'terminated' end as employment_status,
    case
        when termination_date is null and not is_new_hire then 'continuous_active'
        when termination_date is null and is_new_hire then 'new_hire_active'
        when not is_new_hire then 'experienced_termination'
        else 'new_hire_termination'
    end as status_detail,
    hire_date,
    termination_date,
    birth_date,
    {{ whole_years('birth_date', year_end()) }} as age,
    {{ whole_years('hire_date', 'period_end') }} as tenure_years,
    coalesce(promoted_level_id, level_id)::integer as level_id,
    coalesce(merit_compensation, promoted_compensation, annual_compensation)::decimal(18, 2) as annual_compensation,
    {{ cents_to_money(divide_round_half_up('pay_cent_days', days_in_year())) }} as prorated_compensation,
    is_enrolled,
    deferral_rate
from prorated
