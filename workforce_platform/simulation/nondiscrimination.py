"""Who is highly compensated and the ADP and ACP tests, in Python: the reference the models
`int_highly_compensated_determined` and `fct_nondiscrimination_tests` are tested against.

Written with fractions, independently of the models' integer formulas:
- an HCE (414(q)(1)(B)) was paid more than the lookback year's threshold in the lookback year
  (the year before) and, with the top-paid group election, is among the top 20% of that year's
  employees by pay (the count rounded half up; ties by employee id);
- each eligible employee's rate is deferrals less catch-up (ADP) or match (ACP) over plan
  compensation, in hundredths of a percent rounded half up (1.401(k)-2(a)(3)(ii));
- the HCEs' average may not exceed the greater of 1.25 x the NHCEs' and the lesser of 2 x the
  NHCEs' and the NHCEs' + 2 points; a safe-harbor match deems the test passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Mapping, Optional, Sequence

HUNDREDTH_OF_A_PERCENT = Decimal("0.0001")
MILLIONTH = Fraction(1, 1_000_000)


def top_paid_group_size(headcount: int) -> int:
    """20% of the lookback year's employees, rounded half up."""
    return int((Decimal(headcount) * Decimal("0.2")).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def highly_compensated(lookback_pay: Mapping[str, Decimal], threshold: Decimal, top_paid_group: bool) -> set[str]:
    """The employee ids that are HCEs, from everyone's lookback-year pay."""
    ranked = sorted(lookback_pay, key=lambda employee: (-lookback_pay[employee], employee))
    top = set(ranked[:top_paid_group_size(len(ranked))])
    return {e for e, pay in lookback_pay.items() if pay > threshold and (not top_paid_group or e in top)}


def contribution_rate(amount: Decimal, plan_compensation: Decimal) -> Decimal:
    """An employee's deferral or match rate, to a hundredth of a percent (half up); 0 without pay."""
    if plan_compensation <= 0:
        return Decimal(0)
    return (amount / plan_compensation).quantize(HUNDREDTH_OF_A_PERCENT, rounding=ROUND_HALF_UP)


def allowed_hce_average(nhce_average: Fraction) -> Fraction:
    """The largest HCE average the test allows."""
    return max(Fraction(5, 4) * nhce_average, min(2 * nhce_average, nhce_average + Fraction(2, 100)))


def _shown(value: Fraction) -> Decimal:
    """A fraction in millionths, rounded half away from zero."""
    units = abs(value) / MILLIONTH
    rounded = int(units) + (1 if units - int(units) >= Fraction(1, 2) else 0)
    return Decimal(rounded if value >= 0 else -rounded) * Decimal("0.000001")


@dataclass(frozen=True)
class TestResult:
    hce_average: Optional[Decimal]
    nhce_average: Optional[Decimal]
    allowed_hce_average: Optional[Decimal]
    margin: Optional[Decimal]
    passed: bool
    result: str  # pass, fail or safe_harbor


def nondiscrimination_test(hce_rates: Sequence[Decimal], nhce_rates: Sequence[Decimal], safe_harbor: bool) -> TestResult:
    """One ADP or ACP test; `nhce_rates` are those of the year compared with (this one or the one before)."""
    hce = Fraction(sum(hce_rates, Decimal(0))) / len(hce_rates) if hce_rates else None
    nhce = Fraction(sum(nhce_rates, Decimal(0))) / len(nhce_rates) if nhce_rates else None
    allowed = allowed_hce_average(nhce) if nhce is not None else None
    passes = hce is None or allowed is None or hce <= allowed
    return TestResult(
        hce_average=_shown(hce) if hce is not None else None,
        nhce_average=_shown(nhce) if nhce is not None else None,
        allowed_hce_average=_shown(allowed) if allowed is not None else None,
        margin=_shown(allowed - hce) if hce is not None and allowed is not None else None,
        passed=safe_harbor or passes,
        result="safe_harbor" if safe_harbor else "pass" if passes else "fail",
    )
