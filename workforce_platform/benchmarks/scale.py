"""`workforce bench scale`: how time and memory grow with the workforce and with threads.

Every run is a fresh `workforce bench run` process on a generated census, end to end through
Dagster (parameters, every year's dbt build, gates and promotion). The analysis fits a line of
wall time against employee-years (slope, R², p-value), measures memory growth per 1,000
employees and the threading speed-up, and gives verdicts against the thresholds below.
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path
from typing import Callable, Optional

from workforce_platform.benchmarks.harness import ChildRun, Deadline, machine, prepare_instance, run_child
from workforce_platform.benchmarks.scenarios import ALL_SCALE_SCENARIOS, PREVIOUS_DEFAULTS
from workforce_platform.benchmarks.reports import FAIL, PASS, SKIP, TIMEOUT, BenchReport, Verdict
from workforce_platform.benchmarks.stats import linear_fit
from workforce_platform.census.generate import census_chunks, write_census
from workforce_platform.runtime.execution import machine_cores


R_SQUARED_FLOOR = 0.90  # the older system's linearity bar
R_SQUARED_TARGET = 0.99
THREADING_EFFICIENCY_FLOOR = 0.60
PEAK_RSS_CEILING_BYTES = 2**30
MEMORY_GROWTH_CEILING_MIB_PER_1K = 20.0
SPEED_TARGETS_SECONDS = {"medium": 7.0, "stress": 20.0, "huge": 240.0}

STAGE_NAMES = ("parameters", "inputs", "dbt", "engine_python", "checks", "publish", "dagster")

DEFAULTS, PREVIOUS = "defaults", "previous defaults"

RUN_COLUMNS = [
    ("scenario", "scenario"), ("variant", "variant"), ("employees", "employees"), ("years", "years"), ("threads", "threads"),
    ("run", "run"), ("status", "status"), ("wall_seconds", "wall s"), ("startup_seconds", "start-up s"),
    ("cpu_seconds", "CPU s"), ("cpu_utilisation", "CPU use"), ("peak_rss_mib", "peak RSS MiB"),
    ("events", "events"), ("events_per_second", "events/s"), ("employee_years_per_second", "employee-years/s"),
    *((f"stage_{s}", f"{s} s") for s in STAGE_NAMES),
]


def _thread_counts() -> list[int]:
    return sorted({1, 2, machine_cores()})


def plan_runs(scenarios: list[str], runs: int, versus_previous_defaults: bool = False
              ) -> list[tuple[str, int, int, Optional[int], int, str]]:
    """(scenario, employees, years, threads or None for the level's, run number, variant); with
    `versus_previous_defaults`, each run of today's defaults is followed by one of the previous."""
    plan = []
    variants = (DEFAULTS, PREVIOUS) if versus_previous_defaults else (DEFAULTS,)
    for name in scenarios:
        employees, years = ALL_SCALE_SCENARIOS[name]
        threads_list = _thread_counts() if name == "threading" else [None]
        for threads in threads_list:
            for k in range(1, runs + 1):
                plan += [(name, employees, years, threads, k, variant) for variant in variants]
    return plan


def _row(name: str, employees: int, years: int, threads: Optional[int], k: int, variant: str,
         child: ChildRun) -> dict:
    figures = child.figures or {}
    row = {
        "scenario": name, "variant": variant, "employees": employees, "years": years,
        "threads": figures.get("threads", threads), "run": k,
        "status": "ok" if child.success else ("timeout" if child.timed_out else "FAILED"),
        "wall_seconds": child.process_seconds,
        "run_seconds": figures.get("run_seconds"),
        # Spawn to exit, less the Dagster runs: interpreter, imports, dbt parse, definitions.
        "startup_seconds": child.process_seconds - figures["run_seconds"] if figures else None,
        "cpu_seconds": child.process_cpu_seconds,
        "cpu_utilisation": child.process_cpu_seconds / (child.process_seconds * machine_cores()),
        "peak_rss_mib": figures["peak_rss_bytes"] / 2**20 if figures else None,
        "events": figures.get("events"), "employee_years": figures.get("employee_years"),
        "message": "" if child.success else child.failure(),
    }
    if figures:
        row["events_per_second"] = figures["events"] / child.process_seconds
        row["employee_years_per_second"] = figures["employee_years"] / child.process_seconds
        for stage in STAGE_NAMES:
            row[f"stage_{stage}"] = figures["stages"].get(stage, 0.0)
    return row


def analyse(rows: list[dict], advisory_timing: bool) -> tuple[dict, list[Verdict]]:
    analysis: dict = {}
    speedups = _speedups_versus_previous_defaults(rows)
    if speedups:
        analysis["speedup_versus_previous_defaults"] = speedups
    rows = [r for r in rows if r.get("variant", DEFAULTS) == DEFAULTS]
    ok = [r for r in rows if r["status"] == "ok"]
    timing_enforced = not advisory_timing
    failed = [r for r in rows if r["status"] == "FAILED"]
    verdicts = [Verdict(
        "correctness", "correctness", PASS if not failed and ok else FAIL,
        f"{len(ok)}/{len(rows)} runs published every year with every gate passing", "all runs",
        "; ".join(f"{r['scenario']} run {r['run']}: {r['message']}" for r in failed)[:500])]
    # Scaling points: every scenario at the level's threads (the threading scenario's all-cores runs).
    cores = machine_cores()
    points = [r for r in ok if r["scenario"] != "threading" or r["threads"] == cores]
    verdicts += _memory_verdicts(ok, points, analysis)
    verdicts += _linearity_verdicts(points, analysis, timing_enforced)
    verdicts += _threading_verdicts(rows, ok, analysis, timing_enforced)
    for name, target in SPEED_TARGETS_SECONDS.items():
        runs = [r for r in ok if r["scenario"] == name]
        if runs:
            best = min(r["wall_seconds"] for r in runs)
            employees, years = ALL_SCALE_SCENARIOS[name]
            verdicts.append(Verdict(f"speed_{name}", "timing", PASS if best <= target else FAIL,
                                    f"{best:.1f} s (best of {len(runs)})", f"<= {target:.0f} s for {employees:,} x {years}",
                                    enforced=timing_enforced))
    analysis["where_the_time_goes"] = {
        name: {stage: round(statistics.mean(r[f"stage_{stage}"] for r in group), 3) for stage in STAGE_NAMES}
        | {"startup": round(statistics.mean(r["startup_seconds"] for r in group), 3),
           "wall": round(statistics.mean(r["wall_seconds"] for r in group), 3)}
        for name in dict.fromkeys(r["scenario"] for r in points)
        if (group := [r for r in points if r["scenario"] == name])
    }
    return analysis, verdicts


def _speedups_versus_previous_defaults(rows: list[dict]) -> dict:
    """Per scenario: the median wall time of today's defaults and of the previous ones, measured in
    this invocation, and their ratio."""
    result = {}
    for name in dict.fromkeys(r["scenario"] for r in rows):
        walls = {variant: [r["wall_seconds"] for r in rows if r["scenario"] == name and r.get("variant") == variant
                           and r["status"] == "ok"] for variant in (DEFAULTS, PREVIOUS)}
        if walls[DEFAULTS] and walls[PREVIOUS]:
            today, before = statistics.median(walls[DEFAULTS]), statistics.median(walls[PREVIOUS])
            result[name] = {"defaults_wall_seconds": round(today, 2), "previous_defaults_wall_seconds": round(before, 2),
                            "speedup": round(before / today, 2)}
    return result


def _memory_verdicts(ok: list[dict], points: list[dict], analysis: dict) -> list[Verdict]:
    """The largest peak, and the peak's growth with the workforce (a straight-line fit)."""
    verdicts = []
    peak = max((r["peak_rss_mib"] for r in ok), default=None)
    if peak is not None:
        verdicts.append(Verdict("peak_memory", "memory", PASS if peak * 2**20 <= PEAK_RSS_CEILING_BYTES else FAIL,
                                f"{peak:.0f} MiB", f"<= {PEAK_RSS_CEILING_BYTES / 2**20:.0f} MiB",
                                "largest peak RSS of a run's process tree"))
    if len({r["employees"] for r in points}) >= 2:
        growth = linear_fit([r["employees"] for r in points], [r["peak_rss_mib"] for r in points])
        per_1k = growth.slope * 1000
        analysis["memory_growth_mib_per_1k_employees"] = round(per_1k, 2)
        analysis["memory_fit"] = growth.as_dict()
        verdicts.append(Verdict("memory_growth", "memory", PASS if per_1k <= MEMORY_GROWTH_CEILING_MIB_PER_1K else FAIL,
                                f"{per_1k:.1f} MiB per 1,000 employees",
                                f"<= {MEMORY_GROWTH_CEILING_MIB_PER_1K:.0f} MiB per 1,000 employees"))
    else:
        verdicts.append(Verdict("memory_growth", "memory", SKIP, "", f"<= {MEMORY_GROWTH_CEILING_MIB_PER_1K:.0f} MiB per 1,000",
                                "needs runs at two workforce sizes at least"))
    return verdicts


def _linearity_verdicts(points: list[dict], analysis: dict, timing_enforced: bool) -> list[Verdict]:
    """Wall time against employee-years: a straight line (R²)."""
    if len({r["employee_years"] for r in points}) < 3:
        return [Verdict(name, "timing", SKIP, "", f"R² >= {floor}",
                        "needs three workforce sizes at least (run without --quick)", enforced=timing_enforced)
                for name, floor in (("linearity", R_SQUARED_FLOOR), ("linearity_target", R_SQUARED_TARGET))]
    fit = linear_fit([r["employee_years"] for r in points], [r["wall_seconds"] for r in points])
    run_fit = linear_fit([r["employee_years"] for r in points], [r["run_seconds"] for r in points])
    analysis["time_fit"] = {**fit.as_dict(), "x": "employee-years", "y": "wall seconds",
                            "seconds_per_1k_employee_years": fit.slope * 1000}
    analysis["time_fit_excluding_startup"] = {**run_fit.as_dict(), "seconds_per_1k_employee_years": run_fit.slope * 1000}
    p = "n/a" if fit.p_value is None else f"{fit.p_value:.2g}"
    measured = f"R² {fit.r_squared:.4f} (slope {fit.slope * 1000:.3f} s per 1,000 employee-years, p {p})"
    return [Verdict(name, "timing", PASS if fit.r_squared >= floor else FAIL, measured, f"R² >= {floor}",
                    enforced=timing_enforced)
            for name, floor in (("linearity", R_SQUARED_FLOOR), ("linearity_target", R_SQUARED_TARGET))]


def _threading_verdicts(rows: list[dict], ok: list[dict], analysis: dict, timing_enforced: bool) -> list[Verdict]:
    """The threading scenario's speed-up from one thread to all cores."""
    threading = [r for r in ok if r["scenario"] == "threading"]
    by_threads = {t: statistics.mean(r["run_seconds"] for r in threading if r["threads"] == t)
                  for t in sorted({r["threads"] for r in threading})}
    if 1 in by_threads and len(by_threads) > 1:
        top = max(by_threads)
        speedups = {t: by_threads[1] / s for t, s in by_threads.items()}
        analysis["threading"] = {str(t): {"run_seconds": round(by_threads[t], 3), "speedup": round(speedups[t], 3),
                                          "efficiency": round(speedups[t] / t, 3)} for t in by_threads}
        efficiency = speedups[top] / top
        return [Verdict("threading_efficiency", "timing", PASS if efficiency >= THREADING_EFFICIENCY_FLOOR else FAIL,
                        f"{efficiency:.0%} at {top} threads (speed-up {speedups[top]:.2f}x, runs excluding start-up)",
                        f">= {THREADING_EFFICIENCY_FLOOR:.0%}", enforced=timing_enforced)]
    if "threading" in {r["scenario"] for r in rows}:
        return [Verdict("threading_efficiency", "timing", SKIP, "", f">= {THREADING_EFFICIENCY_FLOOR:.0%}",
                        "the one-thread or the many-thread runs did not finish", enforced=timing_enforced)]
    return []


def run_scale(scenarios: list[str], runs: int, out: Path, timeout: float, seed: int, advisory_timing: bool,
              command: str, progress: Callable[[str], None] = print, keep: bool = False,
              run_options: Optional[list[str]] = None, versus_previous_defaults: bool = False) -> BenchReport:
    """`run_options` go to every measured run (`workforce bench run`): engine, parity gate, years per run."""
    started = time.perf_counter()
    deadline = Deadline(timeout)
    report = BenchReport(name="scale", title="Scale benchmark", command=command, machine=machine(),
                         run_columns=RUN_COLUMNS)
    censuses: dict[int, Path] = {}
    plan = plan_runs(scenarios, runs, versus_previous_defaults)
    progress(f"bench scale: {len(plan)} runs ({', '.join(scenarios)}), reports in {out}")
    prepare_instance(out)
    for index, (name, employees, years, threads, k, variant) in enumerate(plan, start=1):
        if deadline.remaining() <= 0:
            report.timed_out = True
            break
        if employees not in censuses:
            censuses[employees] = write_census(census_chunks(employees, seed), out / "census" / f"census_{employees}.parquet")
        label = (f"{name}-{employees}x{years}" + (f"-t{threads}" if threads else "") + f"-run{k}"
                 + ("-previous-defaults" if variant == PREVIOUS else ""))
        workdir = out / "work" / label
        args = ["--employees", str(employees), "--years", str(years), "--seed", str(seed),
                "--census", str(censuses[employees]), "--workdir", str(workdir)]
        if threads:
            args += ["--threads", str(threads)]
        args += list(PREVIOUS_DEFAULTS) if variant == PREVIOUS else (run_options or [])
        child = run_child(label, args, out, deadline)
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
        row = _row(name, employees, years, threads, k, variant, child)
        report.runs.append(row)
        report.timed_out = report.timed_out or child.timed_out
        figures = (f"{row['wall_seconds']:.1f} s, peak {row['peak_rss_mib']:.0f} MiB, "
                   f"{row['employee_years_per_second']:,.0f} employee-years/s") if child.figures else row["message"]
        progress(f"  [{index}/{len(plan)}] {label:<32} {row['status']:<7} {figures}")
        if child.timed_out:
            break
    report.analysis, report.verdicts = analyse(report.runs, advisory_timing)
    if report.timed_out:
        report.verdicts.append(Verdict("time_limit", "correctness", TIMEOUT, f"{len(report.runs)}/{len(plan)} runs",
                                       f"--timeout {timeout:.0f} s", "the benchmark was stopped at its time limit"))
    report.notes.append("Wall time is spawn to exit of a fresh process: interpreter, imports, dbt parse, the "
                        "parameters run and every year, each year's gates and promotion.")
    report.notes.append("Stages: parameters (seeds and staging), inputs (census validation and scenario tables), "
                        "dbt (the year's models and tests), engine_python (the Polars engine; 0 with the SQL engine), "
                        "checks (invariant catalogue and fingerprints), publish (promotion), dagster (the runs' time "
                        "outside the stages).")
    if advisory_timing:
        report.notes.append("Timing verdicts are advisory in this run (--advisory-timing): reported, not enforced.")
    report.wall_seconds = time.perf_counter() - started
    return report
