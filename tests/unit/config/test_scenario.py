from decimal import Decimal

import pytest
import yaml

from workforce_platform.config.scenario import load_scenario
from workforce_platform.errors import WorkforceInputError
from workforce_platform.paths import DEFAULT_SCENARIO_PATH


def _write(tmp_path, data):
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture
def minimal(tmp_path):
    (tmp_path / "census.csv").write_text("employee_id\n")
    return {"scenario_id": "s1", "start_year": 2025, "end_year": 2027, "random_seed": 1, "census_path": "census.csv"}


def test_bundled_baseline_loads():
    scenario = load_scenario(DEFAULT_SCENARIO_PATH)
    assert scenario.scenario_id == "baseline" and scenario.years == [2025, 2026, 2027, 2028, 2029]
    assert scenario.resolved_census_path().is_file()


def test_defaults_and_relative_census_path(tmp_path, minimal):
    scenario = load_scenario(_write(tmp_path, minimal))
    assert scenario.target_growth_rate == Decimal("0.03")
    assert scenario.termination_rate == Decimal("0.12")
    assert scenario.new_hire_termination_rate == Decimal("0.25")
    assert scenario.compensation.cola_rate == Decimal("0.02")
    assert scenario.resolved_census_path() == (tmp_path / "census.csv").resolve()


def test_unknown_key_suggests_the_right_one(tmp_path, minimal):
    path = _write(tmp_path, {**minimal, "termination_rat": 0.1})
    with pytest.raises(WorkforceInputError) as error:
        load_scenario(path)
    assert str(path) in str(error.value)
    assert "termination_rat" in str(error.value) and "did you mean 'termination_rate'" in str(error.value)


def test_nested_unknown_key(tmp_path, minimal):
    with pytest.raises(WorkforceInputError, match=r"compensation\.cola.*did you mean 'compensation\.cola_rate'"):
        load_scenario(_write(tmp_path, {**minimal, "compensation": {"cola": 0.01}}))


@pytest.mark.parametrize("key,value,fragment", [
    ("termination_rate", "high", "termination_rate"),
    ("termination_rate", 1.0, "termination_rate"),
    ("new_hire_termination_rate", -0.1, "new_hire_termination_rate"),
    ("target_growth_rate", -1.0, "target_growth_rate"),
    ("termination_rate", 0.123456, "at most 5 decimals"),
    ("random_seed", 2**32, "random_seed"),
    ("end_year", 2020, "end_year 2020 is before start_year 2025"),
])
def test_bad_values_name_key_and_value(tmp_path, minimal, key, value, fragment):
    path = _write(tmp_path, {**minimal, key: value})
    with pytest.raises(WorkforceInputError) as error:
        load_scenario(path)
    assert fragment in str(error.value) and str(path) in str(error.value)


def test_missing_census_is_refused(tmp_path, minimal):
    with pytest.raises(WorkforceInputError, match="census_path.*does not exist"):
        load_scenario(_write(tmp_path, {**minimal, "census_path": "nowhere.csv"}))


def test_dates_must_exist_every_year_and_be_ordered(tmp_path, minimal):
    with pytest.raises(WorkforceInputError, match="merit_date"):
        load_scenario(_write(tmp_path, {**minimal, "compensation": {"merit_date": "02-29"}}))
    with pytest.raises(WorkforceInputError, match="promotion_date 09-01 is after merit_date 07-01"):
        load_scenario(_write(tmp_path, {**minimal, "compensation": {"promotion_date": "09-01"}}))


def test_fingerprint_ignores_execution_settings_only(tmp_path, minimal):
    base = load_scenario(_write(tmp_path, minimal))
    assert base.fingerprint() == base.with_overrides(execution={"threads": 4}).fingerprint()
    assert base.fingerprint() != base.with_overrides(random_seed=2).fingerprint()


