"""Jobs: load a scenario's parameters; simulate one year (a partition) or a range; rebuild everything over a
range of years (the nightly run); re-run a year's gates."""

from __future__ import annotations

from typing import Sequence

from dagster import AssetCheckKey, AssetSelection, define_asset_job

from workforce_platform.defs.asset_keys import scenario_check_key

from workforce_platform.defs.assets.gates import DETERMINISM_ASSET, DETERMINISM_CHECK, PARITY_ASSET, PARITY_CHECK
from workforce_platform.checks.invariants import YEAR_INVARIANTS
from workforce_platform.checks.pay_structure import PAY_STRUCTURE_ASSET, PAY_STRUCTURE_CHECK
from workforce_platform.checks.staleness import CURRENCY_ASSET, CURRENCY_CHECK

LOAD_PARAMETERS_JOB = "load_parameters"
SIMULATE_YEAR_JOB = "simulate_year"
AUDIT_YEAR_JOB = "audit_year"
REBUILD_SCENARIO_JOB = "rebuild_scenario"

def gate_check_keys(scenario_id: str) -> list[AssetCheckKey]:
    """The gates of a scenario's years: the invariant catalogue, determinism, parity, currency and the
    pay structure's drift."""
    return [scenario_check_key(scenario_id, inv.asset, inv.name) for inv in YEAR_INVARIANTS] + [
        scenario_check_key(scenario_id, DETERMINISM_ASSET, DETERMINISM_CHECK),
        scenario_check_key(scenario_id, PARITY_ASSET, PARITY_CHECK),
        scenario_check_key(scenario_id, CURRENCY_ASSET, CURRENCY_CHECK),
        scenario_check_key(scenario_id, PAY_STRUCTURE_ASSET, PAY_STRUCTURE_CHECK),
    ]


def build_jobs(scenario_id: str, year_test_keys: Sequence[AssetCheckKey] = ()) -> list:
    """`simulate_year` infers its partitions (years) from its assets; `audit_year` selects checks
    only (the gates and `year_test_keys`, the per-year models' dbt tests, which the gates record)
    and is launched with the tag dagster/partition=<year>."""
    return [
        define_asset_job(LOAD_PARAMETERS_JOB, selection=AssetSelection.groups("parameters"),
                         description="Validate the inputs and load the parameter seeds and staging views."),
        define_asset_job(SIMULATE_YEAR_JOB, selection=AssetSelection.groups("simulation", "published"),
                         description="Simulate one year (partition), run its gates and publish it when they "
                                     "pass; year N needs year N-1 published."),
        define_asset_job(REBUILD_SCENARIO_JOB, selection=AssetSelection.groups("parameters", "simulation", "published",
                                                                             "reports"),
                         description="Everything of the scenario in one run over a range of years (tags "
                                     "dagster/asset_partition_range_start/end): the parameters, each year in "
                                     "order with its gates, the promotion and the report. The nightly schedule "
                                     "launches it over every year."),
        define_asset_job(AUDIT_YEAR_JOB, selection=AssetSelection.checks(*gate_check_keys(scenario_id), *year_test_keys),
                         description="Re-run a year's gates (invariants, determinism, engine parity, the dbt tests) on its "
                                     "tables as they are, without rebuilding or publishing it. Tag: dagster/partition=<year>."),
    ]
