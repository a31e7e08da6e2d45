"""The workforce-needs solver in Python: the reference that the SQL model
(`int_workforce_needs_solved`) is tested against, and the rule the Polars engine will share.

    target   = round(start x (1 + growth)), half away from zero
    exp_term = max(floor(start x termination_rate), retirements and deaths)
    net      = target - (start - exp_term)
    net > 0  : hires = ceil(net / (1 - new_hire_termination_rate)); nh_term = hires - net
    net <= 0 : reduction in force: exp_term = start - target; no hires

The year's retirements and deaths (drawn by age before the solver runs) are part of the
experienced terminations: the termination rate is the total experienced turnover, and the other
leavers fill the rest of it. Only when retirements and deaths alone exceed it do more leave,
and hires replace them. A reduction in force always has room for them: it removes start - target
>= exp_term of the starting employees.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class WorkforceNeeds:
    solver_branch: str
    starting_headcount: int
    target_ending_headcount: int
    experienced_terminations: int
    hires: int
    new_hire_terminations: int


def solve_workforce_needs(
    starting_headcount: int, growth: Decimal, termination_rate: Decimal, new_hire_termination_rate: Decimal,
    retirements_and_deaths: int = 0,
) -> WorkforceNeeds:
    if not Decimal(-1) < growth:
        raise ValueError(f"growth {growth} must be above -100%")
    if not (Decimal(0) <= termination_rate < 1 and Decimal(0) <= new_hire_termination_rate < 1):
        raise ValueError("rates must lie in [0, 1)")
    if not 0 <= retirements_and_deaths <= starting_headcount:
        raise ValueError(f"{retirements_and_deaths} retirements and deaths among {starting_headcount} employees")
    start = Decimal(starting_headcount)
    # Half away from zero; the product is never negative here.
    target = int((start * (1 + growth)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    planned_terms = max(int((start * termination_rate).to_integral_value(rounding=ROUND_FLOOR)), retirements_and_deaths)
    net = target - (starting_headcount - planned_terms)
    if net <= 0:
        return WorkforceNeeds("reduction_in_force", starting_headcount, target, starting_headcount - target, 0, 0)
    hires = int((Decimal(net) / (1 - new_hire_termination_rate)).to_integral_value(rounding=ROUND_CEILING))
    return WorkforceNeeds("growth", starting_headcount, target, planned_terms, hires, hires - net)
