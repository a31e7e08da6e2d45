"""Several scenarios, or one scenario's seed variants, side by side.

Each scenario runs as its own `workforce simulate` process (its own DuckDB file, its own lock, its
years in order, its runs recorded in the shared Dagster instance under its own asset keys), at
most `workers` at once, in the order given. Each process's output goes to a log file; the batch
reports each scenario as it finishes, then the total time and the speed-up against running the
scenarios one after another: measured in the same invocation with `measure_speedup` (first one
after another, then side by side, both reloading the parameters so that they do the same work),
else estimated from the scenarios' own times.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Optional, Sequence

import yaml

from workforce_platform.build.inputs import default_db_path
from workforce_platform.commands.instance import ensure_dagster_home, prepare_shared_instance
from workforce_platform.config.scenario import Scenario, load_scenario
from workforce_platform.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, WorkforceInputError
from workforce_platform.paths import DATA_DIR, databases_dir
from workforce_platform.reports.ensemble import (
    ensemble_years, format_ensemble, published_year_figures, write_ensemble_csv,
)
from workforce_platform.text_table import right_aligned

MAX_WORKERS = 10
MAX_SEEDS = 1000


def parse_seeds(text: str) -> list[int]:
    """`1-20`, `1,5,9` or `1-5,9` → the seeds in the order given; each 0-4294967295, no repeats."""
    seeds: list[int] = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not match:
            raise WorkforceInputError(f"--seeds '{text}': '{part}' is not a seed or a range like 1-20")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if last < first:
            raise WorkforceInputError(f"--seeds '{text}': the range {part.strip()} ends before it starts")
        if last >= 2**32:
            raise WorkforceInputError(f"--seeds '{text}': seeds are between 0 and 4294967295")
        if len(seeds) + last - first + 1 > MAX_SEEDS:
            raise WorkforceInputError(f"--seeds '{text}': at most {MAX_SEEDS} seeds")
        seeds.extend(range(first, last + 1))
    repeated = sorted({s for s in seeds if seeds.count(s) > 1})
    if repeated:
        raise WorkforceInputError(f"--seeds '{text}': seed {repeated[0]} is given twice")
    return seeds


def check_workers(workers: int) -> int:
    if not 1 <= workers <= MAX_WORKERS:
        raise WorkforceInputError(f"--workers {workers}: must be between 1 and {MAX_WORKERS}")
    return workers


@dataclass
class BatchItem:
    """One scenario of the batch: its file, id, database and log."""

    scenario_path: Path
    scenario_id: str
    db_path: Path
    log_path: Path
    seed: Optional[int] = None


@dataclass
class ItemOutcome:
    item: BatchItem
    exit_code: int
    seconds: float

    @property
    def status(self) -> str:
        return {EXIT_OK: "ok", EXIT_BAD_INPUT: "BAD INPUT"}.get(self.exit_code, "FAILED")


@dataclass
class BatchPass:
    workers: int
    wall_seconds: float
    outcomes: list[ItemOutcome] = field(default_factory=list)

    @property
    def summed_seconds(self) -> float:
        return sum(o.seconds for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        codes = {o.exit_code for o in self.outcomes}
        if codes <= {EXIT_OK}:
            return EXIT_OK
        return EXIT_BAD_INPUT if codes <= {EXIT_OK, EXIT_BAD_INPUT} else EXIT_FAILED


def scenario_items(paths: Sequence[Path], log_dir: Path, db_path: Optional[Path] = None,
                   db_dir: Optional[Path] = None) -> list[BatchItem]:
    """The batch of several scenario files: distinct scenario ids, each with its own database
    `<db_dir>/<scenario_id>.duckdb` (default WORKFORCE_DB_DIR or data/; one scenario alone: --db or
    WORKFORCE_DB_PATH too)."""
    if db_path is not None and len(paths) > 1:
        raise WorkforceInputError("--db names one database; with several scenarios each writes its own "
                                  "<scenario_id>.duckdb in --db-dir (default data/; WORKFORCE_DB_PATH is ignored)")
    items: list[BatchItem] = []
    seen: dict[str, Path] = {}
    for path in paths:
        scenario = load_scenario(path)
        if scenario.scenario_id in seen:
            raise WorkforceInputError(f"{scenario.source_path}: scenario_id '{scenario.scenario_id}' is also the id of "
                                      f"{seen[scenario.scenario_id]}; scenarios side by side need distinct ids "
                                      "(each writes data/<scenario_id>.duckdb)")
        seen[scenario.scenario_id] = scenario.source_path
        if len(paths) == 1 and db_dir is None:
            database = (db_path or default_db_path(scenario)).resolve()
        else:
            database = ((db_dir or databases_dir()) / f"{scenario.scenario_id}.duckdb").resolve()
        items.append(BatchItem(scenario.source_path, scenario.scenario_id, database,
                               log_dir / f"{scenario.scenario_id}.log"))
    return items


def seed_items(path: Path, seeds: Sequence[int], folder: Path, log_dir: Path) -> list[BatchItem]:
    """One scenario's seed variants: a scenario file `<id>_seed<s>.yaml` per seed in `folder`, the
    same parameters with `random_seed: s`, each with its own database there."""
    scenario = load_scenario(path)
    data = yaml.safe_load(Path(scenario.source_path).read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for seed in seeds:
        scenario_id = f"{scenario.scenario_id}_seed{seed}"
        variant = {**data, "scenario_id": scenario_id, "random_seed": seed,
                   "census_path": str(scenario.resolved_census_path()),
                   "description": f"{scenario.description} (seed {seed} of an ensemble)".strip()}
        variant_path = folder / f"{scenario_id}.yaml"
        variant_path.write_text(yaml.safe_dump(variant, sort_keys=False), encoding="utf-8")
        load_scenario(variant_path)  # the id's length and pattern
        items.append(BatchItem(variant_path.resolve(), scenario_id, (folder / f"{scenario_id}.duckdb").resolve(),
                               log_dir / f"{scenario_id}.log", seed))
    return items


def run_batch(items: Sequence[BatchItem], workers: int, options: Sequence[str], progress: Callable[[str], None],
              label: str = "", log_suffix: str = ".log") -> BatchPass:
    """Runs the items' `workforce simulate` processes, at most `workers` at once, in order; each
    process's output goes to its item's log path with `log_suffix`. The processes share the Dagster
    instance of DAGSTER_HOME, whose storages are created here first, once."""
    check_workers(workers)
    prepare_shared_instance()
    started = time.perf_counter()
    batch = BatchPass(workers, 0.0)
    done = 0

    def log_path(item: BatchItem) -> Path:
        return item.log_path.with_name(item.log_path.stem + log_suffix)

    def run(item: BatchItem) -> ItemOutcome:
        item.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "workforce_platform.cli", "simulate", "--scenario", str(item.scenario_path),
                   "--db", str(item.db_path), *options]
        item_started = time.perf_counter()
        with log_path(item).open("w") as log:
            log.write("$ " + " ".join(command) + "\n")
            log.flush()
            code = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env=os.environ.copy()).returncode
        return ItemOutcome(item, code, time.perf_counter() - item_started)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: set[Future] = {pool.submit(run, item) for item in items}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                outcome = future.result()
                done += 1
                batch.outcomes.append(outcome)
                elapsed = time.perf_counter() - started
                progress(f"  {label}[{done}/{len(items)}] {outcome.item.scenario_id:<24} {outcome.status:<9} "
                         f"{outcome.seconds:7.1f} s  (at {elapsed:.1f} s; log {log_path(outcome.item)})")
                if outcome.exit_code != EXIT_OK:
                    for line in _tail(log_path(outcome.item), 6):
                        progress(f"      {line}")
    order = {id(item): i for i, item in enumerate(items)}
    batch.outcomes.sort(key=lambda o: order[id(o.item)])
    batch.wall_seconds = time.perf_counter() - started
    return batch


def _tail(path: Path, lines: int) -> list[str]:
    try:
        return [line for line in path.read_text(errors="replace").splitlines() if line.strip()][-lines:]
    except OSError:
        return []


def speedup_line(parallel: BatchPass, sequential: Optional[BatchPass]) -> str:
    if sequential is not None:
        return (f"one after another {sequential.wall_seconds:.1f} s, side by side ({parallel.workers} workers) "
                f"{parallel.wall_seconds:.1f} s: speed-up {sequential.wall_seconds / parallel.wall_seconds:.2f}x "
                "(both measured in this invocation)")
    return (f"total {parallel.wall_seconds:.1f} s with {parallel.workers} workers; the scenarios' own times add up to "
            f"{parallel.summed_seconds:.1f} s: speed-up about {parallel.summed_seconds / parallel.wall_seconds:.2f}x "
            "against one after another (estimated; --measure-speedup measures it)")


def comparison_table(items: Sequence[BatchItem]) -> str:
    """Each scenario's published ending headcount and employer cost, year by year, side by side."""
    figures = {item.scenario_id: published_year_figures(item.db_path, item.scenario_id) for item in items}
    years = sorted({year for by_year in figures.values() for year in by_year})
    headers = ["year", *(f"{item.scenario_id} {what}" for item in items for what in ("headcount", "employer cost"))]
    body = []
    for year in years:
        row = [str(year)]
        for item in items:
            value = figures[item.scenario_id].get(year)
            row += [f"{value[0]:,}", f"{Decimal(value[1]):,}"] if value else ["-", "-"]
        body.append(row)
    return right_aligned(headers, body)


