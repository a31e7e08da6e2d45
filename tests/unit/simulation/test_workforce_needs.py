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


@pytest.mark.parametrize("growth,term,nh", [("-1", "0.1", "0.1"), ("0", "1", "0.1"), ("0", "0.1", "1"), ("0", "-0.1", "0")])
def test_impossible_parameters_are_refused(growth, term, nh):
    with pytest.raises(ValueError):
        solve_workforce_needs(100, Decimal(growth), Decimal(term), Decimal(nh))
