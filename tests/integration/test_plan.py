"""The retirement plan on real runs: contributions equal the Python reference row by row, the
census covers the limit cases, the match formula moves only employer cost, core by service."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.integration.conftest import OTHER_SEED, SEED
from tests.integration.test_engines import EVERY_BRANCH, PER_PERIOD_RICH_CORE
from tests.reference.balances import roll, vesting_service
from tests.reference.highly_compensated import counts_for_top_paid_group, top_paid_group
from tests.reference.plan_money import MatchDesign, RothRule, Segment, money
from workforce_platform.runtime.fingerprint import table_fingerprint
from workforce_platform.simulation.eligibility import eligibility, entry_date, hours_worked, requirements_met
from workforce_platform.simulation.indexing import indexed
from workforce_platform.simulation.irs_limits import INCREMENTS, irs_limits_by_year, shipped_irs_limits
from workforce_platform.simulation.plan_contributions import IrsLimits, Tier
from workforce_platform.simulation.vesting import vested_share, vesting_steps

YEARS_ALL = range(2025, 2030)
STRETCH_MATCH = {"plan": {"match": {"tiers": [{"employee_min": 0, "employee_max": 0.06, "match_rate": 0.5}],
                                    "safe_harbor": False}}}
# Core so rich that the top earners' additions exceed 415(c), and core alone reaches it at the top.
RICH_CORE = {"plan": {"core": {"basis": "flat", "flat_rate": 0.2}}}
RICH_CORE_EMPLOYER_FIRST = {"plan": {"core": {"basis": "flat", "flat_rate": 0.2},
                                     "annual_additions_correction": "employer_first"}}
SERVICE_CORE = {"plan": {"core": {"basis": "service", "schedule": [
    {"at_least": 0, "rate": 0.02}, {"at_least": 5, "rate": 0.03}, {"at_least": 15, "rate": 0.04}]}}}


def _limits_row(con, year):
    """The year's limits from the Python reference (shipped rows, projection at the scenario's rate)."""
    end_year, rate = con.execute("select end_year, irs_limit_indexing_rate from stg_scenario").fetchall()[0]
    return irs_limits_by_year(shipped_irs_limits(), end_year, rate)[year]


def _limits(con, year):
    row = _limits_row(con, year)
    return IrsLimits(*(row[name] for name in (
        "elective_deferral_limit", "catch_up_limit", "super_catch_up_limit", "compensation_limit",
        "annual_additions_limit", "catch_up_age", "super_catch_up_min_age", "super_catch_up_max_age")))


def _segments(con, year):
    """Each employee's pay segments of the year, rebuilt from the year's tables (start, promotions,
    merit raises, escalations, enrollment, opt-out: a change on one day in that order), and the day
    the year's deferrals start."""
    changes: dict[str, list[tuple]] = {}
    ends, starts = {}, {}
    for employee, start, end, pay, rate in con.execute(
            "select employee_id, period_start, period_end, starting_compensation, starting_deferral_rate "
            "from int_plan_eligibility_determined where simulation_year = ?", [year]).fetchall():
        changes[employee] = [(start, 0, pay, rate)]
        ends[employee], starts[employee] = end, start
    for order, sql in enumerate([
            "select employee_id, effective_date, compensation_after, null from int_promotions_drawn where simulation_year = ?",
            "select employee_id, effective_date, compensation_after, null from int_merit_raises_applied where simulation_year = ?",
            "select employee_id, effective_date, null, deferral_rate_after from int_deferral_escalations_applied where simulation_year = ?",
            "select employee_id, enrollment_date, null, deferral_rate from int_enrollments_drawn where simulation_year = ?",
            "select employee_id, opt_out_date, null, 0 from int_enrollments_drawn where simulation_year = ? and opted_out",
    ], start=1):
        for employee, day, pay, rate in con.execute(sql, [year]).fetchall():
            changes[employee].append((day, order, pay, rate))
            if order == 4:
                starts[employee] = day
    segments = {}
    for employee, rows in changes.items():
        rows.sort(key=lambda row: (row[0], row[1]))
        pay, rate, built = None, None, []
        for index, (day, _, new_pay, new_rate) in enumerate(rows):
            pay = new_pay if new_pay is not None else pay
            rate = new_rate if new_rate is not None else rate
            last = rows[index + 1][0] - timedelta(days=1) if index + 1 < len(rows) else ends[employee]
            built.append(Segment(day, last, pay, Decimal(rate)))
        segments[employee] = (built, starts[employee])
    return segments


