import json
from contextlib import contextmanager
from pathlib import Path

from dagster import Definitions, TimeWindowPartitionsDefinition, asset

from workforce_platform.patches import (
    dagster_backfill_per_code_location, dagster_cross_location_job_query, dagster_subset_inequality,
)


def _subsets():
    years = TimeWindowPartitionsDefinition(start="2025", end="2028", cron_schedule="0 0 1 1 *", fmt="%Y", end_offset=3)
    counted = years.subset_with_partition_keys(["2025", "2026", "2027"])  # num_partitions computed
    merged = counted | years.empty_subset()  # the same years, num_partitions left to compute
    return counted, merged


def test_the_installed_dagster_still_has_the_defect_the_fix_is_for():
    # When this fails, Dagster fixed TimeWindowPartitionsSubset's inequality: delete patches/dagster_subset_inequality.py.
    assert dagster_subset_inequality.DAGSTER_HAS_SUBSET_INEQUALITY_DEFECT
    counted, merged = _subsets()
    assert tuple(counted) != tuple(merged)  # what tuple's inequality compared


def test_equal_subsets_are_not_unequal():
    counted, merged = _subsets()
    assert counted == merged and not (counted != merged)
    other = counted.partitions_def.subset_with_partition_keys(["2025"])
    assert counted != other and not (counted == other)


def test_the_installed_dagster_still_groups_backfill_runs_across_code_locations():
    # When this fails, Dagster splits a backfill's run requests by code location itself: delete the
    # correction of patches/dagster_backfill_per_code_location.py.
    import inspect

    original = dagster_backfill_per_code_location._build_run_requests_with_backfill_policies
    assert "split_entity_keys_by_repository" not in inspect.getsource(original)
    import dagster._core.execution.asset_backfill as asset_backfill

    assert asset_backfill.build_run_requests_with_backfill_policies is dagster_backfill_per_code_location._run_requests_per_code_location


class _TwoLocations:
    """An asset graph whose keys live in the code location named by their first part."""

    def split_entity_keys_by_repository(self, keys):
        by_location = {}
        for key in keys:
            asset = key if hasattr(key, "path") else key.asset_key
            by_location.setdefault(asset.path[0], set()).add(key)
        return list(by_location.values())


def test_a_run_request_over_two_code_locations_becomes_one_per_location():
    from dagster import AssetCheckKey, AssetKey, RunRequest

    a, b, c = AssetKey(["baseline", "x"]), AssetKey(["growth", "x"]), AssetKey(["growth", "y"])
    check = AssetCheckKey(c, "continuity")
    mixed = RunRequest(asset_selection=[a, b, c], asset_check_keys=[check], tags={"t": "1"})
    single = RunRequest(asset_selection=[a], tags={})
    split = dagster_backfill_per_code_location._split_by_code_location([mixed, single], _TwoLocations())
    assert sorted((tuple(r.asset_selection), tuple(r.asset_check_keys or ())) for r in split) == sorted([
        ((a,), ()), ((b, c), (check,)), ((a,), ())])
    assert all(r.tags in ({"t": "1"}, {}) for r in split)


# The third correction: the launch dialog's query over two code locations, on a real workspace of
# two in-process locations.

@asset(key=["first", "numbers"])
def first_numbers() -> int:
    return 1


@asset(key=["second", "numbers"])
def second_numbers() -> int:
    return 2


first_location = Definitions(assets=[first_numbers])
second_location = Definitions(assets=[second_numbers])

# What the dialog sends (ui-core src/launchpad/LaunchpadAllowedRoot.tsx PIPELINE_EXECUTION_ROOT_QUERY), trimmed.
LAUNCHPAD_ROOT_QUERY = """query($repositoryName: String!, $repositoryLocationName: String!, $assetSelection: [AssetKeyInput!]) {
  pipelineOrError(params: {pipelineName: "__ASSET_JOB", repositoryName: $repositoryName,
                           repositoryLocationName: $repositoryLocationName, assetSelection: $assetSelection}) {
    __typename ... on Pipeline { name } ... on InvalidSubsetError { message } }
  runConfigSchemaOrError(selector: {pipelineName: "__ASSET_JOB", repositoryName: $repositoryName,
                                    repositoryLocationName: $repositoryLocationName, assetSelection: $assetSelection}) {
    __typename } }"""


