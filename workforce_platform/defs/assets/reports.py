"""The analysts' report as a Dagster asset (group `reports`, not partitioned): it reads every
published year of the scenario and writes the summary CSV, the plots, the workbook and the HTML
report to `reports/<scenario_id>/` (or WORKFORCE_REPORTS_DIR). Run config `compare` names
alternative scenario files (their databases: data/<scenario_id>.duckdb) to compare with."""


import base64
import os
from decimal import Decimal
from pathlib import Path
from typing import Optional

from dagster import (AssetExecutionContext, Config, Failure, MaterializeResult, MetadataValue, TableColumn,
                     TableRecord, TableSchema, asset)
from pydantic import Field

from workforce_platform.defs.asset_keys import scenario_key
from workforce_platform.errors import WorkforceInputError
from workforce_platform.runtime.fingerprint import RESULT_TABLES
from workforce_platform.paths import PROJECT_ROOT
from workforce_platform.config.scenario import load_scenario
from workforce_platform.defs.resources import SimulationResource
from workforce_platform.reports.build import build_report
from workforce_platform.reports.overview import overview_markdown
from workforce_platform.reports.tables import PublishedScenario, Table, default_alternative_db
from workforce_platform.text_table import markdown_table


class ReportConfig(Config):
    compare: list[str] = Field(default_factory=list,
                               description="Alternative scenario files to compare with (databases: data/<id>.duckdb).")
    year: Optional[int] = Field(None, description="Year of the contributions sheet and pay plot (default: the last).")
    events_limit: int = Field(100_000, ge=1, description="Most events in the workbook.")


def reports_folder(scenario_id: str) -> Path:
    return Path(os.environ.get("WORKFORCE_REPORTS_DIR", PROJECT_ROOT / "reports")).resolve() / scenario_id


def build_report_asset(scenario_id: str):
    @asset(key=scenario_key(scenario_id, "scenario_report"), group_name="reports",
           deps=[scenario_key(scenario_id, "published", table) for table in RESULT_TABLES],
           description="Summary CSV (first-last year), comparison, plots, Excel workbook and HTML report of "
                       "every published year. Its latest materialisation's metadata starts with a chart of the "
                       "ending headcount and employer cost by year (`overview`) and each year's key figures; the "
                       "full summary and the PNG plots follow.")
    def scenario_report(context: AssetExecutionContext, config: ReportConfig, simulation: SimulationResource):
        try:
            scenario = simulation.scenario_of_location(scenario_id)
            # The report reads the published years read-only and attaches the alternatives' databases
            # beside them (reports/tables.py), so it takes the file's path rather than a connection.
            baseline = PublishedScenario(scenario, simulation.database_path())
            alternatives = []
            for path in config.compare:
                other = load_scenario(path)
                alternatives.append(PublishedScenario(other, default_alternative_db(other)))
            files = build_report(baseline, alternatives, reports_folder(scenario.scenario_id), config.year,
                                 config.events_limit, progress=lambda step: context.log.info(f"report: {step} written"))
        except WorkforceInputError as exc:
            raise Failure(description=str(exc), allow_retries=False) from exc
        summary = files.summary_tables[scenario.scenario_id]
        for row in summary.rows:
            figures = dict(zip(summary.columns, row))
            context.log.info(f"year {figures['simulation_year']}: ending headcount {figures['ending_headcount']:,}, "
                             f"total pay {figures['total_prorated_compensation']:,}, employer cost "
                             f"{figures['employer_cost']:,}")
        # What the UI shows first, in place: the chart, then the key figures (narrow enough for the
        # asset's page); then the full summary (every column of the CSV, wider than the page: it
        # scrolls sideways) and the PNG plots.
        metadata = {
            "overview": MetadataValue.md(overview_markdown(summary, scenario.scenario_id)),
            "key_figures": _key_figures(summary),
            "folder": MetadataValue.path(str(files.folder)),
            "years": MetadataValue.text(f"{summary.rows[0][0]}-{summary.rows[-1][0]}"),
            "summary": MetadataValue.md(_markdown(summary)),
            "html_report": MetadataValue.path(str(files.html)),
            "workbook": MetadataValue.path(str(files.workbook)),
        }
        for name, path in files.plots.items():
            data = base64.b64encode(path.read_bytes()).decode()
            metadata[f"plot_{path.stem}"] = MetadataValue.md(f"![{name}](data:image/png;base64,{data})")
        for alternative, table in files.comparison_tables.items():
            metadata[f"comparison_{alternative}"] = MetadataValue.md(_markdown(table))
        return MaterializeResult(metadata=metadata)

    return scenario_report


# The key figures: (column, header, format). Few and narrow, so that the table fits beside its key
# on the asset's page; the full summary follows.
KEY_FIGURES = (
    ("simulation_year", "year", str),
    ("ending_headcount", "headcount", lambda v: f"{v:,}"),
    ("growth_rate", "growth", lambda v: f"{Decimal(v) * 100:.2f}%"),
    ("total_prorated_compensation", "total pay", lambda v: f"{Decimal(v):,.0f}"),
    ("employer_cost", "employer cost", lambda v: f"{Decimal(v):,.0f}"),
)


def _key_figures(summary: Table) -> MetadataValue:
    columns = [summary.columns.index(name) for name, _, _ in KEY_FIGURES]
    return MetadataValue.table(
        records=[TableRecord({header: ("" if row[i] is None else show(row[i]))
                              for (_, header, show), i in zip(KEY_FIGURES, columns)}) for row in summary.rows],
        schema=TableSchema(columns=[TableColumn(header, "string") for _, header, _ in KEY_FIGURES]))


def _markdown(table: Table) -> str:
    return markdown_table(table.columns, table.rows, lambda value: "" if value is None else str(value))
