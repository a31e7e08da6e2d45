"""Arguments of scenarios side by side: seeds and workers."""

from __future__ import annotations

import pytest

from workforce_platform.errors import WorkforceInputError
from workforce_platform.commands.batch import BatchItem, BatchPass, ItemOutcome, check_workers, parse_seeds


@pytest.mark.parametrize("text, seeds", [
    ("1-20", list(range(1, 21))),
    ("7", [7]),
    ("1,5,9", [1, 5, 9]),
    ("1-3,9", [1, 2, 3, 9]),
    (" 4 - 6 , 0", [4, 5, 6, 0]),
    ("4294967295", [4294967295]),
])
def test_seeds_are_ranges_and_lists_in_the_order_given(text, seeds):
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize("text, message", [
    ("5-1", "ends before it starts"),
    ("1-3,2", "seed 2 is given twice"),
    ("a", "'a' is not a seed"),
    ("1,,2", "'' is not a seed"),
    ("4294967296", "between 0 and 4294967295"),
    ("1-1001", "at most 1000 seeds"),
])
def test_bad_seeds_are_refused_naming_the_part(text, message):
    with pytest.raises(WorkforceInputError, match=message):
        parse_seeds(text)


@pytest.mark.parametrize("workers", [1, 2, 10])
def test_workers_between_one_and_ten(workers):
    assert check_workers(workers) == workers


@pytest.mark.parametrize("workers", [0, 11, -1])
def test_workers_outside_one_to_ten_are_refused(workers):
    with pytest.raises(WorkforceInputError, match=f"--workers {workers}: must be between 1 and 10"):
        check_workers(workers)


def _pass(*codes: int) -> BatchPass:
    item = BatchItem(None, "s", None, None)  # type: ignore[arg-type]
    return BatchPass(2, 1.0, [ItemOutcome(item, code, 1.0) for code in codes])


def test_a_batch_exits_with_its_worst_outcome():
    assert _pass(0, 0).exit_code == 0
    assert _pass(0, 2).exit_code == 2
    assert _pass(2, 1, 0).exit_code == 1
    assert _pass(0, 0).summed_seconds == 2.0
