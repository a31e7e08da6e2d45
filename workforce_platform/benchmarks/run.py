"""`workforce bench run`: one measured end-to-end run on a generated census.

Prints wall time (total, start-up and per stage), CPU, peak memory of the process tree and
throughput, and with `--json` writes them for the scale and parity harnesses, which start each
measured run as a fresh process. A benchmark, not a test: it asserts nothing about time.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Optional

import duckdb
import yaml

from workforce_platform.census.generate import census_chunks, write_census

BENCH_SCENARIO_ID = "bench"
FIRST_YEAR = 2025


def bench_scenario(folder: Path, census: Path, years: int, seed: int) -> Path:
    """A scenario file for `years` years from 2025 on the given census, with the bundled defaults."""
    scenario = folder / "bench.yaml"
    scenario.write_text(yaml.safe_dump({
        "scenario_id": BENCH_SCENARIO_ID, "start_year": FIRST_YEAR, "end_year": FIRST_YEAR + years - 1,
        "random_seed": seed, "census_path": str(census.resolve()),
    }))
    return scenario


def count_events(db_path: Path, years: list[int]) -> int:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(
            "select count(*) from main.fct_yearly_events where scenario_id = ? and simulation_year between ? and ?",
            [BENCH_SCENARIO_ID, min(years), max(years)]).fetchall()[0][0]
    finally:
        con.close()


def measure_run(
    employees: int,
    years: int,
    seed: int,
    workdir: Path,
    threads: Optional[int] = None,
    optimization: Optional[str] = None,
    census: Optional[Path] = None,
    run_years: Optional[list[int]] = None,
    engine: Optional[str] = None,
    engine_parity: Optional[bool] = None,
    event_shards: Optional[int] = None,
    years_per_run: Optional[int] = None,
) -> dict:
    """Runs the scenario through Dagster in this process and returns its figures."""
    process_started = time.perf_counter()
    # Imported here, inside the measured time: importing Dagster and the definitions is part of a run.
    from workforce_platform.commands.simulate import run_simulation

    workdir.mkdir(parents=True, exist_ok=True)
    if census is None:
        census = write_census(census_chunks(employees, seed), workdir / "census.parquet")
    scenario = bench_scenario(workdir, census, years, seed)
    db_path = workdir / "bench.duckdb"
    report = run_simulation(scenario, years=run_years, db_path=db_path, threads=threads,
                            optimization=optimization, progress=lambda line: None, engine=engine,
                            engine_parity=engine_parity, event_shards=event_shards, years_per_run=years_per_run)
    chosen_years = run_years or list(range(FIRST_YEAR, FIRST_YEAR + years))
    employee_years = sum(row[1] for row in report.summary)  # starting headcount of each year
    events = count_events(db_path, chosen_years) if report.success else 0
    settings = report.settings
    return {
        "employees": employees, "years": years, "run_years": [min(chosen_years), max(chosen_years)],
        "seed": seed, "success": report.success, "engine": engine or "sql",
        "engine_parity": engine_parity is not False,
        "message": "" if report.success else next((r.message for r in report.runs if not r.success), ""),
        "optimization": settings.level if settings else optimization,
        "threads": settings.threads if settings else threads,
        "memory_limit": settings.memory_limit if settings else None,
        "shards": settings.shards if settings else None,
        # run_seconds: the Dagster runs (parameters and years); startup_seconds: everything before
        # and between them in this process (imports, dbt parse, definitions, census generation).
        "run_seconds": sum(r.seconds for r in report.runs),
        "startup_seconds": time.perf_counter() - process_started - sum(r.seconds for r in report.runs),
        "cpu_seconds": report.cpu_seconds,
        "cpu_utilisation": report.cpu_utilisation,
        "peak_rss_bytes": report.peak_rss_bytes,
        "events": events,
        "employee_years": employee_years,
        # The Polars engine's compute and write are attributed as "polars" (0 with the sql engine).
        "stages": {**{k: v for k, v in report.stages.items() if k != "polars"},
                   "engine_python": report.stages.get("polars", 0.0), "dagster": report.dagster_overhead_seconds},
        "runs": [{"label": r.label, "success": r.success, "seconds": r.seconds} for r in report.runs],
        "db_path": str(db_path),
    }


def run_bench(employees: int, years: int, threads: Optional[int], seed: int, optimization: Optional[str] = None,
              workdir: Optional[Path] = None, census: Optional[Path] = None, run_years: Optional[list[int]] = None,
              json_out: Optional[Path] = None, engine: Optional[str] = None, engine_parity: Optional[bool] = None,
              event_shards: Optional[int] = None, years_per_run: Optional[int] = None) -> int:
    """The command: prints the figures (and writes them as JSON when asked)."""
    started = time.perf_counter()
    options = dict(engine=engine, engine_parity=engine_parity, event_shards=event_shards, years_per_run=years_per_run)
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="workforce-bench-") as tmp:
            figures = measure_run(employees, years, seed, Path(tmp), threads, optimization, census, run_years, **options)
    else:
        figures = measure_run(employees, years, seed, workdir, threads, optimization, census, run_years, **options)
    wall = time.perf_counter() - started
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(figures, indent=2))
    stages = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in figures["stages"].items())
    print(f"bench {employees:,} employees x {years} years: {'ok' if figures['success'] else 'FAILED'} "
          f"(engine {figures['engine']}{'' if figures['engine_parity'] else ', parity gate off'}, "
          f"optimization {figures['optimization']}, {figures['threads']} threads)")
    if not figures["success"]:
        print(f"  {figures['message']}")
    print(f"  wall time      {wall:.2f} s  (runs {figures['run_seconds']:.2f} s; start-up and the rest "
          f"{wall - figures['run_seconds']:.2f} s: imports, dbt parse, definitions)")
    print(f"  stages         {stages}")
    print(f"  cpu            {figures['cpu_seconds']:.1f} s ({figures['cpu_utilisation']:.0%} of the machine)")
    print(f"  peak memory    {figures['peak_rss_bytes'] / 2**20:.0f} MiB (process tree)")
    print(f"  throughput     {figures['employee_years'] / wall:,.0f} employee-years/s, {figures['events'] / wall:,.0f} events/s")
    return 0 if figures["success"] else 1
