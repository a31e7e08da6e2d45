"""Dagster's SQLite event log with its engines kept open.

The stock SqliteEventLogStorage creates and disposes a SQLAlchemy engine for every statement;
a simulated year stores about 90 events, and that churn cost about as much as the year's dbt
build (docs/benchmarks.md). This subclass keeps one
engine for the index shard and for the most recently used run shards; the files, the schema and
everything else are the stock storage's, so the UI and the daemon read them as usual. It also
remembers which tables exist: the stock storage asks before storing every asset check result,
each time with a new engine and a schema lookup.

Its connections commit with `PRAGMA synchronous=NORMAL`: the files are in WAL mode (the stock
storage sets it), where NORMAL syncs the log at checkpoints rather than at every commit. A run
stores a few hundred events, each its own transaction, and syncing each costs a disk flush. The database stays consistent after any crash; a power loss may
lose the last events before it, which the event log (a record of the runs; the results are in
DuckDB) can afford.

Configured in dagster.yaml (`event_log_storage`). `base_dir` defaults to $DAGSTER_HOME/storage,
where the stock storage keeps its files: a storage class is not told the instance's directory, so
code that opens an instance programmatically sets DAGSTER_HOME to it and uses
`DagsterInstance.get()`, as every Dagster command does.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Iterator, Optional

from dagster import Field, StringSource

import workforce_platform.patches.dagster_fixes  # noqa: F401  (every process with an instance)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

_OPEN_RUN_SHARDS = 8


def _sync_at_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data: Optional[ConfigurableClassData] = None) -> None:
        self._engines: "OrderedDict[str, Engine]" = OrderedDict()
        self._present_tables: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def config_type(cls) -> Any:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data: Optional[ConfigurableClassData], config_value: Any) -> "PooledSqliteEventLogStorage":
        base_dir = config_value.get("base_dir")
        if not base_dir:
            home = os.environ.get("DAGSTER_HOME")
            if not home:
                raise RuntimeError("PooledSqliteEventLogStorage: set DAGSTER_HOME or give base_dir in dagster.yaml")
            base_dir = os.path.join(home, "storage")
        return cls(base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
            )
            event.listen(engine, "connect", _sync_at_checkpoints)
            self._engines[shard] = engine
            run_shards = [s for s in self._engines if s != "index"]
            for old in run_shards[:-_OPEN_RUN_SHARDS]:
                self._engines.pop(old).dispose()
        else:
            self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn

    def has_table(self, table_name: str) -> bool:
        """Whether the index has the table; a table once there stays (migrations add tables,
        none drops one), so only a missing table is looked up again."""
        if table_name in self._present_tables:
            return True
        present = super().has_table(table_name)
        if present:
            self._present_tables.add(table_name)
        return present

    def _dispose_engines(self) -> None:
        while self._engines:
            self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        with self._db_lock:
            self._dispose_engines()
        self._present_tables.clear()
        super().wipe()

    def dispose(self) -> None:
        with self._db_lock:
            self._dispose_engines()
        super().dispose()
