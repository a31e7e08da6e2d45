"""The corrections to Dagster 1.13 that every process of ours applies (webserver, daemon, code
server, run workers and the command line) by importing this module: the instance's event log
storage (dagster.yaml) and the definitions both import it. One module each, with the upstream code
it works around and a canary test in tests/unit/patches/ that fails once Dagster no longer needs
it (the third only matters in the webserver and is applied there only)."""

from workforce_platform.patches import (  # noqa: F401  (each corrects Dagster when imported)
    dagster_backfill_per_code_location,
    dagster_cross_location_job_query,
    dagster_subset_inequality,
)
