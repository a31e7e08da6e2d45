import duckdb

from workforce_platform.orchestration.fingerprint import python_table_fingerprint, table_fingerprint


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
