"""Canary of the correction to dbt-duckdb (workforce_platform/patches/dbt_duckdb_connection.py): it shows
that the installed library still needs the correction, and fails once it no longer does, so that the
correction can go."""

from __future__ import annotations

import inspect


def test_dbt_duckdb_still_keeps_its_database_open_after_close_all_connections():
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    assert hasattr(DuckDBConnectionManager, "_LOCK") and hasattr(DuckDBConnectionManager, "_ENV"), (
        "dbt-duckdb's private members changed: patches/dbt_duckdb_connection.py must follow")
    closes = ".close()" in inspect.getsource(DuckDBConnectionManager.close_all_connections)
    assert not closes, "dbt-duckdb now closes its database itself: patches/dbt_duckdb_connection.py can go"
