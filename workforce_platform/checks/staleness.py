"""Which materialised years are stale: built from a state of the previous year that is no longer
the current one (an earlier year re-materialised with different results since).

Exact, from the audit records alone: a year's audit records the fingerprint of the previous year's
snapshot it started from (`inputs_detail.previous_year_snapshot`) and the fingerprint of its own
snapshot (`table_fingerprints.fct_workforce_snapshot`). Year y is current when y-1 is current and y
started from the snapshot that y-1's latest audit holds; the first year is current. Every year after
a stale one is stale too. Re-materialising a year with the same results stales nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

import duckdb

from workforce_platform.runtime.tables import table_exists

CURRENCY_CHECK = "built_on_current_years"
CURRENCY_ASSET = "fct_workforce_snapshot"
CURRENCY_DESCRIPTION = (
    "A warning, not a failure: it never blocks a promotion. Warns when this year was built from a state "
    "of an earlier year that has been re-materialised with different results since: the year is stale and "
    "must be re-run (with every later year). The check's Partitions tab draws a stale year red under "
    "\"Failed\", as Dagster 1.13 draws every result that did not pass; the year's own result says "
    "\"stale (a warning, not a failure)\" and the route to re-run it.")


@dataclass(frozen=True)
class YearCurrency:
    year: int
    current: bool
    reason: str = ""
    first_changed_year: Optional[int] = None  # the earliest year whose re-materialisation staled this one


def year_currency(con: duckdb.DuckDBPyConnection, scenario_id: str, start_year: int) -> dict[int, YearCurrency]:
    """Currency of every audited year of the scenario, from each year's latest audit."""
    if not table_exists(con, "audit", "year_materializations"):
        return {}
    rows = con.execute(
        """select simulation_year, inputs_detail, table_fingerprints
           from audit.year_materializations where scenario_id = ?
           qualify row_number() over (partition by simulation_year order by recorded_at desc) = 1
           order by simulation_year""",
        [scenario_id],
    ).fetchall()
    latest = {year: (json.loads(detail), json.loads(tables)) for year, detail, tables in rows}
    result: dict[int, YearCurrency] = {}
    changed: Optional[int] = None
    for year in sorted(latest):
        detail, _ = latest[year]
        previous = latest.get(year - 1)
        if changed is not None:
            result[year] = YearCurrency(year, False, f"built on year {year - 1}, which is stale since year "
                                                     f"{changed} was re-materialised", changed)
        elif year == start_year:
            result[year] = YearCurrency(year, True)
        elif previous is None:
            changed = year - 1
            result[year] = YearCurrency(year, False, f"year {year - 1} has no audit", changed)
        elif detail.get("previous_year_snapshot") != previous[1].get("fct_workforce_snapshot"):
            changed = year - 1
            result[year] = YearCurrency(year, False, f"built from an earlier state of year {year - 1}, which has "
                                                     "been re-materialised with different results since", changed)
        else:
            result[year] = YearCurrency(year, True)
    return result


def rerun_hint(stale: list[int], last_year: int, code_location: str) -> str:
    """How to re-run the stale years. In the UI: "Materialize all…" over several code locations
    (scenarios) offers all partitions only, so the Lineage is filtered to the scenario's location
    first, which brings the Custom partition range."""
    first = min(stale)
    years = f"year {first}" if first == last_year else f"years {first}-{last_year} in order"
    launch = "Launch 1 run" if first == last_year else "Launch backfill (the years in one run)"
    return (f"re-run {years}, with checks and promotion: in the UI, Lineage → filter "
            f"`code_location:{code_location}` (with several scenarios loaded, Materialize all… offers "
            f"Custom partitions only within one code location) → Materialize all… → Custom "
            f"`[{first}...{last_year}]` → {launch}; or `workforce simulate --scenario FILE --years {first}-{last_year}`")