def _recompute(con, year, core_rate=lambda tenure, age: Decimal(0)):
    """Every employee's contributions of `year` from the Python reference (tests/reference/plan_money.py),
    from the pay segments up, compared with the model's row; returns the rows compared."""
    tiers = [Tier(*r) for r in con.execute(
        "select employee_min, employee_max, match_rate from stg_match_tiers order by tier").fetchall()]
    compensation, true_up, on_catch_up, roth_available, order = con.execute(
        "select match_compensation, match_true_up, match_on_catch_up, roth_available, annual_additions_correction "
        "from stg_scenario").fetchall()[0]
    design = MatchDesign(tiers, compensation, true_up, on_catch_up)
    row = _limits_row(con, year)
    limits = _limits(con, year)
    roth = RothRule(row["roth_catch_up_in_force"], row["roth_catch_up_wage_threshold"], roth_available)
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    segments = _segments(con, year)
    rows = con.execute("""
        select c.employee_id, c.age_at_year_end, c.receives_match, c.receives_core, s.tenure_years,
               coalesce(w.prior_year_compensation, 0), c.deferral_before_limits, c.prorated_compensation,
               c.plan_compensation, c.match_compensation, c.employee_contribution, c.catch_up_contribution,
               c.roth_catch_up, c.employer_match, c.employer_core
        from int_plan_contributions_calculated c join fct_workforce_snapshot s using (simulation_year, employee_id)
        left join int_starting_workforce_assembled w using (simulation_year, employee_id)
        where c.simulation_year = ?""", [year]).fetchall()
    compared = []
    for (employee, age, gets_match, gets_core, tenure, wages, *stored) in rows:
        built, deferrals_start = segments[employee]
        expected = money(built, days, deferrals_start, age, limits, design, gets_match, core_rate(tenure, age), gets_core,
                         wages, roth, order)
        assert tuple(stored) == (
            expected.deferrals_before_limits, expected.prorated_pay, expected.plan_pay, expected.match_compensation,
            expected.deferrals, expected.catch_up, expected.roth_catch_up, expected.match, expected.core), (year, employee)
        compared.append(expected)
    return compared


@pytest.mark.parametrize("year", [2025, 2027, 2029])
def test_contributions_equal_the_python_reference(runs, year):
    con = runs.connect(seed=SEED)
    try:
        assert len(_recompute(con, year)) > 0
    finally:
        con.close()


def _core_by_age(tenure, age):
    return Decimal("0.05") if age >= 55 else Decimal("0.03") if age >= 40 else Decimal("0.01")


@pytest.mark.parametrize("seed, variant, overrides, core_rate", [
    (OTHER_SEED, "every_branch", EVERY_BRANCH, _core_by_age),
    (SEED, "per_period_rich_core", PER_PERIOD_RICH_CORE, lambda tenure, age: Decimal("0.2")),
], ids=["every_branch", "per_period_rich_core"])
def test_the_new_match_and_roth_rules_equal_the_python_reference(runs, seed, variant, overrides, core_rate):
    """The designs with the other values of the plan's money keys (match on the whole year's pay or
    while a participant, per pay period, catch-up unmatched, Roth or no Roth), on the census with
    the plan's history, every year, employee by employee."""
    con = runs.connect(seed=seed, variant=variant, plan_history=True, **overrides)
    try:
        for year in YEARS_ALL:
            assert _recompute(con, year, core_rate=core_rate)
    finally:
        con.close()


