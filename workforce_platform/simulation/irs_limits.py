"""IRS limits by plan year: the shipped rows and the projection of later years, in Python (the
reference the SQL view `int_irs_limits_projected` is tested against).

A later year is projected from the last shipped row: each dollar limit is carried forward year
by year at the assumed indexing rate (to the cent, see `indexing.indexed`) and the year's limit
is the carried value rounded down to the IRS increment, as the IRS rounds its cost-of-living
adjustments, and never below the last shipped figure (the IRS does not lower a limit). The
catch-up ages stay as shipped.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from workforce_platform.paths import DBT_PROJECT_DIR
from workforce_platform.simulation.indexing import indexed, rounded_down_to

SHIPPED_LIMITS_PATH = DBT_PROJECT_DIR / "seeds" / "config_irs_limits.csv"

# Dollar limit -> the increment the IRS rounds its indexed value down to.
INCREMENTS: dict[str, int] = {
    "elective_deferral_limit": 500,          # 402(g)
    "catch_up_limit": 500,                   # 414(v)(2)(B)
    "super_catch_up_limit": 500,             # 414(v)(2)(E), ages 60-63
    "compensation_limit": 5000,              # 401(a)(17)
    "annual_additions_limit": 1000,          # 415(c)
    "highly_compensated_threshold": 5000,    # 414(q)
}
AGES = ("catch_up_age", "super_catch_up_min_age", "super_catch_up_max_age")

Limits = dict[str, Decimal | int | bool]


@lru_cache(maxsize=4)
def shipped_irs_limits(path: Path = SHIPPED_LIMITS_PATH) -> dict[int, Limits]:
    """The shipped rows by plan year."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        int(row["plan_year"]): {
            **{name: Decimal(row[name]) for name in INCREMENTS},
            **{name: int(row[name]) for name in AGES},
            "is_projected": False,
        }
        for row in rows
    }


def irs_limits_by_year(shipped: Mapping[int, Limits], through_year: int, rate: Decimal) -> dict[int, Limits]:
    """Every year from the first shipped one to `through_year`: shipped rows as they are, later
    years projected from the last shipped row."""
    last_year = max(shipped)
    last = shipped[last_year]
    result = dict(sorted(shipped.items()))
    for year in range(last_year + 1, through_year + 1):
        result[year] = {
            **{name: max(rounded_down_to(indexed(Decimal(last[name]), rate, year - last_year), increment), last[name])
               for name, increment in INCREMENTS.items()},
            **{name: last[name] for name in AGES},
            "is_projected": True,
        }
    return result
