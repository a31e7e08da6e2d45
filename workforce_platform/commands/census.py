"""`workforce census generate`: a deterministic synthetic census."""

from __future__ import annotations

import argparse

from workforce_platform.census.generate import generate_census, write_census
from workforce_platform.errors import EXIT_OK


def run(args: argparse.Namespace) -> int:
    rows = generate_census(args.employees, args.seed, args.census_date, plan_history=args.plan_history)
    out = write_census(rows, args.out)
    print(f"wrote {len(rows):,} employees to {out}")
    return EXIT_OK
