"""dbt's compiled SQL run as plain DuckDB statements, where dbt's runner costs more than the SQL:
the project's tests, the year's models of the parity gate's SQL side, and the parameters' seeds
and views. What dbt compiled is read from the manifest and the files kept in target/, so a process
that only runs these never imports dbt (dbt_project.manifest_json).

**Tests** (the parameters' tests, and the year's tests after the Polars engine). They are dbt's own
(generic tests declared in the models' YAML). dbt compiles them once per state of the project;
the year's tests leave the year and the scenario as the DuckDB parameters $simulation_year and
$scenario_id (the macro `in_year_being_built`). Every build then runs them as plain queries, far
cheaper than dbt's runner (selection, the adapter's cache, a compile per test; docs/benchmarks.md). The results
carry dbt's statuses, failing rows and messages, so the asset checks read them as they read
dbt's. Tests of another configuration than dbt's default (severity warn, another fail_calc,
warn_if or error_if, where, limit, stored failures) run through dbt. The compiled tests are kept
in memory and in target/plain_tests.json, labelled with the project's source digest: a changed
project compiles them again.

**The parity gate's SQL side** (`build_year_models`): the year's models as dbt compiles them for
the year (the same SQL `dbt run` would run: filled in from templates that dbt compiled once per
state of the project, see `model_templates`), run in dependency order with the two statements of
the `year_partition` materialization: create the table, or replace the year's rows in it. The
gate compares every table of it with the Polars engine's; a model of another materialization or
with hooks makes the build go through `dbt run`.

**The parameters** (`build_parameter_relations`): the first parameters build for a state of the
project goes through `dbt build` and keeps what dbt built (`keep_parameter_statements`): each
seed's table columns and CSV file, each view's SQL. Later builds create the seed tables with those
columns and fill them with dbt-duckdb's own statement (`COPY ... FROM` the file), then create the
views in dependency order. Anything else in the parameters (`unsupported_parameters`) makes the
build go through dbt.
"""

from workforce_platform.build.plain_sql.dbt_tests import (
    COMPILED_PATH, PARAMETERS, YEAR, PlainTest, compiled_tests, run_tests, run_year_tests, test_sets,
    unsupported_configuration,
)
from workforce_platform.build.plain_sql.models import (
    MODELS_PATH, ModelsNotCompiled, build_year_models, model_templates, prepare_year_models, relations_read,
    year_model_sql,
)
from workforce_platform.build.plain_sql.parameters import (
    PARAMETERS_PATH, build_parameter_relations, keep_parameter_statements, parameter_statements,
    unsupported_parameters,
)

__all__ = [
    "COMPILED_PATH", "MODELS_PATH", "PARAMETERS", "PARAMETERS_PATH", "YEAR", "ModelsNotCompiled", "PlainTest",
    "build_parameter_relations", "build_year_models", "compiled_tests", "keep_parameter_statements",
    "model_templates", "parameter_statements", "prepare_year_models", "relations_read", "run_tests",
    "run_year_tests", "test_sets", "unsupported_configuration", "unsupported_parameters", "year_model_sql",
]
