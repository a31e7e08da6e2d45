"""Plan entry dates, hours worked, the year of service and long-term part-time eligibility, with
hand-computed cases at their boundaries."""

from datetime import date
from decimal import Decimal

import pytest

from workforce_platform.simulation.eligibility import (
    Eligibility, computation_periods, eligibility, entry_date, hours_worked, long_term_part_time_service_met,
    requirements_met,
)


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


def test_a_year_of_service_ends_on_the_first_anniversary_of_hire():
    assert requirements_met(date(1990, 6, 15), date(2026, 3, 1), 21, 90, year_of_service=True) == date(2027, 3, 1)
    assert requirements_met(date(1990, 6, 15), date(2024, 2, 29), 21, 0, year_of_service=True) == date(2025, 2, 28)
    # age still last: 21 on 15 June 2028, after the anniversary
    assert requirements_met(date(2007, 6, 15), date(2026, 3, 1), 21, 0, year_of_service=True) == date(2028, 6, 15)


@pytest.mark.parametrize("scheduled, start, end, worked", [
    (None, date(2026, 1, 1), date(2026, 12, 31), Decimal("2080.00")),       # full time, whole year
    (Decimal("1000"), date(2026, 1, 1), date(2026, 12, 31), Decimal("1000.00")),
    (None, date(2026, 7, 1), date(2026, 12, 31), Decimal("1048.55")),       # 2080 x 184 / 365 = 1048.547...
    (None, date(2026, 1, 1), date(2026, 1, 1), Decimal("5.70")),            # 2080 / 365 = 5.6986...
    (Decimal("999.50"), date(2024, 1, 1), date(2024, 6, 30), Decimal("497.02")),  # 999.5 x 182 / 366 = 497.0191...
    (Decimal("730"), date(2025, 1, 1), date(2025, 1, 1), Decimal("2.00")),  # exactly 2
    (Decimal("1"), date(2025, 1, 1), date(2025, 7, 2), Decimal("0.50")),    # 1 x 183 / 365 = 0.50137
    (Decimal("0.73"), date(2025, 1, 1), date(2025, 6, 30), Decimal("0.36")),  # 0.73 x 181 / 365 = 0.36200
    (Decimal("1.46"), date(2025, 1, 1), date(2025, 3, 2), Decimal("0.24")),  # 1.46 x 61 / 365 = 0.244
    (Decimal("0.10"), date(2025, 1, 1), date(2025, 3, 2), Decimal("0.02")),  # 0.1 x 61 / 365 = 0.01671 -> 0.02
])
def test_hours_worked_are_the_schedule_prorated_by_days_employed(scheduled, start, end, worked):
    assert hours_worked(scheduled, start, end) == worked


def test_hours_worked_round_a_half_hundredth_up():
    # 1.825 hours = 0.005 x 365: one day of it is 0.005 exactly
    assert hours_worked(Decimal("1.83"), date(2025, 1, 1), date(2025, 1, 1)) == Decimal("0.01")  # 0.005013...
    assert hours_worked(Decimal("3.65"), date(2025, 1, 1), date(2025, 1, 1)) == Decimal("0.01")  # exactly 0.01
    assert hours_worked(Decimal("1.82"), date(2025, 1, 1), date(2025, 1, 1)) == Decimal("0.00")  # 0.004986


def test_computation_periods_are_twelve_months_from_hire_then_plan_years():
    assert computation_periods(date(2023, 7, 1), 2025) == [
        (date(2023, 7, 1), date(2024, 6, 30)), (date(2024, 1, 1), date(2024, 12, 31)), (date(2025, 1, 1), date(2025, 12, 31))]
    assert computation_periods(date(2024, 2, 29), 2024) == [(date(2024, 2, 29), date(2025, 2, 27))]


