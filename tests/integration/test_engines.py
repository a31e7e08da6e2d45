"""The two event engines on real runs: equal row for row on every per-year table, for every year
of several designs and seeds; sharding changes nothing; a changed rule fails the parity gate."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.conftest import write_scenario
from tests.integration.conftest import OTHER_SEED, SEED
from workforce_platform.build.audit import audit_year
from workforce_platform.cli import main
from workforce_platform.config.scenario import load_scenario
from workforce_platform.parity.compare import _equal_in_memory, compare_with_polars, compare_with_sql
from workforce_platform.engines.polars_engine import simulate_year, workforce
from workforce_platform.parity import sql_side_worker
from workforce_platform.engines.selection import resolve_engine
from workforce_platform.parity.gate import parity_gate
from workforce_platform.parity.scratch import prebuilt_folder
from workforce_platform.parity.sql_side_worker import SQL_SIDE_BUILDS, WORKER_ENV, warm_up
from workforce_platform.engines.year_tables import YEAR_TABLES, frame_columns
from workforce_platform.errors import WorkforceInputError
from workforce_platform.runtime.execution import resolve_execution
from workforce_platform.runtime.fingerprint import RESULT_TABLES, year_fingerprints
from workforce_platform.commands.simulate import run_simulation
from workforce_platform.build.dbt_runner import parameter_relations
from workforce_platform.build.parameters import build_parameters
from workforce_platform.build.year import build_year

YEARS = range(2025, 2030)
# A design that exercises the other branches of every plan rule, on the census with the plan's
# history (previous-year pay, opening balances, prior vesting service): a wait over one year
# (allowed with immediate vesting), the match on the whole year's pay, per pay period, catch-up
# unmatched, no Roth (no catch-up above the wage threshold), escalation of every participant.
EVERY_BRANCH = {
    "plan": {
        "eligibility": {"minimum_age": 18, "waiting_period_days": 400, "minimum_hours": 1000},
        "auto_enrollment": {"scope": "all_not_enrolled", "window_days": 0, "opt_out_grace_days": 90},
        "auto_escalation": {"delay_years": 0, "cap": 0.08, "effective_date": "07-01", "scope": "all_participants"},
        "match": {"tiers": [{"employee_min": 0, "employee_max": 0.04, "match_rate": 1},
                            {"employee_min": 0.04, "employee_max": 0.06, "match_rate": 0.25}],
                  "safe_harbor": False, "requires_last_day": True, "last_day_exempts_retirement": True,
                  "minimum_hours": 1000, "compensation": "plan_year", "true_up": False, "on_catch_up": False},
        "core": {"basis": "age", "schedule": [{"at_least": 0, "rate": 0.01}, {"at_least": 40, "rate": 0.03},
                                              {"at_least": 55, "rate": 0.05}],
                 "requires_last_day": False},
        "roth_available": False,
    },
    "target_growth_rate": -0.04,
}
# Top earners over 415(c): deferrals returned with their match, catch-up beyond 402(g), core cut
# (core's last-day rule exempts retirement and death, the default).
RICH_CORE = {"plan": {"core": {"basis": "flat", "flat_rate": 0.2}}}
# The same without a true-up, with vesting and a return, on the census with the plan's history:
# 415(c) returns deferrals matched per pay period, Roth catch-up from 2026, leavers' distributions.
PER_PERIOD_RICH_CORE = {"plan": {"core": {"basis": "flat", "flat_rate": 0.2, "requires_last_day": False},
                                 "match": {"true_up": False, "on_catch_up": False, "safe_harbor": False,
                                           "tiers": [{"employee_min": 0, "employee_max": 0.1, "match_rate": 1}]},
                                 "vesting": {"match": "graded_2_6", "core": "cliff_3"},
                                 "investment_return_rate": 0.05}}
# Last-day rules without the exemption of retirement and death (EVERY_BRANCH's match has it).
LAST_DAY = {"plan": {"match": {"safe_harbor": False, "requires_last_day": True, "last_day_exempts_retirement": False},
                     "core": {"basis": "flat", "flat_rate": 0.03, "last_day_exempts_retirement": False}}}
# (seed, variant, scenario overrides, on the census with the plan's history)
DESIGNS = [(SEED, "", {}, False), (OTHER_SEED, "every_branch", EVERY_BRANCH, True), (SEED, "rich_core", RICH_CORE, False),
           (SEED, "per_period_rich_core", PER_PERIOD_RICH_CORE, True), (SEED, "last_day", LAST_DAY, False)]


def _scenario(db: Path):
    return load_scenario(db.parent / "test_scenario.yaml")


@pytest.mark.parametrize("seed, variant, overrides, plan_history", DESIGNS,
                         ids=["default", "every_branch", "rich_core", "per_period_rich_core", "last_day"])
def test_polars_engine_equals_the_sql_models_on_every_table_and_year(runs, seed, variant, overrides, plan_history):
    db = runs.database(seed=seed, variant=variant, plan_history=plan_history, **overrides)
    scenario = _scenario(db)
    con = duckdb.connect(str(db), read_only=True)
    promotions = 0
    try:
        for year in YEARS:
            parity = compare_with_polars(con, scenario, year)
            assert parity.passed, (year, parity.differing_tables(), [t for t in parity.tables if not t.equal][:1])
            assert parity.score == 1.0
            rows = {t.table: t.rows_sql for t in parity.tables}
            assert set(rows) == set(YEAR_TABLES)
            for table in ("fct_yearly_events", "fct_workforce_snapshot",
                          "int_enrollments_drawn", "int_experienced_terminations_selected"):
                assert rows[table] > 0, (year, table)
            # a shrinking workforce may have no opening to promote into in some year
            promotions += rows["int_promotions_drawn"]
    finally:
        con.close()
    assert promotions > 0


def test_the_every_branch_design_exercises_its_branches(runs):
    con = runs.connect(seed=OTHER_SEED, variant="every_branch", plan_history=True, **EVERY_BRANCH)
    try:
        counts = con.execute("""select count(*) filter (where employer_core > 0),
                                       count(*) filter (where not is_eligible),
                                       count(*) filter (where employer_match > 0 and employment_status = 'terminated'),
                                       count(*) filter (where distribution > 0)
                                from fct_workforce_snapshot""").fetchall()[0]
        plan = con.execute("""select
                count(*) filter (where roth_catch_up_required and age_at_year_end >= 50
                                 and deferral_before_limits > deferral_limit),   -- Roth-only, no Roth: capped at 402(g)
                count(*) filter (where catch_up_contribution > 0),             -- catch-up (unmatched)
                count(*) filter (where employee_contribution < deferral_before_limits and employer_match > 0)
            from int_plan_contributions_calculated""").fetchall()[0]
        escalated_census_participants = con.execute("""
            select count(*) from fct_yearly_events e join int_baseline_workforce_prepared b using (employee_id)
            where e.event_type = 'deferral_escalation' and b.is_enrolled""").fetchall()[0][0]
        first_year_pay = con.execute("""select count(prior_year_compensation), count(*) - count(prior_year_compensation),
                                               count(*) filter (where employee_balance > 0)
                                        from int_baseline_workforce_prepared""").fetchall()[0]
        # the match's last-day rule exempts retirement and death only
        matched_leavers = con.execute("""select distinct termination_reason from fct_workforce_snapshot
                                         where employer_match > 0 and employment_status = 'terminated'""").fetchall()
        branch = con.execute("select count(distinct solver_branch) from fct_year_summary").fetchall()[0][0]
    finally:
        con.close()
    assert all(c > 0 for c in counts + plan + first_year_pay), (counts, plan, first_year_pay)
    assert escalated_census_participants > 0  # scope all_participants
    assert {reason for (reason,) in matched_leavers} <= {"retirement", "death"}, matched_leavers
    assert branch == 1  # shrinking every year: the reduction-in-force branch


def test_the_per_period_design_exercises_its_branches(runs):
    con = runs.connect(seed=SEED, variant="per_period_rich_core", plan_history=True, **PER_PERIOD_RICH_CORE)
    try:
        counts = con.execute("""select
                count(*) filter (where roth_catch_up > 0),
                count(*) filter (where employee_contribution < least(deferral_before_limits, deferral_limit)
                                 and employer_match > 0),                       -- 415(c): matched deferrals returned
                count(*) filter (where match_compensation < plan_compensation)  -- mid-year entrants
            from int_plan_contributions_calculated""").fetchall()[0]
        leavers = con.execute("""select count(*) filter (where forfeiture > 0 and distribution > 0),
                                        count(*) filter (where vesting_service_years > tenure_years)
                                 from fct_workforce_snapshot""").fetchall()[0]
        escalated_census_participants = con.execute("""
            select count(*) from fct_yearly_events e join int_baseline_workforce_prepared b using (employee_id)
            where e.event_type = 'deferral_escalation' and b.is_enrolled""").fetchall()[0][0]
    finally:
        con.close()
    assert all(c > 0 for c in counts + leavers), (counts, leavers)
    assert escalated_census_participants == 0  # the default scope escalates only the auto-enrolled


@pytest.mark.parametrize("shards", [4, 8])
def test_sharded_polars_engine_equals_unsharded(runs, shards):
    db = runs.database(seed=SEED)
    con = duckdb.connect(str(db), read_only=True)
    try:
        for year in (2025, 2028):
            whole = simulate_year(con, "test_scenario", year, 1)
            sharded = simulate_year(con, "test_scenario", year, shards)
            for table in YEAR_TABLES:
                columns = frame_columns(table)
                left, right = whole[table].select(columns), sharded[table].select(columns)
                assert left.height == right.height, (year, table)
                assert left.sort(columns, nulls_last=True).equals(right.sort(columns, nulls_last=True)), (year, table)
            # and equal to what the SQL models stored
            assert compare_with_polars(con, _scenario(db), year, shards=shards).passed
    finally:
        con.close()


def test_sql_engine_refuses_shards_with_a_clear_message(scenario_factory):
    scenario = load_scenario(scenario_factory())
    with pytest.raises(WorkforceInputError, match="event_shards 4 needs the polars engine"):
        resolve_engine(scenario, "sql", 4)
    assert resolve_engine(scenario, "polars", 4).shards == 4


def test_polars_run_through_dagster_publishes_the_same_tables_as_the_sql_run(runs, tmp_path):
    """The whole chain with the Polars engine (4 shards) and its parity gate (the SQL models
    recompute every year): the published tables equal the SQL run's, fingerprint for fingerprint."""
    sql_db = runs.database(seed=SEED)
    scenario = write_scenario(tmp_path, runs.census, random_seed=SEED)
    db = tmp_path / "polars.duckdb"
    report = run_simulation(scenario, db_path=db, engine="polars", event_shards=4, progress=lambda line: None)
    assert report.success, [r.message for r in report.runs if not r.success]
    polars_con, sql_con = duckdb.connect(str(db), read_only=True), duckdb.connect(str(sql_db), read_only=True)
    try:
        for year in YEARS:
            assert year_fingerprints(polars_con, "test_scenario", year) == year_fingerprints(sql_con, "test_scenario", year)
            for table in RESULT_TABLES:
                where = f"where scenario_id = 'test_scenario' and simulation_year = {year}"
                assert (polars_con.execute(f"select count(*) from published.{table} {where}").fetchall()
                        == sql_con.execute(f"select count(*) from published.{table} {where}").fetchall())
        engines = polars_con.execute("select distinct event_engine, event_shards from audit.year_engines").fetchall()
        assert engines == [("polars", 4)]
        failed = polars_con.execute("select count(*) from audit.year_materializations where not checks_passed").fetchall()
        assert failed == [(0,)]
    finally:
        polars_con.close()
        sql_con.close()