def _load_graphql_schema() -> None:
    """As in the webserver: the GraphQL schema is loaded, then the correction (applied again here,
    as this process imported the module before it loaded the schema)."""
    import dagster_graphql.schema  # noqa: F401

    assert dagster_cross_location_job_query._apply_graphql_correction()


@contextmanager
def _two_locations():
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.test_utils import instance_for_test
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget

    origins = [InProcessCodeLocationOrigin(LoadableTargetOrigin(python_file=__file__, attribute=f"{name}_location"),
                                           location_name=name) for name in ("first", "second")]
    with instance_for_test() as instance:
        with WorkspaceProcessContext(instance, InProcessWorkspaceLoadTarget(origins)) as process_context:
            yield process_context.create_request_context()


def _answer(context, *paths) -> dict:
    from dagster_graphql.test.utils import execute_dagster_graphql

    result = execute_dagster_graphql(context, LAUNCHPAD_ROOT_QUERY, {
        "repositoryName": "__repository__", "repositoryLocationName": "first",
        "assetSelection": [{"path": list(path)} for path in paths]})
    assert not result.errors, result.errors
    return result.data


def test_the_installed_dagster_still_refuses_the_dialogs_query_over_two_code_locations(monkeypatch):
    # When this fails, Dagster answers the launch dialog's query itself: delete the third correction.
    _load_graphql_schema()
    import dagster_graphql.implementation.run_config_schema as run_config_schema
    import dagster_graphql.schema.roots.query as query

    corrected = query.get_remote_job_or_raise
    for module in (query, run_config_schema):
        monkeypatch.setattr(module, "get_remote_job_or_raise", corrected.corrects)
    with _two_locations() as context:
        data = _answer(context, ("first", "numbers"), ("second", "numbers"))
    assert data["pipelineOrError"]["__typename"] == "InvalidSubsetError", data
    assert "second/numbers" in data["pipelineOrError"]["message"]
    assert data["runConfigSchemaOrError"]["__typename"] == "InvalidSubsetError"


def test_the_installed_ui_still_asks_one_code_location_for_every_selected_asset():
    # The dialog's source, from the source map the webserver ships. When this fails, the dialog
    # asks otherwise: check whether the third correction is still needed.
    dialog, launchpad = _ui_sources("assets/LaunchAssetChoosePartitionsDialog.tsx", "launchpad/LaunchpadRoot.tsx")
    assert "assetKeys={assets.map((asset) => asset.assetKey)}" in dialog
    backfill_launchpad = launchpad[launchpad.index("export const BackfillLaunchpad"):]
    query = backfill_launchpad[backfill_launchpad.index("useQuery"):backfill_launchpad.index("if (result?.loading)")]
    assert "skip" not in query and "assetSelection" in query
    assert "pipelineOrError?.__typename === 'PythonError' ? pipelineOrError.message : 'Unknown error'" in backfill_launchpad


def _ui_sources(*names: str) -> list[str]:
    import dagster_webserver

    found: dict[str, str] = {}
    chunks = Path(dagster_webserver.__file__).parent / "webapp" / "build" / "_next" / "static" / "chunks"
    for source_map in chunks.rglob("*.js.map"):
        text = source_map.read_text()
        if not any(name in text for name in names):
            continue
        data = json.loads(text)
        for source, content in zip(data["sources"], data.get("sourcesContent") or []):
            for name in names:
                if source.endswith("ui-core/src/" + name) and content:
                    found[name] = content
    assert set(found) == set(names), f"the webserver's source maps hold {sorted(found)}"
    return [found[name] for name in names]


def test_the_dialogs_query_over_two_code_locations_is_answered_for_the_first_locations_assets():
    _load_graphql_schema()
    with _two_locations() as context:
        data = _answer(context, ("first", "numbers"), ("second", "numbers"))
        assert data["pipelineOrError"] == {"__typename": "Pipeline", "name": "__ASSET_JOB"}, data
        assert data["runConfigSchemaOrError"]["__typename"] == "RunConfigSchema"
        # An asset that no location defines is still refused; so is a selection of none of its own.
        unknown = _answer(context, ("first", "numbers"), ("nowhere", "numbers"))
        assert unknown["pipelineOrError"]["__typename"] == "InvalidSubsetError"
        other = _answer(context, ("second", "numbers"))
        assert other["pipelineOrError"]["__typename"] == "InvalidSubsetError"
