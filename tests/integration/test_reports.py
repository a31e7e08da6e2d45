"""The analysts' report on real runs: its numbers are the published tables' numbers, recomputed
here from the tables; the workbook opens in a real reader; the HTML report renders in headless
Chromium with every plot loaded; the command line and the Dagster asset write the same files."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from workforce_platform.cli import main
from workforce_platform.config.scenario import load_scenario
from workforce_platform.reports.build import build_report
from workforce_platform.reports.tables import COMPARED, FIRST_YEAR_PAY_KEY, PublishedScenario

ALTERNATIVE = dict(variant="growth", scenario_id="growth_variant", target_growth_rate=0.05)


@pytest.fixture(scope="module")
def sources(runs):
    baseline_db = runs.database()
    alternative_db = runs.database(**ALTERNATIVE)
    baseline = PublishedScenario(load_scenario(baseline_db.parent / "test_scenario.yaml"), baseline_db)
    alternative = PublishedScenario(load_scenario(alternative_db.parent / "growth_variant.yaml"), alternative_db)
    return baseline, alternative


@pytest.fixture(scope="module")
def report(sources, tmp_path_factory):
    baseline, alternative = sources
    return build_report(baseline, [alternative], tmp_path_factory.mktemp("report"), year=2027, events_limit=50)


def _published(db: Path, sql: str, *params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_summary_csv_is_named_with_its_first_and_last_year_and_holds_the_published_rows(sources, report):
    baseline, _ = sources
    path = report.summaries["test_scenario"]
    assert path.name == "test_scenario_summary_2025-2029.csv"
    rows = list(csv.DictReader(path.open()))
    published = _published(baseline.db_path, "select simulation_year, ending_headcount, employer_cost, growth_rate "
                                              "from published.fct_year_summary order by 1")
    assert [(int(r["simulation_year"]), int(r["ending_headcount"]), Decimal(r["employer_cost"]),
             Decimal(r["growth_rate"])) for r in rows] == published


def test_nondiscrimination_csv_holds_the_published_tests(sources, report):
    baseline, _ = sources
    assert report.nondiscrimination.name == "test_scenario_nondiscrimination.csv"
    rows = list(csv.DictReader(report.nondiscrimination.open()))
    published = _published(baseline.db_path, "select simulation_year, test_name, hce_count, result "
                                              "from published.fct_nondiscrimination_tests order by 1, 2 desc")
    assert [(int(r["simulation_year"]), r["test_name"], int(r["hce_count"]), r["result"]) for r in rows] == published
    assert len(published) == 10 and {r[3] for r in published} == {"safe_harbor"}


def test_comparison_is_the_difference_of_the_two_published_summaries(sources, report):
    baseline, alternative = sources
    table = report.comparison_tables["growth_variant"]
    assert report.comparisons["growth_variant"].name == "test_scenario_vs_growth_variant_comparison.csv"
    assert [row[0] for row in table.rows] == [2025, 2026, 2027, 2028, 2029]
    for label, column in COMPARED:
        base = dict(_published(baseline.db_path, f"select simulation_year, {column} from published.fct_year_summary"))
        alt = dict(_published(alternative.db_path, f"select simulation_year, {column} from published.fct_year_summary"))
        at = table.columns.index(f"{label} difference")
        for row in table.rows:
            year = row[0]
            assert row[at - 2] == base[year] and row[at - 1] == alt[year]
            assert row[at] == alt[year] - base[year]
            expected = None if base[year] == 0 else (Decimal(alt[year] - base[year]) / Decimal(base[year])).quantize(
                Decimal("0.000001"), rounding=ROUND_HALF_UP)
            assert row[at + 1] == expected, (label, year)
    headcount = table.columns.index("headcount difference")
    assert all(row[headcount] > 0 for row in table.rows[1:])  # 5% growth outgrows 3%


def test_workbook_opens_with_its_sheets_and_the_published_numbers(sources, report):
    from openpyxl import load_workbook

    baseline, _ = sources
    book = load_workbook(report.workbook, read_only=True)
    assert book.sheetnames == ["Assumptions", "Summary", "Comparison", "Events", "Contributions"]
    assumptions = {(r[0], r[1]): r[2] for r in book["Assumptions"].iter_rows(min_row=2, values_only=True)}
    assert assumptions[("growth_variant", "target_growth_rate")] == "0.05"
    assert assumptions[("test_scenario", "plan.auto_enrollment.default_deferral_rate")] == "0.03"
    # the values in effect, not None, and what the first year assumed about pay of the year before
    assert assumptions[("test_scenario", "plan.irs_limit_indexing_rate")] == "0.02 (unset: compensation.cola_rate)"
    assert assumptions[("test_scenario", FIRST_YEAR_PAY_KEY)] == \
        "assumed equal to the census pay rate (the census has no prior_year_compensation)"
    summary = list(book["Summary"].iter_rows(values_only=True))
    header, first = summary[0], summary[1]
    cost = _published(baseline.db_path, "select employer_cost from published.fct_year_summary where simulation_year = 2025")
    assert first[header.index("employer_cost")] == float(cost[0][0])
    events = list(book["Events"].iter_rows(values_only=True))
    total = _published(baseline.db_path, "select count(*) from published.fct_yearly_events")[0][0]
    assert events[0][0] == f"test_scenario: the first 50 of {total:,} events (the limit); the full table is published.fct_yearly_events"
    assert len(events) == 3 + 50
    contributions = list(book["Contributions"].iter_rows(values_only=True))
    columns = contributions[2]
    deferred = sum(Decimal(str(r[columns.index("employee_contribution")])) for r in contributions[3:])
    expected = _published(baseline.db_path, "select employee_contributions from published.fct_year_summary "
                                            "where simulation_year = 2027")[0][0]
    assert deferred == expected


def test_html_report_renders_with_every_plot_loaded(report):
    from tests.e2e.dagster_ui import chromium_path, open_browser

    if chromium_path() is None:
        pytest.skip("no Chromium on this machine: scripts/setup-browser installs Debian's chromium where it can")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = open_browser(playwright)
        try:
            page = browser.new_page()
            page.goto(report.html.as_uri())
            page.wait_for_load_state("load")
            images = page.evaluate("Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])")
            page.screenshot(path=str(report.folder / "report.png"), full_page=True)
        finally:
            browser.close()
    assert len(images) == 4 and all(done and width > 0 for _, done, width in images), images
    assert {alt for alt, _, _ in images} == set(report.plots)


def test_report_command_writes_the_files_and_refuses_bad_arguments(sources, tmp_path, capsys):
    baseline, alternative = sources
    args = ["report", "--scenario", str(baseline.scenario.source_path), "--db", str(baseline.db_path),
            "--compare", str(alternative.scenario.source_path), "--compare-db", str(alternative.db_path)]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    written = {Path(line).name for line in capsys.readouterr().out.splitlines() if line.startswith("/")}
    assert {"test_scenario_summary_2025-2029.csv", "test_scenario_vs_growth_variant_comparison.csv",
            "test_scenario_report.xlsx", "test_scenario_report.html"} <= written
    assert main([*args, "--out", str(tmp_path / "bad"), "--year", "2031"]) == 2
    assert "--year 2031" in capsys.readouterr().err
    assert main(["report", "--scenario", str(baseline.scenario.source_path), "--db", str(tmp_path / "none.duckdb"),
                 "--out", str(tmp_path / "none")]) == 2
    assert "simulate it first" in capsys.readouterr().err


def test_report_asset_writes_the_report_with_its_plots_in_the_metadata(sources, tmp_path, monkeypatch):
    from dagster import AssetKey, DagsterInstance

    from workforce_platform.defs.assembly import build_definitions
    from workforce_platform.defs.resources import SimulationResource

    baseline, _ = sources
    monkeypatch.setenv("WORKFORCE_REPORTS_DIR", str(tmp_path))
    definitions = build_definitions(SimulationResource(scenario_path=str(baseline.scenario.source_path),
                                                       database=str(baseline.db_path)))
    job = definitions.resolve_implicit_global_asset_job_def().get_subset(asset_selection={AssetKey(["test_scenario", "scenario_report"])})
    result = job.execute_in_process(instance=DagsterInstance.get())
    assert result.success
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["years"].value == "2025-2029"
    assert sum(key.startswith("plot_") for key in metadata) == 4
    # First the chart (short enough for the UI to show in place), then the key figures of each year.
    assert list(metadata)[:2] == ["overview", "key_figures"]
    assert metadata["overview"].value.startswith("![test_scenario: ending headcount and employer cost, 2025-2029]")
    assert len(metadata["overview"].value) < 1000
    records = metadata["key_figures"].value.records
    assert [r.data["year"] for r in records] == ["2025", "2026", "2027", "2028", "2029"]
    assert all(r.data["headcount"] and r.data["employer cost"] for r in records)
    assert (tmp_path / "test_scenario" / "test_scenario_summary_2025-2029.csv").exists()
