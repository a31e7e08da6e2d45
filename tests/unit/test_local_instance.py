"""The local Dagster instance (dagster.yaml) as Dagster loads it: its run queue."""

import shutil

from dagster import DagsterInstance
from dagster._core.run_coordinator import QueuedRunCoordinator

from workforce_platform.paths import PROJECT_ROOT


def test_the_queue_is_looked_at_every_second_and_keeps_its_run_limits(tmp_path, monkeypatch):
    shutil.copy(PROJECT_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    instance = DagsterInstance.get()
    try:
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        assert instance.run_coordinator.dequeue_interval_seconds == 1  # the daemon's loop takes it too
        limits = instance.get_concurrency_config().run_queue_config
        assert limits.max_concurrent_runs == 2
        assert [(limit["key"], limit["value"], limit["limit"]) for limit in limits.tag_concurrency_limits] == [
            ("dagster/code_location", {"applyLimitPerUniqueValue": True}, 1)]
    finally:
        instance.dispose()
