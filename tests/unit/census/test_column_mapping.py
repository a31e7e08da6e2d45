"""A census exported by another system: census_columns, census_ignore_columns, refused look-alikes,
the active flag as a cross-check."""

from datetime import date
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from workforce_platform.census.columns import CENSUS_COLUMNS, resembled_census_column
from workforce_platform.census.load import read_census_header, resolve_census_header, validate_and_load_census
from workforce_platform.errors import WorkforceInputError

CENSUS_DATE = date(2024, 12, 31)
# An HR system's export: every name but employee_id prefixed, pay under another word, a status flag.
EXPORT_HEADER = ("employee_id,employee_birth_date,employee_hire_date,employee_termination_date,"
                 "employee_gross_compensation,employee_deferral_rate,active,department,location\n")
EXPORT_ROWS = (
    "E1,1980-01-01,2010-05-01,,55000.00,0.05,Y,Sales,Boston\n"
    "E2,1985-03-04,2012-06-01,2024-06-30,65000.00,0.06,N,Ops,Denver\n"
    "E3,1990-07-08,2015-01-15,,75000.00,,true,Ops,Denver\n"
    "E4,1975-11-30,2001-09-01,2023-12-31,91000.00,0.10,terminated,Finance,Boston\n"
    "E5,1995-02-14,2020-03-01,,48000.00,0.03,Active,Sales,Austin\n"
    "E6,1988-05-05,2018-08-20,,82000.00,0.00,1,Finance,Austin\n"
)
REQUIRED_ONLY = {"birth_date": "employee_birth_date", "hire_date": "employee_hire_date",
                 "annual_compensation": "employee_gross_compensation"}
FULL_MAPPING = {**REQUIRED_ONLY, "termination_date": "employee_termination_date",
                "deferral_rate": "employee_deferral_rate", "active": "active"}


