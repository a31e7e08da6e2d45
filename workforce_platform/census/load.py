"""Validates a census file and writes it, typed, to the ``inputs`` schema.

Every rule of the data contract is checked before anything is written. An error names the file,
the rule and the first offending rows (row number counting data rows from 1, and employee id).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional, Sequence

import duckdb

from workforce_platform.census.columns import (
    CENSUS_COLUMNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    CensusColumns,
    resolve_census_columns,
)
from workforce_platform.census.rules import BALANCE_COLUMNS, census_rules
from workforce_platform.errors import WorkforceInputError

if TYPE_CHECKING:
    import pyarrow

    from workforce_platform.config.scenario import Scenario

__all__ = ["CENSUS_COLUMNS", "OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "CensusColumns", "LoadedCensus",
           "ValidatedCensus", "read_census_header", "resolve_census_header", "scenario_census_columns",
           "validate_and_load_census", "validated_census", "write_validated_census"]

_SHOWN_ROWS = 5


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")


def _ident(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _source(path: Path, suffix: str, sample_size: int = -1) -> str:
    """The census file as a table function; a CSV's types are sniffed from `sample_size` rows (all text)."""
    if suffix == ".parquet":
        return f"read_parquet('{_literal(path)}')"
    return (f"read_csv('{_literal(path)}', header = true, delim = ',', quote = '\"', all_varchar = true, "
            f"auto_detect = true, sample_size = {sample_size}, strict_mode = true)")


def _read_error(path: Path, suffix: str, exc: duckdb.Error) -> WorkforceInputError:
    full = str(exc)
    text = full.splitlines()[0]
    if suffix == ".parquet":
        return WorkforceInputError(f"{path}: not a readable Parquet file: {text}")
    if "unicode" in full.lower() or "utf" in full.lower():
        return WorkforceInputError(f"{path}: the census is not valid UTF-8 text ({text})")
    return WorkforceInputError(f"{path}: the census is not a readable comma-separated file: {text}")


def _check_file(path: Path) -> str:
    """The file's kind (.csv or .parquet); refuses a missing, empty or other file."""
    if not path.is_file():
        raise WorkforceInputError(f"{path}: census file not found")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise WorkforceInputError(f"{path}: the census must be a .csv or .parquet file")
    if suffix == ".csv" and path.stat().st_size == 0:
        raise WorkforceInputError(f"{path}: the census file is empty")
    return suffix


def read_census_header(path: Path) -> list[str]:
    """The census file's column names, as the loader reads them, without reading its rows."""
    path = Path(path)
    suffix = _check_file(path)
    con = duckdb.connect()
    try:
        # One row sniffed: the names come from the header line, and no more of the file is read.
        described = con.execute(f"describe select * from {_source(path, suffix, sample_size=1)}").fetchall()
    except duckdb.Error as exc:
        raise _read_error(path, suffix, exc) from None
    finally:
        con.close()
    return [row[0] for row in described]


def resolve_census_header(path: Path, mapping: Optional[Mapping[str, str]] = None, ignore: Sequence[str] = (),
                   scenario_file: Optional[Path] = None) -> CensusColumns:
    """How the census's columns are read (census/columns.py), from its header alone: what the
    loader will read, and the columns it leaves unread. Raises WorkforceInputError as the loader would."""
    path = Path(path)
    return resolve_census_columns(path, read_census_header(path), mapping, ignore, scenario_file)


def scenario_census_columns(scenario: "Scenario", path: Optional[Path] = None) -> CensusColumns:
    """`resolve_census_header` of the scenario's census (or of `path`) with its census_columns and
    census_ignore_columns."""
    return resolve_census_header(path or scenario.resolved_census_path(), scenario.census_columns,
                          scenario.census_ignore_columns, scenario.source_path)


def _read_raw(con: duckdb.DuckDBPyConnection, path: Path, suffix: str, columns: CensusColumns) -> None:
    """Creates temp table census_raw: the columns read, as text under our names, plus source_row."""
    select = ", ".join(f"cast({_ident(theirs)} as varchar) as {ours}" for ours, theirs in columns.read.items())
    source = _source(path, suffix)
    if suffix == ".parquet":
        _check_parquet_types(con, path, source, columns)
    try:
        con.execute(f"create temp table census_raw as select {select}, row_number() over () as source_row from {source}")
    except duckdb.Error as exc:
        raise _read_error(path, suffix, exc) from None


