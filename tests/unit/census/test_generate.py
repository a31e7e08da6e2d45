from datetime import date

import duckdb
import numpy as np
import polars as pl
import pytest

from tests.reference import census_generator as reference
from workforce_platform.census.generate import (
    _census_chunk,
    census_chunks,
    census_frame,
    generate_census,
    write_census,
)
from workforce_platform.errors import WorkforceInputError
from workforce_platform.paths import PROJECT_ROOT

DEMO_CENSUS = PROJECT_ROOT / "data" / "demo" / "census.csv"


def test_same_arguments_same_census_other_seed_differs():
    assert generate_census(300, 5) == generate_census(300, 5)
    assert generate_census(300, 5) != generate_census(300, 6)


def test_bundled_demo_census_is_the_generators_output(tmp_path):
    in_chunks = write_census(census_chunks(5000, 42, chunk_employees=1234), tmp_path / "chunks.csv")
    as_rows = write_census(generate_census(5000, 42), tmp_path / "rows.csv")
    by_the_loop = reference.write_census(reference.generate_census(5000, 42), tmp_path / "loop.csv")
    assert in_chunks.read_bytes() == as_rows.read_bytes() == by_the_loop.read_bytes() == DEMO_CENSUS.read_bytes()


# Sizes on both sides of a chunk boundary, leap-day and early census dates (a birth or hire
# moved to the 18th birthday, a year before 1000 written with four digits), with and without
# the plan's history.
@pytest.mark.parametrize("employees, seed, census_date, plan_history, chunk_employees", [
    (1, 0, date(2024, 12, 31), False, 100_000),
    (7, 4294967295, date(2024, 12, 31), True, 3),
    (2500, 5, date(2024, 12, 31), False, 1000),
    (2500, 7, date(2024, 12, 31), True, 999),
    (1800, 11, date(2024, 2, 29), True, 1800),
    (1200, 3, date(2023, 1, 1), True, 500),
    (600, 9, date(1000, 3, 1), True, 250),
])
def test_vectorised_census_is_the_loops_census_byte_for_byte(tmp_path, employees, seed, census_date, plan_history,
                                                              chunk_employees):
    rows = reference.generate_census(employees, seed, census_date, plan_history)
    assert generate_census(employees, seed, census_date, plan_history) == rows

    def chunks():
        return census_chunks(employees, seed, census_date, plan_history, chunk_employees=chunk_employees)

    def frame():
        return census_frame(employees, seed, census_date, plan_history)

    loop_csv = reference.write_census(rows, tmp_path / "loop.csv").read_bytes()
    assert write_census(chunks(), tmp_path / "chunks.csv").read_bytes() == loop_csv
    assert write_census(frame(), tmp_path / "frame.csv").read_bytes() == loop_csv
    assert write_census(rows, tmp_path / "rows.csv").read_bytes() == loop_csv

    loop_parquet = reference.write_census(rows, tmp_path / "loop.parquet")
    expected = pl.read_parquet(loop_parquet)
    for written in (write_census(chunks(), tmp_path / "chunks.parquet"), write_census(rows, tmp_path / "rows.parquet")):
        read = pl.read_parquet(written)
        assert read.schema == expected.schema and read.equals(expected)
    # One frame is written as the loop's rows were: the same file.
    assert write_census(frame(), tmp_path / "frame.parquet").read_bytes() == loop_parquet.read_bytes()


def test_employee_ids_widen_past_six_digits():
    numbers = np.array([999_999, 1_000_000, 12_345_678], dtype=np.uint64)
    ids = _census_chunk(1, numbers, date(2024, 12, 31), False)["employee_id"].to_list()
    assert ids == ["EMP999999", "EMP1000000", "EMP12345678"]


def test_census_date_too_early_for_the_birth_dates_is_refused():
    # Refused where the loop's date arithmetic overflowed, and only there.
    assert generate_census(50, 1, date(69, 1, 1)) == reference.generate_census(50, 1, date(69, 1, 1))
    with pytest.raises(OverflowError):
        reference.generate_census(50, 1, date(10, 1, 1))
    with pytest.raises(WorkforceInputError, match="census date 0010-01-01: too early"):
        generate_census(50, 1, date(10, 1, 1))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_failed_write_leaves_the_previous_file_whole(tmp_path, suffix):
    out = write_census(census_chunks(30, 1), tmp_path / f"census{suffix}")
    before = out.read_bytes()

    def chunks_then_failure():
        yield census_frame(10, 2)
        raise RuntimeError("generation failed")

    with pytest.raises(RuntimeError, match="generation failed"):
        write_census(chunks_then_failure(), out)
    with pytest.raises(WorkforceInputError, match=r"census\.txt: the census is written as \.csv or \.parquet"):
        write_census(census_chunks(10, 2), tmp_path / "census.txt")
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"census{suffix}"]


def test_census_covers_every_level_age_band_and_tenure_band(test_census):
    con = duckdb.connect()
    census_date = date(2024, 12, 31)
    rows = con.execute(
        f"""
        select level_id, date_sub('year', birth_date, DATE '{census_date}') as age,
               date_sub('year', hire_date, DATE '{census_date}') as tenure, termination_date, deferral_rate
        from read_csv('{test_census}', types={{'termination_date': 'DATE'}})
        """
    ).fetchall()
    levels = {r[0] for r in rows}
    ages = [r[1] for r in rows]
    tenures = [r[2] for r in rows]
    assert levels == {1, 2, 3, 4, 5}
    assert min(ages) >= 20 and max(ages) <= 67
    for low, high in [(0, 25), (25, 35), (35, 45), (45, 55), (55, 65), (65, 200)]:
        assert any(low <= a < high for a in ages), f"no age in [{low}, {high})"
    for low, high in [(0, 2), (2, 5), (5, 10), (10, 20), (20, 100)]:
        assert any(low <= t < high for t in tenures), f"no tenure in [{low}, {high})"
    assert any(r[3] is not None for r in rows), "some employees terminated before the census date"
    assert any(r[4] > 0 for r in rows) and any(r[4] == 0 for r in rows)


def test_census_has_full_time_and_part_time_schedules_around_the_hours_thresholds(test_census):
    hours = [r[0] for r in duckdb.connect().execute(
        f"select scheduled_hours from read_csv('{test_census}', types={{'scheduled_hours': 'DECIMAL(9,2)'}})").fetchall()]
    assert sum(h is None for h in hours) > 0.8 * len(hours)  # mostly full time
    for low, high in [(0, 500), (500, 501), (501, 1000), (1000, 1001), (1001, 2080)]:
        assert any(h is not None and low <= h < high for h in hours), f"no schedule in [{low}, {high})"


def test_parquet_output_has_typed_columns(tmp_path):
    path = write_census(generate_census(50, 1), tmp_path / "c.parquet")
    types = dict(duckdb.connect().execute(f"select column_name, column_type from (describe select * from '{path}')").fetchall())
    assert types["birth_date"] == "DATE" and types["annual_compensation"] == "DECIMAL(18,2)"
