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
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator, model_validator

from workforce_platform.census.columns import CENSUS_COLUMNS
from workforce_platform.config.fields import MonthDay, Rate, StrictModel
from workforce_platform.config.plan import Plan
from workforce_platform.errors import WorkforceInputError
from workforce_platform.simulation.irs_limits import SHIPPED_LIMITS_PATH, shipped_irs_limits


class Compensation(StrictModel):
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



class Retirement(StrictModel):
    """Who retires: the retirement rates by age (seed config_retirement_rates) are stated relative to
    the normal retirement age."""

    normal_retirement_age: int = Field(
        65, ge=55, le=75,
        description="Normal retirement age: the retirement-rate table (config_retirement_rates, by years from this "
                    "age) is applied around it.")


class Execution(StrictModel):
    """How the simulation runs. Results never depend on these."""

    optimization: Optional[Literal["low", "medium", "high"]] = Field(
        None, description="Resource level: low (1 thread, 1GB DuckDB memory, for 4 GB laptops), medium (default), high.")
    threads: Optional[int] = Field(None, ge=1, le=64, description="dbt and DuckDB threads; default: the optimization level's.")
    event_engine: Literal["sql", "polars"] = Field(
        "sql", description="Event engine: sql (the dbt models) or polars (the bulk engine); equal results, row for row.")
    event_shards: int = Field(1, ge=1, le=64, description="Polars engine: employees split by their stable key into this many shards.")
    engine_parity: bool = Field(True, description="The blocking gate engine_parity recomputes each year with the other engine and compares.")


class Scenario(StrictModel):
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
