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
