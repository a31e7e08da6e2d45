"""Engine parity: a year's stored tables against the other engine's result for the same
partition, every column of every per-year table, order-independently: an exact pass in memory
(both sides sorted on every column and compared value by value), and ``EXCEPT ALL`` both ways
for whatever that pass does not find equal, which says what differs.

The other engine reads the same inputs as the one that built the year: the previous year's
snapshot and the parameters (seeds and the parameter views over the scenario and the census)
in the database. The Polars engine computes in memory; the SQL engine builds the year's dbt
models in a scratch database that holds copies of those inputs, so the stored tables are never
touched. Nothing here is a constant: the score is the share of rows present on both sides, 1.0
only when every row of every table is equal.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import duckdb
import polars as pl

from workforce_platform.build.audit_rows import year_engine
from workforce_platform.build.dbt_runner import parameter_relations
from workforce_platform.build.plain_sql import build_year_models, relations_read
from workforce_platform.config.scenario import Scenario
from workforce_platform.engines.polars_engine import simulate_year
from workforce_platform.engines.polars_engine.inputs import scaled
from workforce_platform.engines.year_tables import (
    DERIVED_COLUMNS, YEAR_TABLES, decimal_scale, frame_columns, frame_select_sql,
)
from workforce_platform.parity.scratch import SCRATCH_NAME, discard
from workforce_platform.runtime.execution import ExecutionSettings
from workforce_platform.runtime.tables import table_exists

FIRST_ROWS = 5


def _column_names(table: str) -> tuple[str, ...]:
    return tuple(c for c, _ in YEAR_TABLES[table])


@dataclass(frozen=True)
class TableParity:
    table: str
    columns: tuple[str, ...]
    rows_sql: int
    rows_polars: int
    only_sql: int
    only_polars: int
    first_only_sql: tuple[tuple, ...] = ()
    first_only_polars: tuple[tuple, ...] = ()

    @classmethod
    def of_equal_rows(cls, table: str, rows: int) -> TableParity:
        """A table whose `rows` rows are the same on both sides."""
        return cls(table, _column_names(table), rows, rows, 0, 0)

    @property
    def equal(self) -> bool:
        return self.only_sql == 0 and self.only_polars == 0

    @property
    def matched(self) -> int:
        return self.rows_sql - self.only_sql


@dataclass
class YearParity:
    scenario_id: str
    year: int
    built_with: str
    tables: list[TableParity] = field(default_factory=list)
    seconds: float = 0.0
    sql_side_prebuilt: bool = False  # the SQL side was built beside the Polars engine, not in the gate

    @property
    def passed(self) -> bool:
        return bool(self.tables) and all(t.equal for t in self.tables)

    @property
    def rows_compared(self) -> int:
        return sum(t.rows_sql + t.rows_polars for t in self.tables)

    @property
    def only_sql(self) -> int:
        return sum(t.only_sql for t in self.tables)

    @property
    def only_polars(self) -> int:
        return sum(t.only_polars for t in self.tables)

    @property
    def score(self) -> float:
        """Rows present on both sides / all distinct rows: 1.0 only when every table is equal."""
        matched = sum(t.matched for t in self.tables)
        total = matched + self.only_sql + self.only_polars
        return matched / total if total else 0.0

    def differing_tables(self) -> list[str]:
        return [t.table for t in self.tables if not t.equal]


def _ordered(con: duckdb.DuckDBPyConnection, sql: str, limit: int) -> tuple[tuple, ...]:
    return tuple(con.execute(f"select * from ({sql}) order by all limit {limit}").fetchall())


def _compare(con: duckdb.DuckDBPyConnection, table: str, stored: str, recomputed: str, built_with: str) -> TableParity:
    count = lambda sql: con.execute(f"select count(*) from ({sql})").fetchall()[0][0]  # noqa: E731
    only_stored = f"{stored} except all {recomputed}"
    only_recomputed = f"{recomputed} except all {stored}"
    sql_side, polars_side = (stored, recomputed) if built_with == "sql" else (recomputed, stored)
    only_sql, only_polars = (only_stored, only_recomputed) if built_with == "sql" else (only_recomputed, only_stored)
    n_only_sql, n_only_polars = count(only_sql), count(only_polars)
    return TableParity(
        table=table,
        columns=_column_names(table),
        rows_sql=count(sql_side),
        rows_polars=count(polars_side),
        only_sql=n_only_sql,
        only_polars=n_only_polars,
        first_only_sql=_ordered(con, only_sql, FIRST_ROWS) if n_only_sql else (),
        first_only_polars=_ordered(con, only_polars, FIRST_ROWS) if n_only_polars else (),
    )


def _year_select(relation: str, table: str, scenario_id: str, year: int) -> str:
    """The year's rows of `relation`, a copy of `table`, in the table's column order."""
    columns = ", ".join(f'"{c}"' for c, _ in YEAR_TABLES[table])
    return f"select {columns} from {relation} where scenario_id = '{scenario_id}' and simulation_year = {year}"


def compare_with_polars(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, built_with: str = "sql",
                        shards: int = 1) -> YearParity:
    """The stored year against the Polars engine's result from the same inputs (`con` reads the
    database; nothing is written)."""
    started = time.perf_counter()
    frames = simulate_year(con, scenario.scenario_id, year, shards)
    parity = YearParity(scenario.scenario_id, year, built_with)
    for table, frame in frames.items():
        frame = frame.select(frame_columns(table))
        rows = _equal_in_memory(con, table, scenario.scenario_id, year, frame)
        if rows is not None:
            parity.tables.append(TableParity.of_equal_rows(table, rows))
            continue
        view = f"_parity_{table}"
        con.register(view, frame.to_arrow())
        try:
            parity.tables.append(_compare(con, table, _year_select(f"main.{table}", table, scenario.scenario_id, year),
                                          frame_select_sql(table, view), built_with))
        finally:
            con.unregister(view)
    parity.seconds = time.perf_counter() - started
    return parity


def _exact_rows(con: duckdb.DuckDBPyConnection, relation: str, table: str, scenario_id: str, year: int
                ) -> Optional[pl.DataFrame]:
    """The year's rows of `relation` in the Polars engine's representation (DECIMALs as exact
    integers of their smallest unit), the derived columns (the event id) checked against their
    definition and dropped; None when a derived value does not match its definition."""
    derived = DERIVED_COLUMNS.get(table, {})
    selected = []
    for column, sql_type in YEAR_TABLES[table]:
        scale = decimal_scale(sql_type)
        if column in derived:
            selected.append(f'coalesce("{column}" = ({derived[column]}), false) as "{column}"')
        elif scale is not None:
            selected.append(scaled(f'"{column}"', scale))
        else:
            selected.append(f'"{column}"')
    rows = con.sql(f"select {', '.join(selected)} from {relation} where scenario_id = ? and simulation_year = ?",
                   params=[scenario_id, year]).pl()
    if not all(rows[column].all() for column in derived):
        return None
    return rows.drop(list(derived))


def _same_rows(stored: pl.DataFrame, recomputed: pl.DataFrame) -> bool:
    """Whether the two frames hold the same rows, in any order (compared value by value after
    sorting both on every column; a type that does not line up counts as a difference)."""
    if stored.height != recomputed.height:
        return False
    try:
        recomputed = recomputed.select(stored.columns).cast(dict(stored.schema))
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError, pl.exceptions.ColumnNotFoundError):
        return False
    order = stored.columns
    return stored.sort(order, nulls_last=True).equals(recomputed.sort(order, nulls_last=True), null_equal=True)


def _equal_in_memory(con: duckdb.DuckDBPyConnection, table: str, scenario_id: str, year: int,
                     frame: pl.DataFrame) -> Optional[int]:
    """The rows of the stored year when they equal the Polars engine's frame exactly, else None.

    The cheap first pass of the comparison (an EXCEPT ALL costs milliseconds even on one row).
    When anything differs, or a type does not line up, the caller runs the SQL comparison, which
    says what differs."""
    stored = _exact_rows(con, f"main.{table}", table, scenario_id, year)
    return stored.height if stored is not None and _same_rows(stored, frame) else None


def copy_sql_side_inputs(con: duckdb.DuckDBPyConnection, scratch: Path, scenario: Scenario, year: int) -> None:
    """What the year's SQL models read, copied into the scratch database: the parameter seeds
    and the contents of the parameter views (the layer that the Polars engine reads too, so it is
    common to both engines and is not rebuilt), and the previous year's results. A parameter
    relation that the year's models do not name (the census baseline after the first year) is
    copied without its rows."""
    relations = parameter_relations()
    read = set(relations_read(year == scenario.start_year, relations))
    con.execute(f"attach '{scratch}' as parity_scratch")
    try:
        for name in relations:
            rows = "" if name in read else " limit 0"
            con.execute(f"create table parity_scratch.main.{name} as select * from main.{name}{rows}")
        if year > scenario.start_year:
            # The year reads the previous year's snapshot and, for prior-year testing, its ADP and ACP rows.
            for table in ("fct_workforce_snapshot", "fct_nondiscrimination_tests"):
                con.execute(f"create table parity_scratch.main.{table} as select * from main.{table} "
                            "where scenario_id = ? and simulation_year = ?", [scenario.scenario_id, year - 1])
    finally:
        con.execute("detach parity_scratch")


def build_sql_side(scenario: Scenario, year: int, scratch: Path, settings: ExecutionSettings):
    """The year's dbt models (no tests) built in the scratch database `scratch`, which holds copies
    of their inputs (`copy_sql_side_inputs`); DuckDB spills next to it. dbt compiles them and
    they run as plain statements (build/plain_sql/). Returns the build's result."""
    scratch_settings = dataclasses.replace(settings, temp_directory=scratch.parent / "tmp")
    return build_year_models(scenario, year, scratch, scratch_settings)


