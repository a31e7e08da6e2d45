"""The retirement plan on real runs: contributions equal the Python reference row by row, the
census covers the limit cases, the match formula moves only employer cost, core by service."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.integration.conftest import SEED
from workforce_platform.orchestration.fingerprint import table_fingerprint
from workforce_platform.simulation.plan_contributions import (
    IrsLimits, Tier, apply_annual_additions_limit, deferral_limit, match_amount,
)

STRETCH_MATCH = {"plan": {"match": {"tiers": [{"employee_min": 0, "employee_max": 0.06, "match_rate": 0.5}]}}}
SERVICE_CORE = {"plan": {"core": {"basis": "service", "schedule": [
    {"at_least": 0, "rate": 0.02}, {"at_least": 5, "rate": 0.03}, {"at_least": 15, "rate": 0.04}]}}}


def _limits(con, year):
    row = con.execute("""select elective_deferral_limit, catch_up_limit, super_catch_up_limit, compensation_limit,
                                annual_additions_limit, catch_up_age, super_catch_up_min_age, super_catch_up_max_age
                         from config_irs_limits where plan_year <= ? order by plan_year desc limit 1""", [year]).fetchall()[0]
    return IrsLimits(*row)


def _recompute(con, year, core_rate=lambda row: Decimal(0)):
    tiers = [Tier(*r) for r in con.execute("select employee_min, employee_max, match_rate from stg_match_tiers order by tier").fetchall()]
    limits = _limits(con, year)
    rows = con.execute("""
        select c.employee_id, c.deferral_before_limits, c.prorated_compensation, c.plan_compensation, c.age_at_year_end,
               c.receives_match, c.receives_core, c.employee_contribution, c.employer_match, c.employer_core,
               s.tenure_years
        from int_plan_contributions_calculated c join fct_workforce_snapshot s using (simulation_year, employee_id)
        where c.simulation_year = ?""", [year]).fetchall()
    for (employee_id, uncapped, prorated, plan_pay, age, gets_match, gets_core, employee, match, core, tenure) in rows:
        deferral = uncapped
        if prorated > limits.compensation_limit:
            deferral = (uncapped * limits.compensation_limit / prorated).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        deferral = min(deferral, deferral_limit(age, limits))
        expected_match = match_amount(deferral, plan_pay, tiers) if gets_match else Decimal(0)
        expected_core = (core_rate(tenure) * plan_pay).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if gets_core else Decimal(0)
        catch_up = max(deferral - limits.elective_deferral_limit, Decimal(0))
        expected = apply_annual_additions_limit(deferral, catch_up, expected_match, expected_core, prorated, limits)
        assert (employee, match, core) == expected, employee_id
    return rows


@pytest.mark.parametrize("year", [2025, 2027, 2029])
def test_contributions_equal_the_python_reference(runs, year):
    con = runs.connect(seed=SEED)
    try:
        assert len(_recompute(con, year)) > 0
    finally:
        con.close()


def test_census_covers_every_limit_case(runs):
    con = runs.connect(seed=SEED)
    try:
        covered = con.execute("""
            select
                count(*) filter (where s.age between 50 and 59),
                count(*) filter (where s.age between 60 and 63),
                count(*) filter (where s.prorated_compensation > 350000),
                count(*) filter (where s.is_enrolled and s.simulation_year = 2025 and s.status_detail = 'continuous_active'),
                count(*) filter (where not s.is_enrolled),
                count(*) filter (where c.employee_contribution < c.deferral_before_limits),
                count(*) filter (where e.employee_id is not null)
            from fct_workforce_snapshot s
            join int_plan_contributions_calculated c using (simulation_year, employee_id)
            left join (select distinct simulation_year, employee_id from fct_yearly_events where event_type = 'opt_out') e
              using (simulation_year, employee_id)""").fetchall()[0]
        assert all(n > 0 for n in covered), covered
    finally:
        con.close()


def test_new_hires_enroll_in_the_year_their_window_ends(runs):
    con = runs.connect(seed=SEED)
    try:
        late = con.execute("""
            select s.employee_id from fct_workforce_snapshot s
            join stg_scenario sc on true
            where s.status_detail = 'new_hire_active' and s.is_eligible and not s.has_opted_out
              and (s.eligibility_date + sc.auto_enrollment_window_days) <= make_date(s.simulation_year, 12, 31)
              and not exists (select 1 from fct_yearly_events e where e.employee_id = s.employee_id
                              and e.event_type = 'enrollment' and e.simulation_year = s.simulation_year)""").fetchall()
        assert late == []
        persisted = con.execute("""
            select count(*) from fct_workforce_snapshot s25
            join fct_workforce_snapshot s29 on s29.employee_id = s25.employee_id and s29.simulation_year = 2029
            where s25.simulation_year = 2025 and s25.is_enrolled and not s29.is_enrolled""").fetchall()[0][0]
        assert persisted == 0, "a census participant lost the enrollment without an opt-out"
    finally:
        con.close()


def test_changing_only_the_match_changes_employer_cost_not_the_workforce(runs):
    base = runs.connect(seed=SEED)
    stretch = runs.connect(seed=SEED, variant="stretch_match", **STRETCH_MATCH)
    try:
        workforce_columns = ("employee_id, employment_status, status_detail, hire_date, termination_date, level_id, "
                             "annual_compensation, prorated_compensation, is_eligible, is_enrolled, deferral_rate, employee_contribution")
        for con in (base, stretch):
            con.execute(f"create temp view workforce as select simulation_year, {workforce_columns} from fct_workforce_snapshot")
        assert table_fingerprint(base, "workforce") == table_fingerprint(stretch, "workforce")
        assert table_fingerprint(base, "fct_yearly_events") == table_fingerprint(stretch, "fct_yearly_events")
        costs = [con.execute("select sum(employer_match) from fct_year_summary").fetchall()[0][0] for con in (base, stretch)]
        assert costs[0] != costs[1]
        _recompute(stretch, 2028)
    finally:
        base.close()
        stretch.close()


def test_core_by_service_schedule(runs):
    con = runs.connect(seed=SEED, variant="service_core", **SERVICE_CORE)
    try:
        def rate(tenure):
            return Decimal("0.04") if tenure >= 15 else Decimal("0.03") if tenure >= 5 else Decimal("0.02")
        rows = _recompute(con, 2026, core_rate=rate)
        assert any(r[9] > 0 for r in rows)
        terminated_core = con.execute("""select count(*) from fct_workforce_snapshot
                                         where employment_status = 'terminated' and employer_core > 0""").fetchall()[0][0]
        assert terminated_core == 0
    finally:
        con.close()
