"""Promotions per level that keep the census's level mix, and who fills them, with hand-computed cases."""

from decimal import Decimal as D

import pytest

from tests.reference.promotions import promoted_pay, select_promotions
from workforce_platform.simulation.promotion_openings import level_targets, promotions_by_level
from workforce_platform.simulation.rng import employee_key


def test_targets_are_census_shares_of_the_ending_headcount():
    # 1,030 x 400/1000 = 412; x 280 = 288.4 -> 288; x 180 = 185.4 -> 185; x 100 = 103; x 40 = 41.2 -> 41
    census = {1: 400, 2: 280, 3: 180, 4: 100, 5: 40}
    assert level_targets(1030, census, [1, 2, 3, 4, 5]) == {1: 412, 2: 288, 3: 185, 4: 103, 5: 41}
    # 5 x 1/2 = 2.5 rounds half up to 3; a level the census lacks has target 0
    assert level_targets(5, {1: 1, 2: 1}, [1, 2, 3]) == {1: 3, 2: 3, 3: 0}
    assert level_targets(100, {}, [1, 2]) == {1: 0, 2: 0}


def test_openings_walk_down_from_the_top_level():
    targets = {1: 412, 2: 288, 3: 185, 4: 103, 5: 41}
    staying = {1: 430, 2: 270, 3: 180, 4: 100, 5: 35}
    candidates = {1: 300, 2: 200, 3: 150, 4: 80}
    # from 4: 41 - (35 - 0) = 6; from 3: 103 - (100 - 6) = 9; from 2: 185 - (180 - 9) = 14;
    # from 1: 288 - (270 - 14) = 32. Year end: 5: 41, 4: 103, 3: 185, 2: 288, 1: 430 - 32 = 398.
    assert promotions_by_level(targets, staying, candidates) == {1: 32, 2: 14, 3: 9, 4: 6, 5: 0}


def test_an_overfull_level_gets_no_promotions_and_nobody_is_demoted():
    # from 2: 3 - 1 = 2; from 1: 5 - (7 - 2) = 0 (level 2 is full)
    assert promotions_by_level({1: 10, 2: 5, 3: 3}, {1: 8, 2: 7, 3: 1}, {1: 8, 2: 7}) == {1: 0, 2: 2, 3: 0}
    # level 2 above its target even after promoting: 4 - (9 - 0) < 0 -> 0
    assert promotions_by_level({1: 10, 2: 4}, {1: 5, 2: 9}, {1: 5}) == {1: 0, 2: 0}


def test_openings_are_limited_by_the_candidates_below():
    # from 1: 10 - 3 = 7 wanted, 4 candidates
    assert promotions_by_level({1: 5, 2: 10}, {1: 12, 2: 3}, {1: 4}) == {1: 4, 2: 0}


def test_selection_by_weight_within_each_level():
    # u_promotion (seed 42, 2026) and -ln(1 - u): A 0.802712 -> 1.62309, B 0.230189 -> 0.26161,
    # C 0.997774 -> 6.10736, D 0.543742 -> 0.78470
    ids = {name: employee_key(name) for name in "ABCD"}
    equal = [(name, ids[name], 1, D("0.1")) for name in "ABCD"]
    # keys / 0.1: B 2.62, D 7.85, A 16.23, C 61.07
    assert select_promotions(equal, {1: 2}, 42, 2026) == {1: ["B", "D"]}
    # C at weight 0.9: 6.10736 / 0.9 = 6.79, now before D
    weighted = [(n, k, l, D("0.9") if n == "C" else w) for n, k, l, w in equal]
    assert select_promotions(weighted, {1: 2}, 42, 2026) == {1: ["B", "C"]}
    # two levels, one each: level 1 {A 16.23, B 2.62} -> B; level 2 {C 61.07, D 7.85} -> D
    split = [(n, k, 1 if n in "AB" else 2, w) for n, k, _, w in equal]
    assert select_promotions(split, {1: 1, 2: 1}, 42, 2026) == {1: ["B"], 2: ["D"]}
    assert select_promotions(split, {2: 1}, 42, 2026) == {1: [], 2: ["D"]}


@pytest.mark.parametrize("pay, floor, expected", [
    ("70000.00", "60000.00", "77000.00"),   # 70,000 x 1.10 above the floor
    ("50000.00", "61200.00", "61200.00"),   # 55,000 below the indexed floor 60,000 x 1.02
    ("54545.45", "60000.00", "60000.00"),   # 59,999.995 rounds to 60,000.00 = the floor
    ("54545.46", "60000.00", "60000.01"),   # 60,000.006 -> 60,000.01
])
def test_promoted_pay_is_the_raise_at_least_the_new_bands_minimum(pay, floor, expected):
    assert promoted_pay(D(pay), D("0.10"), D(floor)) == D(expected)
