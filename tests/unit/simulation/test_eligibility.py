"""Plan entry dates, with hand-computed cases at their boundaries."""

from datetime import date

import pytest

from workforce_platform.simulation.eligibility import entry_date, requirements_met


@pytest.mark.parametrize("met, rule, entry", [
    (date(2026, 5, 17), "immediate", date(2026, 5, 17)),
    (date(2026, 5, 1), "monthly", date(2026, 5, 1)),          # on an entry date: that day
    (date(2026, 5, 2), "monthly", date(2026, 6, 1)),
    (date(2026, 12, 31), "monthly", date(2027, 1, 1)),        # into the next year
    (date(2026, 4, 1), "quarterly", date(2026, 4, 1)),
    (date(2026, 4, 2), "quarterly", date(2026, 7, 1)),
    (date(2026, 3, 31), "quarterly", date(2026, 4, 1)),
    (date(2026, 11, 15), "quarterly", date(2027, 1, 1)),
    (date(2026, 1, 1), "semi_annual", date(2026, 1, 1)),
    (date(2026, 1, 2), "semi_annual", date(2026, 7, 1)),
    (date(2026, 7, 1), "semi_annual", date(2026, 7, 1)),
    (date(2026, 7, 2), "semi_annual", date(2027, 1, 1)),
    (date(2024, 2, 29), "monthly", date(2024, 3, 1)),
])
def test_entry_date_is_the_first_entry_date_on_or_after(met, rule, entry):
    assert entry_date(met, rule) == entry


def test_requirements_met_on_the_later_of_waiting_period_and_age():
    assert requirements_met(date(1990, 6, 15), date(2026, 3, 1), 21, 90) == date(2026, 5, 30)
    assert requirements_met(date(2006, 6, 15), date(2026, 3, 1), 21, 0) == date(2027, 6, 15)
    assert requirements_met(date(2004, 2, 29), date(2020, 1, 1), 21, 0) == date(2025, 2, 28)
