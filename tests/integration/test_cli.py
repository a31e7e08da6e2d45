"""`workforce` command line: exit codes and messages (0 ok, 1 failed, 2 bad input)."""

from pathlib import Path

import duckdb
import pytest
import yaml

from workforce_platform.cli import main


@pytest.mark.parametrize("argv", [
    ["simulate"],
    ["simulate", "--scenario", "x.yaml", "--threads", "0"],
    ["simulate", "--scenario", "x.yaml", "--engine", "spark"],
    ["simulate", "--scenario", "x.yaml", "--years", "2029-2025"],
    ["simulate", "--scenario", "x.yaml", "--bogus"],
    ["simulate", "--scenario", "x.yaml", "--optimization", "turbo"],
    ["bench", "scale", "--scenario", "gigantic"],
    ["bench", "parity", "--timeout", "0"],
    ["census", "generate", "--employees", "-3", "--seed", "1", "--out", "c.csv"],
])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_missing_scenario_exits_2(tmp_path, capsys):
    assert main(["simulate", "--scenario", str(tmp_path / "absent.yaml")]) == 2
    assert "scenario file not found" in capsys.readouterr().err


def test_bad_optimization_level_in_the_environment_exits_2(scenario_factory, monkeypatch, capsys):
    monkeypatch.setenv("WORKFORCE_OPT_LEVEL", "turbo")
    assert main(["simulate", "--scenario", str(scenario_factory())]) == 2
    assert "WORKFORCE_OPT_LEVEL='turbo' is not an optimization level" in capsys.readouterr().err


