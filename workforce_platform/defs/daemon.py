"""`dagster-daemon` with the project's corrections to Dagster applied (workforce_platform/patches/):
`python -m workforce_platform.defs.daemon run -w deploy/workspace.yaml`. The deployment's
daemon needs it: its instance (PostgreSQL) loads nothing of ours that would import them, and the
daemon is the process that turns a backfill into runs."""

import workforce_platform.patches.dagster_fixes  # noqa: F401
from dagster._daemon.cli import main

if __name__ == "__main__":
    main()
