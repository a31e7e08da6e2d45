from dagster import TimeWindowPartitionsDefinition

from workforce_platform.patches import dagster_fixes


def _subsets():
    years = TimeWindowPartitionsDefinition(start="2025", end="2028", cron_schedule="0 0 1 1 *", fmt="%Y", end_offset=3)
    counted = years.subset_with_partition_keys(["2025", "2026", "2027"])  # num_partitions computed
    merged = counted | years.empty_subset()  # the same years, num_partitions left to compute
    return counted, merged


def test_the_installed_dagster_still_has_the_defect_the_fix_is_for():
    # When this fails, Dagster fixed TimeWindowPartitionsSubset's inequality: delete dagster_fixes.py.
    assert dagster_fixes.DAGSTER_HAS_SUBSET_INEQUALITY_DEFECT
    counted, merged = _subsets()
    assert tuple(counted) != tuple(merged)  # what tuple's inequality compared


def test_equal_subsets_are_not_unequal():
    counted, merged = _subsets()
    assert counted == merged and not (counted != merged)
    other = counted.partitions_def.subset_with_partition_keys(["2025"])
    assert counted != other and not (counted == other)


def test_the_installed_dagster_still_groups_backfill_runs_across_code_locations():
    # When this fails, Dagster splits a backfill's run requests by code location itself: delete the
    # second correction of dagster_fixes.py.
    import inspect

    original = dagster_fixes._build_run_requests_with_backfill_policies
    assert "split_entity_keys_by_repository" not in inspect.getsource(original)
    import dagster._core.execution.asset_backfill as asset_backfill

    assert asset_backfill.build_run_requests_with_backfill_policies is dagster_fixes._run_requests_per_code_location


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
    split = dagster_fixes._split_by_code_location([mixed, single], _TwoLocations())
    assert sorted((tuple(r.asset_selection), tuple(r.asset_check_keys or ())) for r in split) == sorted([
        ((a,), ()), ((b, c), (check,)), ((a,), ())])
    assert all(r.tags in ({"t": "1"}, {}) for r in split)
