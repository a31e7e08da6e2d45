"""Dagster 1.13 (checked against 1.13.27): backfills across code locations.

Every scenario is a code location (workforce_platform/
defs/locations.py). The asset backfill groups its run requests by partitions definition, partitions
and backfill policy, and, unlike the requests of other launch paths, never splits a group by
code location: "Materialize all" over the global lineage put the unpartitioned parameter assets
of every scenario in one run, which no job can hold, and the backfill failed ("Could not find an
implicit asset job for the given assets"). Split each request by code location, as Dagster's
other run-request builder does. `tests/unit/patches/test_dagster_fixes.py` shows the defect
on the installed Dagster and fails once Dagster no longer has it.
Upstream: dagster/_core/execution/asset_backfill.py `build_run_requests_with_backfill_policies`.
"""

from __future__ import annotations

import dagster._core.execution.asset_backfill as _asset_backfill
from dagster import AssetKey

_build_run_requests_with_backfill_policies = _asset_backfill.build_run_requests_with_backfill_policies


def _split_by_code_location(run_requests, asset_graph) -> list:
    split = []
    for request in run_requests:
        keys = set(request.asset_selection or [])
        groups = asset_graph.split_entity_keys_by_repository(keys) if keys else [keys]
        if len(groups) <= 1:
            split.append(request)
            continue
        for group in groups:
            assets = sorted((k for k in group if isinstance(k, AssetKey)), key=lambda k: k.to_user_string())
            checks = [k for k in (request.asset_check_keys or []) if k.asset_key in group]
            split.append(request._replace(asset_selection=assets, asset_check_keys=checks))
    return split


def _run_requests_per_code_location(asset_partitions, asset_graph, dynamic_partitions_store):
    requests = _build_run_requests_with_backfill_policies(asset_partitions=asset_partitions, asset_graph=asset_graph,
                                                          dynamic_partitions_store=dynamic_partitions_store)
    return _split_by_code_location(requests, asset_graph)


_asset_backfill.build_run_requests_with_backfill_policies = _run_requests_per_code_location
