"""One entry of the invariant catalogue, and the condition on a year's rows that the entries share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Invariant:
    name: str
    asset: str  # the asset whose check this is: a dbt model, or `published/<table>`
    description: str
    violations_sql: str
    blocking: bool = True
    scope: str = "year"  # `year`: one year of the working tables; `published`: the whole published layer

    @property
    def asset_path(self) -> tuple[str, ...]:
        """The asset key's path under the scenario id."""
        return tuple(self.asset.split("/"))


# The rows of the year being checked, in a working table keyed by scenario and year.
YEAR_ROWS = "scenario_id = $scenario_id and simulation_year = $year"
