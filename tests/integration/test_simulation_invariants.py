"""Contract invariants 1-5 on every year of a 5-year run, for two seeds, on a census that covers
every level, age band and tenure band; and the rules behind them (hazards, promotions, merit,
proration, event order)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.integration.conftest import OTHER_SEED, SEED
from workforce_platform.simulation.new_hire_terminations import select_new_hire_terminations
from workforce_platform.simulation.workforce_needs import solve_workforce_needs

YEARS = [2025, 2026, 2027, 2028, 2029]
SCENARIO = "test_scenario"


@pytest.fixture(params=[SEED, OTHER_SEED], ids=lambda s: f"seed{s}")
def con(request, runs):
    connection = runs.connect(seed=request.param)
    yield connection
    connection.close()


def _rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_every_year_was_built(con):
    assert [r[0] for r in _rows(con, "select simulation_year from fct_year_summary order by 1")] == YEARS


def test_continuity_end_of_year_is_next_start(con):
    first_start = {r[0] for r in _rows(con, "select employee_id from inputs.census where termination_date is null")}
    assert first_start == {r[0] for r in _rows(con, "select employee_id from int_starting_workforce_assembled where simulation_year = 2025")}
    for year in YEARS[:-1]:
        ending = _rows(con, """
            select employee_id, level_id, annual_compensation, birth_date, hire_date, deferral_rate
            from fct_workforce_snapshot where simulation_year = ? and employment_status = 'active' order by 1""", [year])
        starting = _rows(con, """
            select employee_id, level_id, annual_compensation, birth_date, hire_date, deferral_rate
            from int_starting_workforce_assembled where simulation_year = ? order by 1""", [year + 1])
        assert ending == starting, f"year {year} end differs from year {year + 1} start"


def test_mass_balance_from_independent_counts(con):
    for year in YEARS:
        start = _rows(con, "select count(*) from int_starting_workforce_assembled where simulation_year = ?", [year])[0][0]
        counts = dict(_rows(con, "select event_type, count(*) from fct_yearly_events where simulation_year = ? group by 1", [year]))
        ending = _rows(con, "select count(*) from fct_workforce_snapshot where simulation_year = ? and employment_status = 'active'", [year])[0][0]
        assert start + counts["hire"] - counts["termination"] - counts["new_hire_termination"] == ending
        summary = _rows(con, """select starting_headcount, hires, experienced_terminations, new_hire_terminations,
                                       ending_headcount from fct_year_summary where simulation_year = ?""", [year])[0]
        assert summary == (start, counts["hire"], counts["termination"], counts["new_hire_termination"], ending)


def test_growth_matches_target_and_python_solver(con):
    growth, term_rate, nh_rate = Decimal("0.03"), Decimal("0.12"), Decimal("0.25")
    for year in YEARS:
        start, ending, hires, terms, nh_terms = _rows(con, """
            select starting_headcount, ending_headcount, hires, experienced_terminations, new_hire_terminations
            from fct_year_summary where simulation_year = ?""", [year])[0]
        assert ending == int((start * (1 + growth)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        by_age = _rows(con, """select count(*) from fct_yearly_events where simulation_year = ?
                               and termination_reason in ('retirement', 'death')""", [year])[0][0]
        expected = solve_workforce_needs(start, growth, term_rate, nh_rate, by_age)
        assert (hires, terms, nh_terms) == (expected.hires, expected.experienced_terminations, expected.new_hire_terminations)


def test_timeline_events_between_hire_and_termination(con):
    outside = _rows(con, """
        select e.simulation_year, e.employee_id, e.event_type, e.effective_date, s.hire_date, s.termination_date
        from fct_yearly_events e
        join fct_workforce_snapshot s using (scenario_id, simulation_year, employee_id)
        where e.effective_date < s.hire_date
           or e.effective_date > coalesce(s.termination_date, make_date(e.simulation_year, 12, 31))
           or year(e.effective_date) <> e.simulation_year
        limit 5""")
    assert outside == []
    late = _rows(con, """
        select e.employee_id from fct_yearly_events e
        join fct_yearly_events h on h.employee_id = e.employee_id and h.event_type = 'hire'
        where e.event_type = 'new_hire_termination'
          and (year(h.effective_date) <> year(e.effective_date) or e.effective_date <= h.effective_date)""")
    assert late == []
    orphans = _rows(con, """select count(*) from fct_yearly_events e anti join fct_workforce_snapshot s
                            using (scenario_id, simulation_year, employee_id)""")[0][0]
    assert orphans == 0


def test_uniqueness(con):
    assert _rows(con, "select count(*) - count(distinct event_id) from fct_yearly_events")[0][0] == 0
    assert _rows(con, """select count(*) - count(distinct (simulation_year, employee_id)) from fct_workforce_snapshot""")[0][0] == 0
    assert _rows(con, """select employee_id from fct_yearly_events where event_type = 'hire'
                         group by 1 having count(*) > 1""") == []
    assert _rows(con, """select employee_id from fct_yearly_events
                         where event_type in ('termination', 'new_hire_termination') group by 1 having count(*) > 1""") == []
    resurrected = _rows(con, """
        select later.employee_id from fct_workforce_snapshot gone
        join fct_workforce_snapshot later
          on later.employee_id = gone.employee_id and later.simulation_year > gone.simulation_year
        where gone.employment_status = 'terminated' limit 5""")
    assert resurrected == []


def test_event_sequence_is_dense_and_ordered(con):
    bad = _rows(con, """
        select employee_id, simulation_year from (
            select *, lag(effective_date) over (partition by simulation_year, employee_id order by event_sequence) as previous_date,
                   row_number() over (partition by simulation_year, employee_id order by event_sequence) as position
            from fct_yearly_events)
        where event_sequence <> position or effective_date < previous_date limit 5""")
    assert bad == []


def test_higher_termination_hazard_means_more_leavers(con):
    shares = _rows(con, """
        with exposed as (
            select w.simulation_year, w.employee_id, h.termination_hazard,
                   t.employee_id is not null as left_company
            from int_starting_workforce_assembled w
            join config_termination_hazards h using (age_band_id, tenure_band_id, level_id)
            left join int_experienced_terminations_selected t using (simulation_year, employee_id)
        ), ranked as (
            select *, ntile(4) over (order by termination_hazard, employee_id, simulation_year) as hazard_quartile from exposed
        )
        select hazard_quartile, avg(left_company::int) from ranked group by 1 order by 1""")
    by_quartile = [share for _, share in shares]
    assert by_quartile[3] > 1.5 * by_quartile[0], by_quartile
    assert by_quartile == sorted(by_quartile), by_quartile


def test_new_hire_terminations_follow_the_hazard_by_months_employed(con):
    seed = _rows(con, "select random_seed from stg_scenario")[0][0]
    hazards = dict(_rows(con, "select months_employed, termination_hazard from config_new_hire_termination_hazards"))
    for year in YEARS:
        hires = _rows(con, "select employee_id, employee_key, hire_date from int_new_hires_generated where simulation_year = ?", [year])
        count = _rows(con, "select new_hire_terminations from int_workforce_needs_solved where simulation_year = ?", [year])[0][0]
        stored = _rows(con, "select employee_id from int_new_hire_terminations_selected where simulation_year = ? "
                            "order by termination_rank", [year])
        assert [r[0] for r in stored] == select_new_hire_terminations(hires, hazards, seed, year, count), year
    early, late = _rows(con, """
        select avg((t.employee_id is not null)::int) filter (where month(h.hire_date) <= 3),
               avg((t.employee_id is not null)::int) filter (where month(h.hire_date) >= 10)
        from int_new_hires_generated h left join int_new_hire_terminations_selected t using (simulation_year, employee_id)""")[0]
    assert early > 2 * late, (early, late)


def test_promotions_move_one_level_up_with_a_raise(con):
    bad = _rows(con, """
        select employee_id from fct_yearly_events where event_type = 'promotion'
          and (level_after <> level_before + 1 or level_after > 5 or compensation_after <= compensation_before)""")
    assert bad == []
    assert _rows(con, "select count(*) from fct_yearly_events where event_type = 'promotion'")[0][0] > 0


def test_merit_skips_new_hires_and_early_leavers(con):
    bad = _rows(con, """
        select e.employee_id from fct_yearly_events e
        join fct_workforce_snapshot s using (scenario_id, simulation_year, employee_id)
        where e.event_type = 'merit_raise'
          and (s.status_detail like 'new_hire%' or s.termination_date < e.effective_date)""")
    assert bad == []
    missing = _rows(con, """
        select s.employee_id from fct_workforce_snapshot s
        where s.status_detail = 'continuous_active'
          and not exists (select 1 from fct_yearly_events e where e.employee_id = s.employee_id
                          and e.simulation_year = s.simulation_year and e.event_type = 'merit_raise')""")
    assert missing == []


def test_prorated_pay_recomputed_exactly(con):
    """Prorated pay, recomputed in Python from the events and dates, to the cent."""
    for year in (2025, 2029):
        days_in_year = (date(year + 1, 1, 1) - date(year, 1, 1)).days
        people = _rows(con, """
            select s.employee_id, s.hire_date, s.termination_date, s.prorated_compensation,
                   coalesce(w.annual_compensation, h.compensation_after)
            from fct_workforce_snapshot s
            left join int_starting_workforce_assembled w using (simulation_year, employee_id)
            left join fct_yearly_events h on h.simulation_year = s.simulation_year
                 and h.employee_id = s.employee_id and h.event_type = 'hire'
            where s.simulation_year = ?""", [year])
        changes = {}
        for employee_id, effective, pay in _rows(con, """
                select employee_id, effective_date, compensation_after from fct_yearly_events
                where simulation_year = ? and event_type in ('promotion', 'merit_raise')
                order by employee_id, event_sequence""", [year]):
            changes.setdefault(employee_id, []).append((effective, pay))
        for employee_id, hire, termination, prorated, starting_pay in people:
            start = max(hire, date(year, 1, 1))
            end = termination or date(year, 12, 31)
            segments = [(start, starting_pay)] + changes.get(employee_id, [])
            cent_days = 0
            for i, (from_day, pay) in enumerate(segments):
                until = segments[i + 1][0] if i + 1 < len(segments) else end + timedelta(days=1)
                cent_days += int(pay * 100) * (until - from_day).days
            expected = (Decimal(cent_days) / days_in_year).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 100
            assert prorated == expected, employee_id
