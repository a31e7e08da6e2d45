"""Jobs: load a scenario's parameters; simulate one year (a partition)."""

from __future__ import annotations

from dagster import AssetCheckKey, AssetKey, AssetSelection, define_asset_job

from workforce_platform.assets.gates import DETERMINISM_ASSET, DETERMINISM_CHECK, PARITY_ASSET, PARITY_CHECK
from workforce_platform.checks.invariants import CATALOGUE
from workforce_platform.checks.staleness import CURRENCY_ASSET, CURRENCY_CHECK

LOAD_PARAMETERS_JOB = "load_parameters"
SIMULATE_YEAR_JOB = "simulate_year"
AUDIT_YEAR_JOB = "audit_year"

GATE_CHECK_KEYS = [AssetCheckKey(AssetKey(inv.asset), inv.name) for inv in CATALOGUE] + [
    AssetCheckKey(AssetKey(DETERMINISM_ASSET), DETERMINISM_CHECK),
    AssetCheckKey(AssetKey(PARITY_ASSET), PARITY_CHECK),
    AssetCheckKey(AssetKey(CURRENCY_ASSET), CURRENCY_CHECK),
]


def build_jobs() -> list:
    """`simulate_year` infers its partitions (years) from its assets; `audit_year` selects checks
    only and is launched with the tag dagster/partition=<year>."""
    return [
        define_asset_job(LOAD_PARAMETERS_JOB, selection=AssetSelection.groups("parameters"),
                         description="Validate the inputs and load the parameter seeds and staging views."),
        define_asset_job(SIMULATE_YEAR_JOB, selection=AssetSelection.groups("simulation", "published"),
                         description="Simulate one year (partition), run its gates and publish it when they "
                                     "pass; year N needs year N-1 published."),
        define_asset_job(AUDIT_YEAR_JOB, selection=AssetSelection.checks(*GATE_CHECK_KEYS),
                         description="Re-run a year's gates (invariants, determinism, engine parity) on its tables as they "
                                     "are, without rebuilding or publishing it. Tag: dagster/partition=<year>."),
    ]
