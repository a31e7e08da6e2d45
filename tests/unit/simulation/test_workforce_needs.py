from decimal import Decimal

import pytest

from workforce_platform.simulation.workforce_needs import solve_workforce_needs


@pytest.mark.parametrize("start", [0, 1, 7, 100, 4782, 20000])
@pytest.mark.parametrize("growth", ["-0.5", "-0.1", "0", "0.03", "0.155", "1.5"])
@pytest.mark.parametrize("term_rate", ["0", "0.12", "0.5", "0.99999"])
@pytest.mark.parametrize("nh_rate", ["0", "0.25", "0.97"])
def test_mass_balance_is_exact_on_every_branch(start, growth, term_rate, nh_rate):
    needs = solve_workforce_needs(start, Decimal(growth), Decimal(term_rate), Decimal(nh_rate))
    assert needs.starting_headcount + needs.hires - needs.experienced_terminations - needs.new_hire_terminations \
        == needs.target_ending_headcount
    assert 0 <= needs.experienced_terminations <= start
    assert 0 <= needs.new_hire_terminations <= needs.hires


def test_growth_branch_by_hand():
    # start 4782, 3% growth: target round(4925.46) = 4925; terms floor(573.84) = 573;
    # net = 4925 - 4209 = 716; hires = ceil(716 / 0.75) = 955; new-hire terms = 239
    needs = solve_workforce_needs(4782, Decimal("0.03"), Decimal("0.12"), Decimal("0.25"))
    assert (needs.solver_branch, needs.target_ending_headcount, needs.experienced_terminations,
            needs.hires, needs.new_hire_terminations) == ("growth", 4925, 573, 955, 239)


def test_exact_ceiling_has_no_floating_point_excess():
    # net 97 / (1 - 0.03) = 100 exactly: a double division gives 100.00000000000001 -> 101
    needs = solve_workforce_needs(1000, Decimal("0.067"), Decimal("0.03"), Decimal("0.03"))
    assert needs.hires * (1 - Decimal("0.03")) >= needs.hires - needs.new_hire_terminations
    assert (needs.target_ending_headcount, needs.experienced_terminations, needs.hires) == (1067, 30, 100)


def test_half_rounds_away_from_zero():
    assert solve_workforce_needs(10, Decimal("0.05"), Decimal("0"), Decimal("0")).target_ending_headcount == 11


def test_reduction_in_force_when_shrinking_beyond_attrition():
    needs = solve_workforce_needs(1000, Decimal("-0.2"), Decimal("0.1"), Decimal("0.25"))
    assert (needs.solver_branch, needs.target_ending_headcount, needs.experienced_terminations, needs.hires) \
        == ("reduction_in_force", 800, 200, 0)


@pytest.mark.parametrize("start", [0, 7, 100, 4782])
@pytest.mark.parametrize("growth", ["-0.5", "0", "0.03"])
@pytest.mark.parametrize("term_rate", ["0", "0.12"])
@pytest.mark.parametrize("decrement_share", [0, 1, 3])
def test_retirements_and_deaths_are_always_among_the_experienced_terminations(start, growth, term_rate, decrement_share):
    retirements_and_deaths = start * decrement_share // 10  # 0%, 10% or 30% of the start
    needs = solve_workforce_needs(start, Decimal(growth), Decimal(term_rate), Decimal("0.25"), retirements_and_deaths)
    assert needs.starting_headcount + needs.hires - needs.experienced_terminations - needs.new_hire_terminations \
        == needs.target_ending_headcount
    assert retirements_and_deaths <= needs.experienced_terminations <= start


def test_retirements_and_deaths_within_the_rate_change_nothing():
    # 573 = floor(4782 x 0.12) already holds 100 retirements and deaths: the counts of test_growth_branch_by_hand
    needs = solve_workforce_needs(4782, Decimal("0.03"), Decimal("0.12"), Decimal("0.25"), 100)
    assert (needs.experienced_terminations, needs.hires, needs.new_hire_terminations) == (573, 955, 239)


def test_retirements_and_deaths_beyond_the_rate_are_replaced_by_hires():
    # start 100, growth 3%: target 103; floor(100 x 0.05) = 5 < 8 retirements and deaths -> 8 leave;
    # net = 103 - (100 - 8) = 11; hires = ceil(11 / 0.75) = ceil(14.67) = 15; new-hire terms = 4
    needs = solve_workforce_needs(100, Decimal("0.03"), Decimal("0.05"), Decimal("0.25"), 8)
    assert (needs.solver_branch, needs.experienced_terminations, needs.hires, needs.new_hire_terminations) \
        == ("growth", 8, 15, 4)
    # with no turnover rate at all, they still leave: net = 100 - (100 - 8) = 8; hires = ceil(8 / 0.75) = 11
    needs = solve_workforce_needs(100, Decimal("0"), Decimal("0"), Decimal("0.25"), 8)
    assert (needs.experienced_terminations, needs.hires, needs.new_hire_terminations) == (8, 11, 3)


def test_a_reduction_in_force_always_has_room_for_retirements_and_deaths():
    # target 800; max(floor(100), 150) = 150; net = 800 - 850 < 0 -> 200 leave, 150 of them by age
    needs = solve_workforce_needs(1000, Decimal("-0.2"), Decimal("0.1"), Decimal("0.25"), 150)
    assert (needs.solver_branch, needs.experienced_terminations, needs.hires) == ("reduction_in_force", 200, 0)


def test_more_retirements_and_deaths_than_employees_are_refused():
    with pytest.raises(ValueError, match="retirements and deaths"):
        solve_workforce_needs(10, Decimal("0"), Decimal("0.1"), Decimal("0.1"), 11)


@pytest.mark.parametrize("growth,term,nh", [("-1", "0.1", "0.1"), ("0", "1", "0.1"), ("0", "0.1", "1"), ("0", "-0.1", "0")])
def test_impossible_parameters_are_refused(growth, term, nh):
    with pytest.raises(ValueError):
        solve_workforce_needs(100, Decimal(growth), Decimal(term), Decimal(nh))
