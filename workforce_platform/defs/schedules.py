"""The nightly re-run of a scenario: one run over every year, in order.

Each night the schedule of each scenario's code location requests one run of `rebuild_scenario`
for the scenario's whole year range (the tags of Dagster's single-run backfill): the run reloads
the parameters, builds the years in order (each from the year before it), runs every year's gates
(each result recorded on its year), promotes the years when every blocking check passed, and
rewrites the report. Scenarios are separate code locations, so their nightly runs go side by side
(dagster.yaml: one run at a time per scenario). Off by default: turn it on in the UI (Automation)
or with `dagster schedule start nightly_backfill`; the daemon (`dagster dev`) runs it.
"""

from __future__ import annotations

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, schedule

from workforce_platform.defs.jobs import REBUILD_SCENARIO_JOB
from workforce_platform.defs.partitions import year_range_tags

NIGHTLY_TAG = "workforce/nightly"


def build_schedules(scenario_id: str, years: list[int]) -> list:
    @schedule(name="nightly_backfill", cron_schedule="0 2 * * *", job_name=REBUILD_SCENARIO_JOB,
              default_status=DefaultScheduleStatus.STOPPED,
              description=f"Re-run every year of scenario '{scenario_id}' ({years[0]}-{years[-1]}) in one run, "
                          "in order, at 02:00.")
    def nightly_backfill(context: ScheduleEvaluationContext):
        night = context.scheduled_execution_time.strftime("%Y-%m-%d")
        return RunRequest(run_key=f"{scenario_id}-{night}",
                          tags={**year_range_tags(years[0], years[-1]), NIGHTLY_TAG: night})

    return [nightly_backfill]
