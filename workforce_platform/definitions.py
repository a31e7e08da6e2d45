"""The Dagster entry point: `dagster dev` / `dagster asset materialize -m workforce_platform.definitions`.

The scenario is the file named by WORKFORCE_SCENARIO (default: scenarios/baseline.yaml); its years
are the partitions. Steps run in-process: dbt is imported and its manifest parsed once per run.
"""

from workforce_platform.assembly import build_definitions
from workforce_platform.paths import default_scenario_path
from workforce_platform.resources import SimulationResource

__all__ = ["build_definitions", "defs"]

defs = build_definitions(SimulationResource(scenario_path=str(default_scenario_path())))
