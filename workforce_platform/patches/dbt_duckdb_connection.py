"""Closing the DuckDB database that dbt-duckdb keeps open between dbt invocations in a process.

dbt-duckdb holds one database environment per process (`DuckDBConnectionManager._ENV`, a private
class attribute) and keeps the file open after a command ends. The project opens the same file
between dbt commands (inputs, the Polars engine, the gates), and DuckDB refuses a second open of a
file in one process, so the environment is closed after every dbt command. dbt-duckdb has no
public call that closes it (checked against dbt-duckdb 1.11.1: `DuckDBConnectionManager.
close_all_connections` drops the environment without closing it, so the file stays open until the
garbage collector runs). tests/unit/patches/test_dbt_patches.py fails if the private members it
uses go.
"""

from __future__ import annotations


def release_dbt_connection() -> None:
    """Closes the database dbt-duckdb keeps open, so that this process (and others) can open the
    file again."""
    # Imported here: only a process that ran dbt has anything to release, and a process that runs
    # no dbt never imports it.
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if environment is not None:
            environment.close()
