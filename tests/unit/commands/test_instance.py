"""A DAGSTER_HOME of the user's own gets the project's run settings that its file leaves unset, in
the instance the command line opens, and one line saying so; a setting its file makes is kept."""

from __future__ import annotations

import logging

import yaml

from workforce_platform.commands.instance import (
    RUN_SETTING_KEYS,
    instance_note,
    missing_run_settings,
    open_instance,
    run_settings,
)
from workforce_platform.paths import PROJECT_ROOT


def test_the_projects_own_file_sets_every_run_setting():
    assert set(RUN_SETTING_KEYS) <= set(yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text()))


def test_a_home_without_a_file_gets_every_setting_applied(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert missing_run_settings(tmp_path) == run_settings()
    note = instance_note(tmp_path)
    assert "applied for this run" in note and "event_log_storage" in note and str(PROJECT_ROOT / "dagster.yaml") in note
    level = logging.getLogger("dagster").level
    instance = open_instance()
    assert logging.getLogger("dagster").level == level  # only the home's read was quietened
    try:
        assert type(instance.event_log_storage).__name__ == "PooledSqliteEventLogStorage"
        assert type(instance.compute_log_manager).__name__ == "NoOpComputeLogManager"
        assert instance.python_log_level == "INFO"
    finally:
        instance.dispose()


def test_a_setting_the_homes_file_makes_is_kept(tmp_path):
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump({"storage": {"sqlite": {"base_dir": str(tmp_path)}},
                                                           "python_logs": {"python_log_level": "DEBUG"}}))
    assert set(missing_run_settings(tmp_path)) == {"compute_logs", "telemetry"}
    (tmp_path / "dagster.yaml").write_text((PROJECT_ROOT / "dagster.yaml").read_text())
    assert missing_run_settings(tmp_path) == {} and instance_note(tmp_path) is None
