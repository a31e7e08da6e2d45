"""How dbt nodes appear in Dagster: groups, and the snapshot's dependency on its previous year."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from dagster import AssetKey, PartitionMapping, TimeWindowPartitionMapping

from workforce_platform.defs.asset_keys import with_scenario
from workforce_platform.patches.dagster_dbt_without_dbt_core import DagsterDbtTranslator, DagsterDbtTranslatorSettings
from workforce_platform.runtime.dbt_project import PER_YEAR_TAG


def is_per_year(dbt_resource_props: Mapping[str, Any]) -> bool:
    return PER_YEAR_TAG in (dbt_resource_props.get("tags") or [])


class WorkforceDbtTranslator(DagsterDbtTranslator):
    """dbt node `x` of scenario `s` is the asset `s/x` (see asset_keys.py)."""

    def __init__(self, scenario_id: str) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
        self.scenario_id = scenario_id

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        return with_scenario(self.scenario_id, super().get_asset_key(dbt_resource_props))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> Optional[str]:
        return "simulation" if is_per_year(dbt_resource_props) else "parameters"

    def get_partition_mapping(
        self, dbt_resource_props: Mapping[str, Any], dbt_parent_resource_props: Mapping[str, Any]
    ) -> Optional[PartitionMapping]:
        # Year N of a self-dependent model reads year N-1 of the same model.
        if dbt_resource_props.get("unique_id") == dbt_parent_resource_props.get("unique_id"):
            return TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
        return None