def test_overlapping_match_tiers_are_refused(tmp_path, minimal):
    tiers = [{"employee_min": 0, "employee_max": 0.04, "match_rate": 1}, {"employee_min": 0.03, "employee_max": 0.05, "match_rate": 0.5}]
    with pytest.raises(WorkforceInputError, match=r"plan\.match\.tiers.*tier 2 overlaps"):
        load_scenario(_write(tmp_path, {**minimal, "plan": {"match": {"tiers": tiers}}}))


def test_core_schedule_must_fit_its_basis(tmp_path, minimal):
    with pytest.raises(WorkforceInputError, match="basis 'service' needs a schedule"):
        load_scenario(_write(tmp_path, {**minimal, "plan": {"core": {"basis": "service"}}}))


def test_unknown_plan_key_suggests(tmp_path, minimal):
    with pytest.raises(WorkforceInputError, match=r"did you mean 'plan\.auto_escalation'"):
        load_scenario(_write(tmp_path, {**minimal, "plan": {"auto_escalaton": {"cap": 0.1}}}))


def test_engine_keys_live_under_execution_and_are_validated(tmp_path, minimal):
    scenario = load_scenario(_write(tmp_path, {**minimal, "execution": {"event_engine": "polars", "event_shards": 8}}))
    assert (scenario.execution.event_engine, scenario.execution.event_shards, scenario.execution.engine_parity) == ("polars", 8, True)
    assert scenario.fingerprint() == load_scenario(_write(tmp_path, minimal)).fingerprint()  # results never depend on it
    with pytest.raises(WorkforceInputError, match="execution.event_engine.*'spark'"):
        load_scenario(_write(tmp_path, {**minimal, "execution": {"event_engine": "spark"}}))
    with pytest.raises(WorkforceInputError, match="execution.event_shards"):
        load_scenario(_write(tmp_path, {**minimal, "execution": {"event_shards": 0}}))
    with pytest.raises(WorkforceInputError, match="unknown key 'event_engine'.*belongs under 'execution'"):
        load_scenario(_write(tmp_path, {**minimal, "event_engine": "polars"}))


def test_the_default_match_is_a_safe_harbor_match_without_a_last_day_rule(tmp_path, minimal):
    match = load_scenario(_write(tmp_path, minimal)).plan.match
    assert match.safe_harbor and not match.requires_last_day and match.minimum_hours is None


@pytest.mark.parametrize("match, problem", [
    ({"requires_last_day": True}, "requires_last_day must be false"),
    ({"minimum_hours": 1000}, "minimum_hours must be unset"),
    ({"tiers": [{"employee_min": 0, "employee_max": 0.06, "match_rate": 0.5}]}, "less than the basic safe-harbor match"),
    ({"tiers": [{"employee_min": 0, "employee_max": 0.08, "match_rate": 1}]}, "above 6% of pay"),
])
def test_a_safe_harbor_match_refuses_what_safe_harbor_forbids(tmp_path, minimal, match, problem):
    with pytest.raises(WorkforceInputError, match=r"plan\.match.*" + problem + r".*set safe_harbor: false"):
        load_scenario(_write(tmp_path, {**minimal, "plan": {"match": match}}))


def test_a_match_that_is_not_safe_harbor_may_have_a_last_day_rule(tmp_path, minimal):
    match = {"tiers": [{"employee_min": 0, "employee_max": 0.08, "match_rate": 0.5}], "safe_harbor": False,
             "requires_last_day": True, "minimum_hours": 1000}
    loaded = load_scenario(_write(tmp_path, {**minimal, "plan": {"match": match}})).plan.match
    assert not loaded.safe_harbor and loaded.requires_last_day and loaded.minimum_hours == 1000


def test_indexing_rates_default_to_the_cola_rate(tmp_path, minimal):
    scenario = load_scenario(_write(tmp_path, {**minimal, "compensation": {"cola_rate": 0.031}}))
    assert scenario.new_hire_pay_indexing_rate == Decimal("0.031") == scenario.irs_limit_indexing_rate
    scenario = load_scenario(_write(tmp_path, {**minimal, "compensation": {"new_hire_pay_indexing_rate": 0.04},
                                                "plan": {"irs_limit_indexing_rate": 0}}))
    assert (scenario.new_hire_pay_indexing_rate, scenario.irs_limit_indexing_rate) == (Decimal("0.04"), Decimal("0"))


