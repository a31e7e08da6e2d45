"""The base model and the value types shared by the scenario file's sections (scenario.py, plan.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


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


class StrictModel(BaseModel):
    """A section of the scenario file: unknown keys refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