def test_census_covers_every_limit_case(runs):
    con = runs.connect(seed=SEED)
    try:
        covered = con.execute("""
            select
                count(*) filter (where s.age between 50 and 59),
                count(*) filter (where s.age between 60 and 63),
                count(*) filter (where s.prorated_compensation > 350000),
                count(*) filter (where s.is_enrolled and s.simulation_year = 2025 and s.status_detail = 'continuous_active'),
                count(*) filter (where not s.is_enrolled),
                count(*) filter (where c.employee_contribution < c.deferral_before_limits),
                count(*) filter (where e.employee_id is not null)
            from fct_workforce_snapshot s
            join int_plan_contributions_calculated c using (simulation_year, employee_id)
            left join (select distinct simulation_year, employee_id from fct_yearly_events where event_type = 'opt_out') e
              using (simulation_year, employee_id)""").fetchall()[0]
        assert all(n > 0 for n in covered), covered
    finally:
        con.close()


def test_new_hires_enroll_in_the_year_their_window_ends(runs):
    con = runs.connect(seed=SEED)
    try:
        late = con.execute("""
            select s.employee_id from fct_workforce_snapshot s
            join stg_scenario sc on true
            where s.status_detail = 'new_hire_active' and s.is_eligible and not s.has_opted_out
              and (s.eligibility_date + sc.auto_enrollment_window_days) <= make_date(s.simulation_year, 12, 31)
              and not exists (select 1 from fct_yearly_events e where e.employee_id = s.employee_id
                              and e.event_type = 'enrollment' and e.simulation_year = s.simulation_year)""").fetchall()
        assert late == []
        persisted = con.execute("""
            select count(*) from fct_workforce_snapshot s25
            join fct_workforce_snapshot s29 on s29.employee_id = s25.employee_id and s29.simulation_year = 2029
            where s25.simulation_year = 2025 and s25.is_enrolled and not s29.is_enrolled""").fetchall()[0][0]
        assert persisted == 0, "a census participant lost the enrollment without an opt-out"
    finally:
        con.close()


def test_changing_only_the_match_changes_employer_cost_not_the_workforce(runs):
    base = runs.connect(seed=SEED)
    stretch = runs.connect(seed=SEED, variant="stretch_match", **STRETCH_MATCH)
    try:
        workforce_columns = ("employee_id, employment_status, status_detail, hire_date, termination_date, level_id, "
                             "annual_compensation, prorated_compensation, is_eligible, is_enrolled, deferral_rate, employee_contribution")
        for con in (base, stretch):
            con.execute(f"create temp view workforce as select simulation_year, {workforce_columns} from fct_workforce_snapshot")
            # the events but the payouts, whose amounts include the match
            con.execute("create temp view events as select * from fct_yearly_events where event_type <> 'distribution'")
        assert table_fingerprint(base, "workforce") == table_fingerprint(stretch, "workforce")
        assert table_fingerprint(base, "events") == table_fingerprint(stretch, "events")
        paid = [con.execute("select count(*), sum(amount) from fct_yearly_events where event_type = 'distribution'")
                .fetchall()[0] for con in (base, stretch)]
        assert paid[0][0] == paid[1][0] and paid[0][1] != paid[1][1]  # the same leavers, paid other amounts
        costs = [con.execute("select sum(employer_match) from fct_year_summary").fetchall()[0][0] for con in (base, stretch)]
        assert costs[0] != costs[1]
        _recompute(stretch, 2028)
    finally:
        base.close()
        stretch.close()


def test_core_by_service_schedule(runs):
    con = runs.connect(seed=SEED, variant="service_core", **SERVICE_CORE)
    try:
        def rate(tenure, age):
            return Decimal("0.04") if tenure >= 15 else Decimal("0.03") if tenure >= 5 else Decimal("0.02")
        rows = _recompute(con, 2026, core_rate=rate)
        assert any(r.core > 0 for r in rows)
        # core's last-day rule: no leaver receives core but those who retire or die (exempt by default)
        terminated_core = con.execute("""select count(*) from fct_workforce_snapshot
                                         where employment_status = 'terminated' and employer_core > 0
                                           and termination_reason not in ('retirement', 'death')""").fetchall()[0][0]
        assert terminated_core == 0
    finally:
        con.close()


