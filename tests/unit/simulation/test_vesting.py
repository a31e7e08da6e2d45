"""Vesting schedules, investment return and forfeitures, with hand-computed cases."""

from decimal import Decimal as D

import pytest

from workforce_platform.simulation.vesting import (
    forfeiture, investment_return, schedule_problems, vested_share, vesting_steps,
)


@pytest.mark.parametrize("schedule, years, share", [
    ("immediate", 0, "1"), ("cliff_3", 0, "0"), ("cliff_3", 2, "0"), ("cliff_3", 3, "1"), ("cliff_3", 10, "1"),
    ("graded_2_6", 1, "0"), ("graded_2_6", 2, "0.2"), ("graded_2_6", 4, "0.6"), ("graded_2_6", 6, "1"),
    ([(1, D("0.5")), (2, D("1"))], 0, "0"), ([(1, D("0.5")), (2, D("1"))], 1, "0.5"),
])
def test_vested_share(schedule, years, share):
    assert vested_share(vesting_steps(schedule), years) == D(share)


@pytest.mark.parametrize("schedule, problem", [
    ([(4, D("1"))], "slower than both"),
    ([(2, D("0.1")), (3, D("0.4")), (6, D("1"))], "slower than both"),     # below graded at 2, below cliff at 3
    ([(1, D("0.5")), (2, D("0.4")), (3, D("1"))], "may not fall"),
    ([(1, D("0.5")), (2, D("0.9"))], "last step must vest 100%"),
])
def test_invalid_schedules(schedule, problem):
    assert any(problem in p for p in schedule_problems(vesting_steps(schedule)))


@pytest.mark.parametrize("schedule", ["immediate", "cliff_3", "graded_2_6", [(1, D("0.25")), (2, D("0.5")), (3, D("1"))],
                                      [(2, D("0.2")), (3, D("0.4")), (4, D("0.6")), (5, D("0.8")), (6, D("1"))]])
def test_valid_schedules(schedule):
    assert schedule_problems(vesting_steps(schedule)) == []


def test_investment_return_rounds_half_away_from_zero():
    assert investment_return(D("1000.00"), D("0.05")) == D("50.00")
    assert investment_return(D("0.10"), D("0.05")) == D("0.01")       # 0.005 rounds up
    assert investment_return(D("0.10"), D("-0.05")) == D("-0.01")     # -0.005 rounds away from zero
    assert investment_return(D("0.01"), D("-0.99999")) == D("-0.01")  # never below an empty balance


def test_forfeiture_is_the_unvested_part():
    assert forfeiture(D("1000.00"), D("0.4")) == D("600.00")
    assert forfeiture(D("100.05"), D("0.5")) == D("50.02")           # vested 50.025 rounds up to 50.03
    assert forfeiture(D("250.00"), D("1")) == D("0")
    assert forfeiture(D("250.00"), D("0")) == D("250.00")
