"""`workforce fingerprint`: each year's fingerprints, to compare machines or thread counts by eye."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional

import duckdb

from workforce_platform.checks.audit import latest_audit, output_fingerprint
from workforce_platform.config.scenario import load_scenario
from workforce_platform.errors import EXIT_OK, WorkforceInputError
from workforce_platform.runtime.fingerprint import RESULT_TABLES, year_fingerprints
from workforce_platform.build.inputs import default_db_path

SHOWN = 16


def fingerprint_report(scenario_path: Path, years: Optional[list[int]], db_path: Optional[Path]) -> str:
    scenario = load_scenario(scenario_path)
    database = Path(db_path).resolve() if db_path else default_db_path(scenario)
    if not database.is_file():
        raise WorkforceInputError(f"{database}: no database; run `workforce simulate` first")
    years = years or scenario.years
    con = duckdb.connect(str(database), read_only=True)
    try:
        built = {r[0] for r in con.execute(
            "select distinct simulation_year from main.fct_year_summary where scenario_id = ?",
            [scenario.scenario_id]).fetchall()}
        header = ["year", "inputs", "outputs", *(t.removeprefix("fct_") for t in RESULT_TABLES), "audited"]
        lines = [header]
        for year in years:
            if year not in built:
                lines.append([str(year), "-", "-", *("-" for _ in RESULT_TABLES), "not materialised"])
                continue
            tables = year_fingerprints(con, scenario.scenario_id, year)
            record = latest_audit(con, scenario.scenario_id, year)
            current = output_fingerprint(tables)
            status = "no audit" if record is None else (
                "matches" if record.output_fingerprint == current else "CHANGED since audit")
            lines.append([str(year), record.inputs_fingerprint[:SHOWN] if record else "-", current[:SHOWN],
                          *(tables[t][:SHOWN] for t in RESULT_TABLES), status])
    finally:
        con.close()
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in lines)


def run(args: argparse.Namespace) -> int:
    print(fingerprint_report(args.scenario, args.years, args.db))
    return EXIT_OK