@pytest.mark.parametrize("variant, overrides, order", [
    ("rich_core", RICH_CORE, "deferrals_first"),
    ("rich_core_employer_first", RICH_CORE_EMPLOYER_FIRST, "employer_first"),
], ids=["deferrals_first", "employer_first"])
def test_annual_additions_corrections_equal_the_python_reference(runs, variant, overrides, order):
    con = runs.connect(seed=SEED, variant=variant, **overrides)
    try:
        for year in (2025, 2029):
            _recompute(con, year, core_rate=lambda tenure, age: Decimal("0.2"))
        corrected = con.execute("""
            select count(*) filter (where c.employer_core < round(0.2 * c.plan_compensation, 2) and c.receives_core),
                   count(*) filter (where c.employee_contribution < least(c.deferral_before_limits, c.deferral_limit)
                                    and c.plan_compensation = c.prorated_compensation),
                   count(*) filter (where c.catch_up_contribution > greatest(c.employee_contribution - l.elective_deferral_limit, 0))
            from int_plan_contributions_calculated c join int_irs_limits_projected l on l.plan_year = c.simulation_year
            """).fetchall()[0]
    finally:
        con.close()
    core_cut, deferrals_returned, catch_up_beyond_402g = corrected
    assert core_cut > 0, "no core was cut: the design does not reach 415(c)"
    assert catch_up_beyond_402g > 0, "no deferral above 415(c) became catch-up"
    if order == "deferrals_first":
        assert deferrals_returned > 0, "no deferral was returned"
    else:
        assert deferrals_returned == 0, "employer_first returned deferrals while core could absorb the excess"


def test_deferrals_first_keeps_more_employer_money_than_employer_first(runs):
    costs = []
    for variant, overrides in (("rich_core", RICH_CORE), ("rich_core_employer_first", RICH_CORE_EMPLOYER_FIRST)):
        con = runs.connect(seed=SEED, variant=variant, **overrides)
        try:
            costs.append(con.execute("select sum(employer_cost), sum(employee_contributions) from fct_year_summary").fetchall()[0])
        finally:
            con.close()
    (employer_deferrals_first, employee_deferrals_first), (employer_employer_first, employee_employer_first) = costs
    assert employer_deferrals_first > employer_employer_first
    assert employee_deferrals_first < employee_employer_first


# Limits projected beyond the shipped years at an assumed rate, new-hire bands indexed at another.
INDEXED = {"end_year": 2031, "plan": {"irs_limit_indexing_rate": 0.031},
           "compensation": {"cola_rate": 0.02, "new_hire_pay_indexing_rate": 0.045}}


def test_projected_limits_and_indexed_bands_equal_the_python_reference(runs):
    con = runs.connect(seed=SEED, variant="indexed", **INDEXED)
    try:
        columns = [*INCREMENTS, "catch_up_age", "super_catch_up_min_age", "super_catch_up_max_age",
                   "roth_catch_up_in_force", "is_projected"]
        rows = con.execute(f"select plan_year, {', '.join(columns)} from int_irs_limits_projected order by plan_year").fetchall()
        expected = irs_limits_by_year(shipped_irs_limits(), 2031, Decimal("0.031"))
        assert [r[0] for r in rows] == list(expected) == list(range(2023, 2032))
        for year, *values in rows:
            assert dict(zip(columns, values)) == expected[year], year
        assert [r[-1] for r in rows].count(True) == 5
        # the contributions of a projected year use its limits
        _recompute(con, 2031)

        base = dict(((level, "min"), low) for level, low, _ in con.execute(
            "select level_id, min_compensation, max_compensation from config_levels").fetchall())
        base.update(((level, "max"), high) for level, _, high in con.execute(
            "select level_id, min_compensation, max_compensation from config_levels").fetchall())
        bands = con.execute("""select plan_year, level_id, min_compensation, max_compensation
                               from int_new_hire_pay_bands_indexed order by 1, 2""").fetchall()
        assert {b[0] for b in bands} == set(range(2025, 2032))
        for year, level, low, high in bands:
            assert low == indexed(base[level, "min"], Decimal("0.045"), year - 2025), (year, level)
            assert high == indexed(base[level, "max"], Decimal("0.045"), year - 2025), (year, level)
        outside = con.execute("""
            select h.simulation_year, h.employee_id, h.annual_compensation, b.min_compensation, b.max_compensation
            from int_new_hires_generated h
            join int_new_hire_pay_bands_indexed b on b.plan_year = h.simulation_year and b.level_id = h.level_id
            where h.annual_compensation not between b.min_compensation and b.max_compensation""").fetchall()
        assert outside == []
        ratio = con.execute("""select avg(annual_compensation) filter (where simulation_year = 2031)
                                    / avg(annual_compensation) filter (where simulation_year = 2025)
                               from int_new_hires_generated where level_id = 1""").fetchall()[0][0]
        assert 1.2 < ratio < 1.4, f"level-1 hires' average pay rose {ratio:.3f}x in 6 years at 4.5% (1.302x expected)"
    finally:
        con.close()



