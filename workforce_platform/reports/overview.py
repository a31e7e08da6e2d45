"""The report's overview chart: ending headcount and employer cost by year, as a small SVG in a
Markdown image that the Dagster UI shows in place, the first entry of the report's metadata.

Dagster 1.13's UI shows a Markdown metadata value in place only when it is shorter than 1,000
characters (ui-core src/metadata/MetadataEntry.tsx, `MarkdownMetadataEntry`); a longer one,
such as any PNG plot, sits behind a "[Show Markdown]" link. Its Markdown allows `data:` image
sources (src/ui/MarkdownWithPlugins.tsx), so the chart is an SVG written out as a data URI:
percent-encoded rather than base64 (shorter), the years thinned out evenly when a long horizon
would not fit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from workforce_platform.reports.tables import Table

INLINE_MARKDOWN_LIMIT = 1000  # characters: Dagster's UI shows shorter Markdown values in place
# Narrow enough for the value column of the asset page's metadata beside long keys; a line of
# labels each, above the lines.
WIDTH, HEIGHT, TOP, BOTTOM, SIDE = 360, 140, 34, 18, 8
HEADCOUNT_COLOUR, COST_COLOUR = "#1f4e79", "#c55a11"  # as the PNG plots (reports/plots.py)


def _whole(value) -> str:
    return f"{int(Decimal(value).to_integral_value()):,}"


def _points(values: Sequence, indices: Sequence[int], count: int) -> str:
    numbers = [float(value) for value in values]
    low, high = min(numbers), max(numbers)
    plot = HEIGHT - TOP - BOTTOM
    coordinates = []
    for i in indices:
        x = SIDE + (WIDTH - 2 * SIDE) * (i / (count - 1) if count > 1 else 0.5)
        y = TOP + plot * (0.5 if high == low else (high - numbers[i]) / (high - low))
        coordinates += [str(round(x)), str(round(y))]
    return ",".join(coordinates)


def overview_svg(summary: Table, every: int = 1) -> str:
    """The chart of the summary's years (every `every`-th year and the last one); each line has
    its own scale, its first and last values in its label."""
    years = summary.column("simulation_year")
    headcount, cost = summary.column("ending_headcount"), summary.column("employer_cost")
    count = len(years)
    indices = sorted({*range(0, count, every), count - 1})
    if count == 1:  # one year: a level line across the chart
        headcount, cost, indices, count = headcount * 2, cost * 2, [0, 1], 2
    line = "<polyline stroke='{}'{} points='{}'/>"
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' font-size='11'>"
            f"<g fill='none' stroke-width='2'>"
            + line.format(HEADCOUNT_COLOUR, "", _points(headcount, indices, count))
            + line.format(COST_COLOUR, " stroke-dasharray='5,3'", _points(cost, indices, count))
            + "</g>"
            f"<text x='{SIDE}' y='12' fill='{HEADCOUNT_COLOUR}'>ending headcount {_whole(headcount[0])} to "
            f"{_whole(headcount[-1])}</text>"
            f"<text x='{SIDE}' y='26' fill='{COST_COLOUR}'>employer cost (dashed) "
            f"{_whole(cost[0])} to {_whole(cost[-1])}</text>"
            f"<text x='{SIDE}' y='{HEIGHT - 4}'>{years[0]}</text>"
            f"<text x='{WIDTH - SIDE}' y='{HEIGHT - 4}' text-anchor='end'>{years[-1]}</text></svg>")


def _data_uri(svg: str) -> str:
    # What a Markdown link destination and a URI cannot hold as they are.
    for character, code in (("%", "%25"), ("<", "%3C"), (">", "%3E"), ("#", "%23"), (" ", "%20"),
                            ("(", "%28"), (")", "%29"), ('"', "%22")):
        svg = svg.replace(character, code)
    return "data:image/svg+xml," + svg


def overview_markdown(summary: Table, scenario_id: str) -> str:
    """The chart as a Markdown image short enough for the UI to show in place."""
    years = summary.column("simulation_year")
    every = 1
    while True:
        markdown = (f"![{scenario_id}: ending headcount and employer cost, {years[0]}-{years[-1]}]"
                    f"({_data_uri(overview_svg(summary, every))})")
        if len(markdown) < INLINE_MARKDOWN_LIMIT or every >= len(years):
            return markdown
        every += 1
