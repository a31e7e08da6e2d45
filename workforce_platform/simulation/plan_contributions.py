"""Contribution rules in Python: the reference the SQL model `int_plan_contributions_calculated`
is tested against, row by row. Amounts are Decimal dollars; results are rounded to cents, half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Tier:
    employee_min: Decimal
    employee_max: Decimal
    match_rate: Decimal


@dataclass(frozen=True)
class IrsLimits:
    elective_deferral_limit: Decimal
    catch_up_limit: Decimal
    super_catch_up_limit: Decimal
    compensation_limit: Decimal
    annual_additions_limit: Decimal
    catch_up_age: int = 50
    super_catch_up_min_age: int = 60
    super_catch_up_max_age: int = 63


def plan_compensation(prorated_pay: Decimal, limits: IrsLimits) -> Decimal:
    """401(a)(17): pay counted by the plan."""
    return min(prorated_pay, limits.compensation_limit)


def deferral_limit(age_at_year_end: int, limits: IrsLimits) -> Decimal:
    """402(g) plus the catch-up of the age reached by 31 December (60-63: the larger one instead)."""
    if limits.super_catch_up_min_age <= age_at_year_end <= limits.super_catch_up_max_age:
        return limits.elective_deferral_limit + limits.super_catch_up_limit
    if age_at_year_end >= limits.catch_up_age:
        return limits.elective_deferral_limit + limits.catch_up_limit
    return limits.elective_deferral_limit


def match_amount(deferrals: Decimal, plan_pay: Decimal, tiers: Sequence[Tier]) -> Decimal:
    """Tier by tier: match_rate x the deferrals between employee_min and employee_max of plan pay."""
    total = Decimal(0)
    for tier in tiers:
        low, high = tier.employee_min * plan_pay, tier.employee_max * plan_pay
        total += tier.match_rate * min(max(deferrals - low, Decimal(0)), high - low)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def apply_annual_additions_limit(
    deferrals: Decimal, catch_up: Decimal, match: Decimal, core: Decimal, prorated_pay: Decimal, limits: IrsLimits
) -> tuple[Decimal, Decimal, Decimal]:
    """415(c): deferrals less catch-up, plus match and core, within the lesser of the limit and pay.
    The excess comes off core, then match, then deferrals. Returns (deferrals, match, core)."""
    limit = min(limits.annual_additions_limit, prorated_pay)
    excess = max(deferrals - catch_up + match + core - limit, Decimal(0))
    core_cut = min(core, excess)
    match_cut = min(match, excess - core_cut)
    return deferrals - (excess - core_cut - match_cut), match - match_cut, core - core_cut
