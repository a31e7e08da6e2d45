"""What the command line makes of a finished Dagster run: its failure in a few lines (recorded in
the run's log and in `audit.failures` too), its warnings, and the runs a killed process abandoned."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from dagster import DagsterRunStatus, RunsFilter

from workforce_platform.defs.failures import failure_lines, record_failures
from workforce_platform.runtime.database import connection

DATABASE_TAG = "workforce/database"
PID_TAG = "workforce/pid"


def fail_abandoned_runs(instance, database: Path, progress: Callable[[str], None]) -> None:
    """Marks as failed the runs on this database whose process ended without finishing them
    (killed): we hold the database lock, so no live process is running them."""
    abandoned = instance.get_runs(filters=RunsFilter(
        statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING], tags={DATABASE_TAG: str(database)}))
    for run in abandoned:
        instance.report_run_failed(run, f"abandoned: process {run.tags.get(PID_TAG, '?')} ended during the run")
        progress(f"  run {run.run_id[:8]} ({run.job_name} {run.tags.get('dagster/partition', '')}) was abandoned "
                 "by a process that ended; marked failed")


def record_failure(instance, database: Path, scenario_id: str, job_name: str, tags: dict, result,
                    progress: Callable[[str], None]) -> None:
    """The failed run's lines (year, failing check or step): in its log, in audit.failures, printed."""
    run = instance.get_run_by_id(result.run_id)
    lines = failure_lines(scenario_id, result.run_id, job_name, run.tags if run is not None else tags, result.all_events)
    if run is not None:
        for line in lines:
            instance.report_engine_event(line.text(), run)
    with connection(database) as con:  # the run holds the database's lock
        record_failures(con, lines)
    progress(f"  recorded in audit.failures of {database}:")
    for line in lines:
        progress(f"    {line.text()}")


def failure_message(result) -> tuple[str, bool]:
    """The run's failed checks and failed steps' messages, and whether it refused bad input."""
    messages, bad_input = [], False
    failed_checks = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                rows = evaluation.metadata.get("violating_rows") or evaluation.metadata.get("failing_rows")
                count = f" ({getattr(rows, 'value', rows)} violating rows)" if rows is not None else ""
                failed_checks.append(f"{evaluation.asset_check_key.name} on "
                                     f"{evaluation.asset_check_key.asset_key.to_user_string()}{count}")
    if failed_checks:
        messages.append("failed checks: " + "; ".join(failed_checks) + " (the year was not published)")
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            data = event.step_failure_data
            if data.user_failure_data is not None and data.user_failure_data.description:
                messages.append(data.user_failure_data.description)
                flag = (data.user_failure_data.metadata or {}).get("bad_input")
                bad_input = bad_input or bool(getattr(flag, "value", flag))
            elif data.error is not None:
                messages.append(data.error.message.strip())
    return ("\n".join(messages) or "the run failed"), bad_input


def run_warnings(instance, run_id: str) -> list[str]:
    """The warnings the run's steps logged (stale later years, withdrawn published years), which
    the silent console leaves to the run's log."""
    return [record.user_message for record in instance.all_logs(run_id)
            if record.dagster_event is None and record.level == logging.WARNING]
