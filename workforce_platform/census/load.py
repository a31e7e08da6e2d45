"""Validates a census file and writes it, typed, to the ``inputs`` schema.

Every rule of the data contract is checked before anything is written. An error names the file,
the rule and the first offending rows (row number counting data rows from 1, and employee id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from workforce_platform.errors import WorkforceInputError

REQUIRED_COLUMNS = ("employee_id", "birth_date", "hire_date", "annual_compensation")
OPTIONAL_COLUMNS = ("termination_date", "level_id", "deferral_rate", "deferral_pct", "scheduled_hours")
_SHOWN_ROWS = 5


@dataclass(frozen=True)
class _Rule:
    name: str
    violation: str  # SQL condition on the raw (text) columns that marks an offending row
    shows: str  # SQL expression shown next to the row


def _rules(columns: set[str], census_date: date) -> list[_Rule]:
    d = f"DATE '{census_date.isoformat()}'"
    rules = [
        _Rule("employee_id must not be empty", "coalesce(trim(employee_id), '') = ''", "employee_id"),
        _Rule("employee_id must be unique", "count(*) over (partition by employee_id) > 1 and trim(employee_id) <> ''", "employee_id"),
        _Rule("employee_id must not take the form NH<year>_<number>, which names the simulation's hires",
              "regexp_full_match(trim(employee_id), 'NH[0-9]{4}_[0-9]+')", "employee_id"),
        _Rule("birth_date must be a date YYYY-MM-DD", "try_cast(birth_date as date) is null", "birth_date"),
        _Rule("hire_date must be a date YYYY-MM-DD", "try_cast(hire_date as date) is null", "hire_date"),
        _Rule(
            "annual_compensation must be a number > 0",
            "try_cast(annual_compensation as decimal(18, 2)) is null or try_cast(annual_compensation as decimal(18, 2)) <= 0",
            "annual_compensation",
        ),
        _Rule("birth_date must be before hire_date", "try_cast(birth_date as date) >= try_cast(hire_date as date)", "birth_date || ' / ' || hire_date"),
        _Rule(f"hire_date must not be after the census date {census_date}", f"try_cast(hire_date as date) > {d}", "hire_date"),
    ]
    if "termination_date" in columns:
        rules += [
            _Rule(
                "termination_date must be empty or a date YYYY-MM-DD",
                "coalesce(trim(termination_date), '') <> '' and try_cast(termination_date as date) is null",
                "termination_date",
            ),
            _Rule("hire_date must not be after termination_date", "try_cast(hire_date as date) > try_cast(termination_date as date)", "hire_date || ' / ' || termination_date"),
            _Rule(
                f"termination_date must not be after the census date {census_date} (such employees are active at the census date)",
                f"try_cast(termination_date as date) > {d}",
                "termination_date",
            ),
        ]
    if "level_id" in columns:
        rules.append(_Rule(
            "level_id must be empty or an integer 1-5",
            "coalesce(trim(level_id), '') <> '' and coalesce(try_cast(level_id as integer) not between 1 and 5, true)",
            "level_id",
        ))
    if "deferral_rate" in columns:
        rules.append(_Rule(
            "deferral_rate must be empty or a fraction between 0 and 1",
            "coalesce(trim(deferral_rate), '') <> '' and coalesce(try_cast(deferral_rate as decimal(9, 5)) not between 0 and 1, true)",
            "deferral_rate",
        ))
    if "scheduled_hours" in columns:
        rules.append(_Rule(
            "scheduled_hours must be empty or a number of hours a year between 0 and 8784",
            "coalesce(trim(scheduled_hours), '') <> '' and coalesce(try_cast(scheduled_hours as decimal(9, 2)) not between 0 and 8784, true)",
            "scheduled_hours",
        ))
    if "deferral_pct" in columns:
        rules.append(_Rule(
            "deferral_pct must be empty or a percentage between 0 and 100",
            "coalesce(trim(deferral_pct), '') <> '' and coalesce(try_cast(deferral_pct as decimal(9, 3)) not between 0 and 100, true)",
            "deferral_pct",
        ))
    return rules


def _read_raw(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """Creates temp table census_raw (all text, plus source_row) and returns its column names."""
    suffix = path.suffix.lower()
    literal = str(path).replace("'", "''")
    if suffix == ".csv":
        if path.stat().st_size == 0:
            raise WorkforceInputError(f"{path}: the census file is empty")
        try:
            con.execute(
                "create temp table census_raw as select *, row_number() over () as source_row from "
                f"read_csv('{literal}', header = true, delim = ',', quote = '\"', all_varchar = true, "
                "auto_detect = true, sample_size = -1, strict_mode = true)"
            )
        except duckdb.Error as exc:
            text = str(exc)
            if "unicode" in text.lower() or "utf" in text.lower():
                raise WorkforceInputError(f"{path}: the census is not valid UTF-8 text ({text.splitlines()[0]})") from None
            raise WorkforceInputError(f"{path}: the census is not a readable comma-separated file: {text.splitlines()[0]}") from None
    elif suffix == ".parquet":
        try:
            con.execute(
                "create temp table census_typed as select *, row_number() over () as source_row "
                f"from read_parquet('{literal}')"
            )
        except duckdb.Error as exc:
            raise WorkforceInputError(f"{path}: not a readable Parquet file: {str(exc).splitlines()[0]}") from None
        _check_parquet_types(con, path)
        columns = [r[0] for r in con.execute("select column_name from (describe census_typed)").fetchall()]
        casts = ", ".join(f'cast("{c}" as varchar) as "{c.strip().lower()}"' for c in columns if c != "source_row")
        con.execute(f"create temp table census_raw as select {casts}, source_row from census_typed")
    else:
        raise WorkforceInputError(f"{path}: the census must be a .csv or .parquet file")
    columns = [r[0] for r in con.execute("select column_name from (describe census_raw)").fetchall()]
    return [c for c in columns if c != "source_row"]


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
}


def _check_parquet_types(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    for name, column_type in con.execute("select column_name, column_type from (describe census_typed)").fetchall():
        allowed = _PARQUET_TYPES.get(name.strip().lower())
        if allowed and not column_type.upper().startswith(allowed):
            raise WorkforceInputError(
                f"{path}: column '{name}' has Parquet type {column_type}; expected one of {', '.join(allowed)}"
            )


def validate_and_load_census(con: duckdb.DuckDBPyConnection, path: Path, census_date: date) -> int:
    """Checks the census and (re)writes ``inputs.census`` in the caller's transaction.

    Returns the number of rows. Raises WorkforceInputError before writing anything.
    """
    path = Path(path)
    if not path.is_file():
        raise WorkforceInputError(f"{path}: census file not found")
    raw_columns = _read_raw(con, path)
    normalised = {c.strip().lower(): c for c in raw_columns}
    if len(raw_columns) == 1 and any(sep in raw_columns[0] for sep in (";", "\t", "|")):
        raise WorkforceInputError(
            f"{path}: the census must be comma-separated; its header {raw_columns[0]!r} looks like another delimiter"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in normalised]
    if missing:
        raise WorkforceInputError(
            f"{path}: required column(s) {', '.join(missing)} missing; the file has: {', '.join(raw_columns)}"
        )
    if "deferral_rate" in normalised and "deferral_pct" in normalised:
        raise WorkforceInputError(f"{path}: give either deferral_rate (a fraction) or deferral_pct (percent), not both")
    known = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in normalised]
    select = ", ".join(f'"{normalised[c]}" as {c}' for c in known)
    con.execute(f"create or replace temp table census_text as select {select}, source_row from census_raw")
    rows = con.execute("select count(*) from census_text").fetchall()[0][0]
    if rows == 0:
        raise WorkforceInputError(f"{path}: the census has a header but no rows")

    problems = []
    for rule in _rules(set(known), census_date):
        offending = con.execute(
            f"select source_row, employee_id, {rule.shows} from "
            f"(select *, ({rule.violation}) as violates from census_text) where violates "
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
    con.execute("create schema if not exists inputs")
    con.execute(
        "create or replace table inputs.census as select "
        "trim(employee_id) as employee_id, cast(birth_date as date) as birth_date, "
        f"cast(hire_date as date) as hire_date, {termination} as termination_date, "
        "cast(annual_compensation as decimal(18, 2)) as annual_compensation, "
        f"{level} as level_id, {deferral} as deferral_rate, {hours} as scheduled_hours, "
        # the random-number key (rng.md: md5_number_lower(id) >> 1; the dbt macro employee_key),
        # digested once here rather than at every read of the census
        "(md5_number(trim(employee_id)) >> 65)::ubigint as employee_key "
        "from census_text order by source_row"
    )
    for table in ("census_text", "census_raw", "census_typed"):
        con.execute(f"drop table if exists {table}")
    return rows
