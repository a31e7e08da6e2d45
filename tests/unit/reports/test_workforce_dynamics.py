"""The workforce dynamics report on a hand-made published layer, figures computed by hand."""

from decimal import Decimal as D

import duckdb
import pytest

from workforce_platform.errors import WorkforceInputError
from workforce_platform.reports.workforce_dynamics import format_report, main, workforce_dynamics


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "tiny.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema published")
    con.execute("""create table published.fct_workforce_snapshot as select * from (values
        ('s', 2025, 'A', 'active', 30, 1, 50000.00::decimal(18, 2), null::decimal(9, 2)),
        ('s', 2025, 'B', 'active', 66, 1, 60000.00, 1000.00),
        ('s', 2025, 'C', 'active', 40, 2, 80000.00, null),
        ('s', 2025, 'D', 'active', 50, 3, 100000.00, null),
        ('s', 2025, 'E', 'terminated', 70, 3, 90000.00, null),
        ('s', 2026, 'A', 'active', 31, 1, 52000.00, null),
        ('s', 2026, 'C', 'active', 41, 3, 90000.00, null),
        ('s', 2026, 'D', 'active', 51, 3, 104000.00, null),
        ('s', 2026, 'F', 'active', 25, 1, 40000.00, null),
        ('s', 2026, 'B', 'terminated', 67, 1, 60000.00, 1000.00))
        as t(scenario_id, simulation_year, employee_id, employment_status, age, level_id, annual_compensation,
             scheduled_hours)""")
    con.execute("""create table published.fct_year_summary as select * from (values
        ('s', 2025, 1000.00::decimal(18, 2), 100000.00::decimal(18, 2)), ('s', 2026, 3000.00, 120000.00))
        as t(scenario_id, simulation_year, employer_cost, total_prorated_compensation)""")
    con.execute("""create table published.fct_yearly_events as select * from (values
        ('s', 2025, 'E', 'termination', 'retirement'), ('s', 2026, 'B', 'termination', 'death'),
        ('s', 2026, 'A', 'merit_raise', null))
        as t(scenario_id, simulation_year, employee_id, event_type, termination_reason)""")
    con.close()
    return path


def test_figures_by_hand(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        first, second = workforce_dynamics(con, "s")  # no working tables: no start row, no compa-ratio
    finally:
        con.close()
    # 2025: A, B, C, D active; B is 66 and part time; levels 1, 1, 2, 3; pay 290,000 / 4
    assert (first.label, first.headcount, first.senior_share, first.oldest_age) == ("2025", 4, D("0.25"), 66)
    assert first.level_shares == {1: D("0.5"), 2: D("0.25"), 3: D("0.25")}
    assert (first.average_pay, first.part_time_share, first.employer_cost_pct_of_payroll) == (D("72500"), D("0.25"), D("0.01"))
    assert first.average_pay_growth is None and first.average_compa_ratio is None
    assert first.leavers_by_reason == {"retirement": 1}
    # 2026: A, C, D, F; 286,000 / 4 = 71,500 -> 71,500 / 72,500 - 1; continuing A, C, D:
    # (52,000 + 90,000 + 104,000) / (50,000 + 80,000 + 100,000) - 1 = 246 / 230 - 1
    assert second.average_pay == D("71500") and second.average_pay_growth == D("71500") / D("72500") - 1
    assert second.continuing_pay_growth == D("246000") / D("230000") - 1
    assert (second.senior_share, second.part_time_share, second.employer_cost_pct_of_payroll) == (0, 0, D("0.025"))
    assert second.leavers_by_reason == {"death": 1}
    text = format_report([first, second])
    assert "65+" in text.splitlines()[0] and "death" in text.splitlines()[0]
    assert "25.0%" in text.splitlines()[2] and "-1.38%" in text.splitlines()[3]  # 71,500 / 72,500 - 1 = -1.379%


def test_the_command_refuses_a_database_without_published_years(tmp_path, db, capsys):
    assert main(["--db", str(tmp_path / "missing.duckdb")]) == 2
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert main(["--db", str(empty)]) == 2
    assert "no year is published" in capsys.readouterr().err
    assert main(["--db", str(db)]) == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        with pytest.raises(WorkforceInputError, match="no published year"):
            workforce_dynamics(con, "other")
    finally:
        con.close()