def _one_cent_more(original):
    def changed(*args, **kwargs):
        frame = original(*args, **kwargs)
        return frame.with_columns(pl.col("compensation_after") + 1)
    return changed


def test_a_changed_rule_in_one_engine_fails_the_comparison(runs, monkeypatch):
    db = runs.database(seed=SEED)
    monkeypatch.setattr(workforce, "merit_raises", _one_cent_more(workforce.merit_raises))
    con = duckdb.connect(str(db), read_only=True)
    try:
        parity = compare_with_polars(con, _scenario(db), 2026)
    finally:
        con.close()
    assert not parity.passed
    assert parity.score < 1.0
    assert {"int_merit_raises_applied", "fct_yearly_events", "fct_workforce_snapshot"} <= set(parity.differing_tables())
    merit = next(t for t in parity.tables if t.table == "int_merit_raises_applied")
    assert merit.only_sql == merit.only_polars == merit.rows_sql > 0
    assert merit.first_only_sql and merit.first_only_polars


def test_a_changed_rule_fails_the_blocking_parity_gate_and_nothing_is_published(runs, tmp_path, monkeypatch):
    monkeypatch.setattr(workforce, "promotions", _one_cent_more(workforce.promotions))
    scenario = write_scenario(tmp_path, runs.census, random_seed=SEED, end_year=2026)
    db = tmp_path / "changed.duckdb"
    report = run_simulation(scenario, db_path=db, engine="polars", progress=lambda line: None)
    assert not report.success
    failed = [r for r in report.runs if not r.success]
    assert failed[0].label == "2025-2026" and "engine_parity" in failed[0].message  # both years in one run
    con = duckdb.connect(str(db), read_only=True)
    try:
        published = con.execute("select count(*) from duckdb_tables() where schema_name = 'published' "
                                "and table_name = 'fct_yearly_events'").fetchall()[0][0]
        assert published == 0 or con.execute("select count(*) from published.fct_yearly_events").fetchall() == [(0,)]
        assert con.execute("select failed_checks from audit.year_materializations").fetchall()[0][0].count("engine_parity") == 1
    finally:
        con.close()


