"""Corrections to Dagster 1.13 (checked against 1.13.27) that every process of ours applies
(webserver, daemon, code server, run workers and the command line), by importing this module: the
instance's event log storage (dagster.yaml) and the definitions both import it. The third only
matters in the webserver and is applied there only.

1. Subset inequality.

`TimeWindowPartitionsSubset` defines `__eq__` (same partitions and windows) but inherits `__ne__`
from `tuple`, which also compares its lazily computed `num_partitions`: two equal subsets can be
`!=`. Dagster's check of a new asset backfill compares the subsets of a multi-asset's assets with
`!=`, so the UI's "Materialize all" of every year failed ("Targeted subset must match between
every key in a non-subsettable multi-asset") whenever the year's assets had been reached by
different paths. `tests/unit/patches/test_dagster_fixes.py` shows the defect on the
installed Dagster and fails once Dagster no longer has it, so that this module can go.
"""

from __future__ import annotations

import sys

import dagster._core.execution.asset_backfill as _asset_backfill
from dagster import AssetKey
from dagster._core.definitions.partitions.subset.time_window import TimeWindowPartitionsSubset


def _not_equal(self: TimeWindowPartitionsSubset, other: object) -> bool:
    return not self.__eq__(other)


# True when the installed Dagster has the defect (its class inherits tuple's inequality).
DAGSTER_HAS_SUBSET_INEQUALITY_DEFECT = TimeWindowPartitionsSubset.__ne__ is tuple.__ne__

if DAGSTER_HAS_SUBSET_INEQUALITY_DEFECT:
    TimeWindowPartitionsSubset.__ne__ = _not_equal  # type: ignore[method-assign]


# 2. Backfills across code locations. Every scenario is a code location (workforce_platform/
# locations.py). The asset backfill groups its run requests by partitions definition, partitions
# and backfill policy, and, unlike the requests of other launch paths, never splits a group by
# code location: "Materialize all" over the global lineage put the unpartitioned parameter assets
# of every scenario in one run, which no job can hold, and the backfill failed ("Could not find an
# implicit asset job for the given assets"). Split each request by code location, as Dagster's
# other run-request builder does. `tests/unit/patches/test_dagster_fixes.py` shows the defect
# on the installed Dagster and fails once Dagster no longer has it.
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


# 3. The launch dialog of "Materialize all…" over several code locations. The UI's partitions
# dialog (ui-core src/assets/LaunchAssetChoosePartitionsDialog.tsx) renders the config editor of
# the backfill, BackfillLaunchpad (src/launchpad/LaunchpadRoot.tsx), which sends its query
# (LaunchpadRootQuery) as soon as the dialog opens, editor closed: the base asset job
# (__ASSET_JOB) of the first asset's code location, subset to every selected asset, of every
# location. dagster_graphql answers `pipelineOrError` and `runConfigSchemaOrError` with
# InvalidSubsetError (dagster_graphql/implementation/external.py `_get_remote_job_or_raise`: the
# other locations' assets are not in that job), and the dialog, which shows only a PythonError's
# message, says "Error loading base asset job / Unknown error" (the backfill itself launches).
# These two read-only queries (schema/roots/query.py `resolve_pipelineOrError`,
# implementation/run_config_schema.py `resolve_run_config_schema_or_error`) now answer for the
# location's own part of such a selection: assets that another code location defines are left
# out; assets that no location defines still fail; launching (implementation/execution/
# launch_execution.py) is untouched. The editor ("Add config") then shows the first location's
# config, as it does when the selection is one location's; Dagster applies what is saved there to
# every run of the backfill, so config naming that location's ops or resources does not fit the
# other locations' runs. The webserver imports its GraphQL schema before it
# loads the instance (which imports this module); no other process of ours imports it, and
# importing it costs about 0.8 s, so it is corrected where it is loaded already.
# `tests/unit/patches/test_dagster_fixes.py` shows the defect on the installed Dagster and
# fails once Dagster no longer has it.
_GRAPHQL_JOB_QUERIES = ("dagster_graphql.schema.roots.query", "dagster_graphql.implementation.run_config_schema")


def _own_part_of_asset_job_selection(graphene_info, selector):
    """`selector` without the assets (and their checks) that another code location defines, when
    it is the base asset job's and some of its assets are the location's own."""
    from dagster._core.definitions.selector import JobSubsetSelector
    from dagster._core.remote_representation.code_location import is_implicit_asset_job_name

    if not selector.asset_selection or not is_implicit_asset_job_name(selector.job_name):
        return selector
    graph = graphene_info.context.asset_graph
    here = (selector.location_name, selector.repository_name)

    def elsewhere(asset_key) -> bool:
        if not graph.has(asset_key):
            return False  # defined nowhere: Dagster's own error says so
        handle = graph.get_repository_handle(asset_key)
        return (handle.location_name, handle.repository_name) != here

    own = {key for key in selector.asset_selection if not elsewhere(key)}
    if not own or own == set(selector.asset_selection):
        return selector
    checks = selector.asset_check_selection
    return JobSubsetSelector(
        location_name=selector.location_name, repository_name=selector.repository_name, job_name=selector.job_name,
        op_selection=selector.op_selection, asset_selection=own,
        asset_check_selection=None if checks is None else {key for key in checks if key.asset_key in own})


def _apply_graphql_correction() -> bool:
    """Corrects the two queries where the webserver's GraphQL schema is loaded; True if it did."""
    modules = [sys.modules.get(name) for name in _GRAPHQL_JOB_QUERIES]
    if any(module is None for module in modules):
        return False
    from dagster_graphql.implementation import external

    upstream = external.get_remote_job_or_raise

    async def own_part_of_cross_location_selection(graphene_info, selector):
        return await upstream(graphene_info, _own_part_of_asset_job_selection(graphene_info, selector))

    own_part_of_cross_location_selection.corrects = upstream  # type: ignore[attr-defined]
    for module in modules:
        if getattr(module.get_remote_job_or_raise, "corrects", None) is None:
            module.get_remote_job_or_raise = own_part_of_cross_location_selection
    return True


_apply_graphql_correction()