SEMI_ANNUAL_ENTRY = {"plan": {"eligibility": {"minimum_age": 21, "waiting_period_days": 30, "entry_dates": "semi_annual"}}}


def test_entry_dates_equal_the_python_reference(runs):
    con = runs.connect(seed=SEED, variant="semi_annual_entry", **SEMI_ANNUAL_ENTRY)
    try:
        census = con.execute("select birth_date, hire_date, deferral_rate, eligibility_date "
                             "from int_baseline_workforce_prepared").fetchall()
        hires = con.execute("select birth_date, hire_date, eligibility_date from int_new_hires_generated").fetchall()
        entered = con.execute("select count(*) from fct_yearly_events where event_type = 'eligibility' "
                              "and not (day(effective_date) = 1 and month(effective_date) in (1, 7))").fetchall()[0][0]
    finally:
        con.close()
    for birth, hired, rate, eligible in census:
        expected = entry_date(requirements_met(birth, hired, 21, 30), "semi_annual")
        assert eligible == (min(expected, date(2024, 12, 31)) if rate > 0 else expected), (birth, hired, rate)
    for birth, hired, eligible in hires:
        assert eligible == entry_date(requirements_met(birth, hired, 21, 30), "semi_annual"), (birth, hired)
    assert len(hires) > 100 and entered == 0


# A year of service of 1,000 hours with quarterly entry; the match asks 1,000 hours worked in the
# year, core none. The census's part-time schedules straddle 500 and 1,000 hours.
HOURS_AND_SERVICE = {"plan": {
    "eligibility": {"minimum_age": 21, "waiting_period_days": 0, "minimum_hours": 1000, "entry_dates": "quarterly"},
    "match": {"tiers": [{"employee_min": 0, "employee_max": 0.06, "match_rate": 0.5}], "safe_harbor": False,
              "requires_last_day": False, "minimum_hours": 1000},
    "core": {"basis": "flat", "flat_rate": 0.02, "requires_last_day": False},
}}


