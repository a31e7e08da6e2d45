"""Order-independent fingerprints of tables, stable across DuckDB versions.

Each row is rendered as canonical text (every column, in column order, DECIMALs and dates in
their text form), the rows are sorted, and SHA-256 is taken over them. No engine-internal hash is
involved, so two machines, thread counts or engines can be compared.
"""

from __future__ import annotations

import hashlib
from typing import Optional

import duckdb

RESULT_TABLES = ("fct_yearly_events", "fct_workforce_snapshot", "fct_year_summary")


def table_fingerprint(con: duckdb.DuckDBPyConnection, table: str, where: Optional[str] = None) -> str:
    columns = [r[0] for r in con.execute(f"select column_name from (describe {table})").fetchall()]
    row_text = " || '|' || ".join(f"coalesce(cast(\"{c}\" as varchar), '∅')" for c in columns)
    query = f"select {row_text} as row_text from {table}" + (f" where {where}" if where else "") + " order by row_text"
    digest = hashlib.sha256()
    digest.update("|".join(columns).encode())
    for (text,) in con.execute(query).fetchall():
        digest.update(b"\n")
        digest.update(text.encode())
    return digest.hexdigest()


def year_fingerprints(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int) -> dict[str, str]:
    where = f"scenario_id = '{scenario_id}' and simulation_year = {int(year)}"
    return {table: table_fingerprint(con, table, where) for table in RESULT_TABLES}
