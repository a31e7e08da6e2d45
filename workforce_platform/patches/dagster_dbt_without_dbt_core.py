"""dagster-dbt without dbt-core: the asset specs come from the manifest alone.

dagster-dbt imports dbt-core whenever it is installed (about 1.5 s per process), only for dbt's
type names and to evaluate selection strings. This project selects its two units itself
(`unit_specs`) and runs dbt itself (orchestration/), so a process that builds years from
what dbt compiled before (orchestration/plain_sql.py) never needs dbt-core. Imported through
this module, dagster-dbt takes the mode it has for environments without dbt-core (its dbt Fusion
mode), unless dbt-core is loaded already; both modes give the same specs (tests/integration/test_asset_specs.py).
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

from workforce_platform.runtime.dbt_project import per_year_unit  # noqa: E402

__all__ = ["DagsterDbtTranslator", "DagsterDbtTranslatorSettings", "get_asset_check_key_for_test", "unit_ids",
           "unit_specs"]

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
