"""The Dagster UI's own buttons, clicked in headless Chromium against a real `dagster dev`
(webserver and daemon) with its own instance, on a small census over three years:

1. Lineage → "Materialize all" over both code locations: the dialog loads without an error; all
   partitions: the parameters, then every year in order, each with its gates and promotion (an
   asset backfill); then the report, whose chart and key figures are the first metadata shown.
2. An asset page's "Materialize…" for one year: the UI adds the rest of the year (a year is one
   unit) and the run succeeds; the year's checks carry the year.
3. An asset's Checks → "Execute all": every check of the asset (the dbt test too) runs on every
   materialised year, each result on its year.
4. A year re-materialised with different results: the later years say they are stale (a warning),
   and the route the warning gives re-runs them.

Screenshots are saved in the test's temporary folder (the path is printed on failure).
"""

from __future__ import annotations

import json

import duckdb
import pytest
import yaml

from tests.e2e.dagster_ui import DagsterDev, chromium_path, open_browser
from workforce_platform.checks.invariants import BY_NAME, evaluate
from workforce_platform.paths import PROJECT_ROOT
from workforce_platform.runtime.fingerprint import table_fingerprint
from workforce_platform.census.generate import generate_census, write_census


YEARS = ("2025", "2026", "2027")
SNAPSHOT = "fct_workforce_snapshot"
SCENARIO = "ui_scenario"
OTHER_SCENARIO = "ui_growth"  # a second code location: Materialize all covers both
DBT_TEST = "snapshot_status_and_dates_consistent"  # a dbt test of the snapshot model, a check
RUN_TIMEOUT = 420


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory):
    if chromium_path() is None:
        pytest.skip("no Chromium on this machine: scripts/setup installs Debian's chromium where it can")
    pytest.importorskip("playwright.sync_api", reason="playwright is installed by the project's dev extra")
    folder = tmp_path_factory.mktemp("ui")
    census = write_census(generate_census(300, seed=11), folder / "census.csv")
    scenarios = folder / "scenarios"
    scenarios.mkdir()
    for scenario_id, growth in ((SCENARIO, 0.03), (OTHER_SCENARIO, 0.06)):
        (scenarios / f"{scenario_id}.yaml").write_text(yaml.safe_dump({
            "scenario_id": scenario_id, "start_year": 2025, "end_year": 2027, "random_seed": 5,
            "target_growth_rate": growth, "census_path": str(census)}, sort_keys=False))
    # Its own registry of two scenarios, one code location each, as the project's workspace.yaml.
    workspace = folder / "workspace.yaml"
    workspace.write_text(yaml.safe_dump({"load_from": [{"python_module": {
        "module_name": "workforce_platform.defs.locations", "attribute": name, "location_name": name,
        "working_directory": str(PROJECT_ROOT)}} for name in (SCENARIO, OTHER_SCENARIO)]}))
    server = DagsterDev(folder / "dagster_home", {"WORKFORCE_SCENARIOS_DIR": str(scenarios),
                                                  "WORKFORCE_DB_DIR": str(folder / "databases"),
                                                  "WORKFORCE_REPORTS_DIR": str(folder / "reports")},
                        folder / "dagster_dev.log", workspace=workspace, scenario_id=SCENARIO)
    scenario = scenarios / f"{SCENARIO}.yaml"
    server.reports = folder / "reports"
    server.databases = folder / "databases"
    server.scenario = scenario
    server.screenshots = folder / "screenshots"
    server.screenshots.mkdir()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(dagster_dev):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = open_browser(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, dagster_dev, request):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.set_default_timeout(30_000)
    yield page
    page.screenshot(path=str(dagster_dev.screenshots / f"{request.node.name}.png"))
    page.close()


def _wait_until_idle(server: DagsterDev, since: set[str]) -> list[dict]:
    """Waits until the runs launched after `since` (run ids) are all finished; returns them."""
    server.wait_for(lambda: [r for r in server.runs() if r["runId"] not in since], 60, "no run was launched")
    server.wait_for(server.idle, RUN_TIMEOUT, "the launched runs did not finish", every=2)
    return [r for r in server.runs() if r["runId"] not in since]


