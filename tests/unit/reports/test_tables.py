from decimal import Decimal

from workforce_platform.reports.tables import Table, csv_text, relative_difference, summary_file_name


def test_relative_difference_is_exact_and_rounds_half_up():
    assert relative_difference(Decimal("1.00"), Decimal("3.00")) == Decimal("0.333333")
    assert relative_difference(Decimal("2"), Decimal("3")) == Decimal("0.666667")
    assert relative_difference(1, 8_000_000) == Decimal("0.000000")  # 0.000000125
    assert relative_difference(5, 8_000_000) == Decimal("0.000001")  # 0.000000625 rounds up
    assert relative_difference(-5, 8_000_000) == Decimal("-0.000001")
    assert relative_difference(Decimal("5"), Decimal("0")) is None


def test_summary_file_is_named_with_the_first_and_last_year():
    table = Table(["simulation_year"], [(2027,), (2025,), (2026,)])
    assert summary_file_name("baseline", table) == "baseline_summary_2025-2027.csv"


def test_csv_keeps_decimals_exact():
    text = csv_text(Table(["a", "b"], [(Decimal("1234567890123.45"), None)]))
    assert text == "a,b\n1234567890123.45,\n"


def test_the_assumptions_show_the_indexing_rates_in_effect(tmp_path):
    import yaml

    from workforce_platform.config.scenario import load_scenario
    from workforce_platform.reports.tables import assumptions

    (tmp_path / "census.csv").write_text("employee_id\n")
    scenario_file = tmp_path / "scenario.yaml"
    scenario_file.write_text(yaml.safe_dump({"scenario_id": "s1", "start_year": 2025, "end_year": 2026, "random_seed": 1,
                                             "census_path": "census.csv", "compensation": {"cola_rate": 0.025},
                                             "plan": {"irs_limit_indexing_rate": 0.03}}))
    shown = dict(assumptions(load_scenario(scenario_file)))
    assert shown["compensation.new_hire_pay_indexing_rate"] == "0.025 (unset: compensation.cola_rate)"
    assert shown["plan.irs_limit_indexing_rate"] == "0.03"
    assert "None" not in shown.values()
