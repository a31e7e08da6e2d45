"""Where the project's files live. Everything is relative to the repository root."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# WORKFORCE_DBT_PROJECT_DIR points at another copy of the dbt project (edited parameter seeds, say).
DBT_PROJECT_DIR = Path(os.environ.get("WORKFORCE_DBT_PROJECT_DIR", PROJECT_ROOT / "dbt_project")).resolve()
SCENARIOS_DIR = PROJECT_ROOT / "scenarios"
DEFAULT_SCENARIO_PATH = SCENARIOS_DIR / "baseline.yaml"
DATA_DIR = PROJECT_ROOT / "data"


def default_scenario_path() -> Path:
    """The scenario the Dagster definitions load: WORKFORCE_SCENARIO, else the bundled baseline."""
    return Path(os.environ.get("WORKFORCE_SCENARIO", DEFAULT_SCENARIO_PATH)).resolve()


def databases_dir() -> Path:
    """Where a scenario's database goes by default: WORKFORCE_DB_DIR, else data/."""
    return Path(os.environ.get("WORKFORCE_DB_DIR", DATA_DIR)).resolve()


def scenarios_dir() -> Path:
    """The registered scenarios' folder: WORKFORCE_SCENARIOS_DIR, else the bundled `scenarios/`."""
    return Path(os.environ.get("WORKFORCE_SCENARIOS_DIR", SCENARIOS_DIR)).resolve()


def dagster_home() -> Path:
    """The local Dagster instance: DAGSTER_HOME, else the repository root (where dagster.yaml is)."""
    return Path(os.environ.get("DAGSTER_HOME", PROJECT_ROOT)).resolve()
