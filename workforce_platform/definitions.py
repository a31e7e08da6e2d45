"""The Dagster entry point: `dagster dev` / `dagster asset materialize -m workforce_platform.definitions`.

The scenario is the file named by WORKFORCE_SCENARIO (default: scenarios/baseline.yaml); its years
are the partitions. Steps run in-process. Loading the definitions reads dbt's manifest without
importing dbt; a step that runs dbt imports it and parses the project once per process.
"""

from workforce_platform.defs.assembly import build_definitions
from workforce_platform.paths import default_scenario_path
from workforce_platform.defs.resources import SimulationResource

__all__ = ["build_definitions", "defs"]

defs = build_definitions(SimulationResource(scenario_path=str(default_scenario_path())))
