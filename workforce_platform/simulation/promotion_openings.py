"""How many employees each level promotes in a year: the openings that keep the level mix of the
census. The reference that the SQL model `int_promotions_drawn` is tested against, and the rule
the Polars engine uses.

Each level's target at year end is its census share of the year's ending headcount, rounded half
up: target(l) = round(ending x census(l) / census total). Walking down from the top level, the
openings of level l are its target less the employees who will be there at year end without
promotions into it (its starting employees who stay, its hires who stay, less those it promotes
up), filled from the level below, never below zero (nobody is demoted) nor above the candidates
of the level below:

    promoted_from(top) = 0
    promoted_from(l - 1) = clamp(target(l) - (staying(l) - promoted_from(l)), 0, candidates(l - 1))

Who is promoted within a level is drawn by the promotion weights (config_promotion_hazards), by
weighted sampling without replacement; this module only counts.
"""

from __future__ import annotations

from typing import Mapping


def level_targets(ending_headcount: int, census_headcounts: Mapping[int, int], levels: list[int]) -> dict[int, int]:
    """Each level's year-end target: its census share of `ending_headcount`, rounded half up
    (exact integers; 0 for every level when the census is empty)."""
    total = sum(census_headcounts.values())
    if total == 0:
        return {level: 0 for level in levels}
    return {level: (2 * ending_headcount * census_headcounts.get(level, 0) + total) // (2 * total) for level in levels}


def promotions_by_level(targets: Mapping[int, int], staying: Mapping[int, int],
                        candidates: Mapping[int, int]) -> dict[int, int]:
    """How many of each level are promoted to the next one. `staying`: the employees at each level
    on 31 December without promotions (starting employees who do not leave, hires who do not
    leave); `candidates`: the employees each level may promote (employed on the promotion date,
    with a positive promotion weight). Levels are consecutive integers; the top level promotes
    nobody."""
    levels = sorted(targets)
    promoted = {levels[-1]: 0}
    for level in reversed(levels[1:]):
        wanted = targets[level] - (staying.get(level, 0) - promoted[level])
        promoted[level - 1] = max(0, min(wanted, candidates.get(level - 1, 0)))
    return {level: promoted[level] for level in levels}
