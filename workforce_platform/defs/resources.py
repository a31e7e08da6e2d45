"""The resources of a scenario's code location: the simulation (which scenario, which database
file, how many threads, which engine) and the scenario's DuckDB database."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import Field, PrivateAttr

from workforce_platform.config.scenario import Scenario, load_scenario
from workforce_platform.engines.selection import EngineSettings, resolve_engine
from workforce_platform.errors import WorkforceInputError
from workforce_platform.runtime.execution import ExecutionSettings, resolve_execution
from workforce_platform.build.inputs import default_db_path
from workforce_platform.paths import default_scenario_path
from workforce_platform.runtime.database import LOCK_WAIT_SECONDS, DatabaseLock, connection


class SimulationResource(DuckDBResource):
    """Settings of a simulation run, and its scenario's DuckDB database: a dagster-duckdb resource
    (`with simulation.get_connection() as con:`), as the assets, checks and sensors open it.
    Results never depend on `threads`.

    The connections come from runtime/database.py rather than from a new open of the file: while
    this process holds the file's lock it keeps one open database whose connections all its steps
    share, and DuckDB refuses a second open of the same file in one process. The block holds the
    file's lock (one writer per file, on every path; reading takes it too, since DuckDB cannot open
    a file another process is writing)."""

    scenario_path: str = Field(default_factory=lambda: str(default_scenario_path()),
                               description="Scenario YAML file (default: WORKFORCE_SCENARIO or the bundled baseline).")
    database: str = Field("", description="DuckDB file (default: WORKFORCE_DB_PATH, else <WORKFORCE_DB_DIR or data>/<scenario_id>.duckdb).")
    threads: Optional[int] = Field(None, ge=1, description="dbt and DuckDB threads (default: WORKFORCE_THREADS, "
                                   "the scenario's execution.threads, or the optimization level's).")
    optimization: Optional[str] = Field(None, description="low, medium or high (default: WORKFORCE_OPT_LEVEL, the "
                                        "scenario's execution.optimization, or medium).")
    census_path: Optional[str] = Field(None, description="Census file overriding the scenario's census_path.")
    event_engine: Optional[str] = Field(None, description="sql or polars (default: the scenario's execution.event_engine, "
                                        "else sql). Results are equal row for row.")
    event_shards: Optional[int] = Field(None, ge=1, le=64, description="Polars engine shards (default: the scenario's "
                                        "execution.event_shards, else 1).")
    engine_parity: Optional[bool] = Field(None, description="Run the blocking engine_parity gate (default: the "
                                          "scenario's execution.engine_parity, else true).")

    _scenario: Optional[Scenario] = PrivateAttr(default=None)

    def scenario(self) -> Scenario:
        if self._scenario is None:
            scenario = load_scenario(self.scenario_path)
            if self.census_path:
                scenario = scenario.with_overrides(census_path=str(Path(self.census_path).resolve()))
            self._scenario = scenario
        return self._scenario

    def scenario_of_location(self, scenario_id: str) -> Scenario:
        """The scenario, which must be the one whose assets the run materialises: run config naming
        another scenario's file would record its results under this scenario's assets."""
        scenario = self.scenario()
        if scenario.scenario_id != scenario_id:
            raise WorkforceInputError(
                f"{scenario.source_path}: scenario_id '{scenario.scenario_id}' is not this code location's scenario "
                f"'{scenario_id}' (resources.simulation.config.scenario_path): run it from its own location, "
                f"or give it scenario_id '{scenario_id}'")
        return scenario

    def database_path(self) -> Path:
        return Path(self.database).resolve() if self.database else default_db_path(self.scenario())

    def engine(self) -> EngineSettings:
        """The event engine of this run (see engines/selection.py for the precedence)."""
        return resolve_engine(self.scenario(), self.event_engine, self.event_shards, self.engine_parity)

    def execution(self) -> ExecutionSettings:
        """The resolved execution settings (see runtime/execution.py for the precedence)."""
        scenario = self.scenario()
        return resolve_execution(self.database_path(), scenario_level=scenario.execution.optimization,
                                 scenario_threads=scenario.execution.threads, level=self.optimization,
                                 threads=self.threads)

    @contextmanager
    def get_connection(self, read_only: bool = False,
                       wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.database_path()
        with DatabaseLock(path, wait_seconds=wait_seconds):
            with connection(path, read_only=read_only, settings=self.execution()) as con:
                yield con