def test_parity_command_prints_every_year_and_exits_zero_when_equal(runs, capsys):
    db = runs.database(seed=SEED)
    code = main(["parity", "--scenario", str(db.parent / "test_scenario.yaml"), "--db", str(db), "--years", "2025-2026"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "engines equal on every year" in out
    assert out.count("1.000000") >= 2 and "2026  sql" in out


def test_parity_command_refuses_a_year_that_is_not_materialised(runs, capsys):
    db = runs.database(seed=SEED)
    code = main(["parity", "--scenario", str(db.parent / "test_scenario.yaml"), "--db", str(db), "--years", "2030-2030"])
    assert code == 2


def test_year_tables_match_the_tables_dbt_builds(runs):
    con = runs.connect(seed=SEED)
    try:
        for table, columns in YEAR_TABLES.items():
            described = con.execute(f"select column_name, column_type from (describe main.{table})").fetchall()
            assert tuple(described) == columns, table
    finally:
        con.close()


def test_dagster_run_config_chooses_the_engine(runs, tmp_path):
    """What the Launchpad does: the run config of the `simulation` resource picks the engine (run
    config replaces the resource's configuration, so it names the scenario and database too)."""
    from dagster import DagsterInstance

    from workforce_platform.definitions import build_definitions
    from workforce_platform.defs.jobs import LOAD_PARAMETERS_JOB, SIMULATE_YEAR_JOB
    from workforce_platform.defs.resources import SimulationResource

    scenario = write_scenario(tmp_path, runs.census, random_seed=SEED, end_year=2025)
    db = tmp_path / "run_config.duckdb"
    definitions = build_definitions(SimulationResource(scenario_path=str(scenario), database=str(db)))
    instance = DagsterInstance.get()
    assert definitions.resolve_job_def(LOAD_PARAMETERS_JOB).execute_in_process(instance=instance).success
    result = definitions.resolve_job_def(SIMULATE_YEAR_JOB).execute_in_process(
        instance=instance, partition_key="2025",
        run_config={"resources": {"simulation": {"config": {
            "scenario_path": str(scenario), "database": str(db), "event_engine": "polars", "event_shards": 2}}}})
    assert result.success
    parity = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
              and e.event_specific_data.check_name == "engine_parity"]
    assert len(parity) == 1 and parity[0].passed
    assert parity[0].metadata["built_with"].value == "polars" and parity[0].metadata["parity_score"].value == 1.0
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select event_engine, event_shards from audit.year_engines").fetchall() == [("polars", 2)]
        assert con.execute("select count(*) from published.fct_yearly_events").fetchall()[0][0] > 0
    finally:
        con.close()


@pytest.mark.parametrize("engine", ["sql", "polars"])
def test_a_database_built_by_an_earlier_version_gets_the_columns_it_lacks(runs, tmp_path, engine):
    """Tables without the columns added since (account balances, forfeitures, hours worked): rebuilding a
    year adds them, the earlier rows hold nulls there, and the rebuilt year equals a run that had them
    all along."""
    db = tmp_path / "earlier.duckdb"
    db.write_bytes(runs.database(seed=SEED).read_bytes())
    dropped = {"int_starting_workforce_assembled": ("employee_balance", "match_balance", "core_balance"),
               "int_plan_eligibility_determined": ("hours_worked", "is_long_term_part_time"),
               "fct_workforce_snapshot": ("hours_worked", "is_long_term_part_time", "forfeiture", "employee_balance",
                                          "match_balance", "core_balance"),
               "fct_year_summary": ("forfeitures", "net_employer_cost")}
    con = duckdb.connect(str(db))
    try:
        for table, columns in dropped.items():
            for column in columns:
                con.execute(f"alter table main.{table} drop column {column}")
    finally:
        con.close()
    reference = duckdb.connect(str(runs.database(seed=SEED)), read_only=True)
    try:
        expected = year_fingerprints(reference, "test_scenario", 2025)
    finally:
        reference.close()
    report = run_simulation(runs.database(seed=SEED).parent / "test_scenario.yaml", db_path=db, years=[2025],
                            engine=engine, progress=lambda line: None)
    assert report.success, [r.message for r in report.runs if not r.success]
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table, columns in dropped.items():
            present = {c for (c,) in con.execute(f"select column_name from (describe main.{table})").fetchall()}
            assert set(columns) <= present, table
        assert year_fingerprints(con, "test_scenario", 2025) == expected
        assert con.execute("select count(*) from main.fct_workforce_snapshot "
                           "where simulation_year = 2026 and forfeiture is null").fetchall()[0][0] > 0
    finally:
        con.close()


def _copy_of_the_database(runs, tmp_path):
    """A copy of the SQL run's database and scenario file, to change freely."""
    source = runs.database(seed=SEED)
    db = tmp_path / source.name
    shutil.copy(source, db)
    shutil.copy(source.parent / "test_scenario.yaml", tmp_path / "test_scenario.yaml")
    return db, _scenario(db)


def _one_cent_off_and_one_event_id_not_of_its_definition(con, year):
    con.execute("update main.fct_workforce_snapshot set employee_balance = employee_balance + 0.01 "
                f"where simulation_year = {year} and employee_id = (select min(employee_id) "
                f"from main.fct_workforce_snapshot where simulation_year = {year})")
    con.execute(f"update main.fct_yearly_events set event_id = 'x' || event_id where simulation_year = {year} "
                f"and event_id = (select min(event_id) from main.fct_yearly_events where simulation_year = {year})")


def _assert_exactly_the_changed_rows_differ(parity):
    assert set(parity.differing_tables()) == {"fct_workforce_snapshot", "fct_yearly_events"}
    for table in parity.tables:
        if not table.equal:
            assert table.only_sql == table.only_polars == 1 and table.first_only_sql and table.first_only_polars


def test_the_in_memory_pass_agrees_with_the_sql_comparison_and_hides_no_difference(runs, tmp_path):
    """The cheap pass finds every table of a year equal; a stored value one cent off and an event
    id not of its definition send it to the SQL comparison, which reports exactly those rows."""
    db, scenario = _copy_of_the_database(runs, tmp_path)
    con = duckdb.connect(str(db))
    try:
        frames = simulate_year(con, scenario.scenario_id, 2026)
        for table, frame in frames.items():
            stored = con.execute(f"select count(*) from main.{table} where simulation_year = 2026").fetchall()[0][0]
            assert _equal_in_memory(con, table, scenario.scenario_id, 2026, frame.select(frame_columns(table))) == stored
        _one_cent_off_and_one_event_id_not_of_its_definition(con, 2026)
        parity = compare_with_polars(con, scenario, 2026)
    finally:
        con.close()
    _assert_exactly_the_changed_rows_differ(parity)


def test_the_sql_side_of_the_gate_finds_a_year_equal_and_hides_no_difference(runs, tmp_path):
    """The SQL models rebuilt in a scratch database (the year's models on copies of the parameter
    relations and the previous year) agree with the stored year, by the in-memory pass; a stored
    value one cent off and an event id not of its definition are each reported, exactly those rows."""
    db, scenario = _copy_of_the_database(runs, tmp_path)
    con = duckdb.connect(str(db))
    try:
        settings = resolve_execution(db)
        equal = compare_with_sql(con, scenario, 2026, settings, work_dir=tmp_path)
        _one_cent_off_and_one_event_id_not_of_its_definition(con, 2026)
        changed = compare_with_sql(con, scenario, 2026, settings, work_dir=tmp_path)
    finally:
        con.close()
    assert equal.passed and equal.score == 1.0 and len(equal.tables) == len(YEAR_TABLES)
    assert all(t.rows_sql == t.rows_polars for t in equal.tables) and equal.rows_compared > 0
    _assert_exactly_the_changed_rows_differ(changed)
    assert not list(tmp_path.glob("engine_parity_*")), "the scratch database is removed"


def test_the_scratch_build_copies_exactly_the_parameter_relations_that_the_years_models_read():
    relations = parameter_relations()
    assert {"config_levels", "stg_scenario", "int_irs_limits_projected", "int_baseline_workforce_prepared"} <= set(relations)
    assert not set(relations) & set(YEAR_TABLES), "no per-year table is a parameter"
    assert "stg_census" not in relations, "the census is read only through int_baseline_workforce_prepared"


def _ready_helper(settings, monkeypatch):
    """This process's helper for the parity gate's SQL side, started and warmed up."""
    monkeypatch.setattr(sql_side_worker, "machine_cores", lambda: 2)
    monkeypatch.delenv(WORKER_ENV, raising=False)
    worker = warm_up(settings)
    assert worker is not None
    deadline = time.monotonic() + 180
    while not worker.ready():
        assert not worker.broken and time.monotonic() < deadline, "the helper did not warm up"
        time.sleep(0.05)
    return worker


def test_the_sql_side_built_beside_the_engine_is_what_the_gate_compares(runs, tmp_path, monkeypatch):
    """With the helper ready, each Polars year hands its SQL side to it before the engine runs: the
    scratch database waits beside the database, the gate waits for the helper to finish it (and
    record the fingerprint of the inputs it was built from), compares against it (every table
    equal) and deletes it. A changed rule in the Polars engine still fails the gate that way."""
    scenario = load_scenario(write_scenario(tmp_path, runs.census, random_seed=SEED, end_year=2027))
    db = tmp_path / "beside.duckdb"
    settings = resolve_execution(db)
    engine = resolve_engine(scenario, "polars", parity=True)
    _ready_helper(settings, monkeypatch)
    assert build_parameters(scenario, db, settings).success
    # Both years build before either gate runs (as in a run of several years): each year's SQL
    # side is left to the helper, and the next year goes on meanwhile.
    for year in (2025, 2026):
        assert build_year(scenario, year, db, settings, previous_built_in_this_run=True, engine=engine,
                          sql_side_builds=SQL_SIDE_BUILDS).success
        assert (prebuilt_folder(db, scenario.scenario_id, year) / "parity.duckdb").exists()
    for year in (2025, 2026):
        parity = audit_year(db, scenario, year, "beside", parity_gate=parity_gate(engine, settings), settings=settings).parity
        assert parity.sql_side_prebuilt and parity.passed, parity.differing_tables()
        assert len(parity.tables) == len(YEAR_TABLES) and parity.rows_compared > 0
        assert not prebuilt_folder(db, scenario.scenario_id, year).exists()
    monkeypatch.setattr(workforce, "promotions", _one_cent_more(workforce.promotions))
    build_year(scenario, 2027, db, settings, previous_built_in_this_run=True, engine=engine, sql_side_builds=SQL_SIDE_BUILDS)
    parity = audit_year(db, scenario, 2027, "beside", parity_gate=parity_gate(engine, settings), settings=settings).parity
    assert parity.sql_side_prebuilt and not parity.passed
    assert "int_promotions_drawn" in parity.differing_tables()
    assert not (tmp_path / "beside.duckdb.parity").exists()


def test_the_helper_refuses_a_build_for_another_state_of_the_dbt_project(tmp_path, monkeypatch, scenario_factory):
    """A run process that moved to another copy (or edit) of the dbt project since the helper
    started gets a refusal, so the gate builds the SQL side itself."""
    scenario = load_scenario(scenario_factory())
    settings = resolve_execution(tmp_path / "other.duckdb")
    worker = _ready_helper(settings, monkeypatch)
    monkeypatch.setattr(sql_side_worker, "_project_identity", lambda: ("elsewhere", "another digest"))
    number = worker.build(scenario, 2025, tmp_path / "other.duckdb", settings)
    assert worker.wait(number) == "the helper process loaded another dbt project"
    assert not (tmp_path / "other.duckdb").exists()


def test_a_dagster_run_of_several_polars_years_has_each_sql_side_built_beside_the_engine(runs, tmp_path, monkeypatch):
    """A backfill's single run of three years with the Polars engine (run config): every year's
    parity gate compares against the SQL side that the helper built, passes, and says so; every
    year is published, and no scratch database is left."""
    from dagster import DagsterInstance

    from workforce_platform.definitions import build_definitions
    from workforce_platform.defs.jobs import LOAD_PARAMETERS_JOB, SIMULATE_YEAR_JOB
    from workforce_platform.defs.resources import SimulationResource

    scenario = write_scenario(tmp_path, runs.census, random_seed=SEED, end_year=2027)
    db = tmp_path / "range.duckdb"
    _ready_helper(resolve_execution(db), monkeypatch)
    definitions = build_definitions(SimulationResource(scenario_path=str(scenario), database=str(db)))
    instance = DagsterInstance.get()
    assert definitions.resolve_job_def(LOAD_PARAMETERS_JOB).execute_in_process(instance=instance).success
    result = definitions.resolve_job_def(SIMULATE_YEAR_JOB).execute_in_process(
        instance=instance,
        tags={"dagster/asset_partition_range_start": "2025", "dagster/asset_partition_range_end": "2027"},
        run_config={"resources": {"simulation": {"config": {
            "scenario_path": str(scenario), "database": str(db), "event_engine": "polars"}}}})
    assert result.success
    parity = {e.event_specific_data.partition: e.event_specific_data for e in result.all_events
              if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.check_name == "engine_parity"
              and e.event_specific_data.partition is not None}
    assert sorted(parity) == ["2025", "2026", "2027"]
    for evaluation in parity.values():
        assert evaluation.passed and evaluation.metadata["parity_score"].value == 1.0
        assert evaluation.metadata["sql_side"].value == "built beside the Polars engine"
    assert not (tmp_path / "range.duckdb.parity").exists()
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select simulation_year from published.promotions order by 1").fetchall() == [
            (2025,), (2026,), (2027,)]
    finally:
        con.close()
