"""Every entry of the invariant catalogue: it holds on real runs, and a hand-made violation of it is
caught (so no check is one that cannot fail)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.integration.conftest import OTHER_SEED, SEED
from tests.integration.test_engines import EVERY_BRANCH, PER_PERIOD_RICH_CORE
from workforce_platform.checks.invariants import BY_NAME, CATALOGUE, evaluate

YEAR = 2027
ONE_HIRE = f"(select employee_id from main.fct_yearly_events where simulation_year = {YEAR} and event_type = 'hire' order by 1 limit 1)"
ONE_LEAVER = f"(select employee_id from main.fct_yearly_events where simulation_year = {YEAR} and event_type = 'termination' order by 1 limit 1)"
ONE_STAYER = f"(select employee_id from main.fct_workforce_snapshot where simulation_year = {YEAR} and status_detail = 'continuous_active' order by 1 limit 1)"

# A hand-made violation of each invariant, applied to a copy of a real run's database.
VIOLATIONS = {
    "continuity": [f"delete from main.int_starting_workforce_assembled where simulation_year = {YEAR} and employee_id = {ONE_STAYER}"],
    "mass_balance": [f"delete from main.fct_yearly_events where simulation_year = {YEAR} and event_type = 'hire' and employee_id = {ONE_HIRE}"],
    "growth": [f"update main.fct_year_summary set ending_headcount = ending_headcount + 1 where simulation_year = {YEAR}"],
    "timeline": [f"""update main.fct_yearly_events set effective_date = make_date({YEAR}, 12, 31)
                     where simulation_year = {YEAR} and event_type = 'termination' and employee_id = {ONE_LEAVER}"""],
    "unique_event_ids": [f"insert into main.fct_yearly_events select * from main.fct_yearly_events where simulation_year = {YEAR} and event_type = 'hire' and employee_id = {ONE_HIRE}"],
    "one_hire_per_employee": [f"""insert into main.fct_yearly_events select * replace ({YEAR} - 1 as simulation_year, md5('extra hire') as event_id)
                                  from main.fct_yearly_events where simulation_year = {YEAR} and event_type = 'hire' and employee_id = {ONE_HIRE}"""],
    "one_termination_per_employee": [f"""insert into main.fct_yearly_events select * replace ('new_hire_termination' as event_type, md5('extra') as event_id)
                                         from main.fct_yearly_events where simulation_year = {YEAR} and event_type = 'termination' and employee_id = {ONE_LEAVER}"""],
    "one_snapshot_row_per_employee": [f"insert into main.fct_workforce_snapshot select * from main.fct_workforce_snapshot where simulation_year = {YEAR} and employee_id = {ONE_STAYER}"],
    "no_resurrection": [f"""insert into main.fct_yearly_events select * replace ({YEAR} - 1 as simulation_year, 'termination' as event_type,
                                make_date({YEAR} - 1, 6, 1) as effective_date, md5('stale') as event_id)
                            from main.fct_yearly_events where simulation_year = {YEAR} and event_type = 'merit_raise' and employee_id = {ONE_STAYER}"""],
    "plan_state": [f"""update main.fct_workforce_snapshot set deferral_rate = deferral_rate + 0.01
                       where simulation_year = {YEAR} and employee_id = (
                           select employee_id from main.fct_workforce_snapshot s where simulation_year = {YEAR} and is_enrolled
                             and not exists (select 1 from main.fct_yearly_events e where e.employee_id = s.employee_id
                                             and e.simulation_year = {YEAR} and e.deferral_rate_after is not null)
                           order by 1 limit 1)"""],
    "irs_limits": [f"""update main.fct_workforce_snapshot set employee_contribution = 40000
                       where simulation_year = {YEAR} and employee_id = (
                           select employee_id from main.fct_workforce_snapshot where simulation_year = {YEAR} and is_enrolled and age < 50
                           order by 1 limit 1)"""],
    "nondiscrimination_tests_complete": [f"delete from main.fct_nondiscrimination_tests where simulation_year = {YEAR} and test_name = 'acp'"],
    "hours_and_service": [f"update main.fct_workforce_snapshot set hours_worked = hours_worked - 0.01 "
                          f"where simulation_year = {YEAR} and employee_id = {ONE_STAYER}"],
    "account_balances": [f"update main.fct_workforce_snapshot set match_balance = match_balance + 0.01 "
                         f"where simulation_year = {YEAR} and employee_id = {ONE_STAYER}"],
    # a leaver's vested balance paid out without its event
    "distributions": [f"""delete from main.fct_yearly_events where simulation_year = {YEAR} and event_type = 'distribution'
                          and employee_id = (select employee_id from main.fct_yearly_events where simulation_year = {YEAR}
                                             and event_type = 'distribution' order by 1 limit 1)"""],
    # a cent of Roth catch-up for an employee below the wage threshold (2027: the rule is in force)
    "roth_catch_up": [f"update main.int_plan_contributions_calculated set roth_catch_up = roth_catch_up + 0.01 "
                      f"where simulation_year = {YEAR} and employee_id = {ONE_STAYER}"],
    # a continuing employee missing from the published 2027: active at the end of 2026, not at the start
    "published_chain_consistent": [f"delete from published.fct_workforce_snapshot where simulation_year = {YEAR} "
                                   f"and employee_id = {ONE_STAYER}"],
    # an ordinary leaver recorded as a retirement: not the solver's count, not the snapshot's reason
    "termination_reasons": [f"""update main.fct_yearly_events set termination_reason = 'retirement'
                                where simulation_year = {YEAR} and event_type = 'termination' and employee_id = (
                                    select employee_id from main.fct_yearly_events where simulation_year = {YEAR}
                                      and termination_reason = 'other' order by 1 limit 1)"""],
    # paid from the unindexed band: below the year's minimum after two years of indexing
    "new_hire_pay_in_band": [f"""update main.fct_yearly_events set compensation_after = (
                                     select min_compensation - 0.01 from main.int_new_hire_pay_bands_indexed
                                     where plan_year = {YEAR} and level_id = fct_yearly_events.level_after)
                                 where simulation_year = {YEAR} and event_type = 'hire' and employee_id = {ONE_HIRE}"""],
}


def test_every_invariant_has_a_violation_test():
    assert set(VIOLATIONS) == set(BY_NAME)


# The demo-like census for two seeds, and the designs with every branch of the plan's rules on the
# census with the plan's history (previous-year pay, opening balances, prior vesting service).
RUNS = [(SEED, "", {}, False), (OTHER_SEED, "", {}, False), (OTHER_SEED, "every_branch", EVERY_BRANCH, True),
        (SEED, "per_period_rich_core", PER_PERIOD_RICH_CORE, True)]


@pytest.mark.parametrize("seed, variant, overrides, plan_history", RUNS,
                         ids=["seed42", "seed4242", "every_branch", "per_period_rich_core"])
@pytest.mark.parametrize("invariant", CATALOGUE, ids=lambda i: i.name)
def test_invariant_holds_every_year(runs, invariant, seed, variant, overrides, plan_history):
    con = runs.connect(seed=seed, variant=variant, plan_history=plan_history, **overrides)
    try:
        for year in range(2025, 2030):
            result = evaluate(con, invariant, "test_scenario", year, 2025)
            assert result.passed, (year, result.columns, result.first_rows)
    finally:
        con.close()


@pytest.mark.parametrize("invariant", CATALOGUE, ids=lambda i: i.name)
def test_invariant_catches_a_hand_made_violation(runs, tmp_path, invariant):
    copy = tmp_path / "tampered.duckdb"
    shutil.copy(runs.database(SEED), copy)
    con = duckdb.connect(str(copy))
    try:
        for statement in VIOLATIONS[invariant.name]:
            con.execute(statement)
        result = evaluate(con, invariant, "test_scenario", YEAR, 2025)
        assert result.violation_count > 0
        assert len(result.first_rows) == min(result.violation_count, 5) and result.columns
    finally:
        con.close()


def test_plan_state_catches_an_enrolled_employee_who_is_not_eligible(runs, tmp_path):
    copy = tmp_path / "tampered.duckdb"
    shutil.copy(runs.database(SEED), copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute(f"""update main.fct_workforce_snapshot set is_eligible = false
                        where simulation_year = {YEAR} and employee_id = (
                            select employee_id from main.fct_workforce_snapshot
                            where simulation_year = {YEAR} and is_enrolled order by 1 limit 1)""")
        result = evaluate(con, BY_NAME["plan_state"], "test_scenario", YEAR, 2025)
        assert [row[-1] for row in result.first_rows] == ["enrolled without being eligible"]
    finally:
        con.close()
