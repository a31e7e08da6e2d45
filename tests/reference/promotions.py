"""Who is promoted within each level: the reference that `int_promotions_drawn` is tested against
(the counts come from workforce_platform/simulation/promotion_openings.py).

Each level promotes its count among its candidates by weighted sampling without replacement:
the smallest -ln(1 - u) / weight win (u: the `promotion` draw; weight: config_promotion_hazards'
promotion_probability), employee id breaking ties. The new pay is the promotion raise rounded to
the cent (half up), at least the new level's band minimum of the year.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping, Sequence

from workforce_platform.simulation.new_hire_terminations import sort_key
from workforce_platform.simulation.rng import Stream, draw


def select_promotions(candidates: Sequence[tuple[str, int, int, Decimal]], counts: Mapping[int, int], seed: int,
                      year: int) -> dict[int, list[str]]:
    """For each level, the ids promoted from it, in rank order. `candidates` = (employee_id, key,
    level, weight); `counts` = how many each level promotes."""
    by_level: dict[int, list[tuple[float, str]]] = {}
    for employee_id, key, level, weight in candidates:
        by_level.setdefault(level, []).append((sort_key(draw(seed, key, year, Stream.PROMOTION), weight), employee_id))
    return {level: [employee_id for _, employee_id in sorted(ranked)[:counts.get(level, 0)]]
            for level, ranked in sorted(by_level.items())}


def promoted_pay(pay: Decimal, promotion_raise: Decimal, band_minimum: Decimal) -> Decimal:
    """The promotion raise on `pay`, rounded to the cent, at least the new band's minimum."""
    return max((pay * (1 + promotion_raise)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), band_minimum)
