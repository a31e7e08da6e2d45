"""Small operations records of a scenario's database (schema `audit`): which engine built a year,
the digest of the parameters loaded. One row per key, replaced whole."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import duckdb

from workforce_platform.engines.selection import EngineSettings
from workforce_platform.runtime.database import connection
from workforce_platform.runtime.tables import table_exists


ENGINE_TABLE = "audit.year_engines"


def record_year_engine(db_path: Path, scenario_id: str, year: int, engine: EngineSettings) -> None:
    """Which engine built the year: the parity gate recomputes it with the other one."""
    replace_audit_row(db_path, ENGINE_TABLE,
                       "scenario_id varchar, simulation_year integer, event_engine varchar, event_shards integer",
                       {"scenario_id": scenario_id, "simulation_year": year},
                       (scenario_id, year, engine.engine, engine.shards))


def year_engine(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int) -> Optional[str]:
    """The engine that built the year, if recorded."""
    return audit_value(con, ENGINE_TABLE, "event_engine", {"scenario_id": scenario_id, "simulation_year": year})


def replace_audit_row(db_path: Path, table: str, columns: str, key: dict, values: Optional[tuple]) -> None:
    """Replaces the row of `table` (schema-qualified, created with `columns` when missing) that has
    `key` by `values`, in one transaction; with `values` None the row is only deleted."""
    with connection(db_path) as con:
        con.execute(f"create schema if not exists {table.split('.')[0]}")
        con.execute(f"create table if not exists {table} ({columns})")
        con.execute("begin transaction")
        con.execute(f"delete from {table} where " + " and ".join(f"{c} = ?" for c in key), list(key.values()))
        if values is not None:
            con.execute(f"insert into {table} values ({', '.join('?' * len(values))})", list(values))
        con.execute("commit")


def audit_value(con: duckdb.DuckDBPyConnection, table: str, column: str, key: dict) -> Optional[object]:
    """`column` of the row of `table` that has `key`, or None (no such row, or no such table yet)."""
    schema, name = table.split(".")
    if not table_exists(con, schema, name):
        return None
    rows = con.execute(f"select {column} from {table} where " + " and ".join(f"{c} = ?" for c in key),
                       list(key.values())).fetchall()
    return rows[0][0] if rows else None
