"""Promotion of a year to the `published` layer, which always holds an unbroken chain of years
(data_contract.md, invariant 9): every published year starts from exactly the published year
before it.

A year is promoted when its latest audit passed and its working tables are still the audited ones
(an audit of an earlier run also needs the year's inputs unchanged since). Then, in one
transaction:

- **The earlier years it was built on come first.** Year Y records the fingerprint of the year
  Y-1 snapshot it started from. When the published Y-1 is another state (Y-1 was re-materialised
  without its promotion, say from an asset page), the working Y-1 is promoted first, provided it is
  that state and passed its own gates, and so on back; otherwise the promotion is refused, naming
  the year to re-run.
- **Later published years that no longer follow are withdrawn.** When the newly published Y
  differs from the one the published Y+1 was built on, Y+1 and every later published year leave
  `published` (recorded in `published.withdrawals`): they are stale and must be re-run, which the
  run's log and the checks say.

A reader sees the layer before or after the promotion, never half of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Optional

import duckdb

from workforce_platform.checks.audit import (
    AuditRecord, code_version, inputs_fingerprint, latest_audit, output_fingerprint,
)
from workforce_platform.config.scenario import Scenario
from workforce_platform.runtime.fingerprint import RESULT_TABLES, table_fingerprint, year_fingerprints
from workforce_platform.runtime.tables import add_missing_columns, columns_of, table_exists

SNAPSHOT = "fct_workforce_snapshot"

_PROMOTIONS_COLUMNS = [
    ("scenario_id", "varchar"), ("simulation_year", "integer"), ("run_id", "varchar"), ("random_seed", "ubigint"),
    ("scenario_fingerprint", "varchar"), ("inputs_fingerprint", "varchar"), ("output_fingerprint", "varchar"),
    ("code_version", "varchar"), ("promoted_at", "timestamp"),
    # the year's own snapshot, and the previous year's snapshot it was built on (the chain's links)
    ("snapshot_fingerprint", "varchar"), ("built_on_snapshot", "varchar"),
]


class PublishRefused(RuntimeError):
    """The year may not be published (no passing audit, tables or inputs changed since, or the
    year it was built on cannot be published)."""


@dataclass
class Publication:
    """What one promotion did: the years promoted, in order (earlier years it was built on first),
    with their rows per table, and the later years withdrawn."""

    promoted: dict[int, dict[str, int]] = field(default_factory=dict)
    withdrawn: list[int] = field(default_factory=list)


def rerun_action(first: int, last: int) -> str:
    years = f"year {first}" if first == last else f"years {first}-{last}"
    return (f"re-run {years} with checks and promotion (`workforce simulate --scenario FILE --years {first}-{last}`, "
            f"or in the UI Materialize… with the simulation and published assets over partitions "
            f"[{first}...{last}])")


def _promotable(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, run_id: str,
                shards: int) -> AuditRecord:
    """The year's latest audit, when it vouches for the working tables as they are now."""
    record = latest_audit(con, scenario.scenario_id, year)
    if record is None:
        raise PublishRefused(
            f"year {year} of '{scenario.scenario_id}' has no audit: run its checks first (materialise the "
            f"year with its checks, or the job audit_year for partition {year})")
    if not record.checks_passed:
        raise PublishRefused(f"year {year} of '{scenario.scenario_id}' failed its blocking checks in run "
                             f"{record.run_id}; nothing was published")
    current = year_fingerprints(con, scenario.scenario_id, year, shards)
    if output_fingerprint(current) != record.output_fingerprint:
        raise PublishRefused(f"year {year}'s working tables changed after their checks ran; run the year again")
    # An audit from an earlier run vouches for these tables only while they still follow from
    # the current inputs (the previous year above all).
    if record.run_id != run_id and inputs_fingerprint(con, scenario, year)[0] != record.inputs_fingerprint:
        raise PublishRefused(
            f"year {year} of '{scenario.scenario_id}' was computed from inputs that have changed since "
            f"(an earlier year re-materialised, or the scenario or census edited): materialise year {year} "
            "again; nothing was published")
    return record


def _promotions(con: duckdb.DuckDBPyConnection, scenario_id: str) -> dict[int, dict]:
    """The published years' promotion records (with the chain's links where recorded)."""
    if not table_exists(con, "published", "promotions"):
        return {}
    present = {name for name, _ in columns_of(con, "published.promotions")}
    wanted = ["simulation_year", "inputs_fingerprint", "snapshot_fingerprint", "built_on_snapshot"]
    select = ", ".join(c if c in present else f"null as {c}" for c in wanted)
    return {row[0]: dict(zip(wanted, row)) for row in con.execute(
        f"select {select} from published.promotions where scenario_id = ?", [scenario_id]).fetchall()}


def published_snapshot(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int,
                       promotions: dict[int, dict]) -> Optional[str]:
    """The fingerprint of the published snapshot of `year` (None when the year is not published):
    as recorded at its promotion, else (a database published by an earlier version) computed."""
    promotion = promotions.get(year)
    if promotion is None:
        return None
    if promotion["snapshot_fingerprint"]:
        return promotion["snapshot_fingerprint"]
    return table_fingerprint(con, f"published.{SNAPSHOT}", f"scenario_id = '{scenario_id}' and simulation_year = {year}")


def built_on(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int, promotions: dict[int, dict]) -> Optional[str]:
    """The previous year's snapshot fingerprint that the published `year` was built on: as recorded
    at its promotion, else from the audit of the inputs it was promoted with (None if unknown)."""
    promotion = promotions.get(year)
    if promotion is None:
        return None
    if promotion["built_on_snapshot"]:
        return promotion["built_on_snapshot"]
    if not table_exists(con, "audit", "year_materializations"):
        return None
    rows = con.execute("select inputs_detail from audit.year_materializations where scenario_id = ? and "
                       "simulation_year = ? and inputs_fingerprint = ? order by recorded_at desc limit 1",
                       [scenario_id, year, promotion["inputs_fingerprint"]]).fetchall()
    return json.loads(rows[0][0]).get("previous_year_snapshot") if rows else None


