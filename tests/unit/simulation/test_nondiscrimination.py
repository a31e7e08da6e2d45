"""HCE determination and the ADP / ACP tests, with hand-computed cases."""

from decimal import Decimal as D
from fractions import Fraction

import pytest

from workforce_platform.simulation.nondiscrimination import (
    allowed_hce_average, contribution_rate, highly_compensated, nondiscrimination_test, top_paid_group_size,
)


@pytest.mark.parametrize("nhce, allowed", [
    ("0.01", "0.02"),      # 2x (2%) beats 1.25x (1.25%); +2 points (3%) caps 2x only above 2%
    ("0.02", "0.04"),      # 2x = +2 points = 4%
    ("0.03", "0.05"),      # +2 points (5%) < 2x (6%), and beats 1.25x (3.75%)
    ("0.08", "0.10"),      # 1.25x = +2 points = 10%
    ("0.10", "0.125"),     # 1.25x (12.5%) beats +2 points (12%)
    ("0", "0"),
])
def test_allowed_hce_average(nhce, allowed):
    assert allowed_hce_average(Fraction(D(nhce))) == Fraction(D(allowed))


def test_rates_are_hundredths_of_a_percent_rounded_half_up():
    assert contribution_rate(D("1234.56"), D("50000.00")) == D("0.0247")     # 2.46912%
    assert contribution_rate(D("1.00"), D("20000.00")) == D("0.0001")        # 0.005% rounds up
    assert contribution_rate(D("0.99"), D("20000.00")) == D("0.0000")        # 0.00495%
    assert contribution_rate(D("500"), D("0")) == D("0")


def test_the_test_passes_at_the_limit_and_fails_above_it():
    nhce = [D("0.0300"), D("0.0100")]                         # average 2%: allowed 4%
    at_limit = nondiscrimination_test([D("0.0400"), D("0.0400")], nhce, safe_harbor=False)
    assert (at_limit.passed, at_limit.result, at_limit.margin) == (True, "pass", D("0"))
    assert (at_limit.hce_average, at_limit.nhce_average, at_limit.allowed_hce_average) == (D("0.04"), D("0.02"), D("0.04"))
    over = nondiscrimination_test([D("0.0400"), D("0.0401")], nhce, safe_harbor=False)
    assert (over.passed, over.result, over.margin) == (False, "fail", D("-0.00005"))
    deemed = nondiscrimination_test([D("0.0900")], nhce, safe_harbor=True)
    assert (deemed.passed, deemed.result, deemed.margin) == (True, "safe_harbor", D("-0.05"))


def test_averages_are_shown_in_millionths():
    result = nondiscrimination_test([D("0.0100"), D("0.0100"), D("0.0101")], [D("0.0100")] * 3, safe_harbor=False)
    assert result.hce_average == D("0.010033")            # 0.0301 / 3 = 0.0100333...
    assert result.allowed_hce_average == D("0.02")
    assert result.margin == D("0.009967")                 # 0.0199666... rounds to 0.009967


def test_no_hces_or_no_nhces_passes():
    assert nondiscrimination_test([], [D("0.05")], safe_harbor=False).result == "pass"
    assert nondiscrimination_test([D("0.05")], [], safe_harbor=False).result == "pass"


@pytest.mark.parametrize("headcount, size", [(0, 0), (2, 0), (3, 1), (10, 2), (12, 2), (13, 3), (4782, 956)])
def test_top_paid_group_is_a_fifth_rounded_half_up(headcount, size):
    assert top_paid_group_size(headcount) == size


def test_hces_are_paid_above_the_lookback_threshold():
    pay = {"A": D("200000"), "B": D("160000.01"), "C": D("160000"), "D": D("90000"), "E": D("80000")}
    assert highly_compensated(pay, D("160000"), top_paid_group=False) == {"A", "B"}
    # the top-paid group of 5 employees is 1: only A
    assert highly_compensated(pay, D("160000"), top_paid_group=True) == {"A"}
    # ties at the group's edge go by employee id
    tied = {"X2": D("170000"), "X1": D("170000"), **{f"L{i}": D("50000") for i in range(8)}}
    assert highly_compensated(tied, D("160000"), top_paid_group=True) == {"X1", "X2"}
    tied.pop("L0")   # 9 employees: a group of 2 (1.8)
    assert highly_compensated(tied, D("160000"), top_paid_group=True) == {"X1", "X2"}
    tied.pop("L1")   # 8 employees: a group of 2 (1.6)
    tied.pop("L2")   # 7 employees: a group of 1 (1.4): X1 before X2
    assert highly_compensated(tied, D("160000"), top_paid_group=True) == {"X1"}
