"""The dbt units' asset and check specs come from the manifest alone (assets/
dagster_dbt_manifest_only.py): the same specs as dagster-dbt's `build_dbt_specs` makes with dbt's
own selection, whether dagster-dbt was imported without dbt-core (as the definitions do) or with
it; and loading the definitions imports no dbt."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from workforce_platform.paths import PROJECT_ROOT

_COMPARE = textwrap.dedent("""
    import json, sys
    if sys.argv[1] == "with dbt-core":
        import dbt.version  # noqa: F401  (loaded first: dagster-dbt takes its dbt-core mode)
    import workforce_platform.definitions  # noqa: F401  (loads the definitions, as every process does)
    dbt_modules_after_definitions = sorted(m for m in sys.modules if m.split(".")[0] in ("dbt", "dbt_common"))
    import dagster_dbt.asset_utils as asset_utils
    import dagster_dbt.compat
    from dagster_dbt.utils import _select_unique_ids_from_manifest
    from workforce_platform.defs.dbt_units import unit_specs
    from workforce_platform.defs.assets.translator import WorkforceDbtTranslator
    from workforce_platform.runtime.dbt_project import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text())
    translator = WorkforceDbtTranslator("baseline")

    def described(specs, checks):
        return (sorted([s.key.to_user_string(), sorted(d.asset_key.to_user_string() for d in s.deps), s.group_name,
                        s.description, sorted(s.tags.items()), sorted(s.kinds), str(s.code_version),
                        json.dumps({k: str(v) for k, v in s.metadata.items()}, sort_keys=True)] for s in specs),
                sorted([c.asset_key.to_user_string(), c.name, str(c.blocking), c.description,
                        sorted(d.asset_key.to_user_string() for d in c.additional_deps)] for c in checks))

    units = []
    for per_year, select, exclude in ((False, "fqn:*", "tag:per_year"), (True, "tag:per_year", "")):
        ours = described(*unit_specs(translator, manifest, per_year))
        selected = _select_unique_ids_from_manifest(select, exclude, "", manifest)  # dbt's own selection
        asset_utils.select_unique_ids = lambda **kwargs: selected
        dbt = described(*asset_utils.build_dbt_specs(translator=translator, manifest=manifest, select=select,
                                                     exclude=exclude, selector="", io_manager_key=None, project=None))
        units.append({"equal": ours == dbt, "assets": len(ours[0]), "checks": len(ours[1])})
    print(json.dumps({"dbt_core_mode": dagster_dbt.compat.DBT_PYTHON_VERSION is not None,
                      "dbt_modules_after_definitions": dbt_modules_after_definitions, "units": units}))
""")


@pytest.mark.parametrize("mode", ["without dbt-core", "with dbt-core"])
def test_the_units_specs_are_dagster_dbts_for_dbts_selection(mode):
    done = subprocess.run([sys.executable, "-c", _COMPARE, mode], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["dbt_core_mode"] == (mode == "with dbt-core")
    assert outcome["units"] == [{"equal": True, "assets": 25, "checks": 88}, {"equal": True, "assets": 17, "checks": 45}]
    if mode == "without dbt-core":
        assert outcome["dbt_modules_after_definitions"] == []  # dbt's import (about 1.5 s) is not paid
