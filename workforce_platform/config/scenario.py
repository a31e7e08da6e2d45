"""The scenario file: a YAML document validated by a pydantic model.

Every key has a default documented here and in docs/scenario-file.md. An unknown or ill-typed key is an
error that names the key, the value and the file. Rates are kept as ``Decimal`` with at most five
decimals (DECIMAL(7,5) in the database), so the same file gives the same numbers everywhere.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from workforce_platform.census.columns import CENSUS_COLUMNS
from workforce_platform.errors import WorkforceInputError
from workforce_platform.simulation.plan_contributions import Tier, safe_harbor_formula_problems
from workforce_platform.simulation.vesting import schedule_problems, vested_share, vesting_steps


# IRC 410(a)(1): the most a plan may ask before an employee participates.
MAXIMUM_ELIGIBILITY_AGE = 21
ONE_YEAR_WAITING_DAYS = 365
TWO_YEARS_WAITING_DAYS = 730


def _five_decimals(value: Decimal) -> Decimal:
    if value != value.quantize(Decimal("0.00001")):
        raise ValueError("rates have at most 5 decimals")
    return value


Rate = Annotated[Decimal, AfterValidator(_five_decimals)]


def _month_day(value: str) -> str:
    try:
        month, day = (int(part) for part in value.split("-"))
        date(2023, month, day)  # a non-leap year: 02-29 would not exist every year
    except (ValueError, TypeError):
        raise ValueError("expected a month-day 'MM-DD' that exists every year, e.g. '07-01'") from None
    return f"{month:02d}-{day:02d}"


MonthDay = Annotated[str, AfterValidator(_month_day)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Compensation(_Strict):
    """Pay levers applied each year."""

    cola_rate: Rate = Field(Decimal("0.02"), ge=0, lt=1, description="Cost-of-living raise, added to merit on the merit date.")
    merit_by_level: dict[int, Rate] = Field(
        default_factory=dict,
        description="Merit rate by level (1-5); levels left out use the config_levels seed.",
    )
    promotion_raise: Rate = Field(Decimal("0.10"), ge=0, lt=1, description="Raise on promotion (at least the new band's minimum).")
    promotion_date: MonthDay = Field("04-01", description="Month-day on which promotions take effect.")
    merit_date: MonthDay = Field("07-01", description="Month-day on which merit and COLA take effect; not before promotion_date.")
    new_hire_pay_indexing_rate: Optional[Rate] = Field(
        None, ge=0, lt=1,
        description="Yearly raise of the pay bands new hires are paid from (config_levels in the first year); default: cola_rate.")

    @field_validator("merit_by_level")
    @classmethod
    def _levels_and_rates(cls, value: dict[int, Decimal]) -> dict[int, Decimal]:
        for level, rate in value.items():
            if not 1 <= level <= 5:
                raise ValueError(f"level {level} is not a level (1-5)")
            if not Decimal(0) <= rate < Decimal(1):
                raise ValueError(f"merit rate {rate} for level {level} is outside [0, 1)")
        return value

    @model_validator(mode="after")
    def _promotion_before_merit(self) -> "Compensation":
        if self.promotion_date > self.merit_date:
            raise ValueError(
                f"promotion_date {self.promotion_date} is after merit_date {self.merit_date}; "
                "promotions must take effect no later than the merit raise"
            )
        return self


class Eligibility(_Strict):
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


class AutoEnrollment(_Strict):
    """Automatic enrollment at a default rate, with an opt-out window."""

    enabled: bool = Field(True, description="Auto-enroll eligible employees who are not enrolled.")
    scope: Literal["new_hires_only", "all_not_enrolled"] = Field("new_hires_only", description="new_hires_only: hired from start_year on; all_not_enrolled: also the census's non-participants.")
    window_days: int = Field(45, ge=0, le=365, description="Enrollment takes effect this many days after eligibility.")
    default_deferral_rate: Rate = Field(Decimal("0.03"), gt=0, lt=1, description="Deferral rate of an auto-enrollment.")
    opt_out_grace_days: int = Field(30, ge=0, le=365, description="An opt-out falls within this many days of the enrollment.")


class VoluntaryEnrollment(_Strict):
    """Eligible employees who are not auto-enrolled may enroll on their own (probability by age band, seeds)."""

    enabled: bool = Field(True, description="Draw voluntary enrollments each year.")


class AutoEscalation(_Strict):
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


class MatchTier(_Strict):
    """Matches `match_rate` of the deferrals between `employee_min` and `employee_max` of pay."""

    employee_min: Rate = Field(ge=0, le=1)
    employee_max: Rate = Field(gt=0, le=1)
    match_rate: Rate = Field(ge=0, le=10)


class Match(_Strict):
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


class CoreStep(_Strict):
    """From `at_least` (years of service or age) on, the core rate is `rate`."""

    at_least: int = Field(ge=0, le=100)
    rate: Rate = Field(ge=0, lt=1)


class Core(_Strict):
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


class VestingStep(_Strict):
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


class Vesting(_Strict):
    """Vesting of the employer's match and core (employee deferrals are always fully vested)."""

    match: Annotated[VestingSchedule, AfterValidator(_valid_schedule)] = Field(
        "immediate", description="immediate, cliff_3, graded_2_6, or steps [{years, vested}].")
    core: Annotated[VestingSchedule, AfterValidator(_valid_schedule)] = Field(
        "immediate", description="immediate, cliff_3, graded_2_6, or steps [{years, vested}].")


