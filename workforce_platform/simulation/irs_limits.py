"""IRS limits by plan year: the shipped rows and the projection of later years, in Python (the
reference the SQL view `int_irs_limits_projected` is tested against).

The IRS indexes each limit from a statutory base (IRC 415(d)): base x CPI-U of the third quarter
before the plan year / CPI-U of the base period's third quarter, rounded DOWN to the limit's
increment. A later year is projected from the last shipped year's indexed value before that
rounding (compounding from the rounded figure would lose up to one increment for good): carried
forward year by year at the assumed indexing rate (to the cent, see `indexing.indexed`), rounded
down to the increment, and never below the last shipped figure (the IRS does not lower a limit).
The catch-up ages and whether the Roth catch-up rule is in force stay as shipped.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional

from workforce_platform.paths import DBT_PROJECT_DIR
from workforce_platform.simulation.indexing import CENT, indexed, rounded_down_to

SHIPPED_LIMITS_PATH = DBT_PROJECT_DIR / "seeds" / "config_irs_limits.csv"
LIMIT_BASES_PATH = DBT_PROJECT_DIR / "seeds" / "config_irs_limit_bases.csv"

# Dollar limit -> the increment the IRS rounds its indexed value down to.
INCREMENTS: dict[str, int] = {
    "elective_deferral_limit": 500,          # 402(g)(4)
    "catch_up_limit": 500,                   # 414(v)(2)(C)
    "super_catch_up_limit": 500,             # 414(v)(2)(E), ages 60-63
    "compensation_limit": 5000,              # 401(a)(17)(B)
    "annual_additions_limit": 1000,          # 415(d)(4)(A)
    "highly_compensated_threshold": 5000,    # 414(q)(1)
    "roth_catch_up_wage_threshold": 5000,    # 414(v)(7)(E): SECURE 2.0 section 603
}
AGES = ("catch_up_age", "super_catch_up_min_age", "super_catch_up_max_age")

Limits = dict[str, Decimal | int | bool | None]


@dataclass(frozen=True)
class LimitBase:
    """A limit's statutory base: the amount, the CPI-U sum of its base period's third quarter, the increment."""

    amount: Decimal
    base_cpi: Decimal
    increment: int


def _decimal_or_none(text: str) -> Optional[Decimal]:
    return Decimal(text) if text.strip() else None


@lru_cache(maxsize=4)
def shipped_irs_limits(path: Path = SHIPPED_LIMITS_PATH) -> dict[int, Limits]:
    """The shipped rows by plan year."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        int(row["plan_year"]): {
            **{name: _decimal_or_none(row[name]) for name in INCREMENTS},
            **{name: int(row[name]) for name in AGES},
            "roth_catch_up_in_force": row["roth_catch_up_in_force"].strip().lower() == "true",
            "cpi_u_third_quarter": Decimal(row["cpi_u_third_quarter"]),
            "is_projected": False,
        }
        for row in rows
    }


@lru_cache(maxsize=4)
def limit_bases(path: Path = LIMIT_BASES_PATH) -> dict[str, LimitBase]:
    """The statutory base of each indexed limit, by limit name."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["limit_name"]: LimitBase(Decimal(row["base_amount"]), Decimal(row["base_cpi_u_third_quarter"]),
                                             int(row["increment"]))
                for row in csv.DictReader(handle)}


def indexed_value(base: LimitBase, cpi_u_third_quarter: Decimal) -> Decimal:
    """The limit's indexed value before the IRS rounds it down: base x CPI / base CPI, to the cent (half up)."""
    return (base.amount * cpi_u_third_quarter / base.base_cpi).quantize(CENT, rounding=ROUND_HALF_UP)


def irs_limits_by_year(shipped: Mapping[int, Limits], through_year: int, rate: Decimal,
                       bases: Optional[Mapping[str, LimitBase]] = None) -> dict[int, Limits]:
    """Every year from the first shipped one to `through_year`: shipped rows as they are, later
    years projected from the last shipped row's indexed values before rounding."""
    bases = limit_bases() if bases is None else bases
    last_year = max(shipped)
    last = shipped[last_year]
    unrounded = {name: indexed_value(bases[name], Decimal(last["cpi_u_third_quarter"])) for name in INCREMENTS}
    result = {year: {k: v for k, v in row.items() if k != "cpi_u_third_quarter"} for year, row in sorted(shipped.items())}
    for year in range(last_year + 1, through_year + 1):
        projected: Limits = {}
        for name in INCREMENTS:
            value = rounded_down_to(indexed(unrounded[name], rate, year - last_year), bases[name].increment)
            projected[name] = max(value, last[name] if last[name] is not None else Decimal(0))
        result[year] = {**projected, **{name: last[name] for name in AGES},
                        "roth_catch_up_in_force": last["roth_catch_up_in_force"], "is_projected": True}
    return result
