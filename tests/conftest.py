"""Shared fixtures: a census that covers every band, scenario files, an isolated Dagster home."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from workforce_platform.census.generate import generate_census, write_census
from workforce_platform.paths import PROJECT_ROOT

# The RNG test vectors of ../shared/spec/rng.md, copied so that a bare clone can run the tests.
TEST_DATA_DIR = Path(__file__).parent / "data"
RNG_VECTORS = TEST_DATA_DIR / "rng_vectors.csv"
TEST_EMPLOYEES = 800


@pytest.fixture(scope="session", autouse=True)
def isolated_dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every test records its Dagster runs in a throw-away instance configured like the project's."""
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.pop("WORKFORCE_DB_PATH", None)
    os.environ.pop("WORKFORCE_SCENARIO", None)
    return home


@pytest.fixture(scope="session")
def test_census(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("census")
    return write_census(generate_census(TEST_EMPLOYEES, seed=7), folder / "census.csv")


@pytest.fixture(scope="session")
def history_census(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same employees with the plan's history at the census date: previous-year pay, opening
    balances and vesting service (each left empty on about one row in eight)."""
    folder = tmp_path_factory.mktemp("history_census")
    return write_census(generate_census(TEST_EMPLOYEES, seed=7, plan_history=True), folder / "census.csv")


def write_scenario(folder: Path, census: Path, **overrides) -> Path:
    data = {
        "scenario_id": "test_scenario",
        "start_year": 2025,
        "end_year": 2029,
        "random_seed": 42,
        "census_path": str(census),
    }
    data.update(overrides)
    path = folder / f"{data['scenario_id']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def scenario_factory(tmp_path: Path, test_census: Path):
    def make(**overrides) -> Path:
        return write_scenario(tmp_path, test_census, **overrides)

    return make
