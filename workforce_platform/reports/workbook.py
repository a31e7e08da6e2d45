"""The Excel workbook of a report (openpyxl): assumptions, summary, comparison, events (with a row
limit and a note when cut), and contributions by employee for one year."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Optional

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from workforce_platform.reports.tables import Table

SHEETS = ("Assumptions", "Summary", "Comparison", "Events", "Contributions")


def _cell(value):
    # Excel has no decimal type: money goes in as its exact text rendering converted to a float of
    # at most 15 significant digits (cents of totals below 10^13 survive).
    return float(value) if isinstance(value, Decimal) else value


def _sheet(workbook: Workbook, title: str, table: Table, note: Optional[str] = None) -> None:
    """One sheet, streamed (write-only: a large events sheet costs no memory per cell)."""
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A4" if note else "A2"
    if note:
        cell = WriteOnlyCell(sheet, value=note)
        cell.font = Font(italic=True)
        sheet.append([cell])
        sheet.append([])
    header = []
    for name in table.columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for values in table.rows:
        sheet.append([_cell(v) for v in values])


def write_workbook(path: Path, assumptions: dict[str, list[tuple[str, str]]], summaries: dict[str, Table],
                   comparisons: dict[str, Table], events: Table, events_total: int, contributions: Table,
                   contributions_year: int, scenario_id: str) -> Path:
    workbook = Workbook(write_only=True)
    _sheet(workbook, "Assumptions", Table(["scenario", "key", "value"],
                                          [(s, k, v) for s, pairs in assumptions.items() for k, v in pairs]))
    _sheet(workbook, "Summary", Table(["scenario", *next(iter(summaries.values())).columns],
                                      [(s, *row) for s, table in summaries.items() for row in table.rows]))
    if comparisons:
        columns = next(iter(comparisons.values())).columns
        _sheet(workbook, "Comparison", Table(["baseline", "alternative", *columns],
                                             [(scenario_id, s, *row) for s, table in comparisons.items()
                                              for row in table.rows]))
    else:
        _sheet(workbook, "Comparison", Table(["note"], [("no alternative scenario was given (--compare)",)]))
    note = (f"{scenario_id}: the first {len(events.rows):,} of {events_total:,} events (the limit); "
            "the full table is published.fct_yearly_events" if events_total > len(events.rows) else None)
    _sheet(workbook, "Events", events, note)
    _sheet(workbook, "Contributions", contributions, f"{scenario_id}: contributions by employee, {contributions_year}")
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
