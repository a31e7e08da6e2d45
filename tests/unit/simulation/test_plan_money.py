"""The plan's money rules (tests/reference/plan_money.py), each with hand-computed cases: the match
base and true-up, the unmatched catch-up, SECURE 2.0 Roth catch-up, 415(c) without a true-up,
and who auto-escalation reaches."""

from datetime import date
from decimal import Decimal as D

import pytest

from tests.reference.plan_money import MatchDesign, RothRule, Segment, auto_enrolled_for_escalation, money
from workforce_platform.simulation.plan_contributions import IrsLimits, Tier

LIMITS_2025 = IrsLimits(D("23500"), D("7500"), D("11250"), D("350000"), D("70000"))
LIMITS_2026 = IrsLimits(D("24500"), D("8000"), D("11250"), D("360000"), D("72000"))
SAFE_HARBOR = [Tier(D("0"), D("0.03"), D("1")), Tier(D("0.03"), D("0.05"), D("0.5"))]  # 100% of 3% + 50% of next 2%

# Pay 100,000 all of 2025; enrolled on 29 June at 6%: 179 days without deferrals, 186 with.
MID_YEAR_ENTRANT = [Segment(date(2025, 1, 1), date(2025, 6, 28), D("100000"), D("0")),
                    Segment(date(2025, 6, 29), date(2025, 12, 31), D("100000"), D("0.06"))]


def _entrant(compensation, true_up=True):
    return money(MID_YEAR_ENTRANT, 365, date(2025, 6, 29), 40, LIMITS_2025,
                 MatchDesign(SAFE_HARBOR, compensation, true_up))


def test_a_mid_year_entrant_is_matched_on_pay_while_a_participant():
    # participant pay: 100,000 x 186 / 365 = 50,958.90; deferrals 6% x 50,958.904 = 3,057.53
    # match: 100% x 3% x 50,958.90 + 50% x 2% x 50,958.90 = 1,528.77 + 509.59 = 2,038.36 (2.04% of the year's pay)
    result = _entrant("while_participant")
    assert (result.match_compensation, result.deferrals, result.match) == (D("50958.90"), D("3057.53"), D("2038.36"))


def test_the_plan_year_base_matches_half_a_year_of_deferrals_against_the_whole_year():
    # 3,057.53 deferred is 3.06% of the year's 100,000: 100% x 3,000 + 50% x 57.53 = 3,028.77 (3.03% of pay)
    result = _entrant("plan_year")
    assert (result.match_compensation, result.match) == (D("100000"), D("3028.77"))


@pytest.mark.parametrize("compensation", ["while_participant", "plan_year"])
def test_without_a_true_up_both_bases_match_the_same(compensation):
    # per pay period: the 179 days at 0% earn nothing; 186 days at 6% earn 4% of their pay, 2,038.36
    assert _entrant(compensation, true_up=False).match == D("2038.36")


def test_a_rate_that_rises_during_the_year_earns_less_without_a_true_up():
    # pay 120,000; 2% from 1 January (181 days: 59,506.85 of pay), 8% from 1 July (184 days: 60,493.15)
    # deferrals: 1,190.14 + 4,839.45 = 6,029.59, 5.02% of the year's pay
    # true-up: the formula on the totals, 3,600 + 50% x 2,400 = 4,800.00
    # per pay period: 2% of 59,506.85 (all matched) + 4% of 60,493.15 (8% earns 3% + 1%) = 1,190.14 + 2,419.73 = 3,609.86
    segments = [Segment(date(2025, 1, 1), date(2025, 6, 30), D("120000"), D("0.02")),
                Segment(date(2025, 7, 1), date(2025, 12, 31), D("120000"), D("0.08"))]
    trued_up = money(segments, 365, date(2025, 1, 1), 40, LIMITS_2025, MatchDesign(SAFE_HARBOR))
    per_period = money(segments, 365, date(2025, 1, 1), 40, LIMITS_2025, MatchDesign(SAFE_HARBOR, true_up=False))
    assert trued_up.deferrals == per_period.deferrals == D("6029.59")
    assert (trued_up.match, per_period.match) == (D("4800"), D("3609.86"))


def test_deferrals_stopped_by_402g_lose_their_match_without_a_true_up():
    # pay 300,000 at 10% all of 2025, age 40: 30,000 elected, 23,500 deferred (78.3% of them)
    # true-up: 23,500 is 7.83% of pay, above the 5% the formula reaches: 4% x 300,000 = 12,000
    # per pay period: 4% of pay in every period, on the 23,500 / 30,000 of the deferrals made: 9,400
    segments = [Segment(date(2025, 1, 1), date(2025, 12, 31), D("300000"), D("0.10"))]
    assert money(segments, 365, date(2025, 1, 1), 40, LIMITS_2025, MatchDesign(SAFE_HARBOR)).match == D("12000")
    assert money(segments, 365, date(2025, 1, 1), 40, LIMITS_2025,
                 MatchDesign(SAFE_HARBOR, true_up=False)).match == D("9400")


def test_catch_up_is_matched_unless_the_plan_says_not():
    # 100% match of deferrals up to 10% of pay; pay 300,000 at 12%, age 55 in 2025: 36,000 elected,
    # 31,000 deferred (23,500 + 7,500 catch-up). Matched: min(31,000, 30,000) = 30,000; without the catch-up 23,500.
    tiers = [Tier(D("0"), D("0.10"), D("1"))]
    segments = [Segment(date(2025, 1, 1), date(2025, 12, 31), D("300000"), D("0.12"))]
    matched = money(segments, 365, date(2025, 1, 1), 55, LIMITS_2025, MatchDesign(tiers))
    unmatched = money(segments, 365, date(2025, 1, 1), 55, LIMITS_2025, MatchDesign(tiers, on_catch_up=False))
    assert (matched.deferrals, matched.catch_up, matched.match) == (D("31000"), D("7500"), D("30000"))
    assert (unmatched.deferrals, unmatched.catch_up, unmatched.match) == (D("31000"), D("7500"), D("23500"))


