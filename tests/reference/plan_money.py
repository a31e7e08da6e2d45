"""The plan's money for one employee and year, in plain Python with exact fractions: the reference
the contributions model (int_plan_contributions_calculated) and the Polars engine are tested
against. It starts from the year's pay segments, not from the engines' intermediate columns, and
solves 415(c) by bisection, independently of their region-by-region formulas.

Rules (with their sources):
- deferrals: each segment's pay x rate x days / days in the year, summed, rounded half up once;
  401(a)(17) scales deferrals on pay above the limit down in proportion; 402(g) caps them at the
  elective limit plus the catch-up of the age reached (IRC 402(g)(1), 414(v)(2)).
- SECURE 2.0 section 603 (IRC 414(v)(7)): when in force, previous-year wages above the threshold
  make the catch-up Roth, or, in a plan without Roth, leave no catch-up at all.
- match compensation: the whole year's plan pay, or the pay from the day deferrals start, capped at
  the full 401(a)(17) limit (Treas. Reg. 1.401(a)(17)-1(b)(3)(iii): not prorated for a part year).
- true-up: the tier formula on the year's deferrals (less the unmatched catch-up) and the match
  compensation; per pay period: the formula on each segment's rate and pay, times the share of
  the deferrals the limits let through.
- 415(c): deferrals less catch-up + match + core within the lesser of the limit and pay; catch-up
  absorbs deferrals above 415(c) within the age's room (414(v)); an excess comes back in the EPCRS
  order (unmatched deferrals, matched ones with their match, then core) or employer first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Optional, Sequence

from workforce_platform.simulation.plan_contributions import IrsLimits, Tier, deferral_limit

CENT = Decimal("0.01")


def exact_cents(value: Fraction) -> Decimal:
    """A fraction rounded half up to the cent, exactly (no Decimal context precision)."""
    hundredths = value * 100
    whole = hundredths.numerator // hundredths.denominator
    if hundredths - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole) / 100


@dataclass(frozen=True)
class Segment:
    """From `start` to `end` (both included) the employee is paid at the annual rate `pay` and defers `rate`."""

    start: date
    end: date
    pay: Decimal
    rate: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class MatchDesign:
    tiers: Sequence[Tier]
    compensation: str = "while_participant"   # or plan_year
    true_up: bool = True
    on_catch_up: bool = True


@dataclass(frozen=True)
class RothRule:
    in_force: bool = False
    wage_threshold: Optional[Decimal] = None
    roth_available: bool = True


@dataclass(frozen=True)
class Money:
    prorated_pay: Decimal
    plan_pay: Decimal
    match_compensation: Decimal
    deferrals_before_limits: Decimal
    deferral_limit: Decimal
    deferrals: Decimal
    catch_up: Decimal
    roth_catch_up: Decimal
    match: Decimal
    core: Decimal


def formula(rate: Fraction, tiers: Sequence[Tier]) -> Fraction:
    """The match as a share of pay at a deferral rate (the tier formula, unrounded)."""
    return sum((Fraction(t.match_rate) * min(max(rate - Fraction(t.employee_min), Fraction(0)),
                                              Fraction(t.employee_max - t.employee_min)) for t in tiers), Fraction(0))


def matched_rate(rate: Fraction, tiers: Sequence[Tier]) -> Fraction:
    """The part of a deferral rate that lies inside tiers with a match."""
    return sum((min(max(rate - Fraction(t.employee_min), Fraction(0)), Fraction(t.employee_max - t.employee_min))
                for t in tiers if t.match_rate > 0), Fraction(0))


def money(segments: Sequence[Segment], days_in_year: int, deferrals_start: date, age: int, limits: IrsLimits,
          design: MatchDesign, receives_match: bool = True, core_rate: Decimal = Decimal(0),
          receives_core: bool = False, prior_year_wages: Decimal = Decimal(0), roth: RothRule = RothRule(),
          correction: str = "deferrals_first") -> Money:
    """The year's contributions of one employee from their pay segments."""
    pay_of = [Fraction(s.pay) * s.days / days_in_year for s in segments]
    prorated = exact_cents(sum(pay_of, Fraction(0)))
    uncapped = exact_cents(sum((p * Fraction(s.rate) for p, s in zip(pay_of, segments)), Fraction(0)))
    participant = exact_cents(sum((p for p, s in zip(pay_of, segments) if s.start >= deferrals_start), Fraction(0)))
    plan_pay = min(prorated, limits.compensation_limit)
    on_plan_pay = uncapped if prorated <= limits.compensation_limit else \
        exact_cents(Fraction(uncapped) * Fraction(limits.compensation_limit) / Fraction(prorated))

    roth_required = roth.in_force and roth.wage_threshold is not None and prior_year_wages > roth.wage_threshold
    limit = limits.elective_deferral_limit if roth_required and not roth.roth_available else deferral_limit(age, limits)
    deferrals = min(on_plan_pay, limit)
    unmatched = Decimal(0) if design.on_catch_up else max(deferrals - limits.elective_deferral_limit, Decimal(0))
    match_pay = min(prorated if design.compensation == "plan_year" else participant, limits.compensation_limit)

    # the match (unrounded) on `kept` deferrals
    if design.true_up:
        def match_of(kept: Decimal) -> Fraction:
            return formula(Fraction(kept - unmatched) / Fraction(match_pay), design.tiers) * Fraction(match_pay) \
                if match_pay > 0 else Fraction(0)
    else:
        share = Fraction(deferrals - unmatched) / Fraction(uncapped) if uncapped > 0 else Fraction(0)
        whole = sum((p * formula(Fraction(s.rate), design.tiers) for p, s in zip(pay_of, segments)), Fraction(0)) * share
        earned_on = sum((p * matched_rate(Fraction(s.rate), design.tiers) for p, s in zip(pay_of, segments)),
                        Fraction(0)) * share

        def match_of(kept: Decimal) -> Fraction:
            # nothing returned: the match earned period by period; else unmatched deferrals come back
            # first, and the match falls only once the matched ones do, at their average match
            # (the matched deferrals, unrounded, may exceed the rounded total by a fraction of a cent)
            if kept >= deferrals:
                return whole
            if earned_on == 0:
                return Fraction(0)
            return whole * min(Fraction(kept - unmatched), earned_on) / earned_on

    match = exact_cents(match_of(deferrals)) if receives_match else Decimal(0)
    core = (core_rate * plan_pay).quantize(CENT, rounding=ROUND_HALF_UP) if receives_core else Decimal(0)

    # 414(v) and 415(c)
    room = limit - limits.elective_deferral_limit
    additions_limit = min(limits.annual_additions_limit, prorated)
    catch_up = max(deferrals - limits.elective_deferral_limit, Decimal(0))
    over = max(deferrals - catch_up + match + core - additions_limit, Decimal(0))
    catch_up += min(over, room - catch_up, deferrals - catch_up)
    excess = max(deferrals - catch_up + match + core - additions_limit, Decimal(0))
    kept, kept_match, kept_core = deferrals, match, core
    if excess > 0 and correction == "employer_first":
        kept_core = core - min(core, excess)
        kept_match = match - min(match, max(excess - core, Decimal(0)))
        kept = deferrals - max(excess - core - match, Decimal(0))
    elif excess > 0:
        def fits(cents: int) -> bool:
            earned = match_of(Decimal(cents) / 100) if receives_match else Fraction(0)
            return Fraction(cents, 100) - Fraction(catch_up) + earned + Fraction(core) <= Fraction(additions_limit)

        low, high = int(catch_up * 100), int(deferrals * 100)   # fits(high) is false
        if fits(low):
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if fits(middle) else (low, middle)
        kept = Decimal(low) / 100
        kept_match = exact_cents(match_of(kept)) if receives_match else Decimal(0)
        still_over = max(kept - catch_up + kept_match + core - additions_limit, Decimal(0))
        kept_core = core - min(core, still_over)
        kept_match -= max(still_over - core, Decimal(0))
    made_catch_up = min(catch_up, kept)
    return Money(prorated, plan_pay, match_pay, uncapped, limit, kept, made_catch_up,
                 made_catch_up if roth_required else Decimal(0), kept_match, kept_core)


def auto_enrolled_for_escalation(enrolled_by_simulation: bool, opted_out: bool, auto_enrollment_enabled: bool,
                                 auto_enrollment_scope: str, hire_date: date, start_year: int) -> bool:
    """Escalation scope auto_enrolled: a participant whose enrollment the simulation made while the
    employee was in the auto-enrollment scope (IRC 401(k)(13)(C)(iii): the QACA's escalation of the
    deemed election); the census's participants and voluntary enrollees elected their rate."""
    in_scope = auto_enrollment_enabled and (auto_enrollment_scope == "all_not_enrolled"
                                            or hire_date >= date(start_year, 1, 1))
    return enrolled_by_simulation and not opted_out and in_scope
