import duckdb
import pytest

from workforce_platform.runtime.fingerprint import python_table_fingerprint, table_fingerprint, table_fingerprints


def _table():
    con = duckdb.connect()
    con.execute("""create table t as select * from (values
        ('E1', DATE '2025-03-01', 1234.50::decimal(18,2), null::integer, 0.03::decimal(7,5)),
        ('E2', DATE '2025-12-31', 0.01::decimal(18,2), 4, null::decimal(7,5)),
        ('É3', null::date, 99999.99::decimal(18,2), 5, 0.1::decimal(7,5))) v(id, d, pay, level, rate)""")
    return con


def test_sql_fingerprint_equals_the_python_reference():
    con = _table()
    # columns in name order: d, id, level, pay, rate
    texts = ["2025-03-01|E1|∅|1234.50|0.03000", "2025-12-31|E2|4|0.01|∅", "∅|É3|5|99999.99|0.10000"]
    assert table_fingerprint(con, "t") == python_table_fingerprint(["d", "id", "level", "pay", "rate"], texts)


def test_fingerprint_ignores_column_order():
    con = _table()
    con.execute("create table reordered as select rate, pay, id, level, d from t")
    assert table_fingerprint(con, "reordered") == table_fingerprint(con, "t")


def test_fingerprint_ignores_row_order_and_sees_every_change():
    con = _table()
    reference = table_fingerprint(con, "t")
    con.execute("create table shuffled as select * from t order by id desc")
    assert table_fingerprint(con, "shuffled") == reference
    con.execute("update shuffled set pay = pay + 0.01 where id = 'E2'")
    assert table_fingerprint(con, "shuffled") != reference
    con.execute("update shuffled set pay = pay - 0.01 where id = 'E2'")
    con.execute("insert into shuffled select * from t where id = 'E1'")
    assert table_fingerprint(con, "shuffled") != reference
    assert table_fingerprint(con, "t", "id <> 'E2'") != reference


def test_a_one_column_table_and_empty_text_keep_their_reference_values():
    con = duckdb.connect()
    con.execute("create table one as select * from (values ('a'), (null), ('')) v(x)")
    assert table_fingerprint(con, "one") == python_table_fingerprint(["x"], ["a", "∅", ""])
    con.execute("create table two as select * from (values ('', null), (null, '')) v(x, y)")
    assert table_fingerprint(con, "two") == python_table_fingerprint(["x", "y"], ["|∅", "∅|"])


def test_several_tables_fingerprinted_at_once_have_each_its_own_fingerprint():
    con = duckdb.connect()
    con.execute("create schema inputs")
    con.execute("create table inputs.census as select range::varchar as employee_id, range * 1.5 as pay, "
                "case when range % 3 = 0 then null else date '2025-01-01' + range::int end as hired from range(50)")
    con.execute("create table main.events as select (range % 4)::int as simulation_year, range as amount from range(40)")
    con.execute("create table main.empty (a integer, b varchar)")
    tables = {"census": ("inputs.census", None), "year_2": ("main.events", "simulation_year = 2"),
              "all_events": ("main.events", None), "empty": ("main.empty", None), "none_in_year": ("main.events", "false")}
    assert table_fingerprints(con, tables) == {
        name: table_fingerprint(con, table, where) for name, (table, where) in tables.items()}
    assert len(set(table_fingerprints(con, tables).values())) == len(tables)
    with pytest.raises(duckdb.CatalogException, match="main.no_such_table"):
        table_fingerprints(con, {"x": ("main.no_such_table", None)})