def _chain_to_publish(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, run_id: str,
                      shards: int, promotions: dict[int, dict]) -> list[tuple[int, AuditRecord]]:
    """The years to promote for `year`, earliest first: the unpublished earlier years it was built
    on, then the year itself. Refuses when an earlier year it was built on cannot be promoted."""
    record = _promotable(con, scenario, year, run_id, shards)
    chain = [(year, record)]
    current = year
    while current > scenario.start_year:
        wanted = record.inputs_detail.get("previous_year_snapshot")
        earlier = current - 1
        if wanted is not None and published_snapshot(con, scenario.scenario_id, earlier, promotions) == wanted:
            break
        working = latest_audit(con, scenario.scenario_id, earlier)
        if wanted is None or working is None or working.table_fingerprints.get(SNAPSHOT) != wanted:
            raise PublishRefused(
                f"year {current} of '{scenario.scenario_id}' was built on a state of year {earlier} that is "
                f"neither published nor the working year {earlier} any more: {rerun_action(earlier, year)}; "
                "nothing was published")
        try:
            record = _promotable(con, scenario, earlier, run_id, shards)
        except PublishRefused as exc:
            raise PublishRefused(
                f"year {current} of '{scenario.scenario_id}' was built on the working year {earlier}, which is "
                f"not published and cannot be: {exc}") from None
        chain.insert(0, (earlier, record))
        current = earlier
    return chain


def _copy_year(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, run_id: str,
               record: AuditRecord) -> dict[str, int]:
    counts = {}
    for table in RESULT_TABLES:
        con.execute(f"create table if not exists published.{table} as select * from main.{table} limit 0")
        add_missing_columns(con, "published", table, columns_of(con, f"main.{table}"))
        con.execute(f"delete from published.{table} where scenario_id = ? and simulation_year = ?",
                    [scenario.scenario_id, year])
        con.execute(f"insert into published.{table} by name select * from main.{table} "
                    "where scenario_id = ? and simulation_year = ?", [scenario.scenario_id, year])
        counts[table] = con.execute(f"select count(*) from published.{table} where scenario_id = ? and "
                                    "simulation_year = ?", [scenario.scenario_id, year]).fetchall()[0][0]
    con.execute("delete from published.promotions where scenario_id = ? and simulation_year = ?",
                [scenario.scenario_id, year])
    con.execute(
        "insert into published.promotions by name select ? as scenario_id, ? as simulation_year, ? as run_id, "
        "? as random_seed, ? as scenario_fingerprint, ? as inputs_fingerprint, ? as output_fingerprint, "
        "? as code_version, current_timestamp as promoted_at, ? as snapshot_fingerprint, ? as built_on_snapshot",
        [scenario.scenario_id, year, run_id, scenario.random_seed, scenario.fingerprint(), record.inputs_fingerprint,
         record.output_fingerprint, code_version(), record.table_fingerprints.get(SNAPSHOT),
         record.inputs_detail.get("previous_year_snapshot")])
    return counts


def _withdraw_later(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, snapshot: Optional[str],
                    run_id: str, promotions: dict[int, dict]) -> list[int]:
    """Withdraws the published years after `year` when the first of them was built on another state
    of `year` than the one just published (then none of them follows from the published chain)."""
    later = sorted(y for y in promotions if y > year)
    if not later or (later[0] == year + 1 and built_on(con, scenario.scenario_id, later[0], promotions) == snapshot):
        return []
    con.execute("""create table if not exists published.withdrawals (
                       scenario_id varchar, simulation_year integer, run_id varchar, reason varchar,
                       withdrawn_at timestamp)""")
    reason = (f"built on a state of year {year} other than the one published by run {run_id}"
              if later[0] == year + 1 else f"year {year + 1} is not published")
    for table in (*RESULT_TABLES, "promotions"):
        con.execute(f"delete from published.{table} where scenario_id = ? and simulation_year > ?",
                    [scenario.scenario_id, year])
    for withdrawn in later:
        con.execute("insert into published.withdrawals values (?, ?, ?, ?, current_timestamp)",
                    [scenario.scenario_id, withdrawn, run_id, reason])
    return later


def publish_year(con: duckdb.DuckDBPyConnection, scenario: Scenario, year: int, run_id: str,
                 shards: int = 1) -> Publication:
    """Promotes `year` (and the unpublished earlier years it was built on) in one transaction, and
    withdraws the later published years that no longer follow from it. `con`: the scenario's
    database, its lock held by the caller."""
    promotions = _promotions(con, scenario.scenario_id)
    chain = _chain_to_publish(con, scenario, year, run_id, shards, promotions)
    publication = Publication()
    con.execute("begin transaction")
    try:
        con.execute("create schema if not exists published")
        con.execute(f"create table if not exists published.promotions "
                    f"({', '.join(f'{name} {sql_type}' for name, sql_type in _PROMOTIONS_COLUMNS)})")
        add_missing_columns(con, "published", "promotions", _PROMOTIONS_COLUMNS)
        for promoted, record in chain:
            publication.promoted[promoted] = _copy_year(con, scenario, promoted, run_id, record)
        last, record = chain[-1]
        publication.withdrawn = _withdraw_later(con, scenario, last, record.table_fingerprints.get(SNAPSHOT),
                                                run_id, promotions)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return publication