def test_the_415c_correction_order_is_checked(tmp_path, minimal):
    assert load_scenario(_write(tmp_path, minimal)).plan.annual_additions_correction == "deferrals_first"
    with pytest.raises(WorkforceInputError, match=r"plan\.annual_additions_correction.*'core_first'"):
        load_scenario(_write(tmp_path, {**minimal, "plan": {"annual_additions_correction": "core_first"}}))


def test_a_start_year_before_the_shipped_irs_limits_is_refused(tmp_path, minimal):
    load_scenario(_write(tmp_path, {**minimal, "start_year": 2024}))
    with pytest.raises(WorkforceInputError) as error:
        load_scenario(_write(tmp_path, {**minimal, "start_year": 2023}))
    message = str(error.value)
    assert "scenario.yaml" in message and "'start_year' has value 2023" in message
    assert "config_irs_limits.csv" in message and "begin in 2023" in message and "earliest start_year is 2024" in message
    scenario = load_scenario(_write(tmp_path, minimal))
    with pytest.raises(WorkforceInputError, match="begin in 2023"):
        scenario.with_overrides(start_year=2020)


def test_a_year_of_service_asks_at_most_1000_hours(tmp_path, minimal):
    path = _write(tmp_path, {**minimal, "plan": {"eligibility": {"minimum_hours": 1040}}})
    with pytest.raises(WorkforceInputError) as error:
        load_scenario(path)
    assert "plan.eligibility.minimum_hours" in str(error.value) and "1000" in str(error.value), str(error.value)
    loaded = load_scenario(_write(tmp_path, {**minimal, "plan": {"eligibility": {"minimum_hours": 1000}}}))
    assert loaded.plan.eligibility.minimum_hours == 1000


def test_census_columns_map_our_names_to_the_files_and_take_part_in_the_fingerprint(tmp_path, minimal):
    plain = load_scenario(_write(tmp_path, minimal))
    assert (plain.census_columns, plain.census_ignore_columns) == ({}, [])
    mapped = load_scenario(_write(tmp_path, {**minimal, "census_columns": {"termination_date": "employee_termination_date"},
                                              "census_ignore_columns": ["department"]}))
    assert mapped.census_columns == {"termination_date": "employee_termination_date"}
    assert mapped.census_ignore_columns == ["department"]
    # How the census is read changes what is simulated, like census_path.
    assert mapped.fingerprint() != plain.fingerprint()
    assert mapped.fingerprint() != plain.with_overrides(census_columns={"termination_date": "term_date"},
                                                        census_ignore_columns=["department"]).fingerprint()


def test_an_unknown_census_column_is_refused_naming_the_key_and_ours(tmp_path, minimal):
    path = _write(tmp_path, {**minimal, "census_columns": {"termination": "employee_termination_date"}})
    with pytest.raises(WorkforceInputError) as error:
        load_scenario(path)
    message = str(error.value)
    assert str(path) in message and "key 'census_columns'" in message
    assert "'termination' is not a census column (did you mean 'termination_date'?)" in message
    assert "employee_id, birth_date, hire_date, annual_compensation, termination_date" in message


def test_two_census_columns_may_not_read_the_same_column(tmp_path, minimal):
    columns = {"hire_date": "start_date", "birth_date": "Start_Date"}
    with pytest.raises(WorkforceInputError, match="census_columns.birth_date and census_columns.hire_date both read "
                                                  "the file's column 'start_date'"):
        load_scenario(_write(tmp_path, {**minimal, "census_columns": columns}))


def test_a_column_may_not_be_both_read_and_ignored(tmp_path, minimal):
    with pytest.raises(WorkforceInputError, match=r"census_ignore_columns.*column 'active' is both read "
                                                  r"\(census_columns.active\) and ignored"):
        load_scenario(_write(tmp_path, {**minimal, "census_columns": {"active": "Active"},
                                        "census_ignore_columns": ["department", "active"]}))


