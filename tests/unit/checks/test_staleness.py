from workforce_platform.checks.staleness import CURRENCY_DESCRIPTION, rerun_hint


def test_the_hint_gives_the_ui_route_that_works_with_several_code_locations():
    # Materialize all… over several code locations offers all partitions only: the route filters
    # the Lineage to the scenario's location first (tests/e2e/test_dagster_ui.py follows it).
    hint = rerun_hint([2028, 2027], 2029, "growth")
    assert "Lineage → filter `code_location:growth`" in hint
    assert "Materialize all… → Custom `[2027...2029]` → Launch backfill" in hint
    assert "`workforce simulate --scenario FILE --years 2027-2029`" in hint
    assert "Custom `[2029...2029]` → Launch 1 run" in rerun_hint([2029], 2029, "growth")


def test_the_check_says_it_is_a_warning_not_a_failure():
    assert CURRENCY_DESCRIPTION.startswith("A warning, not a failure")
