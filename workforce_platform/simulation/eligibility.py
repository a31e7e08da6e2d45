"""When an employee enters the plan, in Python: the reference the macro
`plan_eligibility_rule_date` (SQL) and `eligibility_rule_date` (Polars) are tested against.

The requirements are met on the later of the end of the waiting period after hire and the
birthday of the minimum age; the employee enters on the first of the plan's entry dates on or
after that day: the day itself (immediate), the first of a month (monthly), of January, April,
July or October (quarterly), or of January or July (semi_annual).
"""

from __future__ import annotations

from datetime import date, timedelta

ENTRY_DATES = ("immediate", "monthly", "quarterly", "semi_annual")
_MONTHS_BETWEEN_ENTRIES = {"monthly": 1, "quarterly": 3, "semi_annual": 6}


def requirements_met(birth_date: date, hire_date: date, minimum_age: int, waiting_period_days: int) -> date:
    """The later of the waiting period's end and the birthday of the minimum age (29 February:
    28 February in a common year)."""
    try:
        birthday = birth_date.replace(year=birth_date.year + minimum_age)
    except ValueError:
        birthday = date(birth_date.year + minimum_age, 2, 28)
    return max(hire_date + timedelta(days=waiting_period_days), birthday)


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