def _launch(server: DagsterDev, page, button, operation: str) -> dict:
    """Clicks a launch button and waits for the UI's launch request (GraphQL `operation`) and its
    answer; returns the request's variables. A click that lands while React re-renders the dialog (the partition box's Enter
    replaces the button) sends nothing; a user would press again, and so does this, once. A
    refused launch fails here with Dagster's own answer."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    def is_launch(request) -> bool:
        return request.method == "POST" and f'"operationName":"{operation}"' in (request.post_data or "")

    for attempt in (1, 2):
        try:
            with page.expect_request(is_launch, timeout=30_000) as sent:
                button.click()
            break
        except PlaywrightTimeout:
            page.screenshot(path=str(server.screenshots / f"{operation}_not_sent_{attempt}.png"))
            if attempt == 2:
                raise AssertionError(f"pressing the launch button twice sent no {operation} request; the page "
                                     f"showed:\n{page.locator('body').inner_text()[:3000]}") from None
    response = sent.value.response()
    answer = response.json() if response is not None else {}
    outcome = next(iter((answer.get("data") or {}).values()), None) or {}
    assert str(outcome.get("__typename", "")).endswith("Success"), (operation, answer)
    return json.loads(sent.value.post_data)["variables"]


def _materialize_one_year(server: DagsterDev, page, year: str) -> None:
    """Asset page → "Materialize…" → confirm that the year is one unit → the year → "Launch 1 run"."""
    from playwright.sync_api import expect

    page.goto(f"{server.url}/assets/{SCENARIO}/{SNAPSHOT}")
    page.get_by_role("button", name="Materialize…").first.click()
    # The year is one unit: the UI lists what else it builds, and the user confirms.
    notice = page.locator("[role=dialog]").last
    assert "fct_yearly_events" in notice.inner_text()
    notice.get_by_role("button", name="Confirm").click()
    dialog = page.locator("[role=dialog]").last
    box = dialog.get_by_role("textbox").first
    box.fill(year)
    box.press("Enter")
    launch = dialog.get_by_role("button", name="Launch 1 run")
    expect(box).to_have_value(year)
    expect(dialog.get_by_text("1 partition", exact=True)).to_be_visible()
    expect(launch).to_be_enabled()
    page.screenshot(path=str(server.screenshots / f"materialize_{year}_dialog.png"))
    _launch(server, page, launch, "LaunchPipelineExecution")


def _assert_succeeded(server: DagsterDev, runs: list[dict]) -> None:
    failed = [r for r in runs if r["status"] != "SUCCESS"]
    assert not failed, "\n".join(f"{r['jobName']} {r['runId']}: {r['status']}\n{server.run_failure(r['runId'])}"
                                 for r in failed)


def _open_check_partitions(server: DagsterDev, page, check: str) -> None:
    """Asset page → Checks → the check → its Partitions tab (a result per year)."""
    page.goto(f"{server.url}/assets/{SCENARIO}/{SNAPSHOT}?view=checks")
    page.get_by_text(check, exact=True).first.click()
    page.get_by_text("Execution history", exact=True).wait_for()
    page.get_by_text("Partitions", exact=True).last.click()


def test_materialize_all_from_the_lineage_runs_every_year_in_order(dagster_dev, page):
    page.goto(f"{dagster_dev.url}/asset-groups")
    # The dialog asks one code location for the config of every selected asset (its config editor's
    # query), and showed "Error loading base asset job" until patches/dagster_cross_location_job_query.py answered it.
    with page.expect_response(lambda r: '"operationName":"LaunchpadRootQuery"' in (r.request.post_data or "")) as query:
        page.get_by_role("button", name="Materialize all").click()
    answer = query.value.json()["data"]
    assert answer["pipelineOrError"]["__typename"] == "Pipeline", answer["pipelineOrError"]
    dialog = page.locator("[role=dialog]").last
    # The scenarios are two code locations: the dialog selects all their partitions at once.
    dialog.get_by_text("All partitions", exact=True).wait_for()
    page.wait_for_timeout(500)  # the config section renders the query's answer
    shown = dialog.inner_text()
    assert "Error loading" not in shown and "Unknown error" not in shown, shown
    page.screenshot(path=str(dagster_dev.screenshots / "materialize_all_dialog.png"))
    _launch(dagster_dev, page, dialog.get_by_role("button", name="Launch backfill"), "LaunchPartitionBackfill")
    runs = _wait_until_idle(dagster_dev, set())
    _assert_succeeded(dagster_dev, runs)
    for scenario_id in (SCENARIO, OTHER_SCENARIO):
        for path in ([SNAPSHOT], ["fct_yearly_events"], ["published", SNAPSHOT], ["published", "fct_year_summary"]):
            assert dagster_dev.materialised(path, YEARS[0], YEARS[-1], scenario_id), (
                scenario_id, path, dagster_dev.partition_statuses(path, scenario_id))
        # Per scenario (code location): the parameters, then one run of every year (built in
        # order, then checked, then published), then the report of the published years.
        own = [r for r in runs if {"key": "dagster/code_location", "value": scenario_id} in r["tags"]]
        ranges = [r for r in own if {"key": "dagster/asset_partition_range_start", "value": YEARS[0]} in r["tags"]]
        assert len(own) == 3 and len(ranges) == 1, (scenario_id, runs)
        assert (dagster_dev.reports / scenario_id / f"{scenario_id}_summary_{YEARS[0]}-{YEARS[-1]}.csv").exists()
    assert len(runs) == 6
    ranges = [r for r in runs if {"key": "dagster/code_location", "value": SCENARIO} in r["tags"]
              and {"key": "dagster/asset_partition_range_start", "value": YEARS[0]} in r["tags"]]
    # The report's latest materialisation: its first metadata shown on the asset's page, in view
    # without a click, are the chart and the key figures of every year.
    from playwright.sync_api import expect

    page.goto(f"{dagster_dev.url}/assets/{SCENARIO}/scenario_report")
    metadata = page.locator("table", has=page.locator("thead td", has_text="Timestamp")).first
    chart_row, figures_row = metadata.locator("tbody > tr").nth(0), metadata.locator("tbody > tr").nth(1)
    expect(chart_row.locator("td").first).to_have_text("overview")
    chart = chart_row.locator("img")
    expect(chart).to_be_in_viewport()
    assert chart.evaluate("i => i.complete && i.naturalWidth") > 0
    expect(figures_row.locator("td").first).to_have_text("key_figures")
    expect(figures_row.locator("table")).to_be_in_viewport()
    for year in YEARS:
        expect(figures_row.locator("td", has_text=year).first).to_be_visible()
    page.screenshot(path=str(dagster_dev.screenshots / "report_overview_in_the_ui.png"))
    # The PNG plots are behind their links.
    page.get_by_text("[Show Markdown]").nth(1).click()
    page.locator("[role=dialog] img").first.wait_for()
    loaded = page.evaluate("Array.from(document.querySelectorAll('[role=dialog] img')).map(i => i.complete && i.naturalWidth)")
    assert loaded and all(loaded), loaded
    page.screenshot(path=str(dagster_dev.screenshots / "report_plot_in_the_ui.png"))
    assert {"key": "dagster/asset_partition_range_end", "value": YEARS[-1]} in ranges[0]["tags"]
    built = [m for m in dagster_dev.run_messages(ranges[0]["runId"]) if m.startswith("year ")]
    assert [m.split()[1] for m in built] == list(YEARS), built
    for check in ("continuity", "mass_balance", "determinism"):
        asset = {"continuity": "int_starting_workforce_assembled", "mass_balance": "fct_year_summary"}.get(check, SNAPSHOT)
        executions = dagster_dev.check_executions(asset, check)
        # One result on each year, and the run's own result over the years.
        assert {e["partition"] for e in executions} == {*YEARS, None}, (check, executions)
        assert all(e["status"] == "SUCCEEDED" for e in executions), (check, executions)


def test_the_catalogue_and_the_partitions_page_show_the_scenario_years_and_checks(dagster_dev, page):
    # The catalogue lists the scenario's assets under its id.
    page.goto(f"{dagster_dev.url}/assets/{SCENARIO}")
    for text in ("config_levels", "parameters", "simulation"):
        page.get_by_text(text, exact=True).first.wait_for()
    page.screenshot(path=str(dagster_dev.screenshots / "asset_catalogue.png"))
    for name in (SNAPSHOT, "fct_yearly_events", "scenario_report"):  # the list renders only the rows in view
        page.goto(f"{dagster_dev.url}/assets/{SCENARIO}/{name}")
        page.get_by_text(name, exact=True).first.wait_for()
    # One asset's partitions page: every year, materialised.
    page.goto(f"{dagster_dev.url}/assets/{SCENARIO}/{SNAPSHOT}?view=partitions")
    for year in YEARS:
        page.locator(f":text-is('{year}'):visible").first.wait_for()
    page.get_by_text("Materialized", exact=False).first.wait_for()
    page.screenshot(path=str(dagster_dev.screenshots / "snapshot_partitions.png"))
    # Its checks, with their results.
    page.goto(f"{dagster_dev.url}/assets/{SCENARIO}/{SNAPSHOT}?view=checks")
    for check in ("determinism", "no_resurrection", "built_on_current_years"):
        page.get_by_text(check, exact=True).first.wait_for()
    page.get_by_text("Passed", exact=False).first.wait_for()
    page.screenshot(path=str(dagster_dev.screenshots / "snapshot_checks.png"))


def test_materialize_on_an_asset_page_builds_the_whole_year(dagster_dev, page):
    before = {r["runId"] for r in dagster_dev.runs()}
    _materialize_one_year(dagster_dev, page, "2026")
    runs = _wait_until_idle(dagster_dev, before)
    _assert_succeeded(dagster_dev, runs)
    assert len(runs) == 1 and {"key": "dagster/partition", "value": "2026"} in runs[0]["tags"]
    executions = [e for e in dagster_dev.check_executions(SNAPSHOT, "determinism") if e["runId"] == runs[0]["runId"]]
    assert [e["partition"] for e in executions] == ["2026"] and executions[0]["status"] == "SUCCEEDED"
    # The check's partitions view shows a result for every year.
    _open_check_partitions(dagster_dev, page, "determinism")
    page.get_by_text("Passed (3)").wait_for()


def test_execute_all_checks_checks_every_year_on_its_year(dagster_dev, page):
    before = {r["runId"] for r in dagster_dev.runs()}
    page.goto(f"{dagster_dev.url}/assets/{SCENARIO}/{SNAPSHOT}?view=checks")
    sent = _launch(dagster_dev, page, page.get_by_role("button", name="Execute all"), "LaunchPipelineExecution")
    # Every check of the asset, the dbt test of its model too (the UI leaves out a check that
    # cannot run without building its asset).
    launched = {c["name"] for c in sent["executionParams"]["selector"]["assetCheckSelection"]}
    assert launched == set(dagster_dev.check_names(SNAPSHOT)) and DBT_TEST in launched, launched
    runs = _wait_until_idle(dagster_dev, before)
    _assert_succeeded(dagster_dev, runs)
    run_id = runs[0]["runId"]
    for check in ("determinism", "plan_state", "built_on_current_years", DBT_TEST):
        results = {e["partition"]: e["status"] for e in dagster_dev.check_executions(SNAPSHOT, check)
                   if e["runId"] == run_id}
        # One result on each year (Dagster 1.13 skips the run's own, yearless one).
        assert {y: s for y, s in results.items() if y} == {y: "SUCCEEDED" for y in YEARS}, (check, results)


def test_a_changed_year_makes_the_later_years_stale_and_their_rerun_keeps_the_published_chain(dagster_dev, page):
    from playwright.sync_api import expect

    scenario = yaml.safe_load(dagster_dev.scenario.read_text())
    scenario["target_growth_rate"] = 0.08  # a different 2026
    dagster_dev.scenario.write_text(yaml.safe_dump(scenario, sort_keys=False))
    before = {r["runId"] for r in dagster_dev.runs()}
    _materialize_one_year(dagster_dev, page, "2026")
    runs = _wait_until_idle(dagster_dev, before)
    _assert_succeeded(dagster_dev, runs)
    latest = {}
    for e in dagster_dev.check_executions(SNAPSHOT, "built_on_current_years"):
        latest.setdefault(e["partition"], e)  # newest first
    assert latest["2026"]["evaluation"]["success"] is True
    stale = latest["2027"]["evaluation"]
    assert stale["success"] is False and "stale" in stale["description"] and "2027" in stale["description"]
    # Dagster 1.13 counts the warning under "Failed" on the check's Partitions tab (it draws every
    # result that did not pass red there); the year's own result is drawn as a warning and says so.
    _open_check_partitions(dagster_dev, page, "built_on_current_years")
    page.get_by_text("Failed (1)").wait_for()
    page.locator(":text-is('2027'):visible").last.click()
    page.get_by_text("stale (a warning, not a failure):", exact=False).first.wait_for()
    page.locator(".BaseTag", has=page.get_by_role("img", name="warning_outline"), has_text="Failed").wait_for()
    page.screenshot(path=str(dagster_dev.screenshots / "stale_year_warning.png"))
    # The route the warning gives: Lineage filtered to the scenario's code location → Materialize
    # all… → Custom [2027...2027] → Launch 1 run. The year is current again.
    assert f"Lineage → filter `code_location:{SCENARIO}`" in stale["description"]
    assert "Custom `[2027...2027]` → Launch 1 run" in stale["description"]
    page.goto(f"{dagster_dev.url}/asset-groups")
    page.locator(".CodeMirror").first.click()
    page.keyboard.type(f"code_location:{SCENARIO}")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Materialize all").click()
    dialog = page.locator("[role=dialog]").last
    dialog.get_by_text("Custom", exact=True).click()
    box = dialog.get_by_role("textbox").first
    box.fill("[2027...2027]")
    box.press("Enter")
    expect(dialog.get_by_text("1 partition", exact=True)).to_be_visible()
    page.screenshot(path=str(dagster_dev.screenshots / "rerun_stale_year_dialog.png"))
    before = {r["runId"] for r in dagster_dev.runs()}
    _launch(dagster_dev, page, dialog.get_by_role("button", name="Launch 1 run"), "LaunchPipelineExecution")
    runs = _wait_until_idle(dagster_dev, before)
    _assert_succeeded(dagster_dev, runs)
    assert [r for r in runs if {"key": "dagster/partition", "value": "2027"} in r["tags"]], runs
    latest = {}
    for e in dagster_dev.check_executions(SNAPSHOT, "built_on_current_years"):
        latest.setdefault(e["partition"], e)
    assert latest["2027"]["runId"] == runs[0]["runId"] and latest["2027"]["evaluation"]["success"] is True
    # The rebuilt 2026 was never promoted on its own; the run of 2027 promoted it first, so the
    # published layer is one chain again: 2026 as rebuilt, and 2027 built on it.
    chain = [e for e in dagster_dev.check_executions(f"published/{SNAPSHOT}", "published_chain_consistent")
             if e["runId"] == runs[0]["runId"]]
    assert chain and chain[0]["status"] == "SUCCEEDED", chain
    con = duckdb.connect(str(dagster_dev.databases / f"{SCENARIO}.duckdb"), read_only=True)
    try:
        assert [r[0] for r in con.execute("select simulation_year from published.promotions order by 1").fetchall()] == [
            int(y) for y in YEARS]
        for year in (2026, 2027):
            where = f"simulation_year = {year}"
            assert table_fingerprint(con, f"published.{SNAPSHOT}", where) == table_fingerprint(con, f"main.{SNAPSHOT}", where)
        assert evaluate(con, BY_NAME["published_chain_consistent"], SCENARIO, None, 2025).passed
    finally:
        con.close()
