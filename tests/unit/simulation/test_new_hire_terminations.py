"""The new-hire termination hazard by months employed, with hand-computed cases."""

import math
from datetime import date
from decimal import Decimal as D

import pytest

from workforce_platform.simulation.new_hire_terminations import months_employed, select_new_hire_terminations, sort_key


@pytest.mark.parametrize("hired, months", [(date(2026, 1, 1), 12), (date(2026, 1, 31), 12), (date(2026, 6, 15), 7),
                                           (date(2026, 12, 1), 1), (date(2026, 12, 30), 1)])
def test_months_employed_counts_the_hire_month(hired, months):
    assert months_employed(hired) == months


def test_sort_key_by_hand():
    assert sort_key(0.5, D("0.30616")) == pytest.approx(math.log(2) / 0.30616)
    assert sort_key(0.0, D("0.03")) == 0.0
    assert sort_key(0.9, D("0")) == math.inf


def test_a_higher_hazard_wins_at_the_same_draw_and_ties_go_by_id():
    hazards = {12: D("0.30616"), 1: D("0.03000")}
    # Two hires with the same key draw the same u: the January hire (12 months) has the larger hazard.
    hires = [("B_december", 7, date(2026, 12, 1)), ("A_january", 7, date(2026, 1, 5))]
    assert select_new_hire_terminations(hires, hazards, seed=42, year=2026, count=1) == ["A_january"]
    # Equal hazards and draws: the smaller id first.
    same = [("B", 7, date(2026, 3, 1)), ("A", 7, date(2026, 3, 9))]
    assert select_new_hire_terminations(same, {10: D("0.1")}, seed=42, year=2026, count=2) == ["A", "B"]


def test_a_zero_hazard_is_chosen_last():
    # "zero" (a December hire, no hazard for 1 month here) loses to any finite key, whatever its draw
    hires = [("a_zero", 11, date(2026, 12, 1)), ("b_some", 12, date(2026, 5, 1))]
    assert select_new_hire_terminations(hires, {8: D("0.1")}, seed=42, year=2026, count=1) == ["b_some"]
    assert select_new_hire_terminations(hires, {8: D("0.1")}, seed=42, year=2026, count=2) == ["b_some", "a_zero"]
