"""The simulation resource is the scenario's dagster-duckdb resource: its connections open the file
the run names, under the file's lock, and share the one open database of a process that holds it."""

from __future__ import annotations

from dagster_duckdb import DuckDBResource

from tests.conftest import write_scenario
from workforce_platform.defs.resources import SimulationResource
from workforce_platform.runtime.database import DatabaseLock, lock_held


def test_the_simulation_resource_opens_the_scenarios_database_as_a_duckdb_resource(tmp_path, test_census):
    db = tmp_path / "named.duckdb"
    simulation = SimulationResource(scenario_path=str(write_scenario(tmp_path, test_census)), database=str(db))
    assert isinstance(simulation, DuckDBResource) and simulation.database_path() == db.resolve()
    with simulation.get_connection() as con:
        assert lock_held(db.resolve())  # connections are handed out under the file's lock
        con.execute("create table t as select 42 as answer")
    assert not lock_held(db.resolve())
    with DatabaseLock(db):
        with simulation.get_connection() as first, simulation.get_connection(read_only=True) as second:
            first.execute("insert into t values (43)")  # one open database: the second sees the first's row
            assert second.execute("select answer from t order by 1").fetchall() == [(42,), (43,)]


def test_without_a_database_it_is_the_scenarios_default_file(tmp_path, test_census, monkeypatch):
    monkeypatch.setenv("WORKFORCE_DB_DIR", str(tmp_path / "dbs"))
    simulation = SimulationResource(scenario_path=str(write_scenario(tmp_path, test_census)))
    assert simulation.database_path() == (tmp_path / "dbs" / "test_scenario.duckdb").resolve()
