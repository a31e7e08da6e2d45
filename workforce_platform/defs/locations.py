"""One Dagster code location per registered scenario (`scenarios/<name>.yaml`).

workspace.yaml loads `attribute: <name>` of this module for each scenario: the attribute is
built on first access, so a location's process builds only its own scenario's definitions. Each
location has its own resource, jobs and schedules, and its assets are keyed under its scenario id,
so scenarios never share a materialisation status and their runs can go at once (one writer per
DuckDB file; see dagster.yaml's per-scenario run limit).
"""

from __future__ import annotations

from pathlib import Path

from dagster import Definitions

from workforce_platform.paths import scenarios_dir


def registered_scenarios(folder: Path | None = None) -> dict[str, Path]:
    """The registered scenarios: every `*.yaml` of the scenarios folder (WORKFORCE_SCENARIOS_DIR,
    else `scenarios/`), by file name."""
    return {path.stem: path.resolve() for path in sorted((folder or scenarios_dir()).glob("*.yaml"))}


def location_definitions(name: str) -> Definitions:
    # Imported on first access: a location's process builds only its own scenario's definitions, and
    # `registered_scenarios` serves workspace checks without importing the assets.
    from workforce_platform.defs.assembly import build_definitions
    from workforce_platform.defs.resources import SimulationResource

    scenarios = registered_scenarios()
    if name not in scenarios:
        raise AttributeError(f"no scenario file {scenarios_dir() / (name + '.yaml')}: registered scenarios are "
                             f"{', '.join(scenarios) or 'none'}")
    return build_definitions(SimulationResource(scenario_path=str(scenarios[name])))


def __getattr__(name: str) -> Definitions:
    if name.startswith("_"):
        raise AttributeError(name)
    definitions = location_definitions(name)
    globals()[name] = definitions
    return definitions
