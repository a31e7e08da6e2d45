"""When an employee enters the plan and the hours they work, in Python: the reference the macros
`plan_eligibility_rule_date` and `hours_worked` (SQL) and their Polars twins are tested against.

The requirements are met on the later of the end of the waiting period after hire and the
birthday of the minimum age and, when the plan asks hours (`eligibility.minimum_hours`), the
end of a year of service: an eligibility computation period with that many hours. The periods
are the 12 months from hire, then plan years (calendar years) from the one beginning inside the
first. An employee works their schedule (census `scheduled_hours`, or full time 2,080) in every
period they are employed throughout.

An employee whose schedule falls short of the year of service but reaches 500 hours is a
long-term part-time employee (SECURE Act 2019, SECURE 2.0 2022): eligible to defer, only, once
they have worked consecutive 500-hour periods, three for the 2024 plan year and two from 2025,
periods beginning before 2021 not counted.

The employee enters on the first of the plan's entry dates on or after the day the requirements
are met: the day itself (immediate), the first of a month (monthly), of January, April, July or
October (quarterly), or of January or July (semi_annual).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

FULL_TIME_HOURS = 2080
LONG_TERM_PART_TIME_HOURS = 500
_PART_TIME_SERVICE_COUNTED_FROM = date(2021, 1, 1)

ENTRY_DATES = ("immediate", "monthly", "quarterly", "semi_annual")
_MONTHS_BETWEEN_ENTRIES = {"monthly": 1, "quarterly": 3, "semi_annual": 6}


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February: 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 2, 28)


def requirements_met(birth_date: date, hire_date: date, minimum_age: int, waiting_period_days: int,
                     year_of_service: bool = False) -> date:
    """The later of the waiting period's end, the birthday of the minimum age and, with
    `year_of_service`, the first anniversary of hire (the end of the first computation period)."""
    met = max(hire_date + timedelta(days=waiting_period_days), add_years(birth_date, minimum_age))
    return max(met, add_years(hire_date, 1)) if year_of_service else met


def annual_hours(scheduled_hours: Optional[Decimal]) -> Decimal:
    return Decimal(FULL_TIME_HOURS) if scheduled_hours is None else Decimal(scheduled_hours)


def hours_worked(scheduled_hours: Optional[Decimal], period_start: date, period_end: date) -> Decimal:
    """Hours worked in the plan year of `period_start`: the schedule prorated by the days employed
    (period_start to period_end, both included) over the days in the year, to the hundredth, half up."""
    year_days = (date(period_start.year + 1, 1, 1) - date(period_start.year, 1, 1)).days
    days = (period_end - period_start).days + 1
    return (annual_hours(scheduled_hours) * days / year_days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def computation_periods(hire_date: date, through_year: int) -> list[tuple[date, date]]:
    """Eligibility computation periods (first day, last day): the 12 months from hire, then the
    plan years from the one after the hire year, up to `through_year`."""
    periods = [(hire_date, add_years(hire_date, 1) - timedelta(days=1))]
    periods += [(date(y, 1, 1), date(y, 12, 31)) for y in range(hire_date.year + 1, through_year + 1)]
    return periods


def long_term_part_time_service_met(hire_date: date) -> date:
    """The first day of the first plan year for which consecutive 500-hour periods make a
    long-term part-time employee eligible: three completed before the 2024 plan year, two before
    a plan year from 2025; periods beginning before 2021 do not count. Counted period by period."""
    plan_year = 2024
    while True:
        start = date(plan_year, 1, 1)
        counted = [p for p in computation_periods(hire_date, plan_year - 1)
                   if p[0] >= _PART_TIME_SERVICE_COUNTED_FROM and p[1] < start]
        if len(counted) >= (3 if plan_year == 2024 else 2):
            return start
        plan_year += 1


@dataclass(frozen=True)
class Eligibility:
    meets_hours: bool            # the schedule gives the year of service (or no hours are asked)
    is_long_term_part_time: bool  # else 500 hours or more: deferrals only
    eligibility_date: Optional[date]  # None: never eligible


def eligibility(birth_date: date, hire_date: date, scheduled_hours: Optional[Decimal], *, minimum_age: int,
                waiting_period_days: int, minimum_hours: Optional[int], entry_dates: str,
                in_plan_on: Optional[date] = None) -> Eligibility:
    """Whether and from when an employee is eligible. `in_plan_on`: the census date of a census
    participant, who has entered the plan already (eligible by that date at the latest, whatever
    the hours: once a participant, always one)."""
    if in_plan_on is not None:
        found = eligibility(birth_date, hire_date, scheduled_hours, minimum_age=minimum_age,
                            waiting_period_days=waiting_period_days, minimum_hours=minimum_hours,
                            entry_dates=entry_dates)
        rule_date = found.eligibility_date or entry_date(
            requirements_met(birth_date, hire_date, minimum_age, waiting_period_days, minimum_hours is not None),
            entry_dates)
        return Eligibility(True, False, min(rule_date, in_plan_on))
    hours = annual_hours(scheduled_hours)
    if minimum_hours is None or hours >= minimum_hours:
        met = requirements_met(birth_date, hire_date, minimum_age, waiting_period_days, minimum_hours is not None)
        return Eligibility(True, False, entry_date(met, entry_dates))
    if hours >= LONG_TERM_PART_TIME_HOURS:
        met = max(long_term_part_time_service_met(hire_date), add_years(birth_date, minimum_age))
        return Eligibility(False, True, entry_date(met, entry_dates))
    return Eligibility(False, False, None)


def entry_date(requirements_met_on: date, entry_dates: str) -> date:
    """The first entry date on or after the day the requirements are met."""
    if entry_dates == "immediate":
        return requirements_met_on
    step = _MONTHS_BETWEEN_ENTRIES[entry_dates]
    period_start_month = (requirements_met_on.month - 1) // step * step + 1
    start = date(requirements_met_on.year, period_start_month, 1)
    if start == requirements_met_on:
        return start
    month = period_start_month + step
    return date(requirements_met_on.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