# 2026, age 55, pay 200,000 at 20%: 40,000 elected; 402(g) 24,500 + catch-up 8,000 = 32,500.
ROTH_CASE = [Segment(date(2026, 1, 1), date(2026, 12, 31), D("200000"), D("0.20"))]


@pytest.mark.parametrize("wages, in_force, roth_available, deferrals, catch_up, roth", [
    ("160000", True, True, "32500", "8000", "8000"),    # 2025 wages 160,000 > 150,000: the catch-up is Roth
    ("160000", True, False, "24500", "0", "0"),         # no Roth in the plan: no catch-up, deferrals stop at 402(g)
    ("150000", True, True, "32500", "8000", "0"),       # 150,000 does not exceed 150,000: pre-tax catch-up
    ("160000", False, True, "32500", "8000", "0"),      # before 2026 the rule is not in force
])
def test_secure_2_roth_catch_up(wages, in_force, roth_available, deferrals, catch_up, roth):
    result = money(ROTH_CASE, 365, date(2026, 1, 1), 55, LIMITS_2026, MatchDesign(SAFE_HARBOR),
                   prior_year_wages=D(wages), roth=RothRule(in_force, D("150000"), roth_available))
    assert (result.deferrals, result.catch_up, result.roth_catch_up) == (D(deferrals), D(catch_up), D(roth))
    assert result.match == D("8000")   # 4% of 200,000 either way: the regular deferrals alone reach the formula's end


# Pay 60,000 in 2025: 2% to 30 June (29,753.42 of pay), 10% from 1 July (30,246.58); core 95% = 57,000.
# 415(c): deferrals (3,619.73) + match + core within min(70,000, 60,000): 3,000 left for deferrals and match.
OVER_415C = [Segment(date(2025, 1, 1), date(2025, 6, 30), D("60000"), D("0.02")),
             Segment(date(2025, 7, 1), date(2025, 12, 31), D("60000"), D("0.10"))]


def test_415c_returns_unmatched_deferrals_first_then_matched_ones_with_their_match():
    # true-up: match 4% x 60,000 = 2,400; y + match(y) <= 3,000 holds in the first tier at y = 1,500 (match 1,500)
    trued_up = money(OVER_415C, 365, date(2025, 1, 1), 40, LIMITS_2025, MatchDesign(SAFE_HARBOR),
                     core_rate=D("0.95"), receives_core=True)
    assert (trued_up.deferrals, trued_up.match, trued_up.core) == (D("1500"), D("1500"), D("57000"))
    # per pay period: match 2% x 29,753.42 + 4% x 30,246.58 = 595.07 + 1,209.86 = 1,804.93, earned on the
    # deferrals inside the tiers, 595.07 + 5% x 30,246.58 = 2,107.40; the 1,512.33 above them come back first,
    # then matched deferrals with their match (1,804.93 / 2,107.40 per dollar): z = 3,000 x 2,107.40 / 3,912.33
    # = 1,615.96, match 1,615.96 x 0.856474 = 1,384.03; 1,615.96 + 1,384.03 + 57,000 = 59,999.99
    per_period = money(OVER_415C, 365, date(2025, 1, 1), 40, LIMITS_2025, MatchDesign(SAFE_HARBOR, true_up=False),
                       core_rate=D("0.95"), receives_core=True)
    assert (per_period.deferrals, per_period.match, per_period.core) == (D("1615.96"), D("1384.03"), D("57000"))


def test_the_match_compensation_is_capped_at_the_full_401a17_limit():
    # pay 600,000, enrolled 1 July (184 days): participant pay 302,465.75 stays below 350,000 (no proration of
    # the limit); plan pay 350,000. Deferrals 5% x 302,465.75 = 15,123.29, scaled by 350,000 / 600,000 = 8,821.92
    segments = [Segment(date(2025, 1, 1), date(2025, 6, 30), D("600000"), D("0")),
                Segment(date(2025, 7, 1), date(2025, 12, 31), D("600000"), D("0.05"))]
    result = money(segments, 365, date(2025, 7, 1), 40, LIMITS_2025, MatchDesign(SAFE_HARBOR))
    assert (result.plan_pay, result.match_compensation, result.deferrals) == (D("350000"), D("302465.75"), D("8821.92"))
    # 8,821.92 is 2.92% of 302,465.75: all in the first tier
    assert result.match == D("8821.92")


@pytest.mark.parametrize("enrolled, opted_out, enabled, scope, hired, expected", [
    (True, False, True, "new_hires_only", date(2025, 3, 1), True),     # a hire auto-enrolled by the simulation
    (True, False, True, "new_hires_only", date(2010, 3, 1), False),    # a census employee outside the scope: voluntary
    (True, False, True, "all_not_enrolled", date(2010, 3, 1), True),   # swept in by all_not_enrolled
    (False, False, True, "all_not_enrolled", date(2010, 3, 1), False),  # a census participant: an affirmative election
    (True, True, True, "new_hires_only", date(2025, 3, 1), False),     # opted out, then enrolled voluntarily
    (True, False, False, "new_hires_only", date(2025, 3, 1), False),   # no auto-enrollment at all
])
def test_who_auto_escalation_reaches_by_default(enrolled, opted_out, enabled, scope, hired, expected):
    assert auto_enrolled_for_escalation(enrolled, opted_out, enabled, scope, hired, 2025) is expected
