"""A hire's schedule drawn from the census's scheduled hours, with hand-computed cases."""

from decimal import Decimal as D

import pytest

from tests.reference.new_hire_schedules import hire_schedule
from workforce_platform.simulation.rng import employee_key

# 6 full time (None), 3 at 1,000 hours, 1 at 500: ordered None [0, 6), 500 [6, 7), 1000 [7, 10)
CENSUS = [(D("1000"), 3), (None, 6), (D("500"), 1)]


@pytest.mark.parametrize("hire, expected", [
    ("NH2026_000001", None),       # u 0.336245: floor(3.36) = 3 -> full time
    ("NH2026_000006", D("500")),   # u 0.649981: 6 -> 500
    ("NH2026_000005", D("1000")),  # u 0.780429: 7 -> 1,000
    ("NH2026_000009", D("1000")),  # u 0.987203: 9 -> 1,000
])
def test_schedule_by_hand(hire, expected):
    assert hire_schedule(42, employee_key(hire), 2026, CENSUS) == expected


def test_an_all_full_time_census_hires_full_time_and_an_empty_one_refuses():
    assert hire_schedule(42, employee_key("NH2026_000009"), 2026, [(None, 5)]) is None
    with pytest.raises(ValueError):
        hire_schedule(42, 1, 2026, [])
