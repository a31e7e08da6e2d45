"""The dbt macro `random_draws` reproduces rng_vectors.csv exactly (compiled by real dbt, run by DuckDB)."""

import duckdb

from tests.conftest import RNG_VECTORS
from workforce_platform.patches.dbt_duckdb_connection import release_dbt_connection


def test_sql_macro_reproduces_vectors(tmp_path, monkeypatch):
    from dbt.cli.main import dbtRunner

    from workforce_platform.runtime.dbt_project import parsed_manifest, project_args

    monkeypatch.setenv("WORKFORCE_DB_PATH", str(tmp_path / "compile.duckdb"))
    inline = "{{ random_draws('select * from vectors', 'employee_key', 'seed', 'year', {'draw': 'stream'}) }}"
    try:
        result = dbtRunner(manifest=parsed_manifest()).invoke(["compile", "--quiet", "--inline", inline, *project_args()])
    finally:
        release_dbt_connection()
    assert result.success, result.exception
    compiled = result.result.results[0].node.compiled_code
    con = duckdb.connect()
    con.execute(f"""create table vectors as select * from read_csv('{RNG_VECTORS}',
                    types = {{'seed': 'UBIGINT', 'employee_key': 'UBIGINT', 'year': 'UBIGINT',
                             'stream': 'UBIGINT', 'h': 'UBIGINT', 'u': 'DOUBLE'}})""")
    rows = con.execute(f"select h, h_draw, u, u_draw from ({compiled})").fetchall()
    assert len(rows) == 10
    for h, h_draw, u, u_draw in rows:
        assert (h_draw, u_draw) == (h, u)