def test_the_plan_money_keys_and_their_defaults(tmp_path, minimal):
    plan = load_scenario(_write(tmp_path, minimal)).plan
    assert (plan.match.compensation, plan.match.true_up, plan.match.on_catch_up) == ("while_participant", True, True)
    assert plan.roth_available and plan.auto_escalation.scope == "auto_enrolled"
    chosen = load_scenario(_write(tmp_path, {**minimal, "plan": {
        "match": {"compensation": "plan_year", "true_up": False, "on_catch_up": False},
        "roth_available": False, "auto_escalation": {"scope": "all_participants"}}})).plan
    assert (chosen.match.compensation, chosen.match.true_up, chosen.match.on_catch_up) == ("plan_year", False, False)
    assert not chosen.roth_available and chosen.auto_escalation.scope == "all_participants"
    with pytest.raises(WorkforceInputError, match=r"plan\.match\.compensation.*'pay_period'"):
        load_scenario(_write(tmp_path, {**minimal, "plan": {"match": {"compensation": "pay_period"}}}))


def test_an_age_above_21_is_refused(tmp_path, minimal):
    load_scenario(_write(tmp_path, {**minimal, "plan": {"eligibility": {"minimum_age": 21}}}))
    with pytest.raises(WorkforceInputError) as error:
        load_scenario(_write(tmp_path, {**minimal, "plan": {"eligibility": {"minimum_age": 22}}}))
    message = str(error.value)
    assert "key 'plan.eligibility.minimum_age' has value 22" in message and "IRC 410(a)(1)(A)(i)" in message


@pytest.mark.parametrize("waiting, vesting, refused", [
    (365, {"match": "cliff_3"}, None),                                   # one year: any vesting
    (366, {}, None),                                                      # over a year, immediate vesting (default)
    (730, {"core": [{"years": 0, "vested": 1}]}, None),                   # steps vesting 100% at once are immediate
    (366, {"match": "cliff_3"}, "vesting.match is 'cliff_3'"),
    (500, {"core": "graded_2_6"}, "vesting.core is 'graded_2_6'"),
    (500, {"core": [{"years": 1, "vested": 1}]}, "vesting.core vests less than 100% at 0 years"),
    (731, {}, "more than two years"),
])
def test_a_waiting_period_over_a_year_needs_immediate_vesting_and_never_exceeds_two(tmp_path, minimal, waiting, vesting,
                                                                                    refused):
    plan = {"eligibility": {"waiting_period_days": waiting}, "vesting": vesting}
    if vesting.get("match", "immediate") != "immediate":
        plan["match"] = {"safe_harbor": False}
    path = _write(tmp_path, {**minimal, "plan": plan})
    if refused is None:
        assert load_scenario(path).plan.eligibility.waiting_period_days == waiting
        return
    with pytest.raises(WorkforceInputError) as error:
        load_scenario(path)
    message = str(error.value)
    assert refused in message and "410(a)(1)" in message and str(waiting) in message and str(path) in message
def test_retirement_and_last_day_exemption_keys(tmp_path, minimal):
    scenario = load_scenario(_write(tmp_path, minimal))
    assert scenario.retirement.normal_retirement_age == 65
    assert scenario.plan.match.last_day_exempts_retirement and scenario.plan.core.last_day_exempts_retirement
    changed = load_scenario(_write(tmp_path, {**minimal, "retirement": {"normal_retirement_age": 62},
                                              "plan": {"core": {"last_day_exempts_retirement": False}}}))
    assert changed.retirement.normal_retirement_age == 62 and not changed.plan.core.last_day_exempts_retirement
    with pytest.raises(WorkforceInputError, match=r"retirement\.normal_retirement_age.*80"):
        load_scenario(_write(tmp_path, {**minimal, "retirement": {"normal_retirement_age": 80}}))
    with pytest.raises(WorkforceInputError, match=r"did you mean 'plan\.match\.last_day_exempts_retirement'"):
        load_scenario(_write(tmp_path, {**minimal, "plan": {"match": {"last_day_exempts_retirements": True}}}))
