"""Assembles the Dagster definitions for a simulation resource (its scenario's years are the
partitions). `definitions.py` builds them for the default scenario; `workforce simulate` builds
them for its own resource without paying for the default set as well."""

from __future__ import annotations

from typing import Optional

from dagster import Definitions, in_process_executor

import workforce_platform.patches.dagster_fixes  # noqa: F401
from workforce_platform.defs.assets.gates import build_gates
from workforce_platform.defs.assets.publish import build_publish, build_published_checks
from workforce_platform.defs.assets.reports import build_report_asset
from workforce_platform.defs.assets.simulation import build_simulation_assets
from workforce_platform.defs.assets.year_tests import DbtTestChecks
from workforce_platform.config.scenario import load_scenario
from workforce_platform.defs.jobs import build_jobs
from workforce_platform.runtime.dbt_project import configure_dbt_environment, ensure_manifest
from workforce_platform.defs.partitions import simulation_year_partitions
from workforce_platform.defs.resources import SimulationResource
from workforce_platform.defs.schedules import build_schedules
from workforce_platform.defs.sensors import build_sensors


def build_definitions(simulation: Optional[SimulationResource] = None) -> Definitions:
    configure_dbt_environment()
    simulation = simulation or SimulationResource()
    scenario = load_scenario(simulation.scenario_path)
    partitions_def = simulation_year_partitions(scenario)
    manifest = str(ensure_manifest())
    year_tests = DbtTestChecks(manifest, scenario.scenario_id, per_year=True, partitions_def=partitions_def)
    return Definitions(
        assets=[*build_simulation_assets(manifest, partitions_def, scenario.scenario_id, year_tests),
                build_publish(partitions_def, scenario.scenario_id), build_report_asset(scenario.scenario_id)],
        asset_checks=[build_gates(partitions_def, scenario.scenario_id, year_tests),
                      build_published_checks(scenario.scenario_id)],
        jobs=build_jobs(scenario.scenario_id, year_tests.keys),
        schedules=build_schedules(scenario.scenario_id, scenario.years),
        sensors=build_sensors(scenario.scenario_id),
        resources={"simulation": simulation},
        executor=in_process_executor,
    )
