"""The project's Dagster instance stores and reads events through the pooled SQLite event log."""

import shutil

from dagster import AssetKey, DagsterInstance, asset, materialize
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from workforce_platform.patches.dagster_event_log_storage import PooledSqliteEventLogStorage
from workforce_platform.paths import PROJECT_ROOT


@asset
def counted() -> int:
    return 1


def test_events_of_many_runs_read_back_and_wipe(tmp_path, monkeypatch):
    shutil.copy(PROJECT_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    instance = DagsterInstance.get()
    try:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        run_ids = [materialize([counted], instance=instance).run_id for _ in range(12)]  # more runs than open shards
        for run_id in run_ids:
            events = instance.all_logs(run_id)
            assert any(e.dagster_event and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION" for e in events)
        assert (tmp_path / "storage" / "index.db").is_file()
        latest = instance.get_latest_materialization_event(AssetKey("counted"))
        assert latest is not None and latest.run_id == run_ids[-1]
        instance.event_log_storage.wipe()
        assert instance.all_logs(run_ids[0]) == []
    finally:
        instance.dispose()


def test_asset_check_support_is_answered_from_memory_once_the_table_is_known(tmp_path, monkeypatch):
    shutil.copy(PROJECT_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    instance = DagsterInstance.get()
    try:
        storage = instance.event_log_storage
        assert storage.supports_asset_checks
        assert not storage.has_table("no_such_table")
        looked_up = []
        monkeypatch.setattr(SqliteEventLogStorage, "has_table", lambda self, name: looked_up.append(name) or False)
        assert storage.supports_asset_checks and looked_up == []
        assert not storage.has_table("no_such_table") and looked_up == ["no_such_table"]
        storage.wipe()
        assert not storage.supports_asset_checks and looked_up[-1] == "asset_check_executions"
    finally:
        monkeypatch.undo()
        instance.dispose()
