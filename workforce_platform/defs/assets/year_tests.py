"""The dbt tests of the per-year models, recorded as checks of the year's gates (assets/gates.py).

dbt runs a year's tests in the year's build (`dbt build`, or as plain queries after the Polars
engine), and a failing test of severity error fails the build. Their check results are
recorded by the gates, not by the build: the year's models are one multi-asset that Dagster never
splits, and Dagster cannot run a check of such a unit without building the whole unit (Dagster
1.13: dagster_graphql schema/asset_checks.py `resolve_canExecuteIndividually` answers
REQUIRES_MATERIALIZATION, and the UI's Checks → "Execute all", ui-core
src/assets/asset-checks/ExecuteChecksButton.tsx, leaves such a check out).
The gates can run on their own. After a build in the same run they record the build's own results
(handed over in this process: every step of a run runs in one process, the definitions'
in_process_executor); without one (checks only) they run the year's tests now, as plain queries
on the year's tables (build/plain_sql/).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from dagster import AssetCheckKey, AssetCheckSeverity, AssetCheckSpec, MetadataValue, PartitionsDefinition
from dagster_shared.record import replace

from workforce_platform.defs.assets.translator import WorkforceDbtTranslator
from workforce_platform.defs.dbt_units import unit_specs
from workforce_platform.patches.dagster_dbt_without_dbt_core import get_asset_check_key_for_test


class DbtTestChecks:
    """The dbt tests of one unit of a scenario (the per-year models', or the parameters') as check
    specs, and their results as check-result fields."""

    def __init__(self, manifest_path: str, scenario_id: str, per_year: bool,
                 partitions_def: Optional[PartitionsDefinition] = None):
        self.manifest_path = manifest_path
        self.translator = WorkforceDbtTranslator(scenario_id)
        _, specs = unit_specs(self.translator, self.manifest(), per_year)
        # The per-year tests are partitioned like the years they check: every result names its year.
        self.specs: list[AssetCheckSpec] = [replace(spec, partitions_def=partitions_def) for spec in specs]
        self.blocking = {spec.key: spec.blocking for spec in self.specs}

    def manifest(self) -> Mapping[str, Any]:
        return manifest(self.manifest_path)

    @property
    def keys(self) -> list[AssetCheckKey]:
        return [spec.key for spec in self.specs]

    def fields(self, nodes: Sequence[Any]) -> list[dict]:
        """The check-result fields (as for AssetCheckResult) of the tests among a build's or a test
        run's node results (build/results.py NodeResult)."""
        manifest_nodes = self.manifest()["nodes"]
        fields = []
        for node in nodes:
            props = manifest_nodes.get(node.unique_id)
            if props is None or node.resource_type != "test" or node.status not in ("pass", "fail", "warn", "error"):
                continue
            key = get_asset_check_key_for_test(self.manifest(), self.translator, node.unique_id, None)
            if key is None or key not in self.blocking:  # another unit's
                continue
            severity = str((props.get("config") or {}).get("severity", "ERROR")).upper()
            fields.append(dict(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=node.status == "pass",
                severity=AssetCheckSeverity.WARN if severity == "WARN" else AssetCheckSeverity.ERROR,
                metadata={
                    "failing_rows": MetadataValue.int(int(node.failures or 0)),
                    "dbt_status": MetadataValue.text(node.status),
                    "message": MetadataValue.text(node.message[:500]),
                },
            ))
        return fields


_manifests: dict[str, Mapping[str, Any]] = {}


def manifest(path: str) -> Mapping[str, Any]:
    if path not in _manifests:
        with open(path) as handle:
            _manifests[path] = json.load(handle)
    return _manifests[path]


# Results of this process's builds, by (run id, database, year), until the run's gates take them.
_built: dict[tuple[str, str, int], list[dict]] = {}


def hand_over(run_id: str, database: Path, year: int, fields: list[dict]) -> None:
    """Keeps a year's test results of this run's build for the run's gates."""
    for key in [key for key in _built if key[0] != run_id]:  # an earlier run's, whose gates did not run
        del _built[key]
    _built[(run_id, str(Path(database).resolve()), year)] = fields


def take_over(run_id: str, database: Path, year: int) -> Optional[list[dict]]:
    """The year's test results of this run's build, or None when this run did not build it."""
    return _built.pop((run_id, str(Path(database).resolve()), year), None)
