"""Dagster 1.13 (checked against 1.13.27): the launch dialog of "Materialize all…" over several
code locations.

The UI's partitions
dialog (ui-core src/assets/LaunchAssetChoosePartitionsDialog.tsx) renders the config editor of
the backfill, BackfillLaunchpad (src/launchpad/LaunchpadRoot.tsx), which sends its query
(LaunchpadRootQuery) as soon as the dialog opens, editor closed: the base asset job
(__ASSET_JOB) of the first asset's code location, subset to every selected asset, of every
location. dagster_graphql answers `pipelineOrError` and `runConfigSchemaOrError` with
InvalidSubsetError (dagster_graphql/implementation/external.py `_get_remote_job_or_raise`: the
other locations' assets are not in that job), and the dialog, which shows only a PythonError's
message, says "Error loading base asset job / Unknown error" (the backfill itself launches).
These two read-only queries (schema/roots/query.py `resolve_pipelineOrError`,
implementation/run_config_schema.py `resolve_run_config_schema_or_error`) now answer for the
location's own part of such a selection: assets that another code location defines are left
out; assets that no location defines still fail; launching (implementation/execution/
launch_execution.py) is untouched. The editor ("Add config") then shows the first location's
config, as it does when the selection is one location's; Dagster applies what is saved there to
every run of the backfill, so config naming that location's ops or resources does not fit the
other locations' runs. The webserver imports its GraphQL schema before it
loads the instance (which imports this module); no other process of ours imports it, and
importing it costs time (docs/benchmarks.md), so it is corrected where it is loaded already.
`tests/unit/patches/test_dagster_fixes.py` shows the defect on the installed Dagster and
fails once Dagster no longer has it.
"""

from __future__ import annotations

import sys

_GRAPHQL_JOB_QUERIES = ("dagster_graphql.schema.roots.query", "dagster_graphql.implementation.run_config_schema")


def _own_part_of_asset_job_selection(graphene_info, selector):
    """`selector` without the assets (and their checks) that another code location defines, when
    it is the base asset job's and some of its assets are the location's own."""
    # Imported here, with the rest of the correction, only in the webserver (see the docstring).
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
    from dagster_graphql.implementation import external  # loaded already: the schema above imports it

    upstream = external.get_remote_job_or_raise

    async def own_part_of_cross_location_selection(graphene_info, selector):
        return await upstream(graphene_info, _own_part_of_asset_job_selection(graphene_info, selector))

    own_part_of_cross_location_selection.corrects = upstream  # type: ignore[attr-defined]
    for module in modules:
        if getattr(module.get_remote_job_or_raise, "corrects", None) is None:
            module.get_remote_job_or_raise = own_part_of_cross_location_selection
    return True


_apply_graphql_correction()
