"""The writer of the Polars engine's tables: scaled integers back to DECIMAL exactly, derived event
ids, one transaction that replaces exactly the year's rows."""

from decimal import Decimal

import duckdb
import polars as pl
import pytest

from workforce_platform.engines.year_tables import YEAR_TABLES, frame_columns, frame_select_sql, write_year_tables


def test_scaled_integers_become_exact_decimals_and_nulls_stay_null():
    frame = pl.DataFrame({"scenario_id": ["s"] * 3, "simulation_year": [2025] * 3,
                          "employee_id": ["a", "b", "c"], "effective_date": [None] * 3,
                          "level_id": [1, 2, None], "raise_rate": [3500, -1, None],
                          "compensation_before": [123456789012, -5, None], "compensation_after": [1, 0, None]},
                         schema_overrides={"effective_date": pl.Date})
    con = duckdb.connect()
    con.register("f", frame.to_arrow())
    rows = con.execute(f"select raise_rate, compensation_before, compensation_after from "
                       f"({frame_select_sql('int_merit_raises_applied', 'f')}) order by all").fetchall()
    assert rows == [(Decimal("-0.00001"), Decimal("-0.05"), Decimal("0.00")),
                    (Decimal("0.03500"), Decimal("1234567890.12"), Decimal("0.01")),
                    (None, None, None)]


def test_event_id_is_the_md5_of_the_events_content():
    import hashlib

    assert "event_id" not in frame_columns("fct_yearly_events")
    row = {c: None for c in frame_columns("fct_yearly_events")}
    row.update(scenario_id="base", simulation_year=2026, employee_id="EMP1", event_type="hire", event_sequence=1)
    frame = pl.DataFrame([row], schema={c: pl.String if c in ("scenario_id", "employee_id", "event_type") else
                                        pl.Date if c == "effective_date" else pl.Int64 for c in row})
    con = duckdb.connect()
    con.register("f", frame.to_arrow())
    event_id = con.execute(f"select event_id from ({frame_select_sql('fct_yearly_events', 'f')})").fetchall()[0][0]
    assert event_id == hashlib.md5(b"base|2026|EMP1|hire").hexdigest()


def _needs(year: int, hires: int) -> pl.DataFrame:
    return pl.DataFrame({"scenario_id": ["s"], "simulation_year": [year], "solver_branch": ["growth"],
                         "starting_headcount": [10], "target_ending_headcount": [11], "experienced_terminations": [1],
                         "hires": [hires], "new_hire_terminations": [0], "target_growth_rate": [3000],
                         "termination_rate": [12000], "new_hire_termination_rate": [25000],
                         "retirements": [0], "deaths": [0]})


def _empty(table: str) -> pl.DataFrame:
    types = {"VARCHAR": pl.String, "INTEGER": pl.Int32, "BIGINT": pl.Int64, "UBIGINT": pl.UInt64, "DATE": pl.Date,
             "BOOLEAN": pl.Boolean}
    return pl.DataFrame(schema={c: types.get(t, pl.Int64) for c, t in YEAR_TABLES[table] if c in frame_columns(table)})


def test_writing_a_year_replaces_exactly_that_year_in_one_transaction():
    con = duckdb.connect()
    frames = {table: _empty(table) for table in YEAR_TABLES}
    for year, hires in ((2025, 2), (2026, 3)):
        write_year_tables(con, "s", year, {**frames, "int_workforce_needs_solved": _needs(year, hires)})
    write_year_tables(con, "s", 2025, {**frames, "int_workforce_needs_solved": _needs(2025, 7)})
    assert con.execute("select simulation_year, hires, target_growth_rate from main.int_workforce_needs_solved "
                       "order by 1").fetchall() == [(2025, 7, Decimal("0.03000")), (2026, 3, Decimal("0.03000"))]
    broken = {**frames, "int_workforce_needs_solved": _needs(2026, 9), "fct_year_summary": pl.DataFrame({"x": [1]})}
    with pytest.raises(ValueError, match="fct_year_summary lacks columns"):
        write_year_tables(con, "s", 2026, broken)
    assert con.execute("select hires from main.int_workforce_needs_solved where simulation_year = 2026").fetchall() == [(3,)]