_PARQUET_TYPES = {
    "employee_id": ("VARCHAR",),
    "birth_date": ("DATE", "VARCHAR"),
    "hire_date": ("DATE", "VARCHAR"),
    "termination_date": ("DATE", "VARCHAR"),
    "annual_compensation": ("DECIMAL", "DOUBLE", "FLOAT", "INTEGER", "BIGINT", "HUGEINT", "VARCHAR"),
    "level_id": ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "VARCHAR"),
    "deferral_rate": ("DECIMAL", "DOUBLE", "FLOAT", "VARCHAR"),
    "deferral_pct": ("DECIMAL", "DOUBLE", "FLOAT", "INTEGER", "BIGINT", "VARCHAR"),
    "scheduled_hours": ("DECIMAL", "DOUBLE", "FLOAT", "SMALLINT", "INTEGER", "BIGINT", "VARCHAR"),
    "active": ("BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "VARCHAR"),
    "prior_year_compensation": ("DECIMAL", "DOUBLE", "FLOAT", "INTEGER", "BIGINT", "HUGEINT", "VARCHAR"),
    "employee_balance": ("DECIMAL", "DOUBLE", "FLOAT", "INTEGER", "BIGINT", "HUGEINT", "VARCHAR"),
    "match_balance": ("DECIMAL", "DOUBLE", "FLOAT", "INTEGER", "BIGINT", "HUGEINT", "VARCHAR"),
    "core_balance": ("DECIMAL", "DOUBLE", "FLOAT", "INTEGER", "BIGINT", "HUGEINT", "VARCHAR"),
    "vesting_service_years": ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "VARCHAR"),
}


def _check_parquet_types(con: duckdb.DuckDBPyConnection, path: Path, source: str, columns: CensusColumns) -> None:
    ours_of = {theirs: ours for ours, theirs in columns.read.items()}
    for name, column_type, *_ in con.execute(f"describe select * from {source}").fetchall():
        ours = ours_of.get(name)
        allowed = _PARQUET_TYPES.get(ours) if ours else None
        if allowed and not column_type.upper().startswith(allowed):
            read_as = f" (read as {ours})" if ours != name else ""
            raise WorkforceInputError(
                f"{path}: column '{name}'{read_as} has Parquet type {column_type}; expected one of {', '.join(allowed)}"
            )


@dataclass(frozen=True)
class LoadedCensus:
    """The rows written to ``inputs.census``, and how the file's columns were read."""

    rows: int
    columns: CensusColumns


def validate_and_load_census(con: duckdb.DuckDBPyConnection, path: Path, census_date: date,
                             mapping: Optional[Mapping[str, str]] = None, ignore: Sequence[str] = (),
                             scenario_file: Optional[Path] = None) -> LoadedCensus:
    """Checks the census and (re)writes ``inputs.census`` in the caller's transaction.

    `mapping` (our name: the file's column) and `ignore` are the scenario's census_columns and
    census_ignore_columns. Returns the number of rows and the columns read and left unread.
    Raises WorkforceInputError before writing anything.
    """
    path = Path(path)
    suffix = _check_file(path)
    columns = resolve_census_header(path, mapping, ignore, scenario_file)
    try:
        return LoadedCensus(_load(con, path, suffix, columns, census_date), columns)
    finally:
        try:
            con.execute("drop table if exists census_raw")
        except duckdb.Error:
            pass  # a failed statement aborted the caller's transaction, whose rollback drops it


@dataclass(frozen=True)
class ValidatedCensus:
    """A census validated and typed in memory (the columns of ``inputs.census``), nothing written."""

    table: "pyarrow.Table"
    loaded: LoadedCensus
    key: tuple


_validated: dict[str, ValidatedCensus] = {}  # the process's latest validated census, by nothing but its key
_validated_guard = threading.Lock()


def _census_key(scenario: "Scenario") -> tuple:
    """What a validated census depends on: the file's content (digested: a file rewritten within
    the clock's resolution keeps its size and time) and how the scenario reads it."""
    path = scenario.resolved_census_path()
    digest = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as census:
        for block in iter(lambda: census.read(1 << 20), b""):
            digest.update(block)
    return (str(path), digest.hexdigest(), scenario.census_date, tuple(sorted(scenario.census_columns.items())),
            tuple(scenario.census_ignore_columns))


