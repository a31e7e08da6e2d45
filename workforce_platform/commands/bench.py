"""`workforce bench`: one measured run, the engines side by side, the scale and parity harnesses.
Each harness imports what it measures only when it runs."""

from __future__ import annotations

import argparse
from typing import Sequence

# the harness is imported when it runs (it imports what it measures)

from workforce_platform.benchmarks.scenarios import PARITY_EMPLOYEES, QUICK_PARITY_EMPLOYEES, QUICK_SCENARIOS, SCALE_SCENARIOS


def run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    if args.bench_command == "run":
        # the harness is imported when it runs (it imports what it measures)
        from workforce_platform.benchmarks.run import run_bench

        return run_bench(args.employees, args.years, args.threads, args.seed, args.optimization, args.workdir,
                         args.census, args.run_years, args.json, engine=args.engine,
                         engine_parity=False if args.no_engine_parity else None, event_shards=args.event_shards,
                         years_per_run=args.years_per_run)
    if args.bench_command == "engines":
        # the harness is imported when it runs (it imports what it measures)
        from workforce_platform.benchmarks.engines import run_engines

        return run_engines(args.employees, args.e2e_employees, args.e2e_years, args.skip_e2e, args.repeats,
                           args.out.resolve(), args.seed, args.timeout)
    # the harness is imported when it runs (it imports what it measures)
    from workforce_platform.benchmarks.reports import write_reports

    command = "workforce " + " ".join(argv)
    out = args.out.resolve()
    if args.bench_command == "scale":
        # the harness is imported when it runs (it imports what it measures)
        from workforce_platform.benchmarks.scale import run_scale

        scenarios = args.scenarios or list(QUICK_SCENARIOS if args.quick else SCALE_SCENARIOS)
        run_options = (["--engine", args.engine] if args.engine else []) + (
            ["--no-engine-parity"] if args.no_engine_parity else []) + (
            ["--years-per-run", str(args.years_per_run)] if args.years_per_run else [])
        report = run_scale(list(dict.fromkeys(scenarios)), args.runs, out, args.timeout, args.seed,
                           args.advisory_timing, command, keep=args.keep, run_options=run_options,
                           versus_previous_defaults=args.versus_previous_defaults)
    else:
        # the harness is imported when it runs (it imports what it measures)
        from workforce_platform.benchmarks.parity import run_parity

        employees = args.employees or (QUICK_PARITY_EMPLOYEES if args.quick else PARITY_EMPLOYEES)
        report = run_parity(employees, out, args.timeout, args.seed, command, keep=args.keep)
    paths = write_reports(report, out)
    print()
    for verdict in report.verdicts:
        flag = "" if verdict.enforced or verdict.status != "fail" else " (advisory)"
        print(f"  {verdict.status.upper():<7} {verdict.name:<24} {verdict.measured}{flag}")
    print(f"{report.title}: {report.outcome()} in {report.wall_seconds:.1f} s; reports: "
          + ", ".join(str(p) for p in paths))
    return report.exit_code()
