"""A hire's yearly schedule: the reference that `int_new_hires_generated` is tested against.

The census's active employees, grouped by scheduled hours (None: full time) and ordered with
None first then by hours, each value weighted by its headcount; a hire takes the value whose
cumulative range [low, high) holds floor(h x total / 2^32), h being the hire's
`new_hire_schedule` draw.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional, Sequence

from workforce_platform.simulation.rng import TWO_POW_32, Stream, draw_bits


def hire_schedule(seed: int, key: int, year: int,
                  census: Sequence[tuple[Optional[Decimal], int]]) -> Optional[Decimal]:
    """The scheduled hours of the hire with `key`; `census` = (scheduled hours, headcount)."""
    ordered = sorted(census, key=lambda entry: (entry[0] is not None, entry[0] or 0))
    total = sum(count for _, count in ordered)
    position = draw_bits(seed, key, year, Stream.NEW_HIRE_SCHEDULE) * total // TWO_POW_32
    for hours, count in ordered:
        if position < count:
            return hours
        position -= count
    raise ValueError("an empty census has no schedule to draw")
