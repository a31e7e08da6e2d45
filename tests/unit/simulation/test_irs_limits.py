"""IRS limits by year and the indexing of amounts, with hand-computed cases."""

from decimal import Decimal as D

import pytest

from workforce_platform.simulation.indexing import indexed, rounded_down_to
from workforce_platform.simulation.irs_limits import (
    INCREMENTS, indexed_value, irs_limits_by_year, limit_bases, shipped_irs_limits,
)


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
    published = {  # 402(g), catch-up, 60-63 catch-up, 401(a)(17), 415(c), 414(q), Roth catch-up wage threshold
        2023: ("22500", "7500", "7500", "330000", "66000", "150000", None),
        2024: ("23000", "7500", "7500", "345000", "69000", "155000", "145000"),
        2025: ("23500", "7500", "11250", "350000", "70000", "160000", "145000"),
        2026: ("24500", "8000", "11250", "360000", "72000", "160000", "150000"),
    }
    for year, figures in published.items():
        assert tuple(shipped[year][name] for name in INCREMENTS) == tuple(f and D(f) for f in figures), year
        assert not shipped[year]["is_projected"]
    # SECURE 2.0 section 603, delayed through 2025 by IRS Notice 2023-62
    assert [shipped[y]["roth_catch_up_in_force"] for y in published] == [False, False, False, True]


def test_the_seed_increments_are_the_statutes():
    assert {name: base.increment for name, base in limit_bases().items()} == INCREMENTS


# CPI-U of July + August + September before each plan year (BLS, 1982-84=100):
# 2022: 296.276 + 296.171 + 296.808 = 889.255; 2023: 305.691 + 307.026 + 307.789 = 920.506;
# 2024: 314.540 + 314.796 + 315.301 = 944.637; 2025: 323.048 + 323.976 + 324.800 = 971.824.
@pytest.mark.parametrize("year, name, unrounded", [
    (2026, "elective_deferral_limit", "24682.29"),        # 15,000 x 971.824 / 590.6 (Q3 2005)
    (2026, "catch_up_limit", "8227.43"),                  # 5,000 x 971.824 / 590.6
    (2026, "compensation_limit", "364456.78"),            # 200,000 x 971.824 / 533.3 (Q3 2001)
    (2026, "annual_additions_limit", "72891.36"),         # 40,000 x 971.824 / 533.3
    (2026, "highly_compensated_threshold", "164681.04"),  # 80,000 x 971.824 / 472.1 (Q3 1996)
    (2026, "roth_catch_up_wage_threshold", "153083.72"),  # 145,000 x 971.824 / 920.506 (Q3 2023)
    (2026, "super_catch_up_limit", "10287.80"),           # the $10,000 floor x 971.824 / 944.637 (Q3 2024)
    (2024, "elective_deferral_limit", "23378.92"),        # 15,000 x 920.506 / 590.6
    (2024, "highly_compensated_threshold", "155984.92"),  # 80,000 x 920.506 / 472.1
])
def test_indexed_values_by_hand(year, name, unrounded):
    assert indexed_value(limit_bases()[name], shipped_irs_limits()[year]["cpi_u_third_quarter"]) == D(unrounded)


def test_every_shipped_figure_is_its_indexed_value_rounded_down():
    """The statutory formula reproduces the published figures of the shipped years (the 60-63
    catch-up before 2025 did not exist, and from 2025 its fixed 150% branch, $11,250, is larger)."""
    shipped, bases = shipped_irs_limits(), limit_bases()
    for year, row in shipped.items():
        for name, increment in INCREMENTS.items():
            if name == "super_catch_up_limit" or row[name] is None:
                continue
            assert rounded_down_to(indexed_value(bases[name], row["cpi_u_third_quarter"]), increment) == row[name], \
                (year, name)


# The actual indexing: 944.637 / 920.506 = 1.026214... (2025) and 971.824 / 944.637 = 1.028780... (2026).
ACTUAL_2025, ACTUAL_2026 = D("0.02621"), D("0.02878")