def _write(tmp_path, text, name="export.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _load(path, mapping=None, ignore=()):
    con = duckdb.connect()
    return con, validate_and_load_census(con, path, CENSUS_DATE, mapping, ignore)


def _refusal(path, mapping=None, ignore=()) -> str:
    with pytest.raises(WorkforceInputError) as error:
        _load(path, mapping, ignore)
    return str(error.value)


def test_mapping_only_the_required_columns_is_refused_with_a_did_you_mean(tmp_path):
    path = _write(tmp_path, EXPORT_HEADER + EXPORT_ROWS)
    message = _refusal(path, REQUIRED_ONLY)
    assert f"{path}: column 'employee_termination_date' is not read and its name resembles the census column " \
           "termination_date" in message
    assert "did you mean `census_columns: {termination_date: employee_termination_date}`?" in message
    assert "or, to leave it unread, `census_ignore_columns: [employee_termination_date]`" in message
    assert "did you mean `census_columns: {deferral_rate: employee_deferral_rate}`?" in message
    assert "did you mean `census_columns: {active: active}`?" in message
    # Unrelated columns are not refused.
    assert "'department'" not in message and "'location'" not in message


def test_without_a_mapping_the_missing_required_columns_come_with_the_mapping_to_write(tmp_path):
    message = _refusal(_write(tmp_path, EXPORT_HEADER + EXPORT_ROWS))
    assert "required column(s) birth_date, hire_date, annual_compensation missing" in message
    assert ("did you mean `census_columns: {birth_date: employee_birth_date, hire_date: employee_hire_date, "
            "termination_date: employee_termination_date, annual_compensation: employee_gross_compensation, "
            "deferral_rate: employee_deferral_rate, active: active}`") in message


def test_the_full_mapping_reads_terminations_and_deferral_rates(tmp_path):
    con, loaded = _load(_write(tmp_path, EXPORT_HEADER + EXPORT_ROWS), FULL_MAPPING)
    assert loaded.rows == 6
    assert dict(loaded.columns.read) == {"employee_id": "employee_id", **FULL_MAPPING}
    assert loaded.columns.ignored == ("department", "location")
    assert loaded.columns.header_line() == "ignored census columns: department, location"
    rows = con.execute("select employee_id, termination_date, annual_compensation, deferral_rate "
                       "from inputs.census order by employee_id").fetchall()
    assert [r[0] for r in rows if r[1] is None] == ["E1", "E3", "E5", "E6"]  # the baseline: no termination date
    assert [(r[0], r[1]) for r in rows if r[1] is not None] == [("E2", date(2024, 6, 30)), ("E4", date(2023, 12, 31))]
    assert [str(r[3]) for r in rows] == ["0.05000", "0.06000", "0.00000", "0.10000", "0.03000", "0.00000"]
    assert sum(r[2] for r in rows) == Decimal("416000.00")


def test_the_header_alone_resolves_the_columns_as_the_loader_does(tmp_path):
    path = _write(tmp_path, EXPORT_HEADER + EXPORT_ROWS + "E7,not a date,,,,,,,\n")
    assert read_census_header(path) == EXPORT_HEADER.strip().split(",")
    header = resolve_census_header(path, FULL_MAPPING)  # the bad row is not read
    assert header.ignored == ("department", "location") and header.read["active"] == "active"
    with pytest.raises(WorkforceInputError) as from_header:
        resolve_census_header(path, REQUIRED_ONLY)
    assert str(from_header.value) == _refusal(path, REQUIRED_ONLY)


def test_a_mapped_column_missing_from_the_file_names_the_key(tmp_path):
    path = _write(tmp_path, EXPORT_HEADER + EXPORT_ROWS)
    message = _refusal(path, {**FULL_MAPPING, "termination_date": "term_dt"})
    assert message.startswith(f"census_columns.termination_date: column 'term_dt' not in {path}; the file has: "
                              "employee_id, employee_birth_date")


def test_a_key_that_is_not_one_of_our_columns_is_refused(tmp_path):
    path = _write(tmp_path, EXPORT_HEADER + EXPORT_ROWS)
    message = _refusal(path, {**FULL_MAPPING, "termination": "employee_termination_date"})
    assert "census_columns: termination not census column(s)" in message
    assert ", ".join(CENSUS_COLUMNS) in message


def test_ignored_columns_are_not_read_and_are_reported(tmp_path):
    ignore = ["employee_termination_date", "employee_deferral_rate", "ACTIVE"]
    con, loaded = _load(_write(tmp_path, EXPORT_HEADER + EXPORT_ROWS), REQUIRED_ONLY, ignore)
    assert loaded.columns.ignored == ("employee_termination_date", "employee_deferral_rate", "active", "department",
                                      "location")
    assert con.execute("select count(*), count(termination_date), sum(deferral_rate) from inputs.census"
                       ).fetchall() == [(6, 0, Decimal("0.00000"))]


def test_an_ignored_column_of_ours_is_not_read(tmp_path):
    text = "employee_id,birth_date,hire_date,annual_compensation,level_id\nE1,1980-01-01,2010-05-01,50000,4\n"
    con, loaded = _load(_write(tmp_path, text), ignore=["level_id"])
    assert "level_id" not in loaded.columns.read and loaded.columns.ignored == ("level_id",)
    assert con.execute("select level_id from inputs.census").fetchall() == [(None,)]
    assert "required column(s) hire_date missing" in _refusal(_write(tmp_path, text), ignore=["hire_date"])


def test_columns_mapped_to_each_others_names_are_swapped(tmp_path):
    text = "employee_id,birth_date,hire_date,annual_compensation\nE1,2010-05-01,1980-01-01,50000\n"
    con, _ = _load(_write(tmp_path, text), {"birth_date": "hire_date", "hire_date": "birth_date"})
    assert con.execute("select birth_date, hire_date from inputs.census").fetchall() == [
        (date(1980, 1, 1), date(2010, 5, 1))]


def test_a_column_of_ours_under_its_own_name_is_refused_when_another_column_is_read_instead(tmp_path):
    text = ("employee_id,birth_date,hire_date,annual_compensation,termination_date,term_date\n"
            "E1,1980-01-01,2010-05-01,50000,,2024-01-31\n")
    message = _refusal(_write(tmp_path, text), {"termination_date": "term_date"})
    assert "column 'termination_date' is not read" in message and "(termination_date is read from column " \
           "'term_date')" in message and "`census_ignore_columns: [termination_date]`" in message


def test_names_with_spaces_are_suggested_quoted(tmp_path):
    text = "employee_id,birth_date,hire_date,annual_compensation,Employee Status\nE1,1980-01-01,2010-05-01,50000,A\n"
    message = _refusal(_write(tmp_path, text))
    assert 'did you mean `census_columns: {active: "Employee Status"}`' in message


@pytest.mark.parametrize("column, ours", [
    ("employee_termination_date", "termination_date"), ("EMP_Termination-Date", "termination_date"),
    ("term_date", "termination_date"), ("TermDate", "termination_date"),
    ("employee_gross_compensation", "annual_compensation"), ("salary", "annual_compensation"),
    ("pay", "annual_compensation"), ("ee_deferral_rate", "deferral_rate"), ("deferral_percent", "deferral_pct"),
    ("dob", "birth_date"), ("Birth Date", "birth_date"), ("doh", "hire_date"), ("original_hire_date", "hire_date"),
    ("status", "active"), ("employment_status", "active"), ("hours", "scheduled_hours"), ("grade", "level_id"),
    ("level", "level_id"), ("id", "employee_id"),
    ("department", None), ("location", None), ("manager_id", None), ("first_name", None), ("marital_status", None),
    ("cost_center", None), ("job_title", None), ("hourly_rate", None),
])
def test_which_names_resemble_ours(column, ours):
    assert resembled_census_column(column) == ours


def test_deferral_pct_may_be_mapped_too(tmp_path):
    text = "employee_id,birth_date,hire_date,annual_compensation,employee_deferral_pct\nE1,1980-01-01,2010-05-01,50000,6\n"
    con, _ = _load(_write(tmp_path, text), {"deferral_pct": "employee_deferral_pct"})
    assert str(con.execute("select deferral_rate from inputs.census").fetchall()[0][0]) == "0.06000"
    both = text.replace(",employee_deferral_pct", ",employee_deferral_pct,deferral_rate").replace(",6\n", ",6,0.06\n")
    assert "either deferral_rate (a fraction) or deferral_pct (percent), not both" in _refusal(
        _write(tmp_path, both), {"deferral_pct": "employee_deferral_pct"})


HEADER = "employee_id,birth_date,hire_date,termination_date,annual_compensation,status\n"


def test_an_inactive_row_without_a_termination_date_is_refused(tmp_path):
    rows = "".join(f"E{i},1980-01-01,2010-05-01,,50000,inactive\n" for i in range(1, 8))
    message = _refusal(_write(tmp_path, HEADER + "E0,1980-01-01,2010-05-01,,50000,Y\n" + rows), {"active": "status"})
    assert ("rule 'a row marked inactive must have a termination_date on or before the census date 2024-12-31' "
            "fails for row 2 (employee_id 'E1')") in message
    assert "row 6 (employee_id 'E5')" in message and "E6" not in message and message.endswith(" ...")


def test_an_active_row_with_a_past_termination_date_is_refused(tmp_path):
    text = HEADER + ("E1,1980-01-01,2010-05-01,2024-12-31,50000,active\n"
                     "E2,1980-01-01,2010-05-01,2024-03-01,50000,terminated\n")
    message = _refusal(_write(tmp_path, text), {"active": "status"})
    assert ("rule 'a row marked active must not have a termination_date on or before the census date 2024-12-31' "
            "fails for row 1 (employee_id 'E1'): 'active / 2024-12-31'") in message
    assert "E2" not in message


def test_an_inactive_row_is_refused_when_the_census_has_no_termination_dates(tmp_path):
    text = "employee_id,birth_date,hire_date,annual_compensation,active\nE1,1980-01-01,2010-05-01,50000,N\n"
    assert "a row marked inactive must have a termination_date" in _refusal(_write(tmp_path, text), {"active": "active"})


@pytest.mark.parametrize("value", ["maybe", "", "2", "A"])
def test_an_unknown_active_value_is_refused_naming_the_row(tmp_path, value):
    text = HEADER + f"E1,1980-01-01,2010-05-01,,50000,Y\nE2,1980-01-01,2010-05-01,,50000,{value}\n"
    message = _refusal(_write(tmp_path, text), {"active": "status"})
    assert "rule 'active must be one of true, 1, y, yes, active or false, 0, n, no, inactive, terminated (any case)' " \
           "fails for row 2 (employee_id 'E2')" in message


def test_the_active_flag_only_cross_checks(tmp_path):
    text = HEADER + ("E1,1980-01-01,2010-05-01,, 50000,TRUE\nE2,1980-01-01,2010-05-01,2024-02-01,50000, No \n"
                     "E3,1980-01-01,2010-05-01,2024-02-01,50000,0\n")
    con, loaded = _load(_write(tmp_path, text), {"active": "status"})
    assert loaded.rows == 3 and loaded.columns.ignored == ()
    assert "active" not in [r[0] for r in con.execute("select column_name from (describe inputs.census)").fetchall()]
    assert con.execute("select employee_id from inputs.census where termination_date is null").fetchall() == [("E1",)]


def test_a_parquet_export_is_mapped_and_its_types_checked_under_our_names(tmp_path):
    frame = pl.DataFrame({
        "employee_id": ["E1", "E2", "E3"],
        "EmployeeBirthDate": [date(1980, 1, 1), date(1985, 3, 4), date(1990, 7, 8)],
        "EmployeeHireDate": [date(2010, 5, 1), date(2012, 6, 1), date(2015, 1, 15)],
        "EmployeeTerminationDate": [None, date(2024, 6, 30), None],
        "EmployeeGrossCompensation": [55000.0, 65000.0, 75000.0],
        "EmployeeDeferralRate": [0.05, 0.06, None],
        "IsActive": [True, False, True],
        "Department": ["Sales", "Ops", "Ops"],
    })
    path = tmp_path / "export.parquet"
    frame.write_parquet(path)
    mapping = {"birth_date": "EmployeeBirthDate", "hire_date": "EmployeeHireDate",
               "annual_compensation": "EmployeeGrossCompensation", "termination_date": "EmployeeTerminationDate"}
    message = _refusal(path, mapping)
    assert "did you mean `census_columns: {deferral_rate: EmployeeDeferralRate}`" in message
    assert "did you mean `census_columns: {active: IsActive}`" in message
    con, loaded = _load(path, {**mapping, "deferral_rate": "EmployeeDeferralRate", "active": "IsActive"})
    assert loaded.columns.ignored == ("Department",)
    assert con.execute("select employee_id, termination_date, deferral_rate from inputs.census order by 1").fetchall() == [
        ("E1", None, Decimal("0.05000")), ("E2", date(2024, 6, 30), Decimal("0.06000")), ("E3", None, Decimal("0"))]
    retyped = tmp_path / "retyped.parquet"
    frame.with_columns(pl.lit(1).alias("EmployeeBirthDate")).write_parquet(retyped)
    assert "column 'EmployeeBirthDate' (read as birth_date) has Parquet type INTEGER" in _refusal(
        retyped, {**mapping, "deferral_rate": "EmployeeDeferralRate", "active": "IsActive"})


def test_the_header_says_what_the_first_year_reads_as_pay_of_the_year_before(tmp_path):
    without = resolve_census_header(_write(tmp_path, EXPORT_HEADER + EXPORT_ROWS), FULL_MAPPING)
    assert without.header_lines() == [
        "ignored census columns: department, location",
        "first year's previous-year pay (414(q) look-back, Roth catch-up wage test): assumed equal to the census pay "
        "rate annual_compensation, as the census has no prior_year_compensation"]
    mapped = resolve_census_header(
        _write(tmp_path, EXPORT_HEADER.replace(",location\n", ",location,pay_2024\n")
               + EXPORT_ROWS.replace("\n", ",50000\n")),
        {**FULL_MAPPING, "prior_year_compensation": "pay_2024"}, ignore=["department", "location"])
    assert mapped.header_lines() == [
        "ignored census columns: department, location",
        "first year's previous-year pay (414(q) look-back, Roth catch-up wage test): census prior_year_compensation "
        "(the pay rate where a row leaves it empty)"]
