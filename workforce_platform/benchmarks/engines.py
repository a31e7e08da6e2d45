"""`workforce bench engines`: the two event engines side by side, in one process, on the same inputs.

1. One year (default 100,000 employees): the parameters and the year are built once with the SQL
   engine; then, alternately and `repeats` times each, the SQL models rebuild the year (one
   in-process `dbt run` of the per-year models) and the Polars engine rebuilds it (read, compute,
   write the same 17 tables). After every rebuild the year's tables are fingerprinted: both
   engines must leave the same fingerprints, or the benchmark fails. Reported: each engine's
   times (the median is the figure), the ratio SQL / Polars, peak memory.
2. End to end (default 60,000 x 5 years): `workforce bench run` once per engine in a fresh
   process, every gate and promotion included; the engine_parity gate is off in these runs (it
   would run the other engine too), so the figures are each engine's own cost.

Figures go to stdout and to OUT/engines.json. A benchmark, not a test: only the fingerprint
equality can fail it.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from workforce_platform.build.dbt_runner import PER_YEAR_SELECTOR, run_dbt_build
from workforce_platform.build.parameters import build_parameters
from workforce_platform.build.year import build_year
from workforce_platform.engines.polars_engine import compute_year
from workforce_platform.engines.polars_engine.inputs import read_year_inputs
from workforce_platform.engines.year_tables import write_year_tables
from workforce_platform.benchmarks.harness import Deadline, machine, prepare_instance, run_child
from workforce_platform.benchmarks.run import FIRST_YEAR, bench_scenario
from workforce_platform.census.generate import census_chunks, write_census
from workforce_platform.config.scenario import load_scenario
from workforce_platform.engines.selection import resolve_engine
from workforce_platform.engines.year_tables import YEAR_TABLES
from workforce_platform.runtime.execution import resolve_execution
from workforce_platform.runtime.fingerprint import table_fingerprint
from workforce_platform.runtime.monitoring import peak_rss_bytes


def _fingerprints(db: Path, scenario_id: str, year: int) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        where = f"scenario_id = '{scenario_id}' and simulation_year = {year}"
        return {t: table_fingerprint(con, f"main.{t}", where) for t in YEAR_TABLES}
    finally:
        con.close()


def side_by_side(employees: int, seed: int, repeats: int, workdir: Path) -> dict:
    census = write_census(census_chunks(employees, seed), workdir / "census.parquet")
    scenario = load_scenario(bench_scenario(workdir, census, 1, seed))
    db = workdir / "engines.duckdb"
    settings = resolve_execution(db)
    started = time.perf_counter()
    assert build_parameters(scenario, db, settings).success
    first = build_year(scenario, FIRST_YEAR, db, settings, engine=resolve_engine(scenario, "sql"))
    if not first.success:
        raise RuntimeError(f"the SQL build of {FIRST_YEAR} failed: {first.error}")
    setup_seconds = time.perf_counter() - started
    reference = _fingerprints(db, scenario.scenario_id, FIRST_YEAR)
    times: dict[str, list[float]] = {"sql": [], "polars": [], "polars_read": [], "polars_compute": [],
                                     "polars_write": []}
    mismatches: list[str] = []
    for repeat in range(repeats):
        for engine in ("sql", "polars"):
            started = time.perf_counter()
            if engine == "sql":
                result = run_dbt_build(scenario, FIRST_YEAR, db, settings, select=[PER_YEAR_SELECTOR], command="run")
                if not result.success:
                    raise RuntimeError(f"dbt run failed: {result.error}")
            else:
                con = duckdb.connect(str(db), config={"threads": settings.threads})
                try:
                    step = time.perf_counter()
                    inputs = read_year_inputs(con, scenario.scenario_id, FIRST_YEAR)
                    times["polars_read"].append(time.perf_counter() - step)
                    step = time.perf_counter()
                    frames = compute_year(inputs)
                    times["polars_compute"].append(time.perf_counter() - step)
                    step = time.perf_counter()
                    write_year_tables(con, scenario.scenario_id, FIRST_YEAR, frames)
                    times["polars_write"].append(time.perf_counter() - step)
                finally:
                    con.close()
            times[engine].append(time.perf_counter() - started)
            after = _fingerprints(db, scenario.scenario_id, FIRST_YEAR)
            mismatches += [f"{engine} run {repeat + 1}: {t}" for t in YEAR_TABLES if after[t] != reference[t]]
    con = duckdb.connect(str(db), read_only=True)
    try:
        events, rows = con.execute("select count(*), count(distinct employee_id) from main.fct_yearly_events").fetchall()[0]
    finally:
        con.close()
    median = {name: statistics.median(values) for name, values in times.items()}
    generation = median["polars_read"] + median["polars_compute"]
    return {"employees": employees, "events": events, "employees_with_events": rows, "setup_seconds": setup_seconds,
            "seconds": times, "median": median, "sql_median": median["sql"], "polars_median": median["polars"],
            "polars_generation_median": generation,
            "ratio_sql_over_polars": median["sql"] / median["polars"],
            "ratio_sql_over_polars_generation": median["sql"] / generation,
            "identical_tables": not mismatches, "mismatches": mismatches,
            "threads": settings.threads, "peak_rss_mib": peak_rss_bytes() / 2**20}


def run_engines(employees: int, e2e_employees: int, e2e_years: int, skip_e2e: bool, repeats: int, out: Path,
                seed: int, timeout: int) -> int:
    deadline = Deadline(timeout)
    out.mkdir(parents=True, exist_ok=True)
    print(f"engines side by side: {employees:,} employees x 1 year, {repeats} timed rebuilds each, one process")
    with tempfile.TemporaryDirectory(prefix="workforce-engines-") as tmp:
        year = side_by_side(employees, seed, repeats, Path(tmp))
    print(f"  setup (census, parameters, first SQL build) {year['setup_seconds']:.1f} s; {year['events']:,} events")
    seconds, median = year["seconds"], year["median"]
    print(f"  sql models (dbt run: compute and write the 17 tables)  "
          f"{', '.join(f'{t:.2f}' for t in seconds['sql'])} s   median {median['sql']:.2f} s")
    print(f"  polars engine (read, compute, write the 17 tables)     "
          f"{', '.join(f'{t:.2f}' for t in seconds['polars'])} s   median {median['polars']:.2f} s")
    print(f"    of which read {median['polars_read']:.2f} s, compute {median['polars_compute']:.2f} s, "
          f"write {median['polars_write']:.2f} s")
    print(f"  ratio        sql / polars = {year['ratio_sql_over_polars']:.1f}x with writing; "
          f"{year['ratio_sql_over_polars_generation']:.1f}x for the generation alone (read + compute)   "
          f"({year['threads']} threads)")
    print(f"  tables       {'identical after every rebuild' if year['identical_tables'] else 'DIFFERENT: ' + '; '.join(year['mismatches'])}")
    figures = {"machine": machine(), "year": year, "end_to_end": {}}
    if not skip_e2e:
        prepare_instance(out)
        print(f"end to end: {e2e_employees:,} x {e2e_years} years, every gate and promotion, fresh process per engine "
              "(engine_parity gate off)")
        for engine in ("sql", "polars"):
            child = run_child(f"engines_e2e_{engine}", ["--employees", str(e2e_employees), "--years", str(e2e_years),
                                                         "--seed", str(seed), "--engine", engine, "--no-engine-parity"],
                              out, deadline)
            f = child.figures or {}
            figures["end_to_end"][engine] = {"process_seconds": child.process_seconds, "success": child.success,
                                             "peak_rss_mib": f.get("peak_rss_bytes", 0) / 2**20,
                                             "stages": f.get("stages", {}), "log": str(child.log_path)}
            print(f"  {engine:<7} {'ok' if child.success else 'FAILED'}  {child.process_seconds:7.1f} s  peak "
                  f"{f.get('peak_rss_bytes', 0) / 2**20:,.0f} MiB  stages "
                  + ", ".join(f"{k} {v:.1f}s" for k, v in f.get("stages", {}).items() if v))
        e2e = figures["end_to_end"]
        if all(e2e[e]["success"] for e in e2e):
            print(f"  ratio   sql / polars = {e2e['sql']['process_seconds'] / e2e['polars']['process_seconds']:.2f}x")
    (out / "engines.json").write_text(json.dumps(figures, indent=2, default=str))
    print(f"figures: {out / 'engines.json'}")
    ok = year["identical_tables"] and all(v["success"] for v in figures["end_to_end"].values())
    return 0 if ok else 1
