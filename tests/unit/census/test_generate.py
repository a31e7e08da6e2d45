from datetime import date

import duckdb

from workforce_platform.census.generate import generate_census, write_census
from workforce_platform.paths import PROJECT_ROOT


def test_same_arguments_same_census_other_seed_differs():
    assert generate_census(300, 5) == generate_census(300, 5)
    assert generate_census(300, 5) != generate_census(300, 6)


def test_bundled_demo_census_is_the_generators_output(tmp_path):
    regenerated = write_census(generate_census(5000, 42), tmp_path / "census.csv")
    assert regenerated.read_bytes() == (PROJECT_ROOT / "data" / "demo" / "census.csv").read_bytes()


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
