"""Same inputs and seed give identical tables whatever the thread count; another seed differs."""

from tests.integration.conftest import OTHER_SEED, SEED
from workforce_platform.runtime.fingerprint import year_fingerprints

YEARS = range(2025, 2030)


def _fingerprints(runs, seed, threads):
    con = runs.connect(seed=seed, threads=threads)
    try:
        return {year: year_fingerprints(con, "test_scenario", year) for year in YEARS}
    finally:
        con.close()


def test_thread_counts_and_repeated_runs_give_identical_tables(runs):
    reference = _fingerprints(runs, SEED, 2)
    assert _fingerprints(runs, SEED, 1) == reference
    assert _fingerprints(runs, SEED, 4) == reference


def test_another_seed_gives_different_tables(runs):
    reference = _fingerprints(runs, SEED, 2)
    other = _fingerprints(runs, OTHER_SEED, 2)
    for year in YEARS:
        assert other[year]["fct_yearly_events"] != reference[year]["fct_yearly_events"]
        assert other[year]["fct_workforce_snapshot"] != reference[year]["fct_workforce_snapshot"]


def test_fingerprint_sees_a_one_cent_change(runs, tmp_path):
    import shutil

    import duckdb

    copy = tmp_path / "copy.duckdb"
    shutil.copy(runs.database(SEED, 2), copy)
    con = duckdb.connect(str(copy))
    before = year_fingerprints(con, "test_scenario", 2027)
    con.execute("""update fct_workforce_snapshot set prorated_compensation = prorated_compensation + 0.01
                   where simulation_year = 2027 and employee_id = (select min(employee_id) from fct_workforce_snapshot)""")
    after = year_fingerprints(con, "test_scenario", 2027)
    assert after["fct_workforce_snapshot"] != before["fct_workforce_snapshot"]
    assert after["fct_yearly_events"] == before["fct_yearly_events"]
