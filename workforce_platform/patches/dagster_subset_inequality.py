"""Dagster 1.13 (checked against 1.13.27): two equal sets of years can compare unequal.

`TimeWindowPartitionsSubset` defines `__eq__` (same partitions and windows) but inherits `__ne__`
from `tuple`, which also compares its lazily computed `num_partitions`: two equal subsets can be
`!=`. Dagster's check of a new asset backfill compares the subsets of a multi-asset's assets with
`!=`, so the UI's "Materialize all" of every year failed ("Targeted subset must match between
every key in a non-subsettable multi-asset") whenever the year's assets had been reached by
different paths. Upstream: dagster/_core/definitions/partitions/subset/time_window.py.
`tests/unit/patches/test_dagster_fixes.py` shows the defect on the installed Dagster and fails
once Dagster no longer has it, so that this module can go.
"""

from __future__ import annotations

from dagster._core.definitions.partitions.subset.time_window import TimeWindowPartitionsSubset


def _not_equal(self: TimeWindowPartitionsSubset, other: object) -> bool:
    return not self.__eq__(other)


# True when the installed Dagster has the defect (its class inherits tuple's inequality).
DAGSTER_HAS_SUBSET_INEQUALITY_DEFECT = TimeWindowPartitionsSubset.__ne__ is tuple.__ne__

if DAGSTER_HAS_SUBSET_INEQUALITY_DEFECT:
    TimeWindowPartitionsSubset.__ne__ = _not_equal  # type: ignore[method-assign]
