"""Retirement and death by age, and the experienced terminations they join, with hand-computed cases
(seed 42, year 2026; the draws are quoted from workforce_platform/simulation/rng.py)."""

import csv
from decimal import ROUND_HALF_UP, Decimal as D

import pytest

from tests.reference.retirements_and_deaths import (
    age_decrement, mortality_rate, retirement_rate, select_experienced_terminations,
)
from workforce_platform.paths import PROJECT_ROOT
from workforce_platform.simulation.rng import employee_key

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"
# The shipped rates of the ages used here; ages outside 40-68 take the nearest row
MORTALITY = {40: D("0.00059"), 54: D("0.00175"), 55: D("0.00191"), 60: D("0.00297"), 62: D("0.00353"),
             63: D("0.00384"), 65: D("0.00456"), 66: D("0.00508"), 68: D("0.00632")}
# Rates by years from the normal retirement age, as the shipped table at 55, 62, 63, 65 and 75
RETIREMENT = {-10: D("0.02"), -3: D("0.15"), -2: D("0.10"), 0: D("0.30"), 1: D("0.20"), 10: D("1")}


def test_mortality_rate_clamps_to_the_tables_ages():
    assert mortality_rate(60, MORTALITY) == D("0.00297")
    assert mortality_rate(18, MORTALITY) == D("0.00059")  # younger than the first row: the first row
    assert mortality_rate(95, MORTALITY) == D("0.00632")  # older than the last row: the last row
    assert mortality_rate(50, MORTALITY) == 0              # missing inside the table: none (SQL: coalesce 0)


def test_retirement_rate_is_read_relative_to_the_normal_retirement_age():
    assert retirement_rate(65, RETIREMENT, 65) == D("0.30")  # 65 - 65 = 0
    assert retirement_rate(65, RETIREMENT, 67) == D("0.10")  # 65 - 67 = -2
    assert retirement_rate(54, RETIREMENT, 65) == 0         # -11: before the first row, no retirement
    assert retirement_rate(64, RETIREMENT, 65) == 0         # -1: a year the hand table leaves out
    assert retirement_rate(90, RETIREMENT, 65) == D("1")    # 25, after the last row: the last row's rate


def test_death_comes_before_retirement():
    key = employee_key("EMP000132")  # u_death = 0.002416, u_retirement = 0.135889
    assert age_decrement(42, key, 2026, 60, MORTALITY, RETIREMENT, 65) == "death"  # 0.002416 < 0.00297
    assert age_decrement(42, key, 2026, 40, MORTALITY, RETIREMENT, 65) is None     # 0.002416 >= 0.00059; -25: no rate
    assert age_decrement(42, key, 2026, 62, MORTALITY, RETIREMENT, 65) == "death"  # 0.002416 < 0.00353, though 0.1359 < 0.15
    assert age_decrement(42, key, 2026, 55, MORTALITY, RETIREMENT, 65) is None     # 0.002416 >= 0.00191; 0.1359 >= 0.02


@pytest.mark.parametrize("employee_id, age, normal_age, expected", [
    ("EMP000009", 65, 65, "retirement"),  # u_retirement 0.295038 < 0.30 (u_death 0.77)
    ("EMP000009", 66, 65, None),          # 0.295038 >= 0.20
    ("EMP000009", 65, 67, None),          # years -2: 0.295038 >= 0.10
    ("EMP000009", 90, 65, "retirement"),  # years 25 -> the last row, 1.00
    ("EMP000012", 62, 65, "retirement"),  # u_retirement 0.115498 < 0.15
    ("EMP000012", 63, 65, None),          # 0.115498 >= 0.10
    ("EMP000558", 55, 65, "retirement"),  # u_retirement 0.000911 < 0.02
    ("EMP000558", 54, 65, None),          # before the table
    ("EMP000878", 65, 65, "retirement"),  # u_death 0.005499 >= 0.00456; u_retirement 0.171584 < 0.30
    ("EMP000878", 68, 65, "death"),       # 0.005499 < 0.00632
])
def test_age_decrement_by_hand(employee_id, age, normal_age, expected):
    assert age_decrement(42, employee_key(employee_id), 2026, age, MORTALITY, RETIREMENT, normal_age) == expected


def test_retirements_and_deaths_take_the_first_places_then_the_hazard():
    # u_termination (seed 42, 2026): A 0.835633, B 0.690988, C 0.358658, D 0.486056
    # keys -ln(1 - u) / hazard: A 1.80565 / 0.1 = 18.06, B 1.17437 / 0.1 = 11.74, D 0.66564 / 0.5 = 1.33
    starting = [(name, employee_key(name), hazard, decrement) for name, hazard, decrement in
                (("A", D("0.1"), None), ("B", D("0.1"), None), ("C", D("0.1"), "retirement"), ("D", D("0.5"), None))]
    assert select_experienced_terminations(starting, 42, 2026, 1) == [("C", "retirement")]
    assert select_experienced_terminations(starting, 42, 2026, 3) == [("C", "retirement"), ("D", "other"), ("B", "other")]
    # two decrements rank by their own keys: D (0.66564 / 0.5 = 1.33) before C (0.44419 / 0.1 = 4.44)
    starting[3] = ("D", employee_key("D"), D("0.5"), "death")
    assert select_experienced_terminations(starting, 42, 2026, 2) == [("D", "death"), ("C", "retirement")]


def test_the_shipped_mortality_rates_are_the_unisex_mean_of_the_pri_2012_employee_rates():
    with open(SEEDS / "config_mortality_rates.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["age"]) for r in rows] == list(range(18, 81))
    for row in rows:
        mean = ((D(row["male_rate"]) + D(row["female_rate"])) / 2).quantize(D("0.00001"), rounding=ROUND_HALF_UP)
        assert D(row["mortality_rate"]) == mean, row
    at_65 = next(r for r in rows if r["age"] == "65")
    assert (at_65["male_rate"], at_65["female_rate"], at_65["mortality_rate"]) == ("0.00573", "0.00339", "0.00456")


def test_the_shipped_retirement_rates_are_probabilities_and_end_certain():
    with open(SEEDS / "config_retirement_rates.csv") as handle:
        rows = list(csv.DictReader(handle))
    years = [int(r["years_from_normal_retirement_age"]) for r in rows]
    assert years == list(range(years[0], years[-1] + 1))
    assert all(0 <= D(r["retirement_rate"]) <= 1 for r in rows)
    assert D(rows[-1]["retirement_rate"]) == 1
    assert all(int(r["age_for_normal_retirement_age_65"]) == 65 + int(r["years_from_normal_retirement_age"]) for r in rows)
