"""Plain-text tables for the terminal: right-aligned columns under a header and a rule."""

from __future__ import annotations

from typing import Sequence


def right_aligned(headers: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) for c, w in zip(cells, widths))

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in body)])
