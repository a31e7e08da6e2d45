from dagster import TimeWindowPartitionsDefinition

from workforce_platform.orchestration import dagster_fixes


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
