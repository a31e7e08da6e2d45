"""Who of the year's hires leaves within the hire year, in Python: the reference the model
`int_new_hire_terminations_selected` is tested against.

The solver fixes how many leave; the hazard by months employed in the year decides who, by
weighted sampling without replacement (Efraimidis-Spirakis: the smallest -ln(1 - u) / hazard
win, employee id breaking ties), so a December hire is less likely to leave within the year
than a January one.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Mapping, Sequence

from workforce_platform.simulation.rng import Stream, draw


def months_employed(hire_date: date) -> int:
    """Months of the hire year the hire is employed in, counting the hire month: January 12, December 1."""
    return 13 - hire_date.month


def sort_key(u: float, hazard: Decimal) -> float:
    """-ln(1 - u) / hazard, or infinity for a zero hazard (chosen only when nobody else is left)."""
    return -math.log(1.0 - u) / float(hazard) if hazard > 0 else math.inf


def select_new_hire_terminations(hires: Sequence[tuple[str, int, date]], hazards: Mapping[int, Decimal],
                                 seed: int, year: int, count: int) -> list[str]:
    """The ids of the `count` hires (employee_id, employee_key, hire_date) who leave, in rank order."""
    keyed = sorted(
        (sort_key(draw(seed, key, year, Stream.NEW_HIRE_TERMINATION), hazards.get(months_employed(hired), Decimal(0))),
         employee_id)
        for employee_id, key, hired in hires)
    return [employee_id for _, employee_id in keyed[:count]]