@pytest.mark.parametrize("hired, service_met", [
    (date(2015, 3, 1), date(2024, 1, 1)),   # 2021, 2022, 2023: the three-year rule of 2024
    (date(2020, 7, 1), date(2024, 1, 1)),   # the period from hire began in 2020: not counted
    (date(2021, 1, 1), date(2024, 1, 1)),
    (date(2021, 7, 1), date(2024, 1, 1)),   # 12 months from hire, 2022, 2023
    (date(2022, 1, 1), date(2025, 1, 1)),   # 2022 and 2023 are only two for 2024; two suffice from 2025
    (date(2022, 12, 31), date(2025, 1, 1)),
    (date(2023, 3, 1), date(2025, 1, 1)),   # 12 months from hire and 2024
    (date(2024, 1, 1), date(2026, 1, 1)),   # 2024 and 2025
    (date(2025, 6, 15), date(2027, 1, 1)),  # 12 months from hire, then 2026
])
def test_long_term_part_time_service(hired, service_met):
    assert long_term_part_time_service_met(hired) == service_met


def _eligibility(birth, hired, hours, minimum_hours=1000, entry_dates="immediate", waiting=0):
    return eligibility(birth, hired, hours, minimum_age=21, waiting_period_days=waiting,
                       minimum_hours=minimum_hours, entry_dates=entry_dates)


def test_full_time_and_part_time_eligibility_with_a_year_of_service():
    # no hours asked: age and waiting period only, whatever the schedule
    assert _eligibility(date(1990, 1, 1), date(2025, 5, 10), Decimal("300"), minimum_hours=None, waiting=30) \
        == Eligibility(True, False, date(2025, 6, 9))
    # full time: the first anniversary of hire, then the entry date
    assert _eligibility(date(1990, 1, 1), date(2025, 5, 10), None, entry_dates="quarterly") \
        == Eligibility(True, False, date(2026, 7, 1))
    assert _eligibility(date(1990, 1, 1), date(2025, 5, 10), Decimal("1000")) == Eligibility(True, False, date(2026, 5, 10))
    # 999.50 hours: long-term part-time, 1 January after the 12 months from hire and 2026
    assert _eligibility(date(1990, 1, 1), date(2025, 5, 10), Decimal("999.50")) == Eligibility(False, True, date(2027, 1, 1))
    assert _eligibility(date(1990, 1, 1), date(2025, 5, 10), Decimal("500")) == Eligibility(False, True, date(2027, 1, 1))
    # minimum age still applies, and the entry date after it
    assert _eligibility(date(2006, 3, 15), date(2024, 5, 10), Decimal("600"), entry_dates="semi_annual") \
        == Eligibility(False, True, date(2027, 7, 1))
    # below 500 hours: never eligible
    assert _eligibility(date(1990, 1, 1), date(2020, 5, 10), Decimal("499.99")) == Eligibility(False, False, None)
    # a plan asking 500 hours or fewer has no long-term part-time employees
    assert _eligibility(date(1990, 1, 1), date(2025, 5, 10), Decimal("499.99"), minimum_hours=400) \
        == Eligibility(True, False, date(2026, 5, 10))


def test_a_census_participant_has_entered_already_whatever_the_hours():
    census_date = date(2024, 12, 31)
    # 400 hours: never eligible as a new employee, but a participant at the census
    assert _eligibility(date(1990, 1, 1), date(2020, 5, 10), Decimal("400")) == Eligibility(False, False, None)
    assert eligibility(date(1990, 1, 1), date(2020, 5, 10), Decimal("400"), minimum_age=21, waiting_period_days=0,
                       minimum_hours=1000, entry_dates="immediate", in_plan_on=census_date) \
        == Eligibility(True, False, date(2021, 5, 10))
    # 750 hours: a participant, not long-term part-time; the census date caps a later date
    assert eligibility(date(2005, 1, 1), date(2024, 6, 1), Decimal("750"), minimum_age=21, waiting_period_days=0,
                       minimum_hours=1000, entry_dates="immediate", in_plan_on=census_date) \
        == Eligibility(True, False, census_date)
