"""Vesting and account balances, in Python: the reference the model `int_account_balances_rolled`
is tested against.

A schedule is a list of steps (years of vesting service, vested share): the share of the
largest step reached. Vesting service is whole years from hire to the last day employed in the
year (the elapsed-time method). Each account (employee deferrals, match, core) earns the year's
investment return on its starting balance (rounded to the cent, half away from zero), then
receives the year's contributions. When an employee leaves, the unvested share of the match and
core balances (the balance less its vested share, rounded half up) is forfeited.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence, Union

CENT = Decimal("0.01")
NAMED_SCHEDULES: dict[str, tuple[tuple[int, Decimal], ...]] = {
    "immediate": ((0, Decimal(1)),),
    "cliff_3": ((0, Decimal(0)), (3, Decimal(1))),
    "graded_2_6": ((0, Decimal(0)), (2, Decimal("0.2")), (3, Decimal("0.4")), (4, Decimal("0.6")),
                   (5, Decimal("0.8")), (6, Decimal(1))),
}

Steps = tuple[tuple[int, Decimal], ...]


def vesting_steps(schedule: Union[str, Sequence[tuple[int, Decimal]]]) -> Steps:
    """A named schedule's steps, or a custom one's with 0% from year 0 when it starts later."""
    if isinstance(schedule, str):
        return NAMED_SCHEDULES[schedule]
    steps = tuple((int(years), Decimal(vested)) for years, vested in schedule)
    return steps if steps and steps[0][0] == 0 else ((0, Decimal(0)), *steps)


def vested_share(steps: Steps, service_years: int) -> Decimal:
    """The share vested after `service_years` whole years of vesting service."""
    return max((vested for years, vested in steps if years <= service_years), default=Decimal(0))


def schedule_problems(steps: Steps) -> list[str]:
    """Why a schedule is not a valid one; empty if it is. ERISA 203(a)(2) / IRC 411(a)(2)(B): at
    least as fast as 3-year cliff or 2-6 year graded vesting for employer contributions."""
    problems = []
    years = [y for y, _ in steps]
    shares = [v for _, v in steps]
    if years != sorted(set(years)):
        problems.append("steps must have increasing, distinct years")
    if shares != sorted(shares):
        problems.append("the vested share may not fall as service grows")
    if shares[-1] != 1:
        problems.append("the last step must vest 100%")
    checkpoints = range(0, 7)
    as_fast = [all(vested_share(steps, y) >= vested_share(NAMED_SCHEDULES[name], y) for y in checkpoints)
               for name in ("cliff_3", "graded_2_6")]
    if not any(as_fast):
        problems.append("slower than both 3-year cliff and 2-6 year graded vesting")
    return problems


def investment_return(balance: Decimal, rate: Decimal) -> Decimal:
    """The year's return on a starting balance, to the cent, half away from zero."""
    value = balance * rate
    rounded = abs(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded if value >= 0 else -rounded


def forfeiture(balance: Decimal, vested: Decimal) -> Decimal:
    """The unvested part of a balance at termination: the balance less its vested share (half up)."""
    return balance - (balance * vested).quantize(CENT, rounding=ROUND_HALF_UP)
