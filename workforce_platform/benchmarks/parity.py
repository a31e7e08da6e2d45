"""`workforce bench parity`: real comparisons of real tables from real runs.

Each comparison attaches two runs' databases and compares every result table (working and
published) row by row (`EXCEPT ALL` both ways) and by fingerprint. Nothing here is a constant:
a comparison passes only when the tables are identical (or, for a different seed, when they
differ).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import duckdb

from workforce_platform.benchmarks.harness import ChildRun, Deadline, machine, prepare_instance, run_child
from workforce_platform.benchmarks.reports import FAIL, PASS, TIMEOUT, BenchReport, Verdict
from workforce_platform.benchmarks.run import BENCH_SCENARIO_ID
from workforce_platform.benchmarks.scenarios import PARITY_YEARS
from workforce_platform.census.generate import census_chunks, write_census
from workforce_platform.runtime.fingerprint import RESULT_TABLES, table_fingerprint

SPLIT_AT = 2  # multi-year consistency: the first two years, then the rest in a second process
COMPARED_TABLES = tuple(f"main.{t}" for t in RESULT_TABLES) + tuple(f"published.{t}" for t in RESULT_TABLES)


@dataclass(frozen=True)
class TableDiff:
    table: str
    rows_left: int
    rows_right: int
    only_left: int
    only_right: int
    fingerprint_left: str
    fingerprint_right: str

    @property
    def identical(self) -> bool:
        return self.only_left == 0 and self.only_right == 0 and self.fingerprint_left == self.fingerprint_right


def compare_databases(left: Path, right: Path, scenario_id: str = BENCH_SCENARIO_ID,
                      tables: tuple[str, ...] = COMPARED_TABLES) -> list[TableDiff]:
    """Every table of both runs, row by row and by fingerprint."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{left}' as lhs (read_only)")
        con.execute(f"attach '{right}' as rhs (read_only)")
        where = f"scenario_id = '{scenario_id}'"
        diffs = []
        for table in tables:
            lhs, rhs = f"lhs.{table}", f"rhs.{table}"
            count = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
            diffs.append(TableDiff(
                table=table,
                rows_left=count(f"select count(*) from {lhs} where {where}"),
                rows_right=count(f"select count(*) from {rhs} where {where}"),
                only_left=count(f"select count(*) from (select * from {lhs} where {where} "
                                f"except all select * from {rhs} where {where})"),
                only_right=count(f"select count(*) from (select * from {rhs} where {where} "
                                 f"except all select * from {lhs} where {where})"),
                fingerprint_left=table_fingerprint(con, lhs, where),
                fingerprint_right=table_fingerprint(con, rhs, where),
            ))
        return diffs
    finally:
        con.close()


def _summary(diffs: list[TableDiff]) -> str:
    only_left = sum(d.only_left for d in diffs)
    only_right = sum(d.only_right for d in diffs)
    rows = sum(d.rows_left for d in diffs)
    if only_left == only_right == 0:
        return f"identical: {rows:,} rows in {len(diffs)} tables, equal fingerprints"
    return f"{only_left:,} of {rows:,} rows only in the first run, {only_right:,} only in the second ({len(diffs)} tables)"


def _detail(diffs: list[TableDiff]) -> str:
    return "; ".join(f"{d.table}: {d.only_left:,}/{d.only_right:,} rows only left/right"
                     for d in diffs if not d.identical) or "every table identical, fingerprints equal"


# name: (extra `bench run` arguments, seed offset)
RUNS: dict[str, tuple[list[str], int]] = {
    "base": (["--optimization", "medium"], 0),
    "repeat": (["--optimization", "medium"], 0),
    "other_seed": (["--optimization", "medium"], 1),
    "threads_1": (["--optimization", "medium", "--threads", "1"], 0),
    "threads_4": (["--optimization", "medium", "--threads", "4"], 0),
    "level_low": (["--optimization", "low"], 0),
    "level_high": (["--optimization", "high"], 0),
    "polars": (["--optimization", "medium", "--engine", "polars"], 0),
    "polars_8_shards": (["--optimization", "medium", "--engine", "polars", "--event-shards", "8"], 0),
}