def compare_with_sql(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, settings: ExecutionSettings,
                     built_with: str = "polars", work_dir: Optional[Path] = None,
                     prebuilt: Optional[Path] = None) -> YearParity:
    """The stored year against the dbt models' result from the same inputs, built in a scratch
    database (the year's models only; no tests), or already built there beside the engine
    (`prebuilt`, see parity/sql_side_worker.py). The scratch database is deleted either way."""
    started = time.perf_counter()
    if prebuilt is not None:
        folder, scratch = prebuilt.parent, prebuilt
    else:
        folder = Path(tempfile.mkdtemp(prefix="engine_parity_", dir=work_dir))
        scratch = folder / SCRATCH_NAME
    try:
        if prebuilt is None:
            copy_sql_side_inputs(con, scratch, scenario, year)
            result = build_sql_side(scenario, year, scratch, settings)
            if not result.success:
                raise RuntimeError(f"engine parity: the SQL engine's build of year {year} failed: {result.error}")
        con.execute(f"attach '{scratch}' as parity_sql (read_only)")
        try:
            parity = YearParity(scenario.scenario_id, year, built_with, sql_side_prebuilt=prebuilt is not None)
            for table in YEAR_TABLES:
                stored = _exact_rows(con, f"main.{table}", table, scenario.scenario_id, year)
                recomputed = _exact_rows(con, f"parity_sql.main.{table}", table, scenario.scenario_id, year)
                if stored is not None and recomputed is not None and _same_rows(stored, recomputed):
                    parity.tables.append(TableParity.of_equal_rows(table, stored.height))
                    continue
                parity.tables.append(_compare(con, table, _year_select(f"main.{table}", table, scenario.scenario_id, year),
                                              _year_select(f"parity_sql.main.{table}", table, scenario.scenario_id, year),
                                              built_with))
        finally:
            con.execute("detach parity_sql")
    finally:
        if prebuilt is not None:
            discard(folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    parity.seconds = time.perf_counter() - started
    return parity


def compare_year(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, settings: ExecutionSettings,
                 built_with: Optional[str] = None, shards: int = 1, prebuilt: Optional[Path] = None) -> YearParity:
    """The year against the engine that did not build it (the recorded engine, else sql);
    `prebuilt`: the SQL side's scratch database built beside the Polars engine, if any."""
    built_with = built_with or year_engine(con, scenario.scenario_id, year) or "sql"
    if not table_exists(con, "main", "fct_yearly_events"):
        raise RuntimeError(f"year {year} of '{scenario.scenario_id}' is not materialised")
    if built_with == "sql":
        if prebuilt is not None:  # left by an earlier Polars build of these inputs; not needed
            discard(prebuilt.parent)
        return compare_with_polars(con, scenario, year, built_with, shards)
    return compare_with_sql(con, scenario, year, settings, built_with, prebuilt=prebuilt)
