"""The sensor that records why a run of this scenario failed: one line per failed blocking check
(scenario, year, check) or failed step, in the run's own log and in `audit.failures` of the
scenario's database (workforce_platform/defs/failures.py). On by default; the daemon
(`dagster dev`) runs it. `workforce simulate` records its own runs' failures and tags them so that
the sensor leaves them alone."""

from __future__ import annotations

from pathlib import Path

from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from workforce_platform.defs.failures import RECORDED_BY_TAG, failure_lines, record_failures
from workforce_platform.defs.resources import SimulationResource
FAILURE_WRITE_WAIT_SECONDS = 120


def _database(run, simulation: SimulationResource) -> Path:
    """The run's database: its run config's db_path when it set one, else the location's."""
    config = ((run.run_config or {}).get("resources", {}).get("simulation", {}) or {}).get("config", {}) or {}
    return Path(config["database"]).resolve() if config.get("database") else simulation.database_path()


def build_sensors(scenario_id: str) -> list:
    @run_failure_sensor(name="record_run_failures", default_status=DefaultSensorStatus.RUNNING,
                        minimum_interval_seconds=15,
                        description=f"Writes why a run of scenario '{scenario_id}' failed (year, failing check or "
                                    "step) to the run's log and to audit.failures of its database.")
    def record_run_failures(context: RunFailureSensorContext, simulation: SimulationResource):
        run = context.dagster_run
        if RECORDED_BY_TAG in run.tags:
            return
        events = [record.dagster_event for record in context.instance.all_logs(run.run_id)
                  if record.dagster_event is not None]
        lines = failure_lines(scenario_id, run.run_id, run.job_name, run.tags, events)
        for line in lines:
            context.instance.report_engine_event(line.text(), run)
            context.log.info(line.text())
        with simulation.model_copy(update={"database": str(_database(run, simulation))}).get_connection(
                wait_seconds=FAILURE_WRITE_WAIT_SECONDS) as con:
            record_failures(con, lines)

    return [record_run_failures]
