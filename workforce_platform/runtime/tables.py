"""Small questions about a simulation database."""

from __future__ import annotations

from typing import Optional

import duckdb


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()[0][0])


def add_missing_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str,
                        columns: list[tuple[str, str]], present: Optional[set[str]] = None) -> list[str]:
    """Adds to an existing table the `columns` (name, type) it lacks, so that a database built by
    an earlier version takes a year with the current columns (its earlier rows hold nulls there).
    `present`: the table's columns when the caller read them already (see `columns_by_table`).
    Returns the names added."""
    if present is None:
        present = {name for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, table]).fetchall()}
    added = [name for name, _ in columns if name not in present]
    for name, sql_type in columns:
        if name in added:
            con.execute(f'alter table {schema}.{table} add column "{name}" {sql_type}')
    return added


def columns_by_table(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, set[str]]:
    """The column names of every table and view of `schema` in the current database, in one query."""
    present: dict[str, set[str]] = {}
    for table, column in con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where database_name = current_database() and schema_name = ?", [schema]).fetchall():
        present.setdefault(table, set()).add(column)
    return present


def columns_of(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    """(name, type) of every column of a table, view or query."""
    return [(name, sql_type) for name, sql_type, *_ in con.execute(f"describe {relation}").fetchall()]
