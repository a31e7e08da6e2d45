"""dagster-dbt without dbt-core: the asset specs come from the manifest alone.

dagster-dbt imports dbt-core whenever it is installed (about 1.5 s per process), only for dbt's
type names and to evaluate selection strings. This project selects its two units itself
(`unit_specs`) and runs dbt itself (orchestration/), so a process that builds years from
what dbt compiled before (orchestration/plain_sql.py) never needs dbt-core. Imported through
this module, dagster-dbt takes the mode it has for environments without dbt-core (its dbt Fusion
mode), unless dbt-core is loaded already; both modes give the same specs (tests/unit/assets).
"""

from __future__ import annotations

import sys
from typing import Any, Mapping, Sequence

if "dagster_dbt" not in sys.modules and "dbt.version" not in sys.modules:
    # dagster_dbt.compat runs `from dbt.version import __version__` and falls back on ImportError.
    sys.modules["dbt.version"] = None  # type: ignore[assignment]
    try:
        import dagster_dbt  # noqa: F401
        import dagster_dbt.asset_utils  # noqa: F401
    finally:
        del sys.modules["dbt.version"]  # dbt-core imports as usual afterwards

from dagster import AssetCheckSpec, AssetSpec  # noqa: E402
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings  # noqa: E402
from dagster_dbt.asset_utils import get_asset_check_key_for_test  # noqa: E402

from workforce_platform.orchestration.dbt_project import PER_YEAR_TAG  # noqa: E402

__all__ = ["DagsterDbtTranslator", "DagsterDbtTranslatorSettings", "get_asset_check_key_for_test", "unit_ids",
           "unit_specs"]

_ASSET_RESOURCE_TYPES = ("model", "seed", "snapshot")  # as dagster-dbt: the nodes that are assets


def unit_ids(manifest: Mapping[str, Any], per_year: bool) -> set[str]:
    """One unit's nodes, as dbt selects them: the per-year unit is `--select tag:per_year` (the
    per-year models and every test of one of them: eager indirect selection), the parameters unit
    `--select fqn:* --exclude tag:per_year` (everything else: seeds, views, and the tests that read
    no per-year model)."""
    nodes = manifest["nodes"]
    per_year_ids = {uid for uid, node in nodes.items() if PER_YEAR_TAG in (node.get("tags") or [])}

    def in_unit(uid: str, node: Mapping[str, Any]) -> bool:
        if node["resource_type"] == "test":
            return bool(per_year_ids.intersection(node["depends_on"]["nodes"])) == per_year
        return (uid in per_year_ids) == per_year

    return {uid for uid, node in nodes.items() if in_unit(uid, node)}


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
