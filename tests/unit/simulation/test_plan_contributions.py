"""The match formula and IRS limits, with hand-computed cases."""

from decimal import Decimal as D

import pytest

from workforce_platform.simulation.plan_contributions import (
    IrsLimits, Tier, apply_annual_additions_limit, deferral_limit, match_amount, plan_compensation,
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


def test_415c_excess_comes_off_core_then_match_then_deferrals():
    # deferrals 31,000 of which catch-up 7,500: 23,500 counts; + match 30,000 + core 20,000 = 73,500 > 70,000
    deferrals, match, core = apply_annual_additions_limit(D("31000"), D("7500"), D("30000"), D("20000"), D("400000"), LIMITS_2025)
    assert (deferrals, match, core) == (D("31000"), D("30000"), D("16500"))
    # the lesser of the limit and pay: pay 20,000, deferrals 15,000 + match 6,000 + core 2,000 = 23,000
    deferrals, match, core = apply_annual_additions_limit(D("15000"), D("0"), D("6000"), D("2000"), D("20000"), LIMITS_2025)
    assert (deferrals, match, core) == (D("15000"), D("5000"), D("0"))
    deferrals, match, core = apply_annual_additions_limit(D("19000"), D("0"), D("1000"), D("500"), D("18000"), LIMITS_2025)
    assert (deferrals, match, core) == (D("18000"), D("0"), D("0"))
