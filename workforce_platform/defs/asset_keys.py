"""Every asset of a scenario carries its scenario id as the first part of its key
(`baseline/fct_yearly_events`, `baseline/published/fct_yearly_events`), so that the scenarios of one
Dagster instance never share a materialisation status, and runs of different scenarios can go at
once."""

from __future__ import annotations

from dagster import AssetCheckKey, AssetKey


def scenario_key(scenario_id: str, *path: str) -> AssetKey:
    return AssetKey([scenario_id, *path])


def scenario_check_key(scenario_id: str, asset: str, check: str) -> AssetCheckKey:
    return AssetCheckKey(scenario_key(scenario_id, asset), check)


def with_scenario(scenario_id: str, key: AssetKey) -> AssetKey:
    """`key` (a table's own name) under the scenario."""
    return AssetKey([scenario_id, *key.path])