@pytest.mark.parametrize("name", [n for n in INCREMENTS if n != "super_catch_up_limit"])
def test_projecting_2025_and_2026_from_2024_at_the_actual_indexing_gives_the_published_figures(name):
    shipped, bases = shipped_irs_limits(), limit_bases()
    through_2024 = {year: row for year, row in shipped.items() if year <= 2024}
    in_2025 = irs_limits_by_year(through_2024, 2025, ACTUAL_2025)[2025]
    assert in_2025[name] == shipped[2025][name] and in_2025["is_projected"]
    # 2026: two years of actual indexing from 2024's indexed value, e.g. 402(g):
    # 23,378.92 x 1.02621 = 23,991.68; x 1.02878 = 24,682.16 -> 24,500 (2025: 23,500)
    unrounded_2024 = indexed_value(bases[name], shipped[2024]["cpi_u_third_quarter"])
    two_years = indexed(indexed(unrounded_2024, ACTUAL_2025, 1), ACTUAL_2026, 1)
    assert max(rounded_down_to(two_years, INCREMENTS[name]), in_2025[name]) == shipped[2026][name]


def test_the_60_63_catch_up_projected_from_2025_keeps_its_fixed_branch():
    # the $10,000 floor: 10,000 x 971.824 / 944.637... at the actual 2.878%: 10,287.80 -> 10,000 < 11,250
    through_2025 = {year: row for year, row in shipped_irs_limits().items() if year <= 2025}
    assert irs_limits_by_year(through_2025, 2026, ACTUAL_2026)[2026]["super_catch_up_limit"] == D("11250")


def test_compounding_from_the_rounded_figure_would_run_low():
    # What the projection used to do: from the published 2024 figures, 23,000 x 1.02621 x 1.02878 =
    # 24,282.12 -> 24,000 (published 24,500) and 155,000 x 1.02621 = 159,062.55 -> 155,000 (published 160,000).
    assert rounded_down_to(indexed(indexed(D("23000"), ACTUAL_2025, 1), ACTUAL_2026, 1), 500) == D("24000")
    assert rounded_down_to(indexed(D("155000"), ACTUAL_2025, 1), 5000) == D("155000")


def test_later_years_are_projected_and_rounded_down_to_the_irs_increments():
    limits = irs_limits_by_year(shipped_irs_limits(), 2029, D("0.02"))
    assert sorted(limits) == list(range(2023, 2030))
    # from 2026's indexed values at 2% a year, to the cent each year
    assert limits[2027]["elective_deferral_limit"] == D("25000")        # 24,682.29 -> 25,175.94
    assert limits[2028]["elective_deferral_limit"] == D("25500")        # 25,679.46
    assert limits[2029]["elective_deferral_limit"] == D("26000")        # 26,193.05
    assert limits[2029]["catch_up_limit"] == D("8500")                  # 8,227.43 -> 8,731.02
    assert limits[2029]["annual_additions_limit"] == D("77000")         # 72,891.36 -> 77,352.89
    assert limits[2029]["compensation_limit"] == D("385000")            # 364,456.78 -> 386,764.46
    assert limits[2029]["highly_compensated_threshold"] == D("170000")  # 164,681.04 -> 174,760.83
    assert limits[2027]["roth_catch_up_wage_threshold"] == D("155000")  # 153,083.72 -> 156,145.39
    # the $10,000 floor reaches 10,917.50 by 2029: below the fixed 11,250, which stays
    assert {limits[y]["super_catch_up_limit"] for y in (2027, 2028, 2029)} == {D("11250")}
    assert [limits[y]["is_projected"] for y in range(2023, 2030)] == [False] * 4 + [True] * 3
    assert all(limits[y]["catch_up_age"] == 50 and limits[y]["super_catch_up_max_age"] == 63 for y in limits)
    assert all(limits[y]["roth_catch_up_in_force"] for y in (2027, 2028, 2029))


def test_a_zero_indexing_rate_freezes_the_last_shipped_limits():
    limits = irs_limits_by_year(shipped_irs_limits(), 2035, D("0"))
    for name in INCREMENTS:
        assert {limits[y][name] for y in range(2026, 2036)} == {shipped_irs_limits()[2026][name]}


def test_no_projection_within_the_shipped_years():
    limits = irs_limits_by_year(shipped_irs_limits(), 2025, D("0.05"))
    assert limits == {y: {k: v for k, v in row.items() if k != "cpi_u_third_quarter"}
                      for y, row in shipped_irs_limits().items()}
