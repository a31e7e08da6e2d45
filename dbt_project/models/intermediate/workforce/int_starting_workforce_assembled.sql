-- The workforce on 1 January: the census baseline in the first year, otherwise the employees
-- active on 31 December of the previous year. Age and tenure are whole years on 1 January,
-- computed from the dates, so they advance with the year. The plan state (eligibility,
-- enrollment, deferral rate, opt-out), the account balances and the vesting service on 31 December
-- carry over unchanged (in the first year the census's, see int_baseline_workforce_prepared), with
-- the pay earned in the year before (first year: the census's prior_year_compensation, else its
-- pay rate) for the plan's look-back rules.
with carried as (
    {% if is_first_year() %}
    select
        scenario.scenario_id, employee_id, employee_key, birth_date, hire_date,
        level_id, annual_compensation, deferral_rate, is_enrolled,
        eligibility_date, enrollment_date, has_opted_out, scheduled_hours,
        employee_balance, match_balance, core_balance, vesting_service_years,
        coalesce(prior_year_compensation, annual_compensation) as prior_year_compensation
    from {{ ref('int_baseline_workforce_prepared') }}
    cross join {{ ref('stg_scenario') }} as scenario
    {% else %}
    select
        scenario_id, employee_id, employee_key, birth_date, hire_date,
        level_id, annual_compensation, deferral_rate, is_enrolled,
        eligibility_date, enrollment_date, has_opted_out, scheduled_hours,
        -- a snapshot built before balances existed has nulls there
        coalesce(employee_balance, 0)::decimal(18, 2) as employee_balance,
        coalesce(match_balance, 0)::decimal(18, 2) as match_balance,
        coalesce(core_balance, 0)::decimal(18, 2) as core_balance,
        coalesce(vesting_service_years,
                 {{ whole_years('hire_date', 'make_date(' ~ simulation_year() ~ ' - 1, 12, 31)') }}) as vesting_service_years,
        prorated_compensation as prior_year_compensation
    from {{ previous_year_snapshot() }}
    where scenario_id = {{ scenario_id() }}
      and simulation_year = {{ simulation_year() }} - 1
      and employment_status = 'active'
    {% endif %}
),

aged as (
    select
        *,
        {{ whole_years('birth_date', year_start()) }} as age,
        {{ whole_years('hire_date', year_start()) }} as tenure_years
    from carried
)

select
    aged.scenario_id,
    {{ simulation_year() }} as simulation_year,
    aged.employee_id,
    aged.employee_key,
    aged.birth_date,
    aged.hire_date,
    aged.level_id,
    aged.annual_compensation,
    aged.deferral_rate,
    aged.is_enrolled,
    aged.eligibility_date,
    aged.enrollment_date,
    aged.has_opted_out,
    aged.scheduled_hours,
    aged.age,
    aged.tenure_years,
    aged.employee_balance,
    aged.match_balance,
    aged.core_balance,
    aged.vesting_service_years,
    aged.prior_year_compensation,
    age_band.age_band_id,
    tenure_band.tenure_band_id
from aged
left join {{ ref('config_age_bands') }} as age_band
    on aged.age >= age_band.min_age and aged.age < age_band.max_age
left join {{ ref('config_tenure_bands') }} as tenure_band
    on aged.tenure_years >= tenure_band.min_tenure_years
   and aged.tenure_years < tenure_band.max_tenure_years
