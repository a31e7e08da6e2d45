"""IRS limits by year and the indexing of amounts, with hand-computed cases."""

from decimal import Decimal as D

import pytest

from workforce_platform.simulation.indexing import indexed, rounded_down_to
from workforce_platform.simulation.irs_limits import INCREMENTS, irs_limits_by_year, shipped_irs_limits


def test_indexed_carries_the_cents_each_year():
    assert indexed(D("24500.00"), D("0.025"), 0) == D("24500.00")
    assert indexed(D("24500.00"), D("0.025"), 1) == D("25112.50")
    assert indexed(D("24500.00"), D("0.025"), 2) == D("25740.31")     # 25,740.3125
    assert indexed(D("35000.00"), D("0.02"), 3) == D("37142.28")      # 35,700 -> 36,414 -> 37,142.28
    assert indexed(D("0.05"), D("0.1"), 1) == D("0.06")               # 0.055 rounds half up
    with pytest.raises(ValueError):
        indexed(D("1"), D("0.02"), -1)


@pytest.mark.parametrize("amount, increment, expected", [
    ("25740.31", 500, "25500"), ("25000.00", 500, "25000"), ("24999.99", 500, "24500"),
    ("76406.98", 1000, "76000"), ("382034.88", 5000, "380000"), ("169793.28", 5000, "165000"),
])
def test_rounded_down_to_the_increment(amount, increment, expected):
    assert rounded_down_to(D(amount), increment) == D(expected)


def test_shipped_limits_are_the_published_figures():
    shipped = shipped_irs_limits()
    assert sorted(shipped) == [2023, 2024, 2025, 2026]
    published = {  # 402(g), catch-up, 60-63 catch-up, 401(a)(17), 415(c), 414(q)
        2023: ("22500", "7500", "7500", "330000", "66000", "150000"),
        2024: ("23000", "7500", "7500", "345000", "69000", "155000"),
        2025: ("23500", "7500", "11250", "350000", "70000", "160000"),
        2026: ("24500", "8000", "11250", "360000", "72000", "160000"),
    }
    for year, figures in published.items():
        assert tuple(shipped[year][name] for name in INCREMENTS) == tuple(D(f) for f in figures), year
        assert not shipped[year]["is_projected"]


def test_later_years_are_projected_and_rounded_down_to_the_irs_increments():
    limits = irs_limits_by_year(shipped_irs_limits(), 2029, D("0.02"))
    assert sorted(limits) == list(range(2023, 2030))
    # 2029: three years at 2% from 2026: x 1.061208 (to the cent each year)
    assert limits[2029]["elective_deferral_limit"] == D("25500")        # 25,999.60
    assert limits[2029]["annual_additions_limit"] == D("76000")         # 76,406.98
    assert limits[2029]["compensation_limit"] == D("380000")            # 382,034.88
    assert limits[2029]["highly_compensated_threshold"] == D("165000")  # 169,793.28
    assert limits[2027]["elective_deferral_limit"] == D("24500")        # 24,990.00
    assert limits[2028]["elective_deferral_limit"] == D("25000")        # 25,489.80
    # 11,250 x 1.02 = 11,475 rounds down to 11,000: the IRS never lowers a limit, so it stays 11,250
    assert limits[2027]["super_catch_up_limit"] == D("11250")
    assert limits[2028]["super_catch_up_limit"] == D("11500")           # 11,704.50
    assert [limits[y]["is_projected"] for y in range(2023, 2030)] == [False] * 4 + [True] * 3
    assert all(limits[y]["catch_up_age"] == 50 and limits[y]["super_catch_up_max_age"] == 63 for y in limits)


def test_a_zero_indexing_rate_freezes_the_last_shipped_limits():
    limits = irs_limits_by_year(shipped_irs_limits(), 2035, D("0"))
    for name in INCREMENTS:
        assert {limits[y][name] for y in range(2026, 2036)} == {shipped_irs_limits()[2026][name]}


def test_no_projection_within_the_shipped_years():
    assert irs_limits_by_year(shipped_irs_limits(), 2025, D("0.05")) == shipped_irs_limits()
