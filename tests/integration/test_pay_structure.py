"""The non-blocking check `pay_structure_drift` on real runs: DuckDB's integer average equals the
Python reference, the defaults keep pay and bands together, and raises that outrun the bands are
warned about without blocking the year."""

from __future__ import annotations

import duckdb
from dagster import AssetCheckEvaluation, AssetCheckKey, AssetCheckSeverity, DagsterInstance

from tests.integration.conftest import SEED
from workforce_platform.defs.asset_keys import scenario_key
from workforce_platform.checks.pay_structure import (
    PAY_STRUCTURE_ASSET, PAY_STRUCTURE_CHECK, average_compa_ratio, average_millionths, compa_ratio_millionths,
    pay_structure_drift,
)
from workforce_platform.cli import main


def test_the_average_compa_ratio_is_the_reference_and_the_defaults_keep_it(runs):
    con = runs.connect(seed=SEED)
    try:
        for year in range(2025, 2030):
            rows = con.execute("""
                select (s.annual_compensation * 100)::bigint, (b.min_compensation * 100)::bigint,
                       (b.max_compensation * 100)::bigint
                from fct_workforce_snapshot s
                join int_new_hire_pay_bands_indexed b on b.level_id = s.level_id and b.plan_year = s.simulation_year
                where s.simulation_year = ? and s.employment_status = 'active'""", [year]).fetchall()
            expected = average_millionths(compa_ratio_millionths(*row) for row in rows)
            assert average_compa_ratio(con, "test_scenario", year) == expected
            drift = pay_structure_drift(con, "test_scenario", year, 2025)
            assert drift.passed and abs(drift.drift) < 50_000, drift  # within 5% at the defaults
        assert average_compa_ratio(con, "test_scenario", 2031) is None
    finally:
        con.close()


def test_raises_that_outrun_the_bands_warn_without_blocking(scenario_factory, tmp_path, capsys):
    """8% merit on 2% bands: the compa-ratio climbs more than 10% within four years; the years are
    published all the same, with the warning printed and recorded on the year."""
    scenario = scenario_factory(end_year=2028, compensation={"merit_by_level": {level: 0.08 for level in range(1, 6)}})
    db = tmp_path / "drift.duckdb"
    assert main(["simulate", "--scenario", str(scenario), "--db", str(db), "--no-engine-parity"]) == 0
    out = capsys.readouterr().out
    assert f"warning: year 2028: {PAY_STRUCTURE_CHECK}: average compa-ratio moved +" in out, out
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert [r[0] for r in con.execute("select simulation_year from published.promotions order by 1").fetchall()] == [
            2025, 2026, 2027, 2028]
        drift = pay_structure_drift(con, "test_scenario", 2028, 2025)
    finally:
        con.close()
    assert not drift.passed and drift.drift > 100_000
    key = AssetCheckKey(scenario_key("test_scenario", PAY_STRUCTURE_ASSET), PAY_STRUCTURE_CHECK)
    latest = {}
    for record in DagsterInstance.get().event_log_storage.get_asset_check_execution_history(key, limit=20):
        evaluation = record.event.dagster_event.event_specific_data if record.event and record.event.dagster_event else None
        if isinstance(evaluation, AssetCheckEvaluation):
            latest.setdefault(evaluation.partition, evaluation)
    assert latest["2025"].passed
    assert latest["2028"].passed is False and latest["2028"].severity == AssetCheckSeverity.WARN
    assert "more than +10.00%" in latest["2028"].description
