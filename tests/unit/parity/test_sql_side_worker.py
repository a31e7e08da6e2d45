"""When the parity gate's SQL side is built by the helper process, and when the gate may use it."""

from pathlib import Path

import pytest

from workforce_platform.parity import sql_side_worker
from workforce_platform.parity.scratch import SCRATCH_NAME, prebuilt_folder
from workforce_platform.parity.sql_side_worker import (
    WORKER_ENV, SqlSideBuild, SqlSideWorker, leave_for_gate, settle_left_builds, take_prebuilt, worker_enabled,
)
from workforce_platform.runtime.execution import resolve_execution


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(sql_side_worker, "machine_cores", lambda: 2)
    monkeypatch.delenv(WORKER_ENV, raising=False)


def test_the_helper_runs_by_default_on_two_cores(two_cores, tmp_path):
    assert worker_enabled(resolve_execution(tmp_path / "x.duckdb", level="medium"))
    assert worker_enabled(resolve_execution(tmp_path / "x.duckdb", level="high"))


@pytest.mark.parametrize("switch", ["off", "0", "false", "NO"])
def test_the_helper_can_be_switched_off(two_cores, monkeypatch, tmp_path, switch):
    monkeypatch.setenv(WORKER_ENV, switch)
    assert not worker_enabled(resolve_execution(tmp_path / "x.duckdb", level="medium"))


def test_the_helper_is_off_at_the_memory_saving_level_and_on_one_core(two_cores, monkeypatch, tmp_path):
    assert not worker_enabled(resolve_execution(tmp_path / "x.duckdb", level="low"))
    monkeypatch.setattr(sql_side_worker, "machine_cores", lambda: 1)
    assert not worker_enabled(resolve_execution(tmp_path / "x.duckdb", level="medium"))


def _prebuilt(db: Path, year: int, inputs: str) -> Path:
    folder = prebuilt_folder(db, "demo", year)
    folder.mkdir(parents=True)
    (folder / SCRATCH_NAME).write_bytes(b"")
    (folder / "inputs_fingerprint.txt").write_text(inputs)
    return folder


def test_the_gate_takes_a_scratch_database_built_from_the_same_inputs(tmp_path):
    db = tmp_path / "demo.duckdb"
    folder = _prebuilt(db, 2026, "abc")
    assert folder == tmp_path / "demo.duckdb.parity" / "demo-2026"
    assert take_prebuilt(db, "demo", 2026, "abc") == folder / SCRATCH_NAME


def test_a_scratch_database_of_other_inputs_is_deleted_not_taken(tmp_path):
    db = tmp_path / "demo.duckdb"
    _prebuilt(db, 2026, "abc")
    kept = _prebuilt(db, 2027, "def")
    assert take_prebuilt(db, "demo", 2026, "changed") is None
    assert not prebuilt_folder(db, "demo", 2026).exists() and kept.exists()
    assert take_prebuilt(db, "demo", 2027, "changed") is None
    assert not (tmp_path / "demo.duckdb.parity").exists(), "the last year's removal removes the folder"


def test_an_unfinished_scratch_database_is_not_taken(tmp_path):
    db = tmp_path / "demo.duckdb"
    folder = prebuilt_folder(db, "demo", 2026)
    folder.mkdir(parents=True)
    (folder / SCRATCH_NAME).write_bytes(b"")  # the helper never recorded its inputs: it did not finish
    assert take_prebuilt(db, "demo", 2026, "abc") is None
    assert not folder.exists()
    assert take_prebuilt(db, "demo", 2026, "abc") is None  # nothing there at all


class _Helper:
    """Stands in for the helper process: every build succeeds; records the builds waited for."""

    def __init__(self):
        self.waited = []

    def wait(self, number):
        self.waited.append(number)


def _left(db, year, helper, number):
    folder = prebuilt_folder(db, "demo", year)
    folder.mkdir(parents=True)
    (folder / SCRATCH_NAME).write_bytes(b"")
    return folder, SqlSideBuild(helper, number, folder, f"inputs of {year}")


def test_the_gate_waits_for_a_sql_side_left_to_the_helper_and_takes_it(tmp_path):
    db, helper = tmp_path / "demo.duckdb", _Helper()
    folder, build = _left(db, 2026, helper, 7)
    leave_for_gate(build, db, "demo", 2026)
    assert helper.waited == [] and not (folder / "inputs_fingerprint.txt").exists()
    assert take_prebuilt(db, "demo", 2026, "inputs of 2026") == folder / SCRATCH_NAME
    assert helper.waited == [7] and (folder / "inputs_fingerprint.txt").read_text() == "inputs of 2026"


def test_sql_sides_that_no_gate_took_are_waited_for_and_deleted(tmp_path):
    db, helper = tmp_path / "demo.duckdb", _Helper()
    for number, year in ((1, 2025), (2, 2026)):
        leave_for_gate(_left(db, year, helper, number)[1], db, "demo", year)
    settle_left_builds()
    assert helper.waited == [1, 2] and not (tmp_path / "demo.duckdb.parity").exists()
    assert take_prebuilt(db, "demo", 2025, "inputs of 2025") is None and helper.waited == [1, 2]


def test_answers_of_the_helper_that_arrive_before_their_wait_are_kept_for_it():
    class Pipe:
        def __init__(self, answers):
            self.answers = list(answers)

        def recv(self):
            return self.answers.pop(0)

    worker = object.__new__(SqlSideWorker)  # its pipe only, no process
    worker._connection, worker._answers, worker.broken = Pipe([(1, "built", None), (2, "failed", "why")]), {}, False
    assert worker.wait(2) == "why"
    assert worker.wait(1) is None
