"""The Polars engine's arithmetic against the spec's vectors, the Python reference and DuckDB."""

import csv
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import numpy as np
import polars as pl
import pytest

from tests.conftest import RNG_VECTORS
from workforce_platform.engines.polars_engine.arithmetic import (
    add_years, divide_round_half_away, divide_round_half_up, draw_below, draw_is_below, employee_order_key,
    weighted_sort_key, whole_years, with_draws,
)
from workforce_platform.engines.polars_engine.contributions import employee_totals
from workforce_platform.simulation.rng import draw_bits


def _vectors() -> list[dict]:
    with open(RNG_VECTORS) as handle:
        return [{k: int(v) if k != "u" else float(v) for k, v in row.items()} for row in csv.DictReader(handle)]


def test_polars_draws_reproduce_every_vector():
    vectors = _vectors()
    assert len(vectors) >= 10
    for v in vectors:
        frame = pl.DataFrame({"employee_key": [v["employee_key"]]}, schema={"employee_key": pl.UInt64})
        drawn = with_draws(frame, "employee_key", v["seed"], v["year"], {"s": v["stream"]})
        h = drawn["h_s"][0]
        assert h == v["h"], v
        assert h / 2**32 == v["u"]


def test_polars_draws_equal_the_python_reference_in_bulk():
    keys = np.random.default_rng(3).integers(0, 2**63, 2000, dtype=np.uint64)
    drawn = with_draws(pl.DataFrame({"k": keys}), "k", 4_000_000_000, 2031, {"a": 1, "b": 14})
    for key, a, b in zip(keys[:300], drawn["h_a"][:300], drawn["h_b"][:300]):
        assert (a, b) == (draw_bits(4_000_000_000, int(key), 2031, 1), draw_bits(4_000_000_000, int(key), 2031, 14))


def test_draw_below_and_draw_is_below_are_exact_integer_rules():
    h = [0, 1, 2**31, 2**32 - 1]
    frame = pl.DataFrame({"h": h}, schema={"h": pl.UInt64})
    below = frame.select(draw_below(pl.col("h"), 365))["h"].to_list()
    assert below == [x * 365 // 2**32 for x in h]
    # p = 0.5 exactly: h / 2^32 < 0.5 holds for h < 2^31 only.
    is_below = frame.select(draw_is_below(pl.col("h"), pl.lit(50_000)))["h"].to_list()
    assert is_below == [True, True, False, False]
    assert frame.select(draw_is_below(pl.col("h"), pl.lit(0)))["h"].to_list() == [False] * 4
    assert frame.select(draw_is_below(pl.col("h"), pl.lit(100_000)))["h"].to_list() == [True] * 4


def test_weighted_sort_key_equals_duckdb_to_the_last_bit():
    rng = np.random.default_rng(11)
    n = 200_000
    frame = pl.DataFrame({"i": np.arange(n), "h": rng.integers(0, 2**32, n, dtype=np.uint64),
                          "w": rng.integers(0, 100_000, n)})
    ours = weighted_sort_key(frame, "h", "w").to_numpy()
    con = duckdb.connect()
    con.register("t", frame.to_arrow())
    theirs = con.sql("""select case when w > 0 then -ln(1.0 - h::double / 4294967296.0)
                                    / ((w::decimal(18, 0) * 0.00001::decimal(6, 5))::decimal(7, 5))::double
                                    else 'infinity'::double end as k from t order by i""").fetchnumpy()["k"]
    assert np.array_equal(ours, theirs)


def test_whole_years_and_add_years_follow_duckdb_at_month_ends_and_leap_days():
    starts = [date(2000, 2, 29), date(2000, 2, 28), date(2001, 2, 28), date(2000, 1, 31), date(1999, 12, 31),
              date(1980, 3, 1), date(1960, 7, 15), date(2024, 12, 31)]
    rng = np.random.default_rng(5)
    starts += [date(1950, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 27000, 400)]
    ends = [date(2025, 2, 28), date(2024, 2, 28), date(2024, 2, 29), date(2024, 1, 30), date(2025, 1, 1),
            date(2025, 12, 31), date(2026, 3, 31), date(2025, 6, 30)]
    pairs = [(s, e) for s in starts for e in ends if s <= e]
    frame = pl.DataFrame({"i": range(len(pairs)), "s": [p[0] for p in pairs], "e": [p[1] for p in pairs]})
    ours = frame.select(years=whole_years(pl.col("s"), pl.col("e")), plus=add_years(pl.col("s"), 21))
    con = duckdb.connect()
    con.register("t", frame.to_arrow())
    theirs = pl.from_arrow(con.sql("select date_sub('year', s, e) as years, (s + to_years(21))::date as plus "
                                   "from t order by i").to_arrow_table())
    assert ours["years"].to_list() == theirs["years"].to_list()
    assert ours["plus"].to_list() == theirs["plus"].to_list()


@pytest.mark.parametrize("numerator, denominator", [(5, 2), (-5, 2), (7, 3), (-7, 3), (1, 200000), (0, 7),
                                                    (2**62, 3), (-(2**61) - 1, 2)])
def test_rounding_ratios_half_away_from_zero_exactly(numerator, denominator):
    frame = pl.DataFrame({"n": [numerator], "d": [denominator]})
    expected = int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert frame.select(divide_round_half_away(pl.col("n"), pl.col("d"))).to_series()[0] == expected
    if numerator >= 0:
        assert frame.select(divide_round_half_up(pl.col("n"), pl.col("d"))).to_series()[0] == expected


def test_employee_order_key_sorts_as_employee_then_date_then_order():
    rng = np.random.default_rng(11)
    n = 5000
    frame = pl.DataFrame({
        "employee_id": pl.Series(rng.integers(0, 2**32 - 1, n), dtype=pl.UInt32),
        "day": [date(1900, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 80000, n)],
        "order": pl.Series(rng.integers(0, 16, n), dtype=pl.Int32),
    }).unique(["employee_id", "day", "order"])
    frame = pl.concat([frame, frame.head(50).with_columns(order=pl.lit(15, dtype=pl.Int32))]).unique()
    by_key = frame.sort(employee_order_key(pl.col("employee_id"), pl.col("day"), pl.col("order")))
    assert by_key.equals(frame.sort(["employee_id", "day", "order"]))


def test_employee_totals_equal_a_group_by_nulls_included():
    rng = np.random.default_rng(12)
    n = 3000
    frame = pl.DataFrame({
        "employee_id": pl.Series(np.sort(rng.integers(0, 700, n)), dtype=pl.UInt32),
        "amount": pl.Series([None if v % 7 == 0 else int(v) * 10**12 for v in rng.integers(0, 10**6, n)], dtype=pl.Int128),
        "rate": pl.Series(rng.integers(0, 100_000, n), dtype=pl.Int64),
    })
    ours = employee_totals(frame, ("amount",), ("rate",))
    theirs = frame.group_by("employee_id", maintain_order=True).agg(pl.col("amount").sum(), pl.col("rate").last())
    assert ours.equals(theirs)
