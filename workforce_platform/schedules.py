"""The nightly re-run of the configured scenario: every year, in order.

Each night the schedule submits one run per year, oldest first. The run queue starts them one at
a time in submission order (dagster.yaml), so year N runs after year N-1; if a year fails its
gates, the next is refused by the year-order check instead of building on it. Off by default:
turn it on in the UI (or `dagster schedule start nightly_backfill`); needs the daemon (`dagster dev`).
"""

from __future__ import annotations

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, schedule

from workforce_platform.jobs import LOAD_PARAMETERS_JOB, SIMULATE_YEAR_JOB


def build_schedules(years: list[int]) -> list:
    @schedule(name="nightly_backfill", cron_schedule="0 2 * * *", job_name=SIMULATE_YEAR_JOB,
              default_status=DefaultScheduleStatus.STOPPED,
              description="Re-run every year of the scenario, in order, at 02:00.")
    def nightly_backfill(context: ScheduleEvaluationContext):
        night = context.scheduled_execution_time.strftime("%Y-%m-%d")
        for year in years:
            yield RunRequest(run_key=f"{night}-{year}", partition_key=str(year),
                             tags={"workforce/nightly": night})

    @schedule(name="nightly_parameters", cron_schedule="55 1 * * *", job_name=LOAD_PARAMETERS_JOB,
              default_status=DefaultScheduleStatus.STOPPED,
              description="Reload the scenario's parameters just before the nightly years.")
    def nightly_parameters(context: ScheduleEvaluationContext):
        return RunRequest(run_key=context.scheduled_execution_time.strftime("%Y-%m-%d"))

    return [nightly_parameters, nightly_backfill]