def ensemble_folder(scenario: Scenario, db_dir: Optional[Path] = None) -> Path:
    """Where a seed ensemble's scenario files, databases and summary go."""
    return ((db_dir or databases_dir()) / "ensembles" / scenario.scenario_id).resolve()


def _forwarded_simulate_options(args: argparse.Namespace) -> list[str]:
    """The options of one scenario's run that a batch passes on to each scenario's process."""
    options: list[str] = []
    for flag, value in (("--census", args.census), ("--threads", args.threads), ("--optimization", args.optimization),
                        ("--engine", args.engine), ("--event-shards", args.event_shards)):
        if value is not None:
            options += [flag, str(value)]
    if args.years:
        options += ["--years", f"{args.years[0]}-{args.years[-1]}"]
    if args.years_per_run is not None:
        options += ["--years-per-run", str(args.years_per_run)]
    for flag, on in (("--no-engine-parity", args.no_engine_parity), ("--reload-parameters", args.reload_parameters),
                     ("--resume", args.resume)):
        if on:
            options.append(flag)
    return options


def run_batch_command(args: argparse.Namespace) -> int:
    """`workforce simulate` with several scenarios or --seeds: each in its own process, side by side."""
    workers = args.workers or 1
    log_dir = (args.log_dir or DATA_DIR / "logs").resolve()
    if args.seeds is not None:
        if len(args.scenario) > 1:
            raise WorkforceInputError("--seeds runs the seed variants of one scenario; give one --scenario")
        if args.db is not None:
            raise WorkforceInputError("--seeds writes one database per seed under data/ensembles/<scenario_id>/; "
                                      "--db cannot name them")
        seeds = parse_seeds(args.seeds)
        scenario = load_scenario(args.scenario[0])
        items = seed_items(args.scenario[0], seeds, ensemble_folder(scenario, args.db_dir), log_dir)
    else:
        items = scenario_items(args.scenario, log_dir, args.db, args.db_dir)
    if args.measure_speedup and (workers < 2 or len(items) < 2):
        raise WorkforceInputError("--measure-speedup compares one after another with side by side: it needs two "
                                  "scenarios or more and --workers 2 or more")
    ensure_dagster_home()  # one Dagster instance for every scenario's process
    options = _forwarded_simulate_options(args)
    if args.measure_speedup and "--reload-parameters" not in options:
        options.append("--reload-parameters")  # both passes do the same work
    what = f"{len(items)} seed variants of '{scenario.scenario_id}'" if args.seeds is not None else f"{len(items)} scenarios"
    print(f"{what}, {workers} at once, each in its own process; output in {log_dir}")
    sequential = None
    if args.measure_speedup:
        print("one after another:")
        sequential = run_batch(items, 1, options, lambda line: print(line, flush=True), label="sequential ",
                               log_suffix=".sequential.log")
        print(f"side by side ({workers} workers):")
    parallel = run_batch(items, workers, options, lambda line: print(line, flush=True))
    print()
    if args.seeds is not None:
        table = ensemble_years({item.seed: published_year_figures(item.db_path, item.scenario_id) for item in items})
        print(f"ensemble of '{scenario.scenario_id}' over seeds {args.seeds} (published years; P10/P50/P90, type 7):")
        print(format_ensemble(table))
        summary = ensemble_folder(scenario, args.db_dir) / "ensemble_summary.csv"
        print(f"written to {write_ensemble_csv(table, summary)}")
    else:
        print("published results side by side:")
        print(comparison_table(items))
    print()
    print(speedup_line(parallel, sequential))
    codes = [parallel.exit_code] + ([sequential.exit_code] if sequential else [])
    return EXIT_FAILED if EXIT_FAILED in codes else max(codes)