def test_bad_optimization_level_in_the_scenario_exits_2(scenario_factory, capsys):
    scenario = scenario_factory(execution={"optimization": "turbo"})
    assert main(["simulate", "--scenario", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert "execution.optimization" in err and "turbo" in err


def test_years_outside_scenario_exit_2(scenario_factory, capsys):
    assert main(["simulate", "--scenario", str(scenario_factory()), "--years", "2031-2032"]) == 2
    assert "outside the scenario's years 2025-2029" in capsys.readouterr().err


def test_bad_census_exits_2_and_writes_nothing(scenario_factory, tmp_path, capsys):
    census = tmp_path / "bad.csv"
    census.write_text("employee_id,birth_date,hire_date,annual_compensation\nE1,1980-01-01,2010-01-01,-5\n")
    db = tmp_path / "bad.duckdb"
    code = main(["simulate", "--scenario", str(scenario_factory()), "--census", str(census), "--db", str(db)])
    output = capsys.readouterr()
    assert code == 2
    assert "annual_compensation must be a number > 0" in output.out + output.err
    assert not db.exists() and not db.with_name(db.name + ".lock").exists()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("case", ["missing census", "bad census row", "first year not the start on a new database",
                                  "year before its previous year on an existing database"])
def test_refused_runs_print_one_line_and_write_nothing(case, runs, scenario_factory, tmp_path, capsys):
    """Bad input exits 2 with one line naming the file, row or year and the rule; no database or
    lock file appears, and an existing database keeps every byte."""
    import shutil

    folder = tmp_path / "databases"
    folder.mkdir()
    db, argv = folder / "refused.duckdb", ["simulate", "--scenario", str(scenario_factory())]
    if case == "missing census":
        argv += ["--census", str(tmp_path / "absent.csv")]
        expected = "absent.csv: census file not found"
    elif case == "bad census row":
        census = tmp_path / "bad.csv"
        census.write_text("employee_id,birth_date,hire_date,annual_compensation\nE1,1980-01-01,2010-01-01,abc\n")
        argv += ["--census", str(census)]
        expected = "rule 'annual_compensation must be a number > 0' fails for row 1 (employee_id 'E1')"
    elif case == "first year not the start on a new database":
        argv += ["--years", "2027"]
        expected = "does not exist yet: run the years from 2025"
    else:
        shutil.copy(runs.database(), db)  # every year built; 2027's snapshot removed below
        con = duckdb.connect(str(db))
        con.execute("delete from main.fct_workforce_snapshot where simulation_year = 2027")
        con.close()
        argv += ["--years", "2028"]
        expected = "starts from year 2027, which is not materialised"
    before = _files(folder)
    capsys.readouterr()
    assert main([*argv, "--db", str(db)]) == 2
    output = capsys.readouterr()
    assert expected in output.err and len(output.err.strip().splitlines()) == 1, output.err
    assert "Traceback" not in output.out + output.err
    assert _files(folder) == before


def test_simulate_prints_summary_and_census_override(scenario_factory, tmp_path, capsys):
    from workforce_platform.census.generate import generate_census, write_census

    census = write_census(generate_census(200, 3), tmp_path / "small.parquet")
    db = tmp_path / "small.duckdb"
    code = main(["simulate", "--scenario", str(scenario_factory()), "--census", str(census), "--years", "2025-2026",
                 "--optimization", "low", "--db", str(db)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "year  start" in out and "wall time" in out and "peak memory" in out
    assert "optimization low: 1 threads, DuckDB memory_limit 1GB, 4 shards, memory guard 3.00 GiB" in out
    assert "stages: checks" in out and "Dagster" in out
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from inputs.census").fetchall()[0][0] == 200
    assert [r[0] for r in con.execute("select simulation_year from fct_year_summary order by 1").fetchall()] == [2025, 2026]


def test_census_generate_writes_file(tmp_path, capsys):
    out = tmp_path / "gen.csv"
    assert main(["census", "generate", "--employees", "25", "--seed", "9", "--out", str(out)]) == 0
    assert out.read_text().count("\n") == 26


def test_parameters_are_reloaded_only_when_scenario_census_or_code_changed(scenario_factory, tmp_path):
    from workforce_platform.commands.simulate import run_simulation

    scenario, db = scenario_factory(end_year=2025), tmp_path / "parameters.duckdb"
    lines: list[str] = []
    first = run_simulation(scenario, db_path=db, progress=lines.append)
    assert first.success and [r.label for r in first.runs] == ["parameters", "2025"]
    again = run_simulation(scenario, db_path=db, progress=lines.append)
    assert again.success and [r.label for r in again.runs] == ["2025"]
    assert any("parameters unchanged" in line for line in lines)
    assert again.summary == first.summary
    forced = run_simulation(scenario, db_path=db, progress=lambda line: None, reload_parameters=True)
    assert [r.label for r in forced.runs] == ["parameters", "2025"]
    # Another census (one employee fewer) is another digest: loaded again.
    census = tmp_path / "smaller.csv"
    original = Path(yaml.safe_load(scenario.read_text())["census_path"])
    census.write_text("".join(original.read_text().splitlines(keepends=True)[:-1]))
    changed = run_simulation(scenario, db_path=db, census_path=census, progress=lambda line: None)
    assert changed.success and [r.label for r in changed.runs] == ["parameters", "2025"]


def test_several_years_per_run_give_the_same_tables_in_fewer_runs(scenario_factory, tmp_path, capsys):
    scenario = scenario_factory(end_year=2027)
    db = tmp_path / "chunked.duckdb"
    assert main(["simulate", "--scenario", str(scenario), "--db", str(db), "--years-per-run", "2",
                 "--engine", "polars"]) == 0
    out = capsys.readouterr().out
    assert "2025-2026  ok" in out and "2027       ok" in out
    single = tmp_path / "single.duckdb"
    assert main(["simulate", "--scenario", str(scenario), "--db", str(single)]) == 0
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute(f"attach '{single}' as single (read_only)")
        for table in ("fct_yearly_events", "fct_workforce_snapshot", "fct_year_summary"):
            for schema in ("main", "published"):
                assert con.execute(f"select count(*) from (select * from {schema}.{table} except all "
                                   f"select * from single.{schema}.{table})").fetchall()[0][0] == 0, (schema, table)
        assert con.execute("select count(*) from published.promotions").fetchall() == [(3,)]
    finally:
        con.close()
    with pytest.raises(SystemExit) as refused:
        main(["simulate", "--scenario", str(scenario), "--db", str(db), "--years-per-run", "0"])
    assert refused.value.code == 2 and "--years-per-run: '0' must be at least 1" in capsys.readouterr().err


def _hr_export(tmp_path) -> tuple[Path, list[dict[str, str]]]:
    """The generated census as another system exports it: prefixed names, an active flag, a department."""
    import csv

    from workforce_platform.census.generate import generate_census

    rows = generate_census(200, 3)
    path = tmp_path / "hr_export.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["employee_id", "employee_birth_date", "employee_hire_date", "employee_termination_date",
                         "employee_gross_compensation", "employee_deferral_rate", "active", "department"])
        for i, row in enumerate(rows):
            writer.writerow([row["employee_id"], row["birth_date"], row["hire_date"], row["termination_date"],
                             row["annual_compensation"], row["deferral_rate"],
                             "N" if row["termination_date"] else "Y", ("Sales", "Ops", "Finance")[i % 3]])
    return path, rows


HR_REQUIRED = {"birth_date": "employee_birth_date", "hire_date": "employee_hire_date",
               "annual_compensation": "employee_gross_compensation"}


def test_a_census_under_other_names_is_refused_until_mapped_then_read_whole(scenario_factory, tmp_path, capsys):
    census, rows = _hr_export(tmp_path)
    refused_db = tmp_path / "refused.duckdb"
    scenario = scenario_factory(end_year=2025, census_path=str(census), census_columns=HR_REQUIRED)
    assert main(["simulate", "--scenario", str(scenario), "--db", str(refused_db)]) == 2
    err = capsys.readouterr().err
    assert f"{census}: column 'employee_termination_date' is not read" in err
    assert "did you mean `census_columns: {termination_date: employee_termination_date}`" in err
    assert not list(tmp_path.glob("refused*"))  # refused from the header: no database, no lock file

    db = tmp_path / "mapped.duckdb"
    scenario = scenario_factory(end_year=2025, census_path=str(census), census_columns={
        **HR_REQUIRED, "termination_date": "employee_termination_date", "deferral_rate": "employee_deferral_rate",
        "active": "active"})
    assert main(["simulate", "--scenario", str(scenario), "--db", str(db), "--optimization", "low"]) == 0
    out = capsys.readouterr().out
    assert "  ignored census columns: department\n" in out
    assert out.index("ignored census columns") < out.index("parameters ")  # in the header, before the runs
    from dagster import DagsterInstance, RunsFilter

    instance = DagsterInstance.get()
    parameters_run = instance.get_runs(filters=RunsFilter(job_name="load_parameters", tags={"workforce/database": str(db)}))
    assert f"census {census}: ignored census columns: department" in [
        event.user_message for event in instance.all_logs(parameters_run[0].run_id)]
    active = [row for row in rows if not row["termination_date"]]
    assert 0 < len(active) < len(rows)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select starting_headcount from published.fct_year_summary").fetchall() == [(len(active),)]
        kept = con.execute("select employee_id, deferral_rate::varchar from inputs.census order by employee_id").fetchall()
        assert kept == sorted((row["employee_id"], f"{float(row['deferral_rate'] or 0):.5f}") for row in rows)
        assert sum(1 for _, rate in kept if rate != "0.00000") > 0
    finally:
        con.close()
