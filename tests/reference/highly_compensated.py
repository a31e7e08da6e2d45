"""Who counts for the size of the top-paid group, in plain Python: the reference of the rule in
int_highly_compensated_determined.

IRC 414(q)(3) and (5), Treas. Reg. 1.414(q)-1T Q&A-9(b): the top-paid group is the top 20% of the
look-back year's employees by pay, and its size leaves out employees the law lets a plan exclude:
fewer than 6 months of service at the end of the year (or on their last day), under age 21 at its
end, and those who normally work fewer than 17 1/2 hours a week (910 hours a year); seasonal
employees are not modelled. Those left out of the count may still be among the top paid.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping, Optional

from tests.reference.balances import whole_years

FULL_TIME_HOURS = Decimal(2080)
PART_TIME_BELOW_HOURS = Decimal("17.5") * 52   # 910


def six_months_after(day: date) -> date:
    """`day` plus 6 months, the end of the month when that month is shorter."""
    month = day.month + 6
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def counts_for_top_paid_group(hire_date: date, birth_date: date, scheduled_hours: Optional[Decimal],
                              last_day: date, year_end: date) -> bool:
    six_months = six_months_after(hire_date) <= last_day
    adult = whole_years(birth_date, year_end) >= 21
    not_part_time = (scheduled_hours if scheduled_hours is not None else FULL_TIME_HOURS) >= PART_TIME_BELOW_HOURS
    return six_months and adult and not_part_time


def top_paid_group(lookback_pay: Mapping[str, Decimal], counted: set[str]) -> set[str]:
    """The top-paid group: the `20% x counted employees` (rounded half up) best paid of everyone."""
    size = int((Decimal(len(counted)) * Decimal("0.2")).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    ranked = sorted(lookback_pay, key=lambda employee: (-lookback_pay[employee], employee))
    return set(ranked[:size])
