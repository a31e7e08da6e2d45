"""PNG plots of the published years (matplotlib, headless). Each function returns PNG bytes."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402

from workforce_platform.reports.tables import Table  # noqa: E402


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    # A fixed date-free PNG: the same data gives the same bytes.
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def headcount(summary: Table, title: str) -> bytes:
    years = summary.column("simulation_year")
    figure, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(years, summary.column("ending_headcount"), marker="o", label="ending headcount", color="#1f4e79")
    ax2 = ax.twinx()
    width = 0.35
    ax2.bar([y - width / 2 for y in years], summary.column("hires"), width, label="hires", color="#70ad47", alpha=0.6)
    terms = [a + b for a, b in zip(summary.column("experienced_terminations"), summary.column("new_hire_terminations"))]
    ax2.bar([y + width / 2 for y in years], terms, width, label="terminations", color="#c00000", alpha=0.6)
    ax.set_zorder(ax2.get_zorder() + 1)  # the headcount line over the bars
    ax.patch.set_visible(False)
    ax.set_xticks(years)
    ax.set_xlabel("year")
    ax.set_ylabel("headcount")
    ax2.set_ylabel("hires, terminations")
    ax.set_title(f"{title}: headcount, hires and terminations")
    lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax2.get_legend_handles_labels()[1]
    ax.legend(lines, labels, loc="upper left")
    figure.tight_layout()
    return _png(figure)


def pay_by_level(levels: dict[int, list[float]], title: str, year: int) -> bytes:
    figure, ax = plt.subplots(figsize=(8, 4.5))
    ordered = sorted(levels)
    ax.boxplot([levels[level] for level in ordered], tick_labels=[str(level) for level in ordered])
    ax.set_xlabel("level")
    ax.set_ylabel("annual pay at year end")
    ax.set_title(f"{title}: pay by level, {year} (active employees)")
    figure.tight_layout()
    return _png(figure)


def participation(summary: Table, title: str) -> bytes:
    years = summary.column("simulation_year")
    figure, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(years, [float(v or 0) * 100 for v in summary.column("participation_rate")], marker="o",
            label="participation (% of eligible active)")
    ax.plot(years, [float(v or 0) * 100 for v in summary.column("average_deferral_rate")], marker="s",
            label="average deferral rate (%)")
    ax.set_xticks(years)
    ax.set_xlabel("year")
    ax.set_ylabel("%")
    ax.set_title(f"{title}: participation and average deferral")
    ax.legend()
    figure.tight_layout()
    return _png(figure)


def employer_cost(summaries: dict[str, Table]) -> bytes:
    figure, ax = plt.subplots(figsize=(8, 4.5))
    for scenario_id, summary in summaries.items():
        ax.plot(summary.column("simulation_year"), [float(v) for v in summary.column("employer_cost")],
                marker="o", label=scenario_id)
    years = sorted({y for s in summaries.values() for y in s.column("simulation_year")})
    ax.set_xticks(years)
    ax.set_xlabel("year")
    ax.set_ylabel("employer cost (match + core)")
    ax.set_title("Employer cost per scenario")
    ax.legend()
    figure.tight_layout()
    return _png(figure)
