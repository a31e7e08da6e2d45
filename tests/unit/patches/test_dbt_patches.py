"""Canaries of the corrections to dbt and dbt-duckdb (workforce_platform/patches/dbt_*.py): each shows
that the installed library still needs the correction, and fails once it no longer does, so that the
correction can go."""

from __future__ import annotations

import inspect

from workforce_platform.patches.dbt_behavior_flag_source import speed_up_behavior_flag_source


def _upstream_default_source():
    from dbt_common import behavior_flags

    flag_class = behavior_flags.BehaviorFlagRendered
    return flag_class.__dict__["_upstream_default_source" if "_upstream_default_source" in flag_class.__dict__
                               else "_default_source"].__func__


def test_dbt_still_names_a_behavior_flags_source_by_reading_every_frames_source():
    assert "inspect.stack()" in inspect.getsource(_upstream_default_source()), (
        "dbt no longer reads every frame's source to name a behavior flag's source: "
        "patches/dbt_behavior_flag_source.py can go")


def test_the_frame_walk_names_the_same_source_as_dbt():
    from dbt_common import behavior_flags

    def named_by(source) -> str:  # called from this module, as a flag's maintainer would be
        return source()

    slow = named_by(_upstream_default_source())
    speed_up_behavior_flag_source()
    fast = named_by(behavior_flags.BehaviorFlagRendered._default_source)
    assert slow == fast == __name__


def test_dbt_duckdb_still_keeps_its_database_open_after_close_all_connections():
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    assert hasattr(DuckDBConnectionManager, "_LOCK") and hasattr(DuckDBConnectionManager, "_ENV"), (
        "dbt-duckdb's private members changed: patches/dbt_duckdb_connection.py must follow")
    closes = ".close()" in inspect.getsource(DuckDBConnectionManager.close_all_connections)
    assert not closes, "dbt-duckdb now closes its database itself: patches/dbt_duckdb_connection.py can go"
