"""Which event engine builds a run's years, from the run's choice or the scenario's.

Precedence: the command line's `--engine` / `--event-shards` or the Dagster run config of the
`simulation` resource, then the scenario's `execution.event_engine` / `execution.event_shards`,
then sql with one shard. Results never depend on the choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from workforce_platform.config.scenario import Scenario
from workforce_platform.engines import ENGINES
from workforce_platform.errors import WorkforceInputError


@dataclass(frozen=True)
class EngineSettings:
    engine: str
    shards: int
    parity: bool
    source: str

    def describe(self) -> str:
        shards = f", {self.shards} shards" if self.shards > 1 else ""
        parity = "" if self.parity else ", parity gate off"
        return f"event engine {self.engine}{shards}{parity} (from {self.source})"

    @property
    def other_engine(self) -> str:
        return "sql" if self.engine == "polars" else "polars"


def resolve_engine(scenario: Scenario, engine: Optional[str] = None, shards: Optional[int] = None,
                   parity: Optional[bool] = None) -> EngineSettings:
    chosen = engine or scenario.execution.event_engine
    if chosen not in ENGINES:
        raise WorkforceInputError(f"event engine '{chosen}' is not one of {', '.join(ENGINES)}")
    shard_count = shards if shards is not None else scenario.execution.event_shards
    if not 1 <= shard_count <= 64:
        raise WorkforceInputError(f"event_shards {shard_count} must be between 1 and 64")
    if shard_count > 1 and chosen != "polars":
        raise WorkforceInputError(
            f"event_shards {shard_count} needs the polars engine: the sql engine builds a year as one set-based "
            "dbt build that DuckDB parallelises itself; choose --engine polars or event_shards 1")
    source = "run" if engine else ("scenario" if scenario.execution.event_engine != "sql" else "default")
    return EngineSettings(chosen, shard_count, scenario.execution.engine_parity if parity is None else parity, source)
