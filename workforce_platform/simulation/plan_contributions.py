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
    return exact_match(deferrals, plan_pay, tiers).quantize(CENT, rounding=ROUND_HALF_UP)


def exact_match(deferrals: Decimal, plan_pay: Decimal, tiers: Sequence[Tier]) -> Decimal:
    """The match formula before rounding."""
    total = Decimal(0)
    for tier in tiers:
        low, high = tier.employee_min * plan_pay, tier.employee_max * plan_pay
        total += tier.match_rate * min(max(deferrals - low, Decimal(0)), high - low)
    return total


@dataclass(frozen=True)
class Corrected:
    """Amounts after 414(v) and 415(c)."""

    deferrals: Decimal
    catch_up: Decimal
    match: Decimal
    core: Decimal


def apply_annual_additions_limit(
    deferrals: Decimal, age_at_year_end: int, match: Decimal, core: Decimal, prorated_pay: Decimal,
    plan_pay: Decimal, tiers: Sequence[Tier], receives_match: bool, limits: IrsLimits,
    order: str = "deferrals_first",
) -> Corrected:
    """415(c): deferrals less catch-up, plus match and core, within the lesser of the limit and pay.

    Catch-up (414(v)) is the deferral above 402(g), and then, within the age's catch-up room,
    deferrals above 415(c). What is still over the limit is corrected in `order`:
    - employer_first: off core, then match, then deferrals;
    - deferrals_first (the EPCRS order): deferrals come back, unmatched ones first, then matched
      ones with the match they earned (the match follows the deferrals kept), never into the
      catch-up; what is still over comes off core, then the match. The deferrals kept are the
      largest whole-cent amount whose additions fit with the match counted before rounding;
      found here by bisection, independently of the engines' region-by-region solution."""
    catch_up_room = deferral_limit(age_at_year_end, limits) - limits.elective_deferral_limit
    limit = min(limits.annual_additions_limit, prorated_pay)
    catch_up = max(deferrals - limits.elective_deferral_limit, Decimal(0))
    over = max(deferrals - catch_up + match + core - limit, Decimal(0))
    catch_up += min(over, catch_up_room - catch_up, deferrals - catch_up)
    excess = max(deferrals - catch_up + match + core - limit, Decimal(0))
    if excess == 0:
        return Corrected(deferrals, catch_up, match, core)
    if order == "employer_first":
        core_cut = min(core, excess)
        match_cut = min(match, excess - core_cut)
        return Corrected(deferrals - (excess - core_cut - match_cut), catch_up, match - match_cut, core - core_cut)
    if order != "deferrals_first":
        raise ValueError(f"unknown correction order {order!r}")

    def fits(kept: Decimal) -> bool:
        earned = exact_match(kept, plan_pay, tiers) if receives_match else Decimal(0)
        return kept - catch_up + earned + core <= limit

    low, high = int(catch_up / CENT), int(deferrals / CENT)   # cents; fits(high) is false
    if not fits(low * CENT):
        kept = catch_up
    else:
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if fits(middle * CENT) else (low, middle)
        kept = low * CENT
    kept_match = match_amount(kept, plan_pay, tiers) if receives_match else Decimal(0)
    still_over = max(kept - catch_up + kept_match + core - limit, Decimal(0))
    core_cut = min(core, still_over)
    return Corrected(kept, catch_up, kept_match - (still_over - core_cut), core - core_cut)


BASIC_SAFE_HARBOR = (Tier(Decimal("0"), Decimal("0.03"), Decimal("1")), Tier(Decimal("0.03"), Decimal("0.05"), Decimal("0.5")))


def _match_rate_of_pay(deferral_rate: Decimal, tiers: Sequence[Tier]) -> Decimal:
    """The match as a share of pay for a deferral rate (unrounded)."""
    return exact_match(deferral_rate, Decimal(1), tiers)


def safe_harbor_formula_problems(tiers: Sequence[Tier]) -> list[str]:
    """Why a match formula is not a safe-harbor match (IRC 401(k)(12)(B), 401(m)(11)); empty if it is.

    Basic: 100% of the first 3% of pay deferred plus 50% of the next 2%. Enhanced: at every
    deferral rate at least the basic match, with a match rate that does not rise as deferrals
    rise. Deferrals above 6% of pay are not matched (the ACP safe harbor)."""
    problems = []
    ordered = sorted(tiers, key=lambda t: t.employee_min)
    # Both formulas are piecewise linear: comparing them at every breakpoint up to 5% suffices.
    points = sorted({Decimal(0), Decimal("0.03"), Decimal("0.05")}
                    | {p for t in ordered for p in (t.employee_min, t.employee_max) if p <= Decimal("0.05")})
    short = [p for p in points if _match_rate_of_pay(p, ordered) < _match_rate_of_pay(p, BASIC_SAFE_HARBOR)]
    if short:
        p = short[0]
        problems.append(f"matches {_match_rate_of_pay(p, ordered):.5f} of pay at a deferral of {p}, less than the "
                        f"basic safe-harbor match ({_match_rate_of_pay(p, BASIC_SAFE_HARBOR):.5f})")
    previous_rate, previous_max = None, Decimal(0)
    for index, tier in enumerate(ordered, start=1):
        gap_before = tier.employee_min > previous_max
        if previous_rate is not None and (tier.match_rate > previous_rate or (gap_before and tier.match_rate > 0)):
            problems.append(f"tier {index} raises the match rate as deferrals rise")
            break
        if previous_rate is None and gap_before and tier.match_rate > 0:
            problems.append(f"tier {index} raises the match rate as deferrals rise (nothing is matched below {tier.employee_min})")
            break
        previous_rate, previous_max = tier.match_rate, tier.employee_max
    above = [t for t in ordered if t.match_rate > 0 and t.employee_max > Decimal("0.06")]
    if above:
        problems.append(f"matches deferrals above 6% of pay (up to {above[-1].employee_max})")
    return problems