class Nondiscrimination(_Strict):
    """Who is highly compensated (414(q)), and how the ADP and ACP tests are run."""

    testing_method: Literal["current_year", "prior_year"] = Field(
        "current_year", description="NHCE averages of the tested year, or of the year before (the first simulated "
                                    "year uses its own).")
    top_paid_group: bool = Field(
        False, description="Top-paid group election: HCEs are also in the top 20% of the lookback year's employees by pay.")


class Plan(_Strict):
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


class Retirement(_Strict):
    """Who retires: the retirement rates by age (seed config_retirement_rates) are stated relative to
    the normal retirement age."""

    normal_retirement_age: int = Field(
        65, ge=55, le=75,
        description="Normal retirement age: the retirement-rate table (config_retirement_rates, by years from this "
                    "age) is applied around it.")


class Execution(_Strict):
    """How the simulation runs. Results never depend on these."""

    optimization: Optional[Literal["low", "medium", "high"]] = Field(
        None, description="Resource level: low (1 thread, 1GB DuckDB memory, for 4 GB laptops), medium (default), high.")
    threads: Optional[int] = Field(None, ge=1, le=64, description="dbt and DuckDB threads; default: the optimization level's.")
    event_engine: Literal["sql", "polars"] = Field(
        "sql", description="Event engine: sql (the dbt models) or polars (the bulk engine); equal results, row for row.")
    event_shards: int = Field(1, ge=1, le=64, description="Polars engine: employees split by their stable key into this many shards.")
    engine_parity: bool = Field(True, description="The blocking gate engine_parity recomputes each year with the other engine and compares.")


class Scenario(_Strict):
    """A scenario file. Paths are relative to the file."""

    scenario_id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,62}$", description="Names the scenario and its database file.")
    description: str = Field("", description="Free text shown in reports.")
    start_year: int = Field(ge=1990, le=2200, description="First simulated year; the census describes 31 December of the year before.")
    end_year: int = Field(ge=1990, le=2200, description="Last simulated year.")
    random_seed: int = Field(ge=0, lt=2**32, description="Seed of every random draw (rng.md).")
    census_path: str = Field(description="Census file (CSV or Parquet), relative to the scenario file.")
    census_columns: dict[str, str] = Field(
        default_factory=dict,
        description="Our census column name: the file's column that holds it, for a census exported with other names.")
    census_ignore_columns: list[str] = Field(
        default_factory=list, description="Columns of the census file deliberately not read.")
    target_growth_rate: Rate = Field(Decimal("0.03"), gt=-1, lt=10, description="Ending headcount = round(start x (1 + growth)).")
    termination_rate: Rate = Field(
        Decimal("0.12"), ge=0, lt=1,
        description="Experienced terminations = floor(start x rate), retirements and deaths included (more when "
                    "the year's retirements and deaths alone exceed it).")
    new_hire_termination_rate: Rate = Field(Decimal("0.25"), ge=0, lt=1, description="Share of the year's hires who leave within the year.")
    compensation: Compensation = Field(default_factory=Compensation)
    retirement: Retirement = Field(default_factory=Retirement)
    plan: Plan = Field(default_factory=Plan)
    execution: Execution = Field(default_factory=Execution)

    # Set by load_scenario: the file this came from.
    source_path: Optional[Path] = Field(None, exclude=True, description="(set by the loader)")

    @field_validator("census_columns")
    @classmethod
    def _census_columns_are_ours(cls, value: dict[str, str]) -> dict[str, str]:
        read_by: dict[str, str] = {}
        for ours, theirs in value.items():
            if ours not in CENSUS_COLUMNS:
                guess = difflib.get_close_matches(ours, CENSUS_COLUMNS, n=1)
                hint = f" (did you mean '{guess[0]}'?)" if guess else ""
                raise ValueError(f"'{ours}' is not a census column{hint}; a key is our name, one of "
                                 f"{', '.join(CENSUS_COLUMNS)}, and its value the file's column")
            if not theirs.strip():
                raise ValueError(f"census_columns.{ours} names no column")
            other = read_by.setdefault(theirs.strip().lower(), ours)
            if other != ours:
                raise ValueError(f"census_columns.{other} and census_columns.{ours} both read the file's column "
                                 f"'{theirs}'; a column is read as one census column")
        return value

    @field_validator("census_ignore_columns")
    @classmethod
    def _ignored_columns_are_not_read(cls, value: list[str], info: ValidationInfo) -> list[str]:
        read = {theirs.strip().lower(): ours for ours, theirs in (info.data.get("census_columns") or {}).items()}
        for column in value:
            if not column.strip():
                raise ValueError("an empty column name")
            if column.strip().lower() in read:
                raise ValueError(f"column '{column}' is both read (census_columns.{read[column.strip().lower()]}) "
                                 "and ignored; keep it in one of the two")
        return value

    @model_validator(mode="after")
    def _years_in_order(self) -> "Scenario":
        if self.end_year < self.start_year:
            raise ValueError(f"end_year {self.end_year} is before start_year {self.start_year}")
        return self

    @property
    def new_hire_pay_indexing_rate(self) -> Decimal:
        """compensation.new_hire_pay_indexing_rate, or the COLA rate when unset."""
        rate = self.compensation.new_hire_pay_indexing_rate
        return self.compensation.cola_rate if rate is None else rate

    @property
    def irs_limit_indexing_rate(self) -> Decimal:
        """plan.irs_limit_indexing_rate, or the COLA rate when unset."""
        rate = self.plan.irs_limit_indexing_rate
        return self.compensation.cola_rate if rate is None else rate

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @property
    def census_date(self) -> date:
        return date(self.start_year - 1, 12, 31)

    def resolved_census_path(self) -> Path:
        path = Path(self.census_path)
        if not path.is_absolute() and self.source_path is not None:
            path = self.source_path.parent / path
        return path.resolve()

    def fingerprint(self) -> str:
        """A digest of every simulation parameter (not execution settings)."""
        payload = self.model_dump(mode="json", exclude={"execution", "description", "source_path"})
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    def with_overrides(self, **changes: Any) -> "Scenario":
        """A copy with some keys changed, validated again."""
        data = self.model_dump(mode="python", exclude={"source_path"})
        data.update(changes)
        scenario = _validate(data, self.source_path)
        check_irs_limit_years(scenario)
        return scenario


