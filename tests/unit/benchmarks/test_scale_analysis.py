"""The scale analysis on known figures: fits, memory growth, threading and verdicts."""

import pytest

from workforce_platform.benchmarks.scale import STAGE_NAMES, analyse, plan_runs
from workforce_platform.runtime.execution import machine_cores


def _row(scenario, employees, years, wall, peak_mib, threads=2, status="ok", run_seconds=None):
    row = {"scenario": scenario, "employees": employees, "years": years, "threads": threads, "run": 1,
           "status": status, "wall_seconds": wall, "run_seconds": run_seconds or wall - 3,
           "startup_seconds": 3.0, "peak_rss_mib": peak_mib, "employee_years": employees * years,
           "message": "" if status == "ok" else "dbt build failed"}
    row.update({f"stage_{s}": 0.1 for s in STAGE_NAMES})
    return row


def _verdicts(rows, advisory=False):
    analysis, verdicts = analyse(rows, advisory)
    return analysis, {v.name: v for v in verdicts}


def test_linear_growth_passes_and_reports_the_fit():
    cores = machine_cores()
    rows = [_row("small", 1000, 3, 4.0 + 0.001 * 3000, 300), _row("medium", 5000, 5, 4.0 + 0.001 * 25000, 340),
            _row("large", 10000, 5, 4.0 + 0.001 * 50000, 390), _row("stress", 20000, 10, 4.0 + 0.001 * 200000, 490),
            _row("threading", 8000, 7, 4.0 + 0.001 * 56000, 370, threads=cores)]
    analysis, verdicts = _verdicts(rows)
    assert analysis["time_fit"]["slope"] == pytest.approx(0.001)
    assert verdicts["linearity"].status == "pass" and verdicts["linearity_target"].status == "pass"
    assert analysis["memory_growth_mib_per_1k_employees"] == pytest.approx(10.0, abs=0.5)
    assert verdicts["memory_growth"].status == "pass" and verdicts["peak_memory"].status == "pass"
    assert verdicts["speed_stress"].status == "fail" and verdicts["speed_stress"].enforced
    assert verdicts["correctness"].status == "pass"


def test_threading_efficiency():
    rows = [_row("threading", 8000, 7, 23.0, 370, threads=1, run_seconds=20.0),
            _row("threading", 8000, 7, 15.5, 370, threads=2, run_seconds=12.5)]
    analysis, verdicts = _verdicts(rows)
    assert analysis["threading"]["2"]["speedup"] == pytest.approx(1.6)
    assert analysis["threading"]["2"]["efficiency"] == pytest.approx(0.8)
    if machine_cores() == 2:
        assert verdicts["threading_efficiency"].status == "pass"


def test_failed_run_fails_correctness_and_advisory_timing_is_not_enforced():
    rows = [_row("small", 1000, 3, 9.0, 300), _row("medium", 5000, 5, 30.0, 2000, status="FAILED")]
    analysis, verdicts = _verdicts(rows, advisory=True)
    assert verdicts["correctness"].status == "fail" and "dbt build failed" in verdicts["correctness"].detail
    assert verdicts["linearity"].status == "skip"
    assert verdicts["peak_memory"].status == "pass"  # only finished runs count


def test_quick_plan_and_threading_plan():
    assert [p[0] for p in plan_runs(["small", "medium"], 2)] == ["small", "small", "medium", "medium"]
    threads = [p[3] for p in plan_runs(["threading"], 1)]
    assert threads == sorted({1, 2, machine_cores()})


def test_runs_beside_the_previous_defaults_report_the_speedup_and_leave_the_fits_to_todays():
    plan = plan_runs(["medium"], 2, versus_previous_defaults=True)
    assert [(p[4], p[5]) for p in plan] == [(1, "defaults"), (1, "previous defaults"),
                                            (2, "defaults"), (2, "previous defaults")]
    rows = [dict(_row("medium", 5000, 5, wall, 500), variant=variant)
            for wall, variant in ((8.0, "defaults"), (20.0, "previous defaults"),
                                  (10.0, "defaults"), (16.0, "previous defaults"))]
    analysis, verdicts = _verdicts(rows)
    # medians: today's 9.0 s, the previous 18.0 s
    assert analysis["speedup_versus_previous_defaults"]["medium"] == {
        "defaults_wall_seconds": 9.0, "previous_defaults_wall_seconds": 18.0, "speedup": 2.0}
    assert verdicts["speed_medium"].measured.startswith("8.0 s (best of 2)")  # today's runs only


def test_the_large_employers_are_run_only_when_named():
    from workforce_platform.benchmarks.scenarios import ALL_SCALE_SCENARIOS, SCALE_SCENARIOS

    assert ALL_SCALE_SCENARIOS["huge"] == (1_000_000, 10) and ALL_SCALE_SCENARIOS["large_employer"] == (250_000, 5)
    assert "huge" not in SCALE_SCENARIOS and "large_employer" not in SCALE_SCENARIOS
    assert [p[:3] for p in plan_runs(["huge"], 1)] == [("huge", 1_000_000, 10)]
