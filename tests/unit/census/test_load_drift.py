"""Census files that are not what they claim: encoding, Parquet types, schema drift."""

from datetime import date

import duckdb
import polars as pl
import pytest

from workforce_platform.census.generate import generate_census, write_census
from workforce_platform.census.load import validate_and_load_census
from workforce_platform.errors import WorkforceInputError

CENSUS_DATE = date(2024, 12, 31)


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("employee_id,birth_date,hire_date,annual_compensation\nJosé,1980-01-01,2010-01-01,50000\n".encode("latin-1"))
    with pytest.raises(WorkforceInputError, match="latin1.csv.*UTF-8"):
        validate_and_load_census(duckdb.connect(), path, CENSUS_DATE)


def test_parquet_with_a_wrongly_typed_column_is_refused(tmp_path):
    path = write_census(generate_census(20, 1), tmp_path / "good.parquet")
    frame = pl.read_parquet(path).with_columns(pl.lit(12345).alias("birth_date"))
    bad = tmp_path / "retyped.parquet"
    frame.write_parquet(bad)
    with pytest.raises(WorkforceInputError, match="retyped.parquet: column 'birth_date' has Parquet type (INTEGER|INT)"):
        validate_and_load_census(duckdb.connect(), bad, CENSUS_DATE)


def test_renamed_column_is_refused_never_null(tmp_path):
    path = write_census(generate_census(20, 1), tmp_path / "good.parquet")
    renamed = tmp_path / "renamed.parquet"
    pl.read_parquet(path).rename({"annual_compensation": "salary"}).write_parquet(renamed)
    with pytest.raises(WorkforceInputError, match="required column\\(s\\) annual_compensation missing"):
        validate_and_load_census(duckdb.connect(), renamed, CENSUS_DATE)


def test_renamed_optional_column_is_refused_not_dropped(tmp_path):
    csv = tmp_path / "drift.csv"
    csv.write_text("employee_id,birth_date,hire_date,annual_compensation,deferral\nE1,1980-01-01,2010-01-01,50000,0.05\n")
    con = duckdb.connect()
    with pytest.raises(WorkforceInputError, match="drift.csv: column 'deferral' is not read.*\n.*"
                                                  "did you mean `census_columns: {deferral_rate: deferral}`"):
        validate_and_load_census(con, csv, CENSUS_DATE)
    assert validate_and_load_census(con, csv, CENSUS_DATE, {"deferral_rate": "deferral"}).rows == 1
    assert str(con.execute("select deferral_rate from inputs.census").fetchall()[0][0]) == "0.05000"


def test_parquet_loads_like_csv(tmp_path):
    rows = generate_census(50, 3)
    csv, parquet = write_census(rows, tmp_path / "c.csv"), write_census(rows, tmp_path / "c.parquet")
    a, b = duckdb.connect(), duckdb.connect()
    validate_and_load_census(a, csv, CENSUS_DATE)
    validate_and_load_census(b, parquet, CENSUS_DATE)
    query = "select * from inputs.census order by employee_id"
    assert a.execute(query).fetchall() == b.execute(query).fetchall()
