"""One report run: the files of a scenario (and its comparison with alternatives) in one folder.

Files: `<id>_summary_<first>-<last>.csv` per scenario, `<id>_vs_<alt>_comparison.csv` per
alternative, `<id>_nondiscrimination.csv` (the ADP and ACP tests by year), `<id>_report.xlsx`, PNG plots, and `<id>_report.html` (self-contained).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from workforce_platform.reports import html as html_report
from workforce_platform.reports import plots
from workforce_platform.reports.tables import (
    PublishedScenario,
    Table,
    assumptions,
    comparison,
    contributions,
    csv_text,
    events,
    nondiscrimination,
    pay_by_level,
    resolve_year,
    summary_file_name,
    year_summary,
)
from workforce_platform.reports.workbook import write_workbook

DEFAULT_EVENTS_LIMIT = 100_000


@dataclass
class ReportFiles:
    folder: Path
    summaries: dict[str, Path] = field(default_factory=dict)
    comparisons: dict[str, Path] = field(default_factory=dict)
    plots: dict[str, Path] = field(default_factory=dict)
    workbook: Optional[Path] = None
    html: Optional[Path] = None
    nondiscrimination: Optional[Path] = None
    summary_tables: dict[str, Table] = field(default_factory=dict)
    comparison_tables: dict[str, Table] = field(default_factory=dict)

    def all(self) -> list[Path]:
        return [*self.summaries.values(), *self.comparisons.values(), *self.plots.values(),
                *(p for p in (self.nondiscrimination, self.workbook, self.html) if p)]


# The steps of a report, for progress bars: (name, weight).
STEPS = ("summaries", "comparisons", "plots", "workbook", "html")


def build_report(baseline: PublishedScenario, alternatives: list[PublishedScenario], out: Path,
                 year: Optional[int] = None, events_limit: int = DEFAULT_EVENTS_LIMIT,
                 progress: Callable[[str], None] = lambda step: None) -> ReportFiles:
    """Writes the report files into `out`; `progress` is called after each step with its name."""
    out.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(out)
    base_id = baseline.scenario_id
    for source in [baseline, *alternatives]:
        summary = year_summary(source)
        files.summary_tables[source.scenario_id] = summary
        path = out / summary_file_name(source.scenario_id, summary)
        path.write_text(csv_text(summary))
        files.summaries[source.scenario_id] = path
    tests = nondiscrimination(baseline)
    if tests is not None:
        files.nondiscrimination = out / f"{base_id}_nondiscrimination.csv"
        files.nondiscrimination.write_text(csv_text(tests))
    progress("summaries")
    for alternative in alternatives:
        table = comparison(baseline, alternative)
        files.comparison_tables[alternative.scenario_id] = table
        path = out / f"{base_id}_vs_{alternative.scenario_id}_comparison.csv"
        path.write_text(csv_text(table))
        files.comparisons[alternative.scenario_id] = path
    progress("comparisons")
    year = resolve_year(baseline, year)
    summary = files.summary_tables[base_id]
    pngs = {
        f"{base_id}_headcount.png": plots.headcount(summary, base_id),
        f"{base_id}_pay_by_level_{year}.png": plots.pay_by_level(pay_by_level(baseline, year), base_id, year),
        f"{base_id}_participation.png": plots.participation(summary, base_id),
        f"{base_id}_employer_cost.png": plots.employer_cost(files.summary_tables),
    }
    for name, png in pngs.items():
        (out / name).write_bytes(png)
        files.plots[name] = out / name
    progress("plots")
    event_table, events_total = events(baseline, events_limit)
    files.workbook = write_workbook(
        out / f"{base_id}_report.xlsx",
        {s.scenario_id: assumptions(s.scenario, s) for s in [baseline, *alternatives]},
        files.summary_tables, files.comparison_tables, event_table, events_total,
        contributions(baseline, year), year, base_id)
    progress("workbook")
    sections = [(f"Summary: {sid}", html_report.table_html(t)) for sid, t in files.summary_tables.items()]
    sections += [(f"Comparison: {base_id} vs {sid}", html_report.table_html(t))
                 for sid, t in files.comparison_tables.items()]
    if tests is not None:
        sections.append((f"ADP and ACP tests: {base_id}", html_report.table_html(tests)))
    sections.append(("Plots", "".join(html_report.image_html(name, png) for name, png in pngs.items())))
    files.html = out / f"{base_id}_report.html"
    files.html.write_text(html_report.page(f"Workforce simulation report: {base_id}", sections))
    progress("html")
    return files
