"""`workforce census generate`: a deterministic synthetic census."""

from __future__ import annotations

import argparse

from workforce_platform.census.generate import census_chunks, write_census
from workforce_platform.errors import EXIT_OK


def run(args: argparse.Namespace) -> int:
    # Chunk by chunk: the memory stays that of one chunk whatever the number of employees.
    out = write_census(census_chunks(args.employees, args.seed, args.census_date, plan_history=args.plan_history),
                       args.out)
    print(f"wrote {args.employees:,} employees to {out}")
    return EXIT_OK
