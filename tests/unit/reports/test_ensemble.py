"""Percentiles of a seed ensemble, against hand-computed values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workforce_platform.reports.ensemble import ensemble_years, percentile

D = Decimal


@pytest.mark.parametrize("values, p, expected", [
    ([10], D("0.1"), D(10)),                     # one value is every percentile
    ([1, 2, 3, 4, 5], D("0.5"), D(3)),           # h = 2: the middle value
    ([1, 2, 3, 4], D("0.5"), D("2.5")),          # h = 1.5: halfway between 2 and 3
    ([1, 2, 3, 4], D("0.1"), D("1.3")),          # h = 0.3
    ([1, 2, 3, 4], D("0.9"), D("3.7")),          # h = 2.7
    ([40, 10, 30, 20], D("0.9"), D(37)),         # sorted first: 10 20 30 40, h = 2.7
    ([5, 5, 5], D("0.9"), D(5)),
    ([1, 2, 3, 4], D(0), D(1)),                  # the ends are the extremes
    ([1, 2, 3, 4], D(1), D(4)),
    ([D("0.01"), D("0.02")], D("0.5"), D("0.015")),  # exact, no binary rounding
])
def test_type_seven_percentiles(values, p, expected):
    assert percentile(values, p) == expected


def test_twenty_seeds_p10_p50_p90():
    values = list(range(101, 121))  # 101..120
    # h = 19 p: P10 at 1.9 → 102.9, P50 at 9.5 → 110.5, P90 at 17.1 → 118.1
    assert [percentile(values, D(p)) for p in ("0.1", "0.5", "0.9")] == [D("102.9"), D("110.5"), D("118.1")]


def test_bad_percentile_arguments():
    with pytest.raises(ValueError):
        percentile([], D("0.5"))
    with pytest.raises(ValueError):
        percentile([1], D("1.5"))


def test_ensemble_rounds_headcount_to_a_tenth_and_money_to_the_cent_half_away_from_zero():
    results = {
        1: {2025: (100, D("10.00")), 2026: (103, D("20.005"))},
        2: {2025: (101, D("10.01")), 2026: (104, D("20.000"))},
    }
    table = ensemble_years(results)
    assert [(r.simulation_year, r.seeds) for r in table] == [(2025, 2), (2026, 2)]
    # 2025: h = 0.1 → 100.1; 0.5 → 100.5; 0.9 → 100.9. Money: 10.001 → 10.00, 10.005 → 10.01, 10.009 → 10.01.
    assert table[0].headcount == (D("100.1"), D("100.5"), D("100.9"))
    assert table[0].employer_cost == (D("10.00"), D("10.01"), D("10.01"))
    # 2026 costs 20.000 and 20.005 sorted: P50 = 20.0025 → 20.00; P90 = 20.0045 → 20.00; P10 → 20.00.
    assert table[1].employer_cost == (D("20.00"), D("20.00"), D("20.00"))


def test_a_year_missing_for_a_seed_counts_the_seeds_that_have_it():
    table = ensemble_years({1: {2025: (10, D(1)), 2026: (11, D(2))}, 2: {2025: (12, D(3))}})
    assert [(r.simulation_year, r.seeds) for r in table] == [(2025, 2), (2026, 1)]
    assert table[1].headcount == (D("11.0"),) * 3
