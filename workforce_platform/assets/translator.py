"""How dbt nodes appear in Dagster: groups, and the snapshot's dependency on its previous year."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from dagster import PartitionMapping, TimeWindowPartitionMapping
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

PER_YEAR_TAG = "per_year"


def is_per_year(dbt_resource_props: Mapping[str, Any]) -> bool:
    return PER_YEAR_TAG in (dbt_resource_props.get("tags") or [])


class WorkforceDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> Optional[str]:
        return "simulation" if is_per_year(dbt_resource_props) else "parameters"

    def get_partition_mapping(
        self, dbt_resource_props: Mapping[str, Any], dbt_parent_resource_props: Mapping[str, Any]
    ) -> Optional[PartitionMapping]:
        # Year N of a self-dependent model reads year N-1 of the same model.
        if dbt_resource_props.get("unique_id") == dbt_parent_resource_props.get("unique_id"):
            return TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
        return None
