"""`workforce report`: the summaries, comparison, plots, Excel workbook and HTML report of the
published years of a scenario and its alternatives."""

from __future__ import annotations

import argparse

from rich.progress import Progress

from workforce_platform.build.inputs import default_db_path
from workforce_platform.config.scenario import load_scenario
from workforce_platform.errors import EXIT_OK, WorkforceInputError
from workforce_platform.reports.build import STEPS, build_report
from workforce_platform.reports.tables import PublishedScenario, default_alternative_db


def run(args: argparse.Namespace) -> int:
    if len(args.compare_db) > len(args.compare):
        raise WorkforceInputError("--compare-db: one more database than --compare scenarios")
    baseline_scenario = load_scenario(args.scenario)
    baseline = PublishedScenario(baseline_scenario, (args.db or default_db_path(baseline_scenario)).resolve())
    alternatives = []
    for i, path in enumerate(args.compare):
        scenario = load_scenario(path)
        db = args.compare_db[i] if i < len(args.compare_db) else default_alternative_db(scenario)
        if scenario.scenario_id == baseline.scenario_id and db.resolve() == baseline.db_path:
            raise WorkforceInputError(f"--compare {path}: the same scenario and database as the baseline")
        alternatives.append(PublishedScenario(scenario, db.resolve()))
    with Progress(transient=False) as bar:
        task = bar.add_task(f"report of '{baseline.scenario_id}'", total=len(STEPS))
        files = build_report(baseline, alternatives, args.out.resolve(), args.year, args.events_limit,
                             progress=lambda step: bar.update(task, advance=1, description=f"report: {step} done"))
    for path in files.all():
        print(path)
    return EXIT_OK
