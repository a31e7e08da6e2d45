"""Real simulation runs (dbt + Dagster, in-process) shared by the integration tests."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import write_scenario
from workforce_platform.commands.simulate import run_simulation

SEED = 42
OTHER_SEED = 4242


class SimulationRuns:
    """Runs a scenario once per (seed, threads) and keeps the database for the session."""

    def __init__(self, folder: Path, census: Path, history_census: Path) -> None:
        self.folder = folder
        self.census = census
        self.history_census = history_census
        self._databases: dict[tuple[int, int], Path] = {}

    def database(self, seed: int = SEED, threads: int = 2, variant: str = "", plan_history: bool = False,
                 **overrides) -> Path:
        """`variant` names a set of scenario `overrides` (one run per name); `plan_history` runs it on
        the census with the plan's history (previous-year pay, opening balances, vesting service)."""
        key = (seed, threads, variant)
        if key not in self._databases:
            folder = self.folder / f"seed{seed}_threads{threads}{'_' + variant if variant else ''}"
            folder.mkdir()
            census = self.history_census if plan_history else self.census
            scenario = write_scenario(folder, census, random_seed=seed, **overrides)
            report = run_simulation(scenario, db_path=folder / "simulation.duckdb", threads=threads,
                                    progress=lambda line: None)
            assert report.success, [r.message for r in report.runs if not r.success]
            self._databases[key] = folder / "simulation.duckdb"
        return self._databases[key]

    def connect(self, seed: int = SEED, threads: int = 2, variant: str = "", plan_history: bool = False,
                **overrides) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.database(seed, threads, variant, plan_history, **overrides)), read_only=True)


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory, test_census: Path, history_census: Path) -> SimulationRuns:
    return SimulationRuns(tmp_path_factory.mktemp("runs"), test_census, history_census)