def _known_keys(model: type[BaseModel]) -> list[str]:
    return [name for name in model.model_fields if name != "source_path"]


def _model_at(location: tuple[Any, ...]) -> type[BaseModel]:
    model: type[BaseModel] = Scenario
    for part in location[:-1]:
        field = model.model_fields.get(str(part))
        annotation = getattr(field, "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        else:
            break
    return model


def _describe(error: dict[str, Any], source: str) -> str:
    location = tuple(error["loc"])
    key = ".".join(str(part) for part in location) or "(top level)"
    if error["type"] == "extra_forbidden":
        known = _known_keys(_model_at(location))
        guess = difflib.get_close_matches(str(location[-1]), known, n=1)
        hint = f" (did you mean '{'.'.join([*map(str, location[:-1]), guess[0]])}'?)" if guess else ""
        if len(location) == 1 and str(location[0]) in Execution.model_fields:
            hint = f" (it belongs under 'execution': execution.{location[0]})"
        return f"{source}: unknown key '{key}'{hint}; known keys here: {', '.join(known)}"
    if error["type"] == "missing":
        return f"{source}: required key '{key}' is missing"
    value = error.get("input")
    message = error["msg"].removeprefix("Value error, ")
    if isinstance(value, dict):  # a rule across the section's keys: the message names them
        return f"{source}: key '{key}': {message}"
    return f"{source}: key '{key}' has value {value!r}: {message}"


def _validate(data: Any, source_path: Optional[Path]) -> Scenario:
    source = str(source_path) if source_path else "<scenario>"
    if not isinstance(data, dict):
        raise WorkforceInputError(f"{source}: a scenario file is a YAML mapping of keys to values")
    try:
        scenario = Scenario.model_validate({**data, "source_path": source_path})
    except ValidationError as exc:
        raise WorkforceInputError("\n".join(_describe(e, source) for e in exc.errors())) from None
    return scenario


def check_irs_limit_years(scenario: Scenario) -> None:
    """Refuses a start year whose lookback year (the year before, whose 414(q) threshold decides
    who is highly compensated in the first year) comes before the shipped IRS limits; later
    years are projected."""
    from workforce_platform.simulation.irs_limits import SHIPPED_LIMITS_PATH, shipped_irs_limits

    first_year = min(shipped_irs_limits())
    if scenario.start_year - 1 < first_year:
        raise WorkforceInputError(
            f"{scenario.source_path or '<scenario>'}: key 'start_year' has value {scenario.start_year}: "
            f"the IRS limits ({SHIPPED_LIMITS_PATH}) begin in {first_year}, and a simulation needs those of "
            f"the year before its first (the 414(q) lookback year), so the earliest start_year is "
            f"{first_year + 1}; add the rows of earlier years with the IRS's published figures to start earlier")


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Reads and validates a scenario file; a relative census_path is relative to the file."""
    source_path = Path(path).resolve()
    if not source_path.is_file():
        raise WorkforceInputError(f"{source_path}: scenario file not found")
    try:
        data = yaml.safe_load(source_path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise WorkforceInputError(f"{source_path}: not a readable YAML file: {exc}") from None
    scenario = _validate(data, source_path)
    check_irs_limit_years(scenario)
    census = scenario.resolved_census_path()
    if not census.is_file():
        raise WorkforceInputError(
            f"{source_path}: key 'census_path' has value {scenario.census_path!r}: file {census} does not exist"
        )
    return scenario
