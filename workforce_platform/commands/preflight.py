"""What `workforce simulate` refuses before a run writes anything (no database file, no lock file;
an existing database keeps every byte), and the clean-up of a database a refused run created."""

from __future__ import annotations

from pathlib import Path

import duckdb

from workforce_platform.build.inputs import check_year_order
from workforce_platform.census.load import validated_census
from workforce_platform.config.scenario import Scenario
from workforce_platform.errors import SimulationOrderError, WorkforceInputError
from workforce_platform.runtime import database


def check_inputs(scenario: Scenario, db_path: Path, years: list[int], resume: bool) -> None:
    """What can be refused before a run writes anything (no database file, no lock file): the
    census file, and a first year that the database cannot start from."""
    if years[0] == scenario.start_year or not db_path.exists():
        validated_census(scenario)  # validated once, in memory; the run's steps write this copy
    elif not scenario.resolved_census_path().is_file():
        raise WorkforceInputError(f"{scenario.resolved_census_path()}: census file not found (census_path in "
                                  f"{scenario.source_path}, or --census)")
    if resume or years[0] == scenario.start_year:
        return
    if not db_path.exists():
        raise WorkforceInputError(
            f"year {years[0]} of scenario '{scenario.scenario_id}' starts from year {years[0] - 1}, but {db_path} "
            f"does not exist yet: run the years from {scenario.start_year} (--years {scenario.start_year}-{years[-1]}); "
            "nothing was written")
    try:
        con = database.connect(db_path, read_only=True)
    except duckdb.IOException:
        return  # another process is writing the file: the run waits for it and checks the order then
    try:
        check_year_order(con, scenario, years[0], db_path)
    except SimulationOrderError as exc:
        raise WorkforceInputError(str(exc)) from None
    finally:
        con.close()


def remove_database_files(db_path: Path) -> None:
    """Removes a database this run created and refused to fill, with its write-ahead log and
    lock file (the run has released the lock)."""
    for path in (db_path, db_path.with_name(db_path.name + ".wal"), db_path.with_name(db_path.name + ".lock")):
        path.unlink(missing_ok=True)
