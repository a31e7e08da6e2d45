"""Why a run failed, as lines a user can act on (scenario, year, failing check or step), written to
the run's own log and to the table `audit.failures` of the scenario's database.

Two paths write them: `workforce simulate` after each failed run (it runs them in-process), and
the sensor `record_run_failures` (workforce_platform/defs/sensors.py) for runs that the daemon launched
or that the UI, a schedule or `dagster job launch` started. A run's lines replace any written for
the same run before, so a re-evaluated sensor tick adds nothing twice.

`audit.failures` is an operations log, not a result: it never enters a fingerprint, and its
`recorded_at` is the wall-clock time the line was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping, Optional

import duckdb

from workforce_platform.runtime import database
from workforce_platform.runtime.tables import table_exists
from workforce_platform.defs.partitions import PARTITION_TAG, RANGE_END_TAG, RANGE_START_TAG

RECORDED_BY_TAG = "workforce/failures_recorded_by"  # runs whose launcher records their failures itself
BLOCKING_CHECK_ERROR = "DagsterAssetCheckFailedError"
DETAIL_LIMIT = 2000

FAILURES_DDL = """
create schema if not exists audit;
create table if not exists audit.failures (
    scenario_id varchar not null,
    simulation_year integer,          -- the year the failure is about; null when it is about the run's years
    run_years varchar,                -- the run's year or range of years ('2026', '2025-2029'), null for the parameters
    failing_check varchar,            -- the check that failed, or null for a failed step
    asset_or_step varchar not null,   -- the checked asset, or the failed step
    detail varchar not null,
    run_id varchar not null,
    job_name varchar not null,
    recorded_at timestamp not null
)
"""


@dataclass(frozen=True)
class FailureLine:
    scenario_id: str
    simulation_year: Optional[int]
    run_years: Optional[str]
    failing_check: Optional[str]
    asset_or_step: str
    detail: str
    run_id: str
    job_name: str

    def text(self) -> str:
        year = (f"year {self.simulation_year}" if self.simulation_year is not None
                else f"years {self.run_years}" if self.run_years and "-" in self.run_years
                else f"year {self.run_years}" if self.run_years else "parameters")
        what = (f"check {self.failing_check} on {self.asset_or_step}" if self.failing_check
                else f"step {self.asset_or_step}")
        return f"failure: scenario {self.scenario_id}, {year}, {what}: {self.detail}"


def run_years(tags: Mapping[str, str]) -> Optional[str]:
    """The year or range of years a run covered, from its tags."""
    if PARTITION_TAG in tags:
        return tags[PARTITION_TAG]
    if RANGE_START_TAG in tags:
        first, last = tags[RANGE_START_TAG], tags.get(RANGE_END_TAG, tags[RANGE_START_TAG])
        return first if first == last else f"{first}-{last}"
    return None


def _year(text: Optional[str]) -> Optional[int]:
    return int(text) if text and text.isdigit() else None


def _metadata_value(metadata: Mapping, key: str):
    value = metadata.get(key)
    return getattr(value, "value", value)


def _check_detail(evaluation) -> str:
    parts = []
    rows = _metadata_value(evaluation.metadata, "violating_rows")
    if rows is None:
        rows = _metadata_value(evaluation.metadata, "failing_rows")
    if rows is not None:
        parts.append(f"{rows} violating row{'' if rows == 1 else 's'}")
    if evaluation.description:
        parts.append(evaluation.description)
    message = _metadata_value(evaluation.metadata, "message")
    if message and not evaluation.description:
        parts.append(str(message))
    return "; ".join(parts) or "the check failed"


def failure_lines(scenario_id: str, run_id: str, job_name: str, tags: Mapping[str, str],
                  events: Iterable) -> list[FailureLine]:
    """The lines of a failed run, from its Dagster events: each failed blocking check on its year,
    then each failed step (except the failure that a blocking check causes), else the run's own
    failure message."""
    years = run_years(tags)
    checks: dict[tuple, FailureLine] = {}
    steps: list[FailureLine] = []
    run_failure = None
    for event in events:
        kind = event.event_type_value
        if kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.passed or str(evaluation.severity.value).upper() != "ERROR":
                continue
            key = evaluation.asset_check_key
            year = _year(evaluation.partition) if evaluation.partition else _year(years)
            checks[(key, year)] = FailureLine(scenario_id, year, years, key.name, key.asset_key.to_user_string(),
                                              _check_detail(evaluation)[:DETAIL_LIMIT], run_id, job_name)
        elif kind == "STEP_FAILURE":
            data = event.step_failure_data
            if data.error is not None and data.error.cls_name == BLOCKING_CHECK_ERROR:
                continue
            if data.user_failure_data is not None and data.user_failure_data.description:
                detail = data.user_failure_data.description
            elif data.error is not None:
                detail = data.error.message.strip()
            else:
                detail = "the step failed"
            steps.append(FailureLine(scenario_id, _year(years), years, None, event.step_key or "?",
                                     detail[:DETAIL_LIMIT], run_id, job_name))
        elif kind == "PIPELINE_FAILURE":
            run_failure = event.message
    # A check evaluated per year makes the run's own result over the same years redundant.
    per_year = {key for key, year in checks if year is not None}
    lines = [line for (key, year), line in checks.items() if year is not None or key not in per_year]
    lines += steps
    if not lines:
        lines.append(FailureLine(scenario_id, _year(years), years, None, "run",
                                 (run_failure or "the run failed")[:DETAIL_LIMIT], run_id, job_name))
    return sorted(lines, key=lambda line: (line.simulation_year or 0, line.failing_check is None,
                                           line.failing_check or "", line.asset_or_step))


def record_failures(con: duckdb.DuckDBPyConnection, lines: list[FailureLine]) -> None:
    """Replaces the database's lines of these runs with `lines`, in one transaction (`con`: the
    scenario's database, its lock held by the caller)."""
    if not lines:
        return
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute(FAILURES_DDL)
    con.execute("begin transaction")
    for run_id in sorted({line.run_id for line in lines}):
        con.execute("delete from audit.failures where run_id = ?", [run_id])
    con.executemany(
        "insert into audit.failures values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [[line.scenario_id, line.simulation_year, line.run_years, line.failing_check, line.asset_or_step,
          line.detail, line.run_id, line.job_name, now] for line in lines])
    con.execute("commit")


def recorded_failures(db_path: Path, scenario_id: Optional[str] = None) -> list[tuple]:
    """The recorded lines, oldest first: (scenario, year, run years, check, asset or step, detail, run)."""
    if not Path(db_path).exists():
        return []
    with database.connection(db_path, read_only=True) as con:
        if not table_exists(con, "audit", "failures"):
            return []
        return con.execute(
            "select scenario_id, simulation_year, run_years, failing_check, asset_or_step, detail, run_id "
            "from audit.failures where ? is null or scenario_id = ? "
            "order by recorded_at, run_id, simulation_year nulls last, failing_check nulls last, asset_or_step",
            [scenario_id, scenario_id]).fetchall()
