"""`workforce bench`: one end-to-end run on a generated census, with its figures.

Prints wall time (total and per stage), peak memory and throughput. A benchmark, not a test: it
asserts nothing about time.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Optional

import yaml

from workforce_platform.census.generate import generate_census, write_census


def run_bench(employees: int, years: int, threads: Optional[int], seed: int) -> int:
    from workforce_platform.orchestration.simulate import run_simulation

    with tempfile.TemporaryDirectory(prefix="workforce-bench-") as tmp:
        folder = Path(tmp)
        census = write_census(generate_census(employees, seed), folder / "census.parquet")
        scenario = folder / "bench.yaml"
        scenario.write_text(yaml.safe_dump({
            "scenario_id": "bench", "start_year": 2025, "end_year": 2024 + years,
            "random_seed": seed, "census_path": census.name,
        }))
        started = time.perf_counter()
        report = run_simulation(scenario, db_path=folder / "bench.duckdb", threads=threads,
                                progress=lambda line: None)
        wall = time.perf_counter() - started
        employee_years = sum(row[1] for row in report.summary)
    stages = ", ".join(f"{r.label} {r.seconds:.2f}s" for r in report.runs)
    print(f"bench {employees:,} employees x {years} years: {'ok' if report.success else 'FAILED'}")
    print(f"  wall time      {wall:.2f} s  (runs: {stages})")
    print(f"  start-up       {wall - sum(r.seconds for r in report.runs):.2f} s  (imports, dbt parse, definitions)")
    print(f"  peak memory    {report.peak_rss_bytes / 2**20:.0f} MiB")
    print(f"  throughput     {employee_years / wall:,.0f} employee-years/s")
    return 0 if report.success else 1
