from datetime import date

import duckdb
import pytest

from workforce_platform.census.load import validate_and_load_census
from workforce_platform.errors import WorkforceInputError
from workforce_platform.simulation.rng import employee_key

CENSUS_DATE = date(2024, 12, 31)
HEADER = "employee_id,birth_date,hire_date,termination_date,annual_compensation,level_id,deferral_rate\n"
GOOD = "E1,1980-01-01,2010-05-01,,55000.00,1,0.05\nE2,1990-02-02,2020-01-01,2023-06-30,70000,,\n"


def _load(tmp_path, text, name="census.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    con = duckdb.connect()
    rows = validate_and_load_census(con, path, CENSUS_DATE).rows
    return con, rows, path


def test_valid_census_is_typed(tmp_path):
    con, rows, _ = _load(tmp_path, HEADER + GOOD)
    assert rows == 2
    assert con.execute("select * from inputs.census order by employee_id").fetchall()[0][4:7] == (
        __import__("decimal").Decimal("55000.00"), 1, __import__("decimal").Decimal("0.05000"))


def test_each_employee_gets_the_random_number_key_of_rng_md(tmp_path):
    con, _, _ = _load(tmp_path, HEADER + GOOD)
    rows = con.execute("select employee_id, employee_key from inputs.census order by employee_id").fetchall()
    assert rows == [(employee_id, employee_key(employee_id)) for employee_id in ("E1", "E2")]


def test_deferral_pct_is_converted(tmp_path):
    con, _, _ = _load(tmp_path, "employee_id,birth_date,hire_date,annual_compensation,deferral_pct\nE1,1980-01-01,2010-05-01,50000,6\n")
    assert str(con.execute("select deferral_rate from inputs.census").fetchall()[0][0]) == "0.06000"


@pytest.mark.parametrize("body,fragment", [
    ("E1,1980-01-01,2010-05-01,,55000,1,0\nE1,1981-01-01,2011-05-01,,56000,1,0\n", "employee_id must be unique"),
    ("E1,1980-13-01,2010-05-01,,55000,1,0\n", "birth_date must be a date"),
    ("E1,1980-01-01,2010-05-01,,0,1,0\n", "annual_compensation must be a number > 0"),
    ("E1,1980-01-01,2010-05-01,,abc,1,0\n", "annual_compensation must be a number > 0"),
    ("E1,2011-01-01,2010-05-01,,55000,1,0\n", "birth_date must be before hire_date"),
    ("E1,1980-01-01,2010-05-01,2009-01-01,55000,1,0\n", "hire_date must not be after termination_date"),
    ("E1,1980-01-01,2026-05-01,,55000,1,0\n", "hire_date must not be after the census date"),
    ("E1,1980-01-01,2010-05-01,,55000,7,0\n", "level_id must be empty or an integer 1-5"),
    ("E1,1980-01-01,2010-05-01,,55000,1,1.5\n", "deferral_rate must be empty or a fraction between 0 and 1"),
])
def test_bad_rows_are_refused_with_file_rule_and_row(tmp_path, body, fragment):
    with pytest.raises(WorkforceInputError) as error:
        _load(tmp_path, HEADER + body)
    message = str(error.value)
    assert fragment in message and "census.csv" in message and "row 1" in message and "E1" in message


def test_ids_of_the_simulations_hires_are_refused(tmp_path):
    with pytest.raises(WorkforceInputError) as error:
        _load(tmp_path, HEADER + "NH2026_000001,1980-01-01,2010-05-01,,55000,1,0\nNH2026,1980-01-01,2010-05-01,,55000,1,0\n")
    message = str(error.value)
    assert "employee_id must not take the form NH<year>_<number>" in message and "row 1" in message
    assert "NH2026_000001" in message and "row 2" not in message


def test_missing_column_named(tmp_path):
    with pytest.raises(WorkforceInputError, match="required column\\(s\\) hire_date missing"):
        _load(tmp_path, "employee_id,birth_date,annual_compensation\nE1,1980-01-01,5\n")


def test_wrong_delimiter_named(tmp_path):
    with pytest.raises(WorkforceInputError, match="comma-separated"):
        _load(tmp_path, HEADER.replace(",", ";") + GOOD.replace(",", ";"))


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(WorkforceInputError, match="empty"):
        _load(tmp_path, "")
    with pytest.raises(WorkforceInputError, match="not found"):
        validate_and_load_census(duckdb.connect(), tmp_path / "absent.csv", CENSUS_DATE)


def test_nothing_written_on_refusal(tmp_path):
    con = duckdb.connect()
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD)
    validate_and_load_census(con, good, CENSUS_DATE)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "E9,1980-01-01,2010-05-01,,-1,1,0\n")
    with pytest.raises(WorkforceInputError):
        validate_and_load_census(con, bad, CENSUS_DATE)
    assert con.execute("select count(*) from inputs.census").fetchall()[0][0] == 2


HISTORY_HEADER = ("employee_id,birth_date,hire_date,annual_compensation,prior_year_compensation,employee_balance,"
                  "match_balance,core_balance,vesting_service_years\n")


def test_the_plan_history_columns_are_typed_and_empty_means_null(tmp_path):
    con, rows, _ = _load(tmp_path, HISTORY_HEADER + "E1,1980-01-01,2010-05-01,55000,52000.50,10000,4000.25,0,17\n"
                                                     "E2,1990-02-02,2020-01-01,70000,,,,,\n")
    assert rows == 2
    from decimal import Decimal as D
    assert con.execute("select prior_year_compensation, employee_balance, match_balance, core_balance, "
                       "vesting_service_years from inputs.census order by employee_id").fetchall() == [
        (D("52000.50"), D("10000.00"), D("4000.25"), D("0.00"), 17), (None, None, None, None, None)]


def test_without_the_plan_history_columns_they_are_null(tmp_path):
    con, _, _ = _load(tmp_path, HEADER + GOOD)
    assert con.execute("select count(prior_year_compensation) + count(employee_balance) + count(match_balance) "
                       "+ count(core_balance) + count(vesting_service_years) from inputs.census").fetchall() == [(0,)]


@pytest.mark.parametrize("row, rule", [
    ("E1,1980-01-01,2010-05-01,55000,-1,,,,", "prior_year_compensation must be empty or an amount of money >= 0"),
    ("E1,1980-01-01,2010-05-01,55000,,lots,,,", "employee_balance must be empty or an amount of money >= 0"),
    ("E1,1980-01-01,2010-05-01,55000,,,-0.01,,", "match_balance must be empty or an amount of money >= 0"),
    ("E1,1980-01-01,2010-05-01,55000,,,,-5,", "core_balance must be empty or an amount of money >= 0"),
    ("E1,1980-01-01,2010-05-01,55000,,,,,2.5", "vesting_service_years must be empty or a whole number"),
    ("E1,1980-01-01,2010-05-01,55000,,,,,-1", "vesting_service_years must be empty or a whole number"),
])
def test_bad_plan_history_is_refused_naming_file_rule_and_row(tmp_path, row, rule):
    with pytest.raises(WorkforceInputError) as error:
        _load(tmp_path, HISTORY_HEADER + row + "\n")
    message = str(error.value)
    assert rule in message and "row 1 (employee_id 'E1')" in message and "census.csv" in message
