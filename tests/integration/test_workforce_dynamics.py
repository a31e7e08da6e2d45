"""The workforce's shape on real runs: retirements and deaths by age, promotions that keep the
census's level mix, hires that keep its part-time share, the last-day exemption of retirees, and
the bundled demo census over ten years. Each rule is recomputed from the stored inputs with its
Python reference."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from tests.conftest import write_scenario
from tests.integration.conftest import OTHER_SEED, SEED
from tests.integration.test_engines import LAST_DAY, RICH_CORE
from tests.reference.new_hire_schedules import hire_schedule
from tests.reference.promotions import promoted_pay, select_promotions
from tests.reference.retirements_and_deaths import age_decrement, select_experienced_terminations
from workforce_platform.commands.simulate import run_simulation
from workforce_platform.paths import PROJECT_ROOT
from workforce_platform.reports.workforce_dynamics import workforce_dynamics
from workforce_platform.simulation.promotion_openings import level_targets, promotions_by_level

YEARS = range(2025, 2030)


@pytest.fixture(params=[SEED, OTHER_SEED], ids=lambda s: f"seed{s}")
def con(request, runs):
    connection = runs.connect(seed=request.param)
    yield connection
    connection.close()


def _rows(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def _scenario_row(con):
    return _rows(con, "select random_seed, normal_retirement_age, promotion_raise from stg_scenario")[0]


def test_retirements_deaths_and_other_leavers_are_the_references(con):
    seed, normal_age, _ = _scenario_row(con)
    mortality = dict(_rows(con, "select age, mortality_rate from config_mortality_rates"))
    retirement = dict(_rows(con, "select years_from_normal_retirement_age, retirement_rate from config_retirement_rates"))
    seen = {"retirement": 0}
    for year in YEARS:
        starting = _rows(con, """
            select w.employee_id, w.employee_key, coalesce(h.termination_hazard, 0), w.age
            from int_starting_workforce_assembled w
            left join config_termination_hazards h using (age_band_id, tenure_band_id, level_id)
            where w.simulation_year = ?""", [year])
        decrements = {employee_id: age_decrement(seed, key, year, age, mortality, retirement, normal_age)
                      for employee_id, key, _, age in starting}
        count = _rows(con, "select experienced_terminations from int_workforce_needs_solved where simulation_year = ?",
                      [year])[0][0]
        expected = select_experienced_terminations(
            [(employee_id, key, hazard, decrements[employee_id]) for employee_id, key, hazard, _ in starting],
            seed, year, count)
        stored = _rows(con, """select employee_id, termination_reason from int_experienced_terminations_selected
                               where simulation_year = ? order by termination_rank""", [year])
        assert stored == expected, year
        for reason in seen:
            seen[reason] += sum(1 for _, r in stored if r == reason)
        # every retirement and death drawn leaves: the solver's count has room for them
        assert {e for e, d in decrements.items() if d} == {e for e, r in stored if r != "other"}
    assert seen["retirement"] > 0


def test_retirements_come_with_age(con):
    ages = dict(_rows(con, """
        select e.termination_reason, avg(w.age) from fct_yearly_events e
        join int_starting_workforce_assembled w using (simulation_year, employee_id)
        where e.event_type = 'termination' group by 1"""))
    assert ages["retirement"] > 55 > ages["other"], ages


def test_promotions_fill_the_openings_of_the_census_mix_with_the_reference_choice(con):
    seed, _, promotion_raise = _scenario_row(con)
    levels = [r[0] for r in _rows(con, "select level_id from config_levels order by 1")]
    census = dict(_rows(con, "select level_id, count(*) from int_baseline_workforce_prepared group by 1"))
    for year in YEARS:
        ending = _rows(con, "select target_ending_headcount from int_workforce_needs_solved where simulation_year = ?",
                       [year])[0][0]
        staying = dict(_rows(con, """
            select level_id, count(*) from (
                select w.level_id from int_starting_workforce_assembled w
                anti join (select employee_id from fct_yearly_events where simulation_year = ? and event_type = 'termination') t
                    using (employee_id)
                where w.simulation_year = ?
                union all
                select level_after from fct_yearly_events h where h.simulation_year = ? and h.event_type = 'hire'
                  and not exists (select 1 from fct_yearly_events t where t.simulation_year = h.simulation_year
                                  and t.employee_id = h.employee_id and t.event_type = 'new_hire_termination'))
            group by 1""", [year, year, year]))
        candidates = _rows(con, """
            select w.employee_id, w.employee_key, w.level_id, p.promotion_probability
            from int_starting_workforce_assembled w
            join config_promotion_hazards p using (age_band_id, tenure_band_id, level_id)
            cross join stg_scenario s
            left join fct_yearly_events t on t.simulation_year = w.simulation_year and t.employee_id = w.employee_id
                 and t.event_type = 'termination'
            where w.simulation_year = ? and w.level_id < 5 and p.promotion_probability > 0
              and (t.effective_date is null or t.effective_date >= make_date(?, s.promotion_month, s.promotion_day))""",
                           [year, year])
        by_level = {}
        for _, _, level, _ in candidates:
            by_level[level] = by_level.get(level, 0) + 1
        counts = promotions_by_level(level_targets(ending, census, levels), staying, by_level)
        expected = select_promotions(candidates, counts, seed, year)
        stored = _rows(con, """select level_before, employee_id from int_promotions_drawn where simulation_year = ?
                               order by 1, 2""", [year])
        assert sorted((level, e) for level, ids in expected.items() for e in ids) == stored, year
        floors = dict(_rows(con, "select level_id, min_compensation from int_new_hire_pay_bands_indexed where plan_year = ?",
                            [year]))
        for before, after, level in _rows(con, """select compensation_before, compensation_after, level_after
                                                  from int_promotions_drawn where simulation_year = ?""", [year]):
            assert after == promoted_pay(before, promotion_raise, floors[level])


def test_the_level_mix_stays_near_the_census_mix(con):
    """Promotions fill the upper levels to their census shares (unbounded promotion probabilities
    took level 5 from 3% to 4.4% in ten years); a lower level may drift a little where the year's
    hires alone outnumber its leavers, since nobody is demoted (800 employees here)."""
    census = dict(_rows(con, "select level_id, count(*) / sum(count(*)) over () from int_baseline_workforce_prepared group by 1"))
    for year in YEARS:
        ending = dict(_rows(con, """select level_id, count(*) / sum(count(*)) over () from fct_workforce_snapshot
                                    where simulation_year = ? and employment_status = 'active' group by 1""", [year]))
        for level, share in census.items():
            assert abs(ending.get(level, 0) - share) < (0.015 if level >= 4 else 0.03), (year, level, ending, census)


def test_hires_draw_their_schedule_from_the_census(con):
    seed = _scenario_row(con)[0]
    census = _rows(con, "select scheduled_hours, count(*) from int_baseline_workforce_prepared group by 1")
    for year in YEARS:
        for employee_key, hours in _rows(con, "select employee_key, scheduled_hours from int_new_hires_generated "
                                              "where simulation_year = ?", [year]):
            assert hours == hire_schedule(seed, employee_key, year, census)
    start, end = _rows(con, """
        select (select avg((coalesce(scheduled_hours, 2080) < 2080)::int) from int_baseline_workforce_prepared),
               (select avg((coalesce(scheduled_hours, 2080) < 2080)::int) from fct_workforce_snapshot
                where simulation_year = 2029 and employment_status = 'active')""")[0]
    assert abs(end - start) < 0.03, (start, end)


def _leavers_paid_by_reason(runs, variant, overrides):
    """(reason -> (leavers with core, with match, all)) of the eligible leavers of every year."""
    con = runs.connect(seed=SEED, variant=variant, **overrides)
    try:
        rows = _rows(con, """
            select termination_reason, count(*) filter (where employer_core > 0), count(*) filter (where employer_match > 0),
                   count(*)
            from fct_workforce_snapshot
            where employment_status = 'terminated' and is_eligible and not is_long_term_part_time
            group by 1 order by 1""")
    finally:
        con.close()
    return {reason: (core, match, total) for reason, core, match, total in rows}


def test_a_last_day_rule_exempts_retirement_and_death_by_default(runs):
    """RICH_CORE: core (flat 20%) on the last day with the default exemption: every eligible retiree
    and deceased employee receives it, no other leaver does."""
    by_reason = _leavers_paid_by_reason(runs, "rich_core", RICH_CORE)
    exempt = [by_reason[r] for r in ("death", "retirement") if r in by_reason]
    assert exempt and all(core == total for core, _, total in exempt), by_reason
    assert by_reason["other"][0] == 0 and by_reason["new_hire"][0] == 0, by_reason


def test_without_the_exemption_the_last_day_rule_pays_no_leaver(runs):
    """LAST_DAY: match and core on the last day, neither exempting retirement and death."""
    by_reason = _leavers_paid_by_reason(runs, "last_day", LAST_DAY)
    assert by_reason.get("retirement", (0, 0, 0))[2] > 0, by_reason
    assert all(core == match == 0 for core, match, _ in by_reason.values()), by_reason


def test_the_demo_census_keeps_its_shape_over_ten_years(tmp_path):
    """The bundled 5,000-employee census at the default settings for 2025-2034: the 65+ share within
    3 points of the start, each level's share within 2 points, the part-time share within 2 points,
    continuing employees' raises (all included) between 3% and 4.5% a year, and the average
    compa-ratio within 5% of the first year's."""
    scenario = write_scenario(tmp_path, PROJECT_ROOT / "data" / "demo" / "census.csv", scenario_id="demo_ten_years",
                              end_year=2034)
    db = tmp_path / "demo.duckdb"
    report = run_simulation(scenario, db_path=db, engine="polars", engine_parity=False, years_per_run=10,
                            progress=lambda line: None)
    assert report.success, [r.message for r in report.runs if not r.success]
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = workforce_dynamics(con, "demo_ten_years")
    finally:
        con.close()
    start, years = rows[0], rows[1:]
    assert start.label == "start" and [r.label for r in years] == [str(y) for y in range(2025, 2035)]
    for row in years:
        assert abs(row.senior_share - start.senior_share) <= Decimal("0.03"), row
        assert all(abs(row.level_shares[level] - share) <= Decimal("0.02") for level, share in start.level_shares.items()), row
        assert abs(row.part_time_share - start.part_time_share) <= Decimal("0.02"), row
        assert Decimal("0.03") <= row.continuing_pay_growth <= Decimal("0.045"), row
        assert abs(row.average_compa_ratio / years[0].average_compa_ratio - 1) <= Decimal("0.05"), row
        assert row.leavers_by_reason["retirement"] > 0 and row.leavers_by_reason["other"] > 0, row
