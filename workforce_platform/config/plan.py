"""The plan design of the scenario file (its `plan` section): eligibility, enrollment, escalation,
match, core, vesting and nondiscrimination, validated against the rules a plan must follow."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, Optional, Union

from pydantic import AfterValidator, Field, field_validator, model_validator

from workforce_platform.config.fields import MonthDay, Rate, StrictModel
from workforce_platform.simulation.plan_contributions import Tier, safe_harbor_formula_problems
from workforce_platform.simulation.vesting import schedule_problems, vested_share, vesting_steps


# IRC 410(a)(1): the most a plan may ask before an employee participates.
MAXIMUM_ELIGIBILITY_AGE = 21
ONE_YEAR_WAITING_DAYS = 365
TWO_YEARS_WAITING_DAYS = 730


class Eligibility(StrictModel):
    """Who may join the plan, and from when."""

    minimum_age: int = Field(
        21, ge=0, le=100,
        description="Age at which an employee becomes eligible; at most 21 (IRC 410(a)(1)(A)(i)).")
    waiting_period_days: int = Field(
        0, ge=0, le=3650,
        description="Days after hire before eligibility: at most 365 (one year of service, IRC 410(a)(1)(A)(ii)), or "
                    "up to 730 (two years) when the match and core vest immediately (IRC 410(a)(1)(B)(i)).")
    minimum_hours: Optional[int] = Field(
        None, ge=0, le=1000,
        description="Hours of a year of service (at most 1,000, IRC 410(a)): eligibility then also waits for the "
                    "first anniversary of hire, and needs a schedule (census scheduled_hours, or full time 2,080) of "
                    "this many hours a year; a schedule of 500 hours or more but fewer makes a long-term part-time "
                    "employee, eligible to defer only. None: no hours requirement.")
    entry_dates: Literal["immediate", "monthly", "quarterly", "semi_annual"] = Field(
        "immediate", description="Entry on the day the age and waiting period are met, or on the next first of a "
                                 "month, of a quarter, or of January or July.")

    @field_validator("minimum_age")
    @classmethod
    def _age_at_most_21(cls, value: int) -> int:
        if value > MAXIMUM_ELIGIBILITY_AGE:
            raise ValueError(f"a plan may not require an age above {MAXIMUM_ELIGIBILITY_AGE} "
                             "(IRC 410(a)(1)(A)(i), ERISA 202(a)(1)(A)(i))")
        return value

    @field_validator("waiting_period_days")
    @classmethod
    def _waiting_at_most_two_years(cls, value: int) -> int:
        if value > TWO_YEARS_WAITING_DAYS:
            raise ValueError(f"a plan may not require more than two years of service ({TWO_YEARS_WAITING_DAYS} days) "
                             "before eligibility, even with immediate vesting (IRC 410(a)(1)(B)(i)); with vesting "
                             f"on a schedule, at most one year ({ONE_YEAR_WAITING_DAYS} days, IRC 410(a)(1)(A)(ii))")
        return value


class AutoEnrollment(StrictModel):
    """Automatic enrollment at a default rate, with an opt-out window."""

    enabled: bool = Field(True, description="Auto-enroll eligible employees who are not enrolled.")
    scope: Literal["new_hires_only", "all_not_enrolled"] = Field("new_hires_only", description="new_hires_only: hired from start_year on; all_not_enrolled: also the census's non-participants.")
    window_days: int = Field(45, ge=0, le=365, description="Enrollment takes effect this many days after eligibility.")
    default_deferral_rate: Rate = Field(Decimal("0.03"), gt=0, lt=1, description="Deferral rate of an auto-enrollment.")
    opt_out_grace_days: int = Field(30, ge=0, le=365, description="An opt-out falls within this many days of the enrollment.")


class VoluntaryEnrollment(StrictModel):
    """Eligible employees who are not auto-enrolled may enroll on their own (probability by age band, seeds)."""

    enabled: bool = Field(True, description="Draw voluntary enrollments each year.")


class AutoEscalation(StrictModel):
    """Yearly deferral increases for enrolled employees who have not opted out."""

    enabled: bool = Field(True, description="Escalate deferrals each year.")
    scope: Literal["auto_enrolled", "all_participants"] = Field(
        "auto_enrolled",
        description="auto_enrolled: only participants auto-enrolled by the simulation (from start_year), as an EACA "
                    "or QACA escalates the election it deems made (IRC 401(k)(13)(C)(iii)); "
                    "an affirmative election (the census's participants, voluntary enrollees) is left as chosen. "
                    "all_participants: every participant below the cap who never opted out.")
    increment: Rate = Field(Decimal("0.01"), gt=0, lt=1, description="Added to the deferral rate each year.")
    cap: Rate = Field(Decimal("0.10"), gt=0, le=1, description="No escalation above this rate.")
    effective_date: MonthDay = Field("01-01", description="Month-day of the yearly escalation.")
    delay_years: int = Field(1, ge=0, le=10, description="Whole years after enrollment before the first escalation.")


class MatchTier(StrictModel):
    """Matches `match_rate` of the deferrals between `employee_min` and `employee_max` of pay."""

    employee_min: Rate = Field(ge=0, le=1)
    employee_max: Rate = Field(gt=0, le=1)
    match_rate: Rate = Field(ge=0, le=10)


class Match(StrictModel):
    """Employer match as tiers; safe-harbor, stretch and QACA formulas are tier lists."""

    tiers: list[MatchTier] = Field(
        default_factory=lambda: [MatchTier(employee_min=Decimal("0"), employee_max=Decimal("0.03"), match_rate=Decimal("1")),
                                 MatchTier(employee_min=Decimal("0.03"), employee_max=Decimal("0.05"), match_rate=Decimal("0.5"))],
        description="Default: 100% of the first 3% of pay plus 50% of the next 2%.",
    )
    safe_harbor: bool = Field(
        True, description="A safe-harbor match (basic or enhanced): no last-day or hours condition, fully vested, "
                          "at least 100% of 3% plus 50% of the next 2%, rate not rising, nothing matched above 6%.")
    requires_last_day: bool = Field(False, description="Only employees active on 31 December receive the match (not with safe_harbor).")
    last_day_exempts_retirement: bool = Field(
        True, description="With requires_last_day: employees who retire or die in the year still receive the match.")
    minimum_hours: Optional[int] = Field(None, ge=0, le=8784, description="Hours worked in the year (the schedule prorated by the days employed) required for the match (not with safe_harbor).")
    compensation: Literal["while_participant", "plan_year"] = Field(
        "while_participant",
        description="Pay the match formula is measured against: while_participant, the pay earned from the day the "
                    "year's deferrals start (the enrollment date of an employee who enrolls during the year, else the "
                    "first day employed in the year); plan_year, the whole year's plan pay. Capped at 401(a)(17), "
                    "which is not prorated for a part year of participation (Treas. Reg. 1.401(a)(17)-1(b)(3)(iii)).")
    true_up: bool = Field(
        True,
        description="true: the formula on the year's totals (deferrals over that pay); false: per pay period, the "
                    "formula on each pay segment's deferral rate and pay, so a rate that changes during the year, or "
                    "deferrals that stop at 402(g), earn less.")
    on_catch_up: bool = Field(
        True, description="Catch-up contributions (deferrals above the 402(g) limit, IRC 414(v)) are matched.")

    @field_validator("tiers")
    @classmethod
    def _tiers_ordered(cls, tiers: list[MatchTier]) -> list[MatchTier]:
        previous_max = Decimal(0)
        for index, tier in enumerate(tiers):
            if tier.employee_min >= tier.employee_max:
                raise ValueError(f"tier {index + 1}: employee_min {tier.employee_min} is not below employee_max {tier.employee_max}")
            if tier.employee_min < previous_max:
                raise ValueError(f"tier {index + 1} overlaps the tier before it (starts at {tier.employee_min}, previous ends at {previous_max})")
            previous_max = tier.employee_max
        return tiers

    @model_validator(mode="after")
    def _safe_harbor_rules(self) -> "Match":
        if not self.safe_harbor:
            return self
        problems = []
        if self.requires_last_day:
            problems.append("requires_last_day must be false")
        if self.minimum_hours is not None:
            problems.append("minimum_hours must be unset")
        problems += safe_harbor_formula_problems(
            [Tier(t.employee_min, t.employee_max, t.match_rate) for t in self.tiers])
        if problems:
            raise ValueError(
                "a safe-harbor match (safe_harbor: true, the default) " + "; ".join(problems)
                + "; set safe_harbor: false for a match that is not safe harbor")
        return self


class CoreStep(StrictModel):
    """From `at_least` (years of service or age) on, the core rate is `rate`."""

    at_least: int = Field(ge=0, le=100)
    rate: Rate = Field(ge=0, lt=1)


class Core(StrictModel):
    """Employer non-elective contribution."""

    basis: Literal["none", "flat", "service", "age"] = Field("none", description="none, a flat rate, or graded by years of service or by age.")
    flat_rate: Rate = Field(Decimal("0"), ge=0, lt=1, description="Rate of pay when basis is flat.")
    schedule: list[CoreStep] = Field(default_factory=list, description="Steps by service years or age when basis is service or age.")
    requires_last_day: bool = Field(True, description="Only employees active on 31 December receive core.")
    last_day_exempts_retirement: bool = Field(
        True, description="With requires_last_day: employees who retire or die in the year still receive core.")
    minimum_hours: Optional[int] = Field(None, ge=0, le=8784, description="Hours worked in the year required for core.")

    @model_validator(mode="after")
    def _schedule_fits_basis(self) -> "Core":
        if self.basis in ("service", "age"):
            if not self.schedule:
                raise ValueError(f"basis '{self.basis}' needs a schedule of steps")
            starts = [step.at_least for step in self.schedule]
            if starts != sorted(set(starts)):
                raise ValueError("schedule steps must have increasing, distinct at_least values")
        return self


class VestingStep(StrictModel):
    """From `years` of vesting service on, `vested` of the employer money is the employee's."""

    years: int = Field(ge=0, le=50)
    vested: Rate = Field(ge=0, le=1)


