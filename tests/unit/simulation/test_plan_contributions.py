"""The match formula and IRS limits, with hand-computed cases."""

from decimal import Decimal as D

import pytest

from workforce_platform.simulation.plan_contributions import (
    IrsLimits, Tier, apply_annual_additions_limit, deferral_limit, match_amount, plan_compensation,
    safe_harbor_formula_problems,
)

LIMITS_2025 = IrsLimits(D("23500"), D("7500"), D("11250"), D("350000"), D("70000"))
SAFE_HARBOR = [Tier(D("0"), D("0.03"), D("1")), Tier(D("0.03"), D("0.05"), D("0.5"))]   # 100% of 3% + 50% of next 2%
STRETCH = [Tier(D("0"), D("0.06"), D("0.5"))]                                           # 50% of 6%
QACA = [Tier(D("0"), D("0.01"), D("1")), Tier(D("0.01"), D("0.06"), D("0.5"))]          # 100% of 1% + 50% of next 5%


@pytest.mark.parametrize("tiers,deferral_rate,expected", [
    # pay 100,000
    (SAFE_HARBOR, "0.00", "0.00"),
    (SAFE_HARBOR, "0.02", "2000.00"),     # below tier 1 end: 100% x 2,000
    (SAFE_HARBOR, "0.03", "3000.00"),     # at tier 1 end
    (SAFE_HARBOR, "0.04", "3500.00"),     # 3,000 + 50% x 1,000
    (SAFE_HARBOR, "0.05", "4000.00"),     # at tier 2 end: 3,000 + 1,000
    (SAFE_HARBOR, "0.10", "4000.00"),     # above every tier
    (STRETCH, "0.04", "2000.00"),
    (STRETCH, "0.06", "3000.00"),
    (STRETCH, "0.08", "3000.00"),
    (QACA, "0.01", "1000.00"),
    (QACA, "0.03", "2000.00"),            # 1,000 + 50% x 2,000
    (QACA, "0.06", "3500.00"),            # 1,000 + 50% x 5,000
])
def test_match_by_hand_on_100k(tiers, deferral_rate, expected):
    pay = D("100000")
    assert match_amount(D(deferral_rate) * pay, pay, tiers) == D(expected)


def test_match_uses_pay_capped_at_401a17():
    # pay 500,000 -> plan pay 350,000; 5% deferred on plan pay = 17,500
    plan_pay = plan_compensation(D("500000"), LIMITS_2025)
    assert plan_pay == D("350000")
    assert match_amount(D("17500"), plan_pay, SAFE_HARBOR) == D("14000.00")   # 10,500 + 3,500


def test_match_on_deferrals_capped_by_402g():
    # pay 400,000 (plan pay 350,000), 10% elected = 35,000 -> capped to 23,500 (age 40)
    deferrals = min(D("35000"), deferral_limit(40, LIMITS_2025))
    assert deferrals == D("23500")
    assert match_amount(deferrals, D("350000"), STRETCH) == D("10500.00")  # 50% x min(23,500, 21,000)


def test_match_rounds_half_up_to_cents():
    assert match_amount(D("100.01"), D("10000.00"), [Tier(D("0"), D("0.05"), D("0.5"))]) == D("50.01")  # 50.005


@pytest.mark.parametrize("age,limit", [(49, "23500"), (50, "31000"), (59, "31000"), (60, "34750"), (63, "34750"), (64, "31000")])
def test_catch_up_by_age(age, limit):
    assert deferral_limit(age, LIMITS_2025) == D(limit)


def _corrected(deferrals, age, match, core, pay, plan_pay=None, tiers=SAFE_HARBOR, receives_match=True, order="deferrals_first"):
    result = apply_annual_additions_limit(D(deferrals), age, D(match), D(core), D(pay), D(plan_pay or pay), tiers,
                                          receives_match, LIMITS_2025, order)
    return result.deferrals, result.catch_up, result.match, result.core


def test_employer_first_takes_the_excess_off_core_then_match_then_deferrals():
    # age 55: deferrals 31,000 of which catch-up 7,500: 23,500 counts; + match 30,000 + core 20,000 = 73,500 > 70,000
    assert _corrected("31000", 55, "30000", "20000", "400000", "350000", order="employer_first") == \
        (D("31000"), D("7500"), D("30000"), D("16500"))
    # the lesser of the limit and pay: pay 20,000, deferrals 15,000 + match 6,000 + core 2,000 = 23,000
    assert _corrected("15000", 40, "6000", "2000", "20000", order="employer_first") == (D("15000"), D("0"), D("5000"), D("0"))
    assert _corrected("19000", 40, "1000", "500", "18000", order="employer_first") == (D("18000"), D("0"), D("0"), D("0"))


