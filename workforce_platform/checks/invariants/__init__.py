"""The invariant catalogue: the named invariants of data_contract.md. Each entry is a query
returning the violating rows, with the named parameters $scenario_id, $year and $start_year:

- scope `year`: one finished year of the working tables (invariants 1-7 and 10), a blocking
  Dagster asset check on the year's partition (defs/assets/gates.py);
- scope `published`: the scenario's whole published layer (invariant 9), a blocking check on the
  published assets that runs after every promotion (defs/assets/publish.py).

Every entry is also a test case with a hand-made violation (tests/integration/test_invariants.py).
Adding an invariant is adding one entry, in the module of its business area (workforce.py,
plan.py, published.py), and naming it in CATALOGUE below, whose order is the order checks and
reports show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import duckdb

from workforce_platform.checks.invariants.invariant import Invariant
from workforce_platform.checks.invariants.plan import (
    ACCOUNT_BALANCES,
    DISTRIBUTIONS,
    HOURS_AND_SERVICE,
    IRS_LIMITS,
    NONDISCRIMINATION_TESTS_COMPLETE,
    PLAN_STATE,
    ROTH_CATCH_UP,
)
from workforce_platform.checks.invariants.published import PUBLISHED_CHAIN_CONSISTENT
from workforce_platform.checks.invariants.workforce import (
    CONTINUITY,
    GROWTH,
    MASS_BALANCE,
    NEW_HIRE_PAY_IN_BAND,
    NO_RESURRECTION,
    ONE_HIRE_PER_EMPLOYEE,
    ONE_SNAPSHOT_ROW_PER_EMPLOYEE,
    ONE_TERMINATION_PER_EMPLOYEE,
    TERMINATION_REASONS,
    TIMELINE,
    UNIQUE_EVENT_IDS,
)

SHOWN_ROWS = 5

CATALOGUE: tuple[Invariant, ...] = (
    CONTINUITY,
    MASS_BALANCE,
    GROWTH,
    TIMELINE,
    UNIQUE_EVENT_IDS,
    ONE_HIRE_PER_EMPLOYEE,
    ONE_TERMINATION_PER_EMPLOYEE,
    ONE_SNAPSHOT_ROW_PER_EMPLOYEE,
    NO_RESURRECTION,
    TERMINATION_REASONS,
    PLAN_STATE,
    IRS_LIMITS,
    ROTH_CATCH_UP,
    NEW_HIRE_PAY_IN_BAND,
    NONDISCRIMINATION_TESTS_COMPLETE,
    HOURS_AND_SERVICE,
    ACCOUNT_BALANCES,
    DISTRIBUTIONS,
    PUBLISHED_CHAIN_CONSISTENT,
)

BY_NAME = {invariant.name: invariant for invariant in CATALOGUE}
YEAR_INVARIANTS = tuple(invariant for invariant in CATALOGUE if invariant.scope == "year")
PUBLISHED_INVARIANTS = tuple(invariant for invariant in CATALOGUE if invariant.scope == "published")


@dataclass(frozen=True)
class InvariantResult:
    invariant: Invariant
    violation_count: int
    columns: tuple[str, ...]
    first_rows: tuple[tuple, ...]

    @property
    def passed(self) -> bool:
        return self.violation_count == 0


def evaluate(con: duckdb.DuckDBPyConnection, invariant: Invariant, scenario_id: str, year: Optional[int],
             start_year: int) -> InvariantResult:
    """The invariant's violations for one year (`year` is not read by a `published` invariant)."""
    sql = invariant.violations_sql
    available = {"scenario_id": scenario_id, "year": year, "start_year": start_year}
    parameters = {name: value for name, value in available.items() if f"${name}" in sql}  # DuckDB refuses unused ones
    relation = con.execute(f"select *, count(*) over () as violations from ({sql}) limit {SHOWN_ROWS}", parameters)
    columns = tuple(d[0] for d in relation.description)[:-1]
    rows = relation.fetchall()
    count = rows[0][-1] if rows else 0
    return InvariantResult(invariant, count, columns, tuple(row[:-1] for row in rows))
