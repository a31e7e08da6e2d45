"""Simulation years as Dagster partitions: "2025", "2026", ...

A yearly time-window definition (a static one cannot carry a self-dependency). Its end is the
year after the scenario's last year, and its end offset lets years that lie in the future exist.
"""

from __future__ import annotations

from datetime import date

from dagster import TimeWindowPartitionsDefinition

from workforce_platform.config.scenario import Scenario


# The run tags of one year, and of one run over a range of years (Dagster's single-run backfill).
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def year_range_tags(first: int, last: int) -> dict[str, str]:
    """The tags of one run over the years first..last."""
    return {RANGE_START_TAG: str(first), RANGE_END_TAG: str(last)}


def simulation_year_partitions(scenario: Scenario) -> TimeWindowPartitionsDefinition:
    # Exactly the windows up to the last year (a time-window definition holds the windows that have
    # ended, plus the offset): one more would let the self-dependency reach past the last year.
    future_years = max(0, scenario.end_year - date.today().year + 1)
    return TimeWindowPartitionsDefinition(
        start=str(scenario.start_year),
        end=str(scenario.end_year + 1),
        cron_schedule="0 0 1 1 *",
        fmt="%Y",
        end_offset=future_years,
    )