@dataclass
class _ParityRuns:
    """The benchmark's runs, their databases and failures, recorded in the report as they finish."""

    report: BenchReport
    out: Path
    deadline: Deadline
    progress: Callable[[str], None]
    databases: dict[str, Optional[Path]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def record(self, name: str, args: list[str], child: ChildRun) -> None:
        figures = child.figures or {}
        self.report.runs.append({
            "run": name, "arguments": " ".join(args), "status": "ok" if child.success else
            ("timeout" if child.timed_out else "FAILED"), "wall_seconds": child.process_seconds,
            "peak_rss_mib": figures["peak_rss_bytes"] / 2**20 if figures else None, "events": figures.get("events"),
            "threads": figures.get("threads"), "optimization": figures.get("optimization"),
        })
        self.progress(f"  {name:<18} {self.report.runs[-1]['status']:<7} {child.process_seconds:6.1f} s")
        self.report.timed_out = self.report.timed_out or child.timed_out
        if not child.success:
            self.failures[name] = child.failure()

    def run(self, name: str, args: list[str], workdir: Path) -> None:
        child = run_child(name, [*args, "--workdir", str(workdir)], self.out, self.deadline)
        self.record(name, args, child)
        self.databases[name] = workdir / "bench.duckdb" if child.success else None

    def run_split(self, common: list[str], seed: int, workdir: Path) -> None:
        """The years in two processes: the second starts from the first one's published years."""
        first, rest = f"2025-{2024 + SPLIT_AT}", f"{2025 + SPLIT_AT}-{2024 + PARITY_YEARS}"
        for part, years in (("split_first", first), ("split_rest", rest)):
            args = [*common, "--seed", str(seed), "--optimization", "medium", "--run-years", years]
            child = run_child(f"split_{years}", [*args, "--workdir", str(workdir)], self.out, self.deadline)
            self.record(part, args, child)
            if not child.success:
                self.databases["split"] = None
                return
        self.databases["split"] = workdir / "bench.duckdb"

    def compare(self, verdict: str, left: str, rights: list[str], expect_identical: bool, threshold: str) -> None:
        missing = [n for n in [left, *rights] if self.databases.get(n) is None]
        if missing:
            reason = "; ".join(f"{n}: {self.failures.get(n, 'not run (time limit)')}" for n in missing)
            status = TIMEOUT if self.report.timed_out and not any(n in self.failures for n in missing) else FAIL
            self.report.verdicts.append(Verdict(verdict, "parity", status, "", threshold, reason[:500]))
            return
        measured, details, passed = [], [], True
        for right in rights:
            diffs = compare_databases(self.databases[left], self.databases[right])
            identical = all(d.identical for d in diffs)
            passed = passed and (identical if expect_identical else not identical)
            measured.append(f"{left} vs {right}: {_summary(diffs)}")
            details.append(f"{right}: {_detail(diffs)}")
            self.report.analysis[f"{verdict}: {left} vs {right}"] = [
                {"table": d.table, "rows": d.rows_left, "only_left": d.only_left, "only_right": d.only_right,
                 "fingerprint_left": d.fingerprint_left[:16], "fingerprint_right": d.fingerprint_right[:16]}
                for d in diffs]
        self.report.verdicts.append(Verdict(verdict, "parity", PASS if passed else FAIL, "; ".join(measured), threshold,
                                            "; ".join(details)[:1000]))


def run_parity(employees: int, out: Path, timeout: float, seed: int, command: str,
               progress: Callable[[str], None] = print, keep: bool = False) -> BenchReport:
    started = time.perf_counter()
    report = BenchReport(name="parity", title="Parity benchmark", command=command, machine=machine(), run_columns=[
        ("run", "run"), ("arguments", "arguments"), ("status", "status"), ("wall_seconds", "wall s"),
        ("peak_rss_mib", "peak RSS MiB"), ("events", "events"), ("threads", "threads"), ("optimization", "level")])
    census = write_census(census_chunks(employees, seed), out / "census" / f"census_{employees}.parquet")
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    common = ["--employees", str(employees), "--years", str(PARITY_YEARS), "--census", str(census)]
    runs = _ParityRuns(report, out, Deadline(timeout), progress)
    plan = list(RUNS) + ["split"]
    progress(f"bench parity: {len(plan)} runs of {employees:,} employees x {PARITY_YEARS} years, reports in {out}")
    prepare_instance(out)
    for name in plan:
        if report.timed_out or runs.deadline.remaining() <= 0:
            report.timed_out = True
            break
        if name == "split":
            runs.run_split(common, seed, work / name)
        else:
            extra, seed_offset = RUNS[name]
            runs.run(name, [*common, "--seed", str(seed + seed_offset), *extra], work / name)
    _compare_runs(runs)
    if report.timed_out:
        report.verdicts.append(Verdict("time_limit", "correctness", TIMEOUT, f"{len(report.runs)} runs",
                                       f"--timeout {timeout:.0f} s", "the benchmark was stopped at its time limit"))
    report.notes.append("Compared tables (rows of the bench scenario): " + ", ".join(COMPARED_TABLES) + ".")
    report.notes.append("Each run is a fresh process with its own database; the split run's second process "
                        "starts from the first one's published years.")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    report.wall_seconds = time.perf_counter() - started
    return report


def _compare_runs(runs: _ParityRuns) -> None:
    runs.compare("sql_vs_polars", "base", ["polars", "polars_8_shards"], True,
                 "the Polars engine (1 and 8 shards) and the SQL models: 0 differing rows, equal fingerprints")
    runs.compare("threads_1_vs_4", "threads_1", ["threads_4"], True, "0 differing rows, equal fingerprints")
    runs.compare("same_seed_twice", "base", ["repeat"], True, "0 differing rows, equal fingerprints (byte-identical)")
    runs.compare("different_seed_differs", "base", ["other_seed"], False, "some differing rows")
    runs.compare("optimization_levels", "base", ["level_low", "level_high"], True,
                 "low, medium and high: 0 differing rows, equal fingerprints")
    runs.compare("multi_year_consistency", "base", ["split"], True,
                 f"2025-{2024 + PARITY_YEARS} in one run vs 2025-{2024 + SPLIT_AT} then {2025 + SPLIT_AT}-"
                 f"{2024 + PARITY_YEARS} in a second process: identical")
