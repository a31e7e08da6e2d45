"""Bad input that reaches Dagster: a refused census fails the run (not skipped) with the census
error; user-edited seeds with gaps or negative hazards fail their dbt tests, shown as failed checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from workforce_platform.paths import DBT_PROJECT_DIR, PROJECT_ROOT


def _run(args, env):
    return subprocess.run([sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_bad_census_fails_the_dagster_run_with_the_census_error(scenario_factory, tmp_path):
    census = tmp_path / "bad.csv"
    census.write_text("employee_id,birth_date,hire_date,annual_compensation\nE1,1980-01-01,2010-01-01,50000\nE1,1981-01-01,2011-01-01,60000\n")
    env = {**os.environ, "WORKFORCE_SCENARIO": str(scenario_factory(census_path=str(census))),
           "WORKFORCE_DB_PATH": str(tmp_path / "bad.duckdb")}
    result = _run(["-m", "dagster", "asset", "materialize", "-m", "workforce_platform.definitions",
                   "--select", "*", "--partition", "2025"], env)
    assert result.returncode != 0
    assert "RUN_FAILURE" in result.stderr
    assert "bad.csv: rule 'employee_id must be unique' fails for row 1 (employee_id 'E1')" in result.stderr
    if (tmp_path / "bad.duckdb").exists():
        con = duckdb.connect(str(tmp_path / "bad.duckdb"), read_only=True)
        assert con.execute("select count(*) from information_schema.tables where table_schema in ('main', 'published')").fetchall()[0][0] == 0


@pytest.mark.parametrize("seed_file,edit,failed_check", [
    ("config_age_bands.csv", lambda text: text.replace("2,25-34,25,35", "2,25-34,25,34"), "contiguous_bands_config_age_bands"),
    ("config_levels.csv", lambda text: text.replace("2,Professional,60000.00,90000.00", "2,Professional,62000.00,90000.00"), "contiguous_bands_config_levels"),
    ("config_termination_hazards.csv", lambda text: text.replace("1,1,1,0.34560", "1,1,1,-0.10000"), "expression_true_config_termination_hazards"),
    # a year missing between shipped IRS limits: the projection would start from the wrong row
    ("config_irs_limits.csv", lambda text: "\n".join(l for l in text.splitlines() if not l.startswith("2025,")) + "\n",
     "consecutive_years_config_irs_limits_plan_year"),
])
def test_edited_seeds_are_refused_as_failed_checks(scenario_factory, tmp_path, seed_file, edit, failed_check):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    seed = project / "seeds" / seed_file
    edited = edit(seed.read_text())
    assert edited != seed.read_text()
    seed.write_text(edited)
    env = {**os.environ, "WORKFORCE_DBT_PROJECT_DIR": str(project)}
    result = _run(["-m", "workforce_platform.cli", "simulate", "--scenario", str(scenario_factory(end_year=2025)),
                   "--db", str(tmp_path / "edited.duckdb")], env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "parameters FAILED" in result.stdout.replace("  ", " ").replace("  ", " ")
    assert failed_check in result.stdout
