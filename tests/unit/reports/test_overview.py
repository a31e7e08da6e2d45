import urllib.parse
import xml.etree.ElementTree as ElementTree
from decimal import Decimal

import pytest

from workforce_platform.reports.overview import HEIGHT, INLINE_MARKDOWN_LIMIT, overview_markdown
from workforce_platform.reports.tables import SUMMARY_COLUMNS, Table

SVG = "{http://www.w3.org/2000/svg}"


def _summary(years: int) -> Table:
    rows = []
    for i in range(years):
        values = dict.fromkeys(SUMMARY_COLUMNS, 0)
        values.update(simulation_year=2025 + i, ending_headcount=100_000 + 1_373 * i,
                      employer_cost=Decimal("123456789.95") - Decimal("1000000.10") * i)
        rows.append(tuple(values[c] for c in SUMMARY_COLUMNS))
    return Table(list(SUMMARY_COLUMNS), rows)


def _svg(markdown: str) -> ElementTree.Element:
    uri = markdown[markdown.index("](") + 2:-1]
    assert uri.startswith("data:image/svg+xml,") and not any(c in uri for c in " <>#()\"")
    return ElementTree.fromstring(urllib.parse.unquote(uri.removeprefix("data:image/svg+xml,")))


@pytest.mark.parametrize("years", [1, 2, 3, 5, 10, 25, 40, 80])
def test_the_chart_is_short_enough_for_the_ui_to_show_it_in_place(years):
    markdown = overview_markdown(_summary(years), "plan_design_with_a_long_name")
    assert markdown.startswith("![plan_design_with_a_long_name: ending headcount and employer cost, 2025-")
    assert len(markdown) < INLINE_MARKDOWN_LIMIT
    lines = _svg(markdown).findall(f"{SVG}g/{SVG}polyline")
    assert len(lines) == 2
    for line in lines:
        numbers = [int(n) for n in line.get("points").split(",")]
        xs, ys = numbers[0::2], numbers[1::2]
        assert len(xs) >= 2 and xs == sorted(xs) and all(0 <= y <= HEIGHT for y in ys)


def test_each_line_has_its_own_scale_and_names_its_first_and_last_values():
    svg = _svg(overview_markdown(_summary(3), "baseline"))
    headcount, cost = (line.get("points") for line in svg.findall(f"{SVG}g/{SVG}polyline"))
    ys = [int(n) for n in headcount.split(",")[1::2]]
    assert ys[0] > ys[1] > ys[2]  # rising: up the chart
    ys = [int(n) for n in cost.split(",")[1::2]]
    assert ys[0] < ys[1] < ys[2]  # falling
    labels = [text.text for text in svg.findall(f"{SVG}text")]
    assert labels == ["ending headcount 100,000 to 102,746", "employer cost (dashed) 123,456,790 to 121,456,790",
                      "2025", "2027"]
