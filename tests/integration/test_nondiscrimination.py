"""HCEs and the ADP / ACP tests on real runs, equal to the Python reference year by year."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.conftest import SEED
from workforce_platform.simulation.irs_limits import irs_limits_by_year, shipped_irs_limits
from workforce_platform.simulation.nondiscrimination import contribution_rate, highly_compensated, nondiscrimination_test

YEARS = range(2025, 2030)
# Not safe harbor, and built to fail the ACP test: no auto-enrollment, fast escalation of those who
# enroll, a match of 100% up to 10%; prior-year testing with the top-paid group election.
UNEVEN_MATCH = {"plan": {
    "auto_enrollment": {"enabled": False},
    "auto_escalation": {"increment": 0.02, "cap": 0.2, "delay_years": 0},
    "match": {"tiers": [{"employee_min": 0, "employee_max": 0.1, "match_rate": 1}], "safe_harbor": False,
              "requires_last_day": True},
    "nondiscrimination": {"testing_method": "prior_year", "top_paid_group": True},
}}
CURRENT_YEAR = {"plan": {**UNEVEN_MATCH["plan"], "nondiscrimination": {"testing_method": "current_year"}}}


def _hces(con, year, top_paid_group):
    if year == 2025:
        lookback = con.execute("select employee_id, annual_compensation from int_baseline_workforce_prepared").fetchall()
    else:
        lookback = con.execute("select employee_id, prorated_compensation from fct_workforce_snapshot "
                               "where simulation_year = ?", [year - 1]).fetchall()
    threshold = irs_limits_by_year(shipped_irs_limits(), 2029, Decimal("0.02"))[year - 1]["highly_compensated_threshold"]
    return highly_compensated(dict(lookback), threshold, top_paid_group)


def _rates(con, year, hces):
    rows = con.execute("""
        select s.employee_id, c.employee_contribution - c.catch_up_contribution, c.employer_match, c.plan_compensation
        from fct_workforce_snapshot s join int_plan_contributions_calculated c using (simulation_year, employee_id)
        where s.simulation_year = ? and s.is_eligible""", [year]).fetchall()
    split = {"adp": ([], []), "acp": ([], [])}
    for employee_id, deferrals, match, plan_pay in rows:
        group = 0 if employee_id in hces else 1
        split["adp"][group].append(contribution_rate(deferrals, plan_pay))
        split["acp"][group].append(contribution_rate(match, plan_pay))
    return split


@pytest.mark.parametrize("variant, overrides, method, top_paid_group, safe_harbor", [
    ("", {}, "current_year", False, True),
    ("uneven_match", UNEVEN_MATCH, "prior_year", True, False),
    ("uneven_match_current_year", CURRENT_YEAR, "current_year", False, False),
], ids=["safe_harbor_default", "prior_year_top_paid_group", "current_year"])
def test_hces_and_tests_equal_the_python_reference(runs, variant, overrides, method, top_paid_group, safe_harbor):
    con = runs.connect(seed=SEED, variant=variant, **overrides)
    results = []
    try:
        previous = None
        for year in YEARS:
            hces = _hces(con, year, top_paid_group)
            stored = {e for (e,) in con.execute("select employee_id from int_highly_compensated_determined "
                                                "where simulation_year = ? and is_hce", [year]).fetchall()}
            members = {e for (e,) in con.execute("select employee_id from int_plan_eligibility_determined "
                                                 "where simulation_year = ?", [year]).fetchall()}
            assert stored == hces & members, year
            assert stored, f"no HCE in {year}: the census does not exercise the test"
            rates = _rates(con, year, hces)
            for test_name, (hce_rates, nhce_rates) in rates.items():
                basis = previous[test_name][1] if method == "prior_year" and previous else nhce_rates
                expected = nondiscrimination_test(hce_rates, basis, safe_harbor)
                row = con.execute("""select basis_year, hce_count, nhce_count, hce_average, nhce_average,
                                            allowed_hce_average, margin, passed, result
                                     from fct_nondiscrimination_tests where simulation_year = ? and test_name = ?""",
                                  [year, test_name]).fetchall()
                assert len(row) == 1, (year, test_name)
                basis_year, hce_count, nhce_count, *figures = row[0]
                assert basis_year == (year - 1 if method == "prior_year" and previous else year)
                assert (hce_count, nhce_count) == (len(hce_rates), len(nhce_rates))
                assert tuple(figures) == (expected.hce_average, expected.nhce_average, expected.allowed_hce_average,
                                          expected.margin, expected.passed, expected.result), (year, test_name)
                results.append(expected.result)
            previous = rates
    finally:
        con.close()
    if safe_harbor:
        assert set(results) == {"safe_harbor"}
    else:
        assert "fail" in results and "pass" in results, results
