"""The dbt project's two units as Dagster specs, from the manifest alone: the parameters unit
(seeds, staging and parameter views, and their tests) and the per-year unit (the per-year models
and their tests), as dbt selects them (runtime/dbt_project.py `per_year_unit`)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from dagster import AssetCheckSpec, AssetSpec

from workforce_platform.patches.dagster_dbt_without_dbt_core import DagsterDbtTranslator
from workforce_platform.runtime.dbt_project import per_year_unit

_ASSET_RESOURCE_TYPES = ("model", "seed", "snapshot")  # as dagster-dbt: the nodes that are assets


def unit_ids(manifest: Mapping[str, Any], per_year: bool) -> set[str]:
    """One unit's nodes (`dbt_project.per_year_unit`)."""
    return {uid for uid, unit in per_year_unit(manifest["nodes"]).items() if unit == per_year}


def unit_specs(translator: DagsterDbtTranslator, manifest: Mapping[str, Any], per_year: bool
               ) -> tuple[Sequence[AssetSpec], Sequence[AssetCheckSpec]]:
    """The unit's asset specs and its tests' check specs, from the translator, as dagster-dbt's
    `build_dbt_specs` makes them for the same selection (no io manager, no project)."""
    selected = unit_ids(manifest, per_year)
    specs: list[AssetSpec] = []
    checks: dict[str, AssetCheckSpec] = {}
    for uid in sorted(selected):
        node = manifest["nodes"][uid]
        if node["resource_type"] not in _ASSET_RESOURCE_TYPES or node["config"].get("materialized") == "ephemeral":
            continue
        spec = translator.get_asset_spec(manifest, uid, None)
        specs.append(spec)
        for child in manifest["child_map"].get(uid, []):
            if child in selected and child.startswith("test"):
                check = translator.get_asset_check_spec(asset_spec=spec, manifest=manifest, unique_id=child, project=None)
                if check:
                    checks[check.get_python_identifier()] = check
    return specs, list(checks.values())
