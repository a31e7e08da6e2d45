"""An employee's accounts through one year, in plain Python: the reference the balances model
(int_account_balances_rolled) and the Polars engine are tested against.

- Vesting service (IRC 411(a)(5), elapsed time): the service on 31 December of the year before
  (the census's vesting_service_years in the first year, prior service included) plus the
  anniversaries of hire reached since, to the last day employed; a hire of the year counts whole
  years from hire.
- Each account earns the return on its starting balance (half away from zero), then receives the
  year's contributions. A leaver forfeits the unvested match and core (the balance less its vested
  share, half up) and is paid the rest: the distribution; their accounts close at zero. Deferrals
  are always vested (IRC 411(a)(1)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Optional

from workforce_platform.simulation.vesting import Steps, forfeiture, investment_return, vested_share


def whole_years(start: date, end: date) -> int:
    """Anniversaries of `start` reached by `end`."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def vesting_service(hire_date: date, last_day: date, service_on_december_before: Optional[int],
                    december_before: date) -> int:
    """Whole years of vesting service on `last_day` of the year."""
    if service_on_december_before is None:  # hired this year
        return whole_years(hire_date, last_day)
    return service_on_december_before + whole_years(hire_date, last_day) - whole_years(hire_date, december_before)


@dataclass(frozen=True)
class YearEnd:
    employee: Decimal
    match: Decimal
    core: Decimal
    forfeiture: Decimal
    distribution: Decimal
    investment_return: Decimal


def roll(start: tuple[Decimal, Decimal, Decimal], contributions: tuple[Decimal, Decimal, Decimal], return_rate: Decimal,
         service_years: int, match_schedule: Steps, core_schedule: Steps, leaves: bool) -> YearEnd:
    """The accounts (deferrals, match, core) at year end, or what a leaver is paid."""
    returns = [investment_return(balance, return_rate) for balance in start]
    employee, match, core = (s + r + c for s, r, c in zip(start, returns, contributions))
    if not leaves:
        return YearEnd(employee, match, core, Decimal(0), Decimal(0), sum(returns))
    lost_match = forfeiture(match, vested_share(match_schedule, service_years))
    lost_core = forfeiture(core, vested_share(core_schedule, service_years))
    paid = employee + match - lost_match + core - lost_core
    return YearEnd(Decimal(0), Decimal(0), Decimal(0), lost_match + lost_core, paid, sum(returns))