def validated_census(scenario: "Scenario") -> ValidatedCensus:
    """The scenario's census validated in an in-memory database: bad input is refused before any
    database or lock file is created. Kept for the process (the latest one only), so that a run
    that validates first (`workforce simulate`) and its steps that write the census (the
    parameters, the first year) read and validate the file once."""
    path = scenario.resolved_census_path()
    if not path.is_file():
        raise WorkforceInputError(f"{path}: census file not found (census_path in {scenario.source_path})")
    key = _census_key(scenario)
    with _validated_guard:
        kept = _validated.get("latest")
        if kept is not None and kept.key == key:
            return kept
        con = duckdb.connect()
        try:
            loaded = validate_and_load_census(con, path, scenario.census_date, scenario.census_columns,
                                              scenario.census_ignore_columns, scenario.source_path)
            table = con.sql("select * from inputs.census").to_arrow_table()
        finally:
            con.close()
        _validated["latest"] = ValidatedCensus(table, loaded, key)
        return _validated["latest"]


def write_validated_census(con: duckdb.DuckDBPyConnection, census: ValidatedCensus) -> int:
    """(Re)writes ``inputs.census`` from a validated census, in the caller's transaction."""
    con.execute("create schema if not exists inputs")
    con.register("validated_census", census.table)
    try:
        con.execute("create or replace table inputs.census as select * from validated_census")
    finally:
        con.unregister("validated_census")
    return census.loaded.rows


def _load(con: duckdb.DuckDBPyConnection, path: Path, suffix: str, columns: CensusColumns, census_date: date) -> int:
    _read_raw(con, path, suffix, columns)
    known = list(columns.read)
    rows = con.execute("select count(*) from census_raw").fetchall()[0][0]
    if rows == 0:
        raise WorkforceInputError(f"{path}: the census has a header but no rows")

    problems = []
    for rule in census_rules(set(known), census_date):
        offending = con.execute(
            f"select source_row, employee_id, {rule.shows} from "
            f"(select *, ({rule.violation}) as violates from census_raw) where violates "
            f"order by source_row limit {_SHOWN_ROWS + 1}"
        ).fetchall()
        if offending:
            shown = "; ".join(f"row {r} (employee_id {e!r}): {v!r}" for r, e, v in offending[:_SHOWN_ROWS])
            more = " ..." if len(offending) > _SHOWN_ROWS else ""
            problems.append(f"{path}: rule '{rule.name}' fails for {shown}{more}")
    if problems:
        raise WorkforceInputError("\n".join(problems))

    termination = "try_cast(nullif(trim(termination_date), '') as date)" if "termination_date" in known else "null::date"
    level = "try_cast(nullif(trim(level_id), '') as integer)" if "level_id" in known else "null::integer"
    if "deferral_rate" in known:
        deferral = "coalesce(try_cast(nullif(trim(deferral_rate), '') as decimal(7, 5)), 0)"
    elif "deferral_pct" in known:
        deferral = "coalesce(round(try_cast(nullif(trim(deferral_pct), '') as decimal(9, 3)) / 100, 5), 0)::decimal(7, 5)"
    else:
        deferral = "0::decimal(7, 5)"
    hours = "try_cast(nullif(trim(scheduled_hours), '') as decimal(9, 2))" if "scheduled_hours" in known else "null::decimal(9, 2)"

    def optional(column: str, sql_type: str) -> str:
        """An optional column typed, NULL where the census leaves it empty or has no such column."""
        value = f"try_cast(nullif(trim({column}), '') as {sql_type})" if column in known else f"null::{sql_type}"
        return f"{value} as {column}"

    history = ", ".join([optional("prior_year_compensation", "decimal(18, 2)"),
                         *(optional(column, "decimal(18, 2)") for column in BALANCE_COLUMNS),
                         optional("vesting_service_years", "integer")])
    con.execute("create schema if not exists inputs")
    con.execute(
        "create or replace table inputs.census as select "
        "trim(employee_id) as employee_id, cast(birth_date as date) as birth_date, "
        f"cast(hire_date as date) as hire_date, {termination} as termination_date, "
        "cast(annual_compensation as decimal(18, 2)) as annual_compensation, "
        f"{level} as level_id, {deferral} as deferral_rate, {hours} as scheduled_hours, {history}, "
        # the random-number key (rng.md: md5_number_lower(id) >> 1; the dbt macro employee_key),
        # digested once here rather than at every read of the census
        "(md5_number(trim(employee_id)) >> 65)::ubigint as employee_key "
        "from census_raw order by source_row"
    )
    return rows
