"""dagster-dbt imported without dbt-core.

dagster-dbt imports dbt-core whenever it is installed (seconds per process, docs/benchmarks.md), only for dbt's
type names and to evaluate selection strings: `dagster_dbt/compat.py` runs
`from dbt.version import __version__` and falls back to its mode for environments without
dbt-core (its dbt Fusion mode) on ImportError. This project selects its two units itself
(defs/dbt_units.py) and runs dbt itself (build/), so a process that builds years from what dbt
compiled before (build/plain_sql/) never needs dbt-core. Imported through this module, dagster-dbt
takes that mode unless dbt-core is loaded already (`sys.modules["dbt.version"] = None` while it
imports); both modes give the same specs (tests/integration/test_asset_specs.py). Checked against
dagster-dbt 0.29; the canary in tests/unit/patches/test_dagster_dbt_without_dbt_core.py fails once
dagster-dbt no longer imports dbt-core at import time.
"""

from __future__ import annotations

import sys

if "dagster_dbt" not in sys.modules and "dbt.version" not in sys.modules:
    # dagster_dbt.compat runs `from dbt.version import __version__` and falls back on ImportError.
    sys.modules["dbt.version"] = None  # type: ignore[assignment]
    try:
        import dagster_dbt  # noqa: F401
        import dagster_dbt.asset_utils  # noqa: F401
    finally:
        del sys.modules["dbt.version"]  # dbt-core imports as usual afterwards

from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings  # noqa: E402
from dagster_dbt.asset_utils import get_asset_check_key_for_test  # noqa: E402

__all__ = ["DagsterDbtTranslator", "DagsterDbtTranslatorSettings", "get_asset_check_key_for_test"]