def test_hours_service_and_long_term_part_time_equal_the_python_reference(runs):
    con = runs.connect(seed=SEED, variant="hours_and_service", **HOURS_AND_SERVICE)
    try:
        rows = con.execute("""
            select m.simulation_year, m.employee_id, m.birth_date, m.hire_date, m.scheduled_hours, m.period_start,
                   m.period_end, m.hours_worked, m.meets_hours, m.is_long_term_part_time, m.eligibility_date,
                   m.is_eligible, coalesce(b.is_enrolled, false), c.receives_match, c.receives_core,
                   c.employer_match, c.employer_core, c.employee_contribution
            from int_plan_eligibility_determined m
            join int_plan_contributions_calculated c using (simulation_year, employee_id)
            left join int_baseline_workforce_prepared b using (employee_id)
            order by 1, 2""").fetchall()
        tested = con.execute("""select simulation_year, sum(hce_count + nhce_count) from fct_nondiscrimination_tests
                                where test_name = 'adp' group by 1""").fetchall()
        counted = con.execute("""select simulation_year, count(*) from fct_workforce_snapshot
                                 where is_eligible and not is_long_term_part_time group by 1""").fetchall()
    finally:
        con.close()
    seen = {"part_time_deferring": 0, "never_eligible": 0, "denied_match_for_hours": 0, "anniversary_entries": 0,
            "part_time_census_participants": 0}
    for (year, employee, birth, hired, scheduled, start, end, worked, meets, part_time, eligible_on, eligible,
         census_participant, gets_match, gets_core, match, core, deferrals) in rows:
        key = (year, employee)
        assert worked == hours_worked(scheduled, start, end), key
        expected = eligibility(birth, hired, scheduled, minimum_age=21, waiting_period_days=0, minimum_hours=1000,
                               entry_dates="quarterly", in_plan_on=date(2024, 12, 31) if census_participant else None)
        assert (meets, part_time) == (expected.meets_hours, expected.is_long_term_part_time), key
        if expected.eligibility_date is None:
            assert not eligible, key
            seen["never_eligible"] += 1
            continue
        assert eligible_on == expected.eligibility_date, key
        assert eligible == (expected.eligibility_date <= end), key
        assert gets_match == (eligible and not part_time and worked >= 1000), key
        assert gets_core == (eligible and not part_time), key
        if part_time:
            assert match == 0 and core == 0, key
            seen["part_time_deferring"] += eligible and deferrals > 0
        seen["denied_match_for_hours"] += eligible and not part_time and worked < 1000
        seen["anniversary_entries"] += hired.year >= 2025 and eligible_on.year == hired.year + 1
        seen["part_time_census_participants"] += census_participant and (scheduled or 2080) < 1000
    assert dict(tested) == dict(counted)
    assert all(count >= 10 for count in seen.values()), seen


# Employer money that vests, a return on balances, and leavers who forfeit.
VESTED = {"plan": {
    "match": {"tiers": [{"employee_min": 0, "employee_max": 0.06, "match_rate": 0.5}], "safe_harbor": False},
    "core": {"basis": "flat", "flat_rate": 0.03, "requires_last_day": False},
    "vesting": {"match": "graded_2_6", "core": [{"years": 1, "vested": 0.5}, {"years": 3, "vested": 1}]},
    "investment_return_rate": -0.03125,
}}


