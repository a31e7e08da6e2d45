"""Canary of patches/dagster_dbt_without_dbt_core.py: dagster-dbt still imports dbt-core at import
time (so the patch saves that import); it fails once dagster-dbt no longer does, and the patch can go."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(' '.join(sorted(m for m in sys.modules if m.split('.')[0] == 'dbt')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return set(done.stdout.split())


def test_dagster_dbt_still_imports_dbt_core_on_its_own():
    assert "dbt.version" in _modules_after("import dagster_dbt.asset_utils"), (
        "dagster-dbt no longer imports dbt-core at import time: patches/dagster_dbt_without_dbt_core.py can go")


def test_through_the_patch_it_imports_none_of_dbt_core():
    assert not _modules_after("import workforce_platform.patches.dagster_dbt_without_dbt_core")
