"""Jobs: load a scenario's parameters; simulate one year (a partition)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

LOAD_PARAMETERS_JOB = "load_parameters"
SIMULATE_YEAR_JOB = "simulate_year"


def build_jobs() -> list:
    """Partitioning is inferred from the selected assets (years for `simulate_year`)."""
    return [
        define_asset_job(LOAD_PARAMETERS_JOB, selection=AssetSelection.groups("parameters"),
                         description="Validate the inputs and load the parameter seeds and staging views."),
        define_asset_job(SIMULATE_YEAR_JOB, selection=AssetSelection.groups("simulation"),
                         description="Simulate one year (partition); year N needs year N-1."),
    ]
