"""Tables as text: right-aligned columns for the terminal, and Markdown tables for reports and the
Dagster UI's metadata."""

from __future__ import annotations

from typing import Any, Callable, Sequence


def right_aligned(headers: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) for c, w in zip(cells, widths))

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in body)])


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], cell: Callable[[Any], str] = str) -> str:
    """A Markdown table: the header, its rule, and a line per row (each value through `cell`; a `|`
    inside a value is escaped so that it stays in its column)."""
    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

    return "\n".join([line(headers), "|" + "---|" * len(headers), *(line([cell(v) for v in row]) for row in rows)])