@pytest.mark.parametrize("plan_history", [False, True], ids=["no_history", "census_history"])
def test_account_balances_equal_the_python_reference_year_after_year(runs, plan_history):
    """Year after year from the census's opening balances and vesting service (zero and tenure without
    them): returns, contributions, vesting with prior service, forfeitures and leavers' distributions;
    the summary's totals follow."""
    con = runs.connect(seed=SEED, variant="vested_history" if plan_history else "vested", plan_history=plan_history,
                       **VESTED)
    rate = Decimal("-0.03125")
    schedules = {"match": vesting_steps("graded_2_6"), "core": vesting_steps([(1, Decimal("0.5")), (3, Decimal(1))])}
    try:
        closing = {e: ((b1, b2, b3), service) for e, b1, b2, b3, service in con.execute(
            "select employee_id, employee_balance, match_balance, core_balance, vesting_service_years "
            "from int_baseline_workforce_prepared").fetchall()}
        given = con.execute("select count(*) filter (where employee_balance > 0), "
                            "count(*) filter (where vesting_service_years <> date_sub('year', hire_date, DATE '2024-12-31')) "
                            "from int_baseline_workforce_prepared").fetchall()[0]
        assert all(given) if plan_history else not any(given), given
        forfeited_total, paid_total = Decimal(0), Decimal(0)
        for year in YEARS_ALL:
            rows = con.execute("""
                select employee_id, hire_date, termination_date, employee_contribution, employer_match, employer_core,
                       employee_balance, match_balance, core_balance, forfeiture, distribution, match_vested_rate,
                       core_vested_rate, vesting_service_years
                from fct_workforce_snapshot where simulation_year = ? order by employee_id""", [year]).fetchall()
            summary = con.execute("select employer_cost, forfeitures, net_employer_cost, distributions, "
                                  "total_account_balances from fct_year_summary where simulation_year = ?",
                                  [year]).fetchall()[0]
            next_closing, year_forfeitures, year_paid, year_total = {}, Decimal(0), Decimal(0), Decimal(0)
            for (employee_id, hired, terminated, deferred, matched, cored, employee_balance, match_balance, core_balance,
                 forfeit, paid, match_rate, core_rate, service) in rows:
                start, before = closing.get(employee_id, ((Decimal(0), Decimal(0), Decimal(0)), None))
                last_day = terminated or date(year, 12, 31)
                expected_service = vesting_service(hired, last_day, before, date(year - 1, 12, 31))
                end = roll(start, (deferred, matched, cored), rate, expected_service, schedules["match"],
                           schedules["core"], leaves=terminated is not None)
                assert (employee_balance, match_balance, core_balance, forfeit, paid, service) == \
                    (end.employee, end.match, end.core, end.forfeiture, end.distribution, expected_service), \
                    (year, employee_id)
                assert (match_rate, core_rate) == (vested_share(schedules["match"], service),
                                                   vested_share(schedules["core"], service)), (year, employee_id)
                year_forfeitures += end.forfeiture
                year_paid += end.distribution
                year_total += end.employee + end.match + end.core
                if terminated is None:
                    next_closing[employee_id] = ((employee_balance, match_balance, core_balance), service)
            assert summary[1] == year_forfeitures and summary[2] == summary[0] - year_forfeitures, year
            assert (summary[3], summary[4]) == (year_paid, year_total), year
            forfeited_total += year_forfeitures
            paid_total += year_paid
            closing = next_closing
    finally:
        con.close()
    assert forfeited_total > 0, "nobody forfeited: the design does not exercise vesting"
    assert paid_total > 0, "nobody was paid out"


def test_highly_compensated_employees_equal_the_python_reference(runs):
    """414(q) every year: the first year's look-back pay is the census's prior_year_compensation (the
    pay rate where a row has none), later years' the pay earned in the previous year; the top-paid
    group's count leaves out the excludable employees (IRC 414(q)(5))."""
    con = runs.connect(seed=OTHER_SEED, variant="every_branch", plan_history=True, **EVERY_BRANCH)
    try:
        excluded_seen = 0
        for year in YEARS_ALL:
            if year == 2025:
                lookback = con.execute("""select employee_id, coalesce(prior_year_compensation, annual_compensation),
                                                 hire_date, birth_date, scheduled_hours, DATE '2024-12-31'
                                          from int_baseline_workforce_prepared""").fetchall()
            else:
                lookback = con.execute("""select employee_id, prorated_compensation, hire_date, birth_date, scheduled_hours,
                                                 coalesce(termination_date, make_date(simulation_year, 12, 31))
                                          from fct_workforce_snapshot where simulation_year = ?""", [year - 1]).fetchall()
            year_end = date(year - 1, 12, 31)
            pay = {e: p for e, p, *_ in lookback}
            counted = {e for e, _, hired, born, hours, last_day in lookback
                       if counts_for_top_paid_group(hired, born, hours, last_day, year_end)}
            group = top_paid_group(pay, counted)
            threshold = _limits_row(con, year - 1)["highly_compensated_threshold"]
            rows = con.execute("""select employee_id, lookback_compensation, counts_for_top_paid_group, in_top_paid_group, is_hce
                                  from int_highly_compensated_determined where simulation_year = ?""", [year]).fetchall()
            for employee, lookback_pay, counts, in_group, is_hce in rows:
                assert lookback_pay == pay.get(employee), (year, employee)
                assert (counts, in_group) == (employee in counted, employee in group), (year, employee)
                assert is_hce == (employee in pay and pay[employee] > threshold), (year, employee)
            excluded_seen += len(pay) - len(counted)
    finally:
        con.close()
    assert excluded_seen > 0, "nobody was left out of the top-paid group's count"
