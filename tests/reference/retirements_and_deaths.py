"""Who of the starting workforce dies or retires in a year, and who else leaves: the reference
that the macro `retirements_and_deaths_drawn` and the model `int_experienced_terminations_selected`
are tested against.

Death first: the `death` draw below the mortality rate of the age on 1 January (ages outside the
table use its nearest row). Otherwise retirement: the `retirement` draw below the retirement rate
of age - normal retirement age (no retirement before the table's first row; the last row's rate
after it). The solver's count then takes every retirement and death, and the other leavers by
the termination hazard (the smallest -ln(1 - u) / hazard, employee id breaking ties).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Mapping, Optional, Sequence

from workforce_platform.simulation.new_hire_terminations import sort_key
from workforce_platform.simulation.rng import TWO_POW_32, Stream, draw, draw_bits

RATE_UNITS = 100_000


def draw_is_below(h: int, rate: Decimal) -> bool:
    """h / 2^32 < rate, exactly, for a rate of at most 5 decimals (macro draw_is_below)."""
    return h * RATE_UNITS < int(rate * RATE_UNITS) * TWO_POW_32


def mortality_rate(age: int, mortality: Mapping[int, Decimal]) -> Decimal:
    """The rate of the age, or of the table's nearest age when outside it (an age missing inside
    the table: 0)."""
    return mortality.get(min(max(age, min(mortality)), max(mortality)), Decimal(0))


def retirement_rate(age: int, retirement: Mapping[int, Decimal], normal_retirement_age: int) -> Decimal:
    """The rate for age - normal retirement age (a key of `retirement`), none before the first row
    (nor for a year missing inside the table), the last row's after the last."""
    years_from_normal = min(age - normal_retirement_age, max(retirement))
    return retirement.get(years_from_normal, Decimal(0))


def age_decrement(seed: int, key: int, year: int, age: int, mortality: Mapping[int, Decimal],
                  retirement: Mapping[int, Decimal], normal_retirement_age: int) -> Optional[str]:
    """'death', 'retirement' or None for one starting employee of `age` on 1 January."""
    if draw_is_below(draw_bits(seed, key, year, Stream.DEATH), mortality_rate(age, mortality)):
        return "death"
    if draw_is_below(draw_bits(seed, key, year, Stream.RETIREMENT),
                     retirement_rate(age, retirement, normal_retirement_age)):
        return "retirement"
    return None


def select_experienced_terminations(starting: Sequence[tuple[str, int, Decimal, Optional[str]]], seed: int, year: int,
                                    count: int) -> list[tuple[str, str]]:
    """(employee_id, reason) of the `count` leavers among `starting` = (employee_id, key,
    termination hazard, age decrement or None), in rank order: the retirements and deaths first,
    then the others by the termination hazard."""
    ranked = sorted(
        (decrement is None, sort_key(draw(seed, key, year, Stream.TERMINATION), hazard), employee_id, decrement)
        for employee_id, key, hazard, decrement in starting)
    return [(employee_id, decrement or "other") for _, _, employee_id, decrement in ranked[:count]]