VestingSchedule = Union[Literal["immediate", "cliff_3", "graded_2_6"], list[VestingStep]]


def _vests_immediately(schedule: VestingSchedule) -> bool:
    steps = vesting_steps(schedule if isinstance(schedule, str) else [(s.years, s.vested) for s in schedule])
    return vested_share(steps, 0) == 1


def _valid_schedule(schedule: VestingSchedule) -> VestingSchedule:
    steps = vesting_steps(schedule if isinstance(schedule, str) else [(s.years, s.vested) for s in schedule])
    problems = schedule_problems(steps)
    if problems:
        raise ValueError("; ".join(problems))
    return schedule


class Vesting(StrictModel):
    """Vesting of the employer's match and core (employee deferrals are always fully vested)."""

    match: Annotated[VestingSchedule, AfterValidator(_valid_schedule)] = Field(
        "immediate", description="immediate, cliff_3, graded_2_6, or steps [{years, vested}].")
    core: Annotated[VestingSchedule, AfterValidator(_valid_schedule)] = Field(
        "immediate", description="immediate, cliff_3, graded_2_6, or steps [{years, vested}].")


class Nondiscrimination(StrictModel):
    """Who is highly compensated (414(q)), and how the ADP and ACP tests are run."""

    testing_method: Literal["current_year", "prior_year"] = Field(
        "current_year", description="NHCE averages of the tested year, or of the year before (the first simulated "
                                    "year uses its own).")
    top_paid_group: bool = Field(
        False, description="Top-paid group election: HCEs are also in the top 20% of the lookback year's employees by pay.")


