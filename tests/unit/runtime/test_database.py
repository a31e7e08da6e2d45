"""Connections to a scenario's database: one shared open database while the process holds the
file's lock, closed (and checkpointed) when the lock goes."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from workforce_platform.runtime import database
from workforce_platform.runtime.database import DatabaseLock
from workforce_platform.runtime.execution import resolve_execution


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table main.people as select range as id from range(3)")
    con.close()
    return path


def _open_elsewhere(path: Path) -> str:
    """Opens the file for writing in another process: what the next holder of the lock does."""
    code = (f"import duckdb; c = duckdb.connect({str(path)!r}); "
            "print(c.execute('select count(*) from people').fetchall()[0][0]); c.close()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    return done.stdout.strip() if done.returncode == 0 else done.stderr


def test_without_the_lock_each_connection_opens_the_file_itself(db_path):
    first = database.connect(db_path)
    try:
        assert first.execute("select current_database()").fetchall() == [(database.CATALOG,)]
        with pytest.raises(duckdb.Error, match="already attached"):
            database.connect(db_path)  # DuckDB refuses a second open of the file in one process
    finally:
        first.close()
    assert _open_elsewhere(db_path) == "3"


def test_under_the_lock_connections_share_one_open_database(db_path):
    with DatabaseLock(db_path):
        first = database.connect(db_path)
        second = database.connect(db_path, read_only=True)
        first.execute("insert into people values (3)")
        assert second.execute("select count(*) from main.people").fetchall() == [(4,)]
        assert second.execute("select current_database()").fetchall() == [(database.CATALOG,)]
        first.close()
        second.close()
        third = database.connect(db_path)  # the database stays open between connections
        assert third.execute("select count(*) from people").fetchall() == [(4,)]
        third.close()
        assert "Could not set lock" in _open_elsewhere(db_path)
    # released with the lock: another process opens the file and sees the rows
    assert _open_elsewhere(db_path) == "4"
    assert not db_path.with_name(db_path.name + ".wal").exists()  # checkpointed at close


def test_a_nested_lock_keeps_the_database_open(db_path):
    with DatabaseLock(db_path):
        with DatabaseLock(db_path):
            con = database.connect(db_path)
            con.execute("insert into people values (7)")
            con.close()
        assert "Could not set lock" in _open_elsewhere(db_path)
    assert _open_elsewhere(db_path) == "4"


def test_closing_the_shared_database_closes_its_connections(db_path):
    with DatabaseLock(db_path):
        con = database.connect(db_path)
        database.close_shared(db_path)  # what a dbt invocation on the file does first
        assert _open_elsewhere(db_path) == "3"
        with pytest.raises(duckdb.Error, match="closed"):
            con.execute("select 1")
        reopened = database.connect(db_path)
        assert reopened.execute("select count(*) from people").fetchall() == [(3,)]
        reopened.close()


def test_the_run_settings_apply_to_a_database_opened_before_them(db_path, tmp_path):
    settings = resolve_execution(db_path, threads=1, level="low")
    with DatabaseLock(db_path):
        database.connect(db_path).close()
        con = database.connect(db_path, settings=settings)
        threads, limit, spill = con.execute(
            "select current_setting('threads'), current_setting('memory_limit'), "
            "current_setting('temp_directory')").fetchall()[0]
        con.close()
    assert threads == 1 and spill == str(settings.temp_directory)
    assert limit == duckdb.connect(config={"memory_limit": settings.memory_limit}).execute(
        "select current_setting('memory_limit')").fetchall()[0][0]


def test_session_settings_stay_with_their_connection(db_path):
    with DatabaseLock(db_path):
        as_dbt = database.connect(db_path, session={"preserve_insertion_order": False})
        plain = database.connect(db_path)
        setting = "select current_setting('preserve_insertion_order')"
        assert as_dbt.execute(setting).fetchall() == [(False,)]
        assert plain.execute(setting).fetchall() == [(True,)]
        as_dbt.close()
        plain.close()