def test_deferrals_first_returns_unmatched_then_matched_deferrals_with_their_match():
    # plan pay 350,000: the match stops at 5% = 17,500 deferred. 23,500 + 14,000 + core 40,000 = 77,500:
    # 7,500 over; 6,000 unmatched deferrals come back, then 1,000 matched at 50% (1,500 of additions).
    assert _corrected("23500", 40, "14000", "40000", "400000", "350000") == (D("16500.00"), D("0"), D("13500.00"), D("40000"))
    # 7,000 over: 6,000 unmatched, then y with 1.5 y + 5,250 <= 30,500: y = 16,833.33, match 13,666.665 -> .67
    assert _corrected("23500", 40, "14000", "39500", "400000", "350000") == (D("16833.33"), D("0"), D("13666.67"), D("39500"))


def test_deferrals_first_cuts_core_when_core_alone_is_over():
    # core 80,000 > 70,000: every deferral and the match come back, then core is cut to the limit
    assert _corrected("23500", 40, "14000", "80000", "400000", "350000") == (D("0"), D("0"), D("0"), D("70000"))


def test_deferrals_first_never_returns_catch_up():
    # age 55, 402(g) catch-up 7,500; core 70,000 fills the limit: the 23,500 regular deferrals come back with
    # their match; the match on the catch-up (7,500, within 3% of 350,000) stays and core is cut by as much
    assert _corrected("31000", 55, "14000", "70000", "400000", "350000") == (D("7500"), D("7500"), D("7500"), D("62500"))


def test_deferrals_above_415c_become_catch_up_within_the_room():
    # age 55, pay 20,000: 19,000 deferred + match 800 + core 2,000 = 21,800 > 20,000: 1,800 becomes catch-up
    assert _corrected("19000", 55, "800", "2000", "20000") == (D("19000"), D("1800"), D("800"), D("2000"))
    # age 40 has no room: deferrals_first returns 1,800 unmatched deferrals; employer_first cuts core
    assert _corrected("19000", 40, "800", "2000", "20000") == (D("17200"), D("0"), D("800"), D("2000"))
    assert _corrected("19000", 40, "800", "2000", "20000", order="employer_first") == (D("19000"), D("0"), D("800"), D("200"))
    # without the match, deferrals come back dollar for dollar
    assert _corrected("19000", 40, "0", "2000", "20000", receives_match=False) == (D("18000"), D("0"), D("0"), D("2000"))


def test_within_the_limit_nothing_changes():
    for order in ("deferrals_first", "employer_first"):
        assert _corrected("10000", 40, "4000", "5000", "100000", order=order) == (D("10000"), D("0"), D("4000"), D("5000"))


@pytest.mark.parametrize("tiers", [SAFE_HARBOR, [Tier(D("0"), D("0.04"), D("1"))], [Tier(D("0"), D("0.06"), D("1"))],
                                   [Tier(D("0"), D("0.04"), D("1")), Tier(D("0.04"), D("0.06"), D("0.5"))]],
                         ids=["basic", "enhanced_4", "enhanced_6", "enhanced_tiered"])
def test_safe_harbor_formulas(tiers):
    assert safe_harbor_formula_problems(tiers) == []


@pytest.mark.parametrize("tiers, problem", [
    (STRETCH, "less than the basic safe-harbor match"),
    (QACA, "less than the basic safe-harbor match"),
    ([Tier(D("0"), D("0.03"), D("1")), Tier(D("0.03"), D("0.04"), D("0.5"))], "at a deferral of 0.05"),
    ([Tier(D("0"), D("0.02"), D("1")), Tier(D("0.02"), D("0.05"), D("1.5"))], "raises the match rate"),
    ([Tier(D("0"), D("0.03"), D("1")), Tier(D("0.04"), D("0.05"), D("1"))], "raises the match rate"),
    ([Tier(D("0"), D("0.08"), D("1"))], "above 6% of pay"),
])
def test_not_safe_harbor_formulas(tiers, problem):
    assert any(problem in p for p in safe_harbor_formula_problems(tiers)), safe_harbor_formula_problems(tiers)