class Plan(StrictModel):
    """The defined-contribution plan design."""

    eligibility: Eligibility = Field(default_factory=Eligibility)
    auto_enrollment: AutoEnrollment = Field(default_factory=AutoEnrollment)
    voluntary_enrollment: VoluntaryEnrollment = Field(default_factory=VoluntaryEnrollment)
    auto_escalation: AutoEscalation = Field(default_factory=AutoEscalation)
    match: Match = Field(default_factory=Match)
    core: Core = Field(default_factory=Core)
    annual_additions_correction: Literal["deferrals_first", "employer_first"] = Field(
        "deferrals_first",
        description="415(c) excess: deferrals_first returns unmatched deferrals, then matched deferrals with their "
                    "match, then core (the EPCRS order); employer_first cuts core, then match, then deferrals.")
    nondiscrimination: Nondiscrimination = Field(default_factory=Nondiscrimination)
    vesting: Vesting = Field(default_factory=Vesting)
    investment_return_rate: Rate = Field(
        Decimal("0"), gt=-1, lt=1, description="Yearly return credited on each account's starting balance.")
    roth_available: bool = Field(
        True,
        description="The plan offers Roth deferrals. From 2026 an employee whose FICA wages from the employer in the "
                    "previous year exceeded the indexed threshold (config_irs_limits) may make catch-up contributions "
                    "only as Roth (IRC 414(v)(7), SECURE 2.0 section 603): true, their catch-up is Roth "
                    "(roth_catch_up); false, they get no catch-up (deferrals stop at 402(g)).")

    @model_validator(mode="after")
    def _safe_harbor_match_fully_vested(self) -> "Plan":
        if self.match.safe_harbor and self.vesting.match != "immediate":
            raise ValueError("vesting.match must be 'immediate' with a safe-harbor match (match.safe_harbor: true): "
                             "safe-harbor contributions are fully vested")
        return self

    @model_validator(mode="after")
    def _long_wait_only_with_immediate_vesting(self) -> "Plan":
        waiting = self.eligibility.waiting_period_days
        if waiting > ONE_YEAR_WAITING_DAYS:
            schedules = {"vesting.match": self.vesting.match, "vesting.core": self.vesting.core}
            not_immediate = [f"{key} is {value!r}" if isinstance(value, str) else f"{key} vests less than 100% at 0 years"
                             for key, value in schedules.items() if not _vests_immediately(value)]
            if not_immediate:
                raise ValueError(
                    f"eligibility.waiting_period_days has value {waiting}: more than one year of service "
                    f"({ONE_YEAR_WAITING_DAYS} days), which a plan may require only when employer money vests "
                    f"immediately (IRC 410(a)(1)(B)(i)): {' and '.join(not_immediate)}; make both 'immediate' or "
                    f"shorten the wait to {ONE_YEAR_WAITING_DAYS} days")
        return self
    irs_limit_indexing_rate: Optional[Rate] = Field(
        None, ge=0, lt=1,
        description="Assumed yearly indexing of the IRS limits after the last shipped year; default: compensation.cola_rate.")
