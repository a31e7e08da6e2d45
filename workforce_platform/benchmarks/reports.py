"""A benchmark's report as Markdown (people), JSON (machines) and JUnit XML (CI), in one folder.

Verdicts are of four kinds: correctness and parity (exact comparisons), memory (peak RSS) and
timing (wall clock). Timing verdicts can be advisory (`--advisory-timing`): printed and kept in
the reports, but they do not fail the exit code, since a noisy machine can break them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from workforce_platform.text_table import markdown_table

PASS, FAIL, SKIP, TIMEOUT = "pass", "fail", "skip", "timeout"
EXIT_PASS, EXIT_FAIL, EXIT_TIMEOUT = 0, 1, 2


@dataclass
class Verdict:
    name: str
    kind: str  # correctness | parity | memory | timing
    status: str  # pass | fail | skip | timeout
    measured: str
    threshold: str
    detail: str = ""
    enforced: bool = True

    @property
    def failed(self) -> bool:
        return self.status in (FAIL, TIMEOUT) and self.enforced


@dataclass
class BenchReport:
    name: str  # file stem: scale, parity
    title: str
    command: str
    machine: dict
    runs: list[dict] = field(default_factory=list)
    run_columns: list[tuple[str, str]] = field(default_factory=list)  # (key, header) of the runs table
    analysis: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    timed_out: bool = False
    wall_seconds: float = 0.0

    def exit_code(self) -> int:
        if self.timed_out:
            return EXIT_TIMEOUT
        return EXIT_FAIL if any(v.failed for v in self.verdicts) else EXIT_PASS

    def outcome(self) -> str:
        return {EXIT_PASS: "PASS", EXIT_FAIL: "FAIL", EXIT_TIMEOUT: "TIMEOUT"}[self.exit_code()]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _is_table(value: Any) -> bool:
    """A dict or list of flat dicts with the same keys (rendered as a Markdown table)."""
    rows = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []
    return bool(rows) and all(isinstance(r, dict) and list(r) == list(rows[0]) for r in rows) and not any(
        isinstance(v, (dict, list)) for r in rows for v in r.values())


def to_markdown(report: BenchReport) -> str:
    lines = [f"# {report.title}", "", f"Outcome: **{report.outcome()}** (exit {report.exit_code()}) in "
             f"{report.wall_seconds:.1f} s", "", f"Command: `{report.command}`", "",
             "Machine: " + ", ".join(f"{k} {v}" for k, v in report.machine.items()), ""]
    verdicts = [(v.name, v.kind, v.status.upper() + ("" if v.enforced or v.status not in (FAIL,) else " (advisory)"),
                 v.measured, v.threshold, v.detail) for v in report.verdicts]
    lines += ["## Verdicts", "", markdown_table(("verdict", "kind", "status", "measured", "threshold", "detail"),
                                                 verdicts, _cell)]
    if report.runs:
        lines += ["", "## Runs", "", markdown_table([h for _, h in report.run_columns],
                                                     [[run.get(k) for k, _ in report.run_columns] for run in report.runs],
                                                     _cell)]
    if report.analysis:
        lines += ["", "## Analysis", ""]
        tables = {k: v for k, v in report.analysis.items() if _is_table(v)}
        for key, value in report.analysis.items():
            if key not in tables:
                lines.append(f"- **{key}**: " + (json.dumps(value, default=str) if isinstance(value, (dict, list)) else _cell(value)))
        for key, value in tables.items():
            rows = list(value.items()) if isinstance(value, dict) else [(str(i + 1), r) for i, r in enumerate(value)]
            columns = list(rows[0][1])
            lines += ["", f"### {key}", "", markdown_table(["", *columns], [[name, *(row.get(c) for c in columns)]
                                                                        for name, row in rows], _cell)]
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def to_json(report: BenchReport) -> str:
    payload = {
        "name": report.name, "title": report.title, "outcome": report.outcome(), "exit_code": report.exit_code(),
        "command": report.command, "machine": report.machine, "wall_seconds": report.wall_seconds,
        "verdicts": [asdict(v) for v in report.verdicts], "runs": report.runs, "analysis": report.analysis,
        "notes": report.notes,
    }
    return json.dumps(payload, indent=2, default=str) + "\n"


def to_junit(report: BenchReport) -> str:
    failures = sum(1 for v in report.verdicts if v.status == FAIL and v.enforced)
    errors = sum(1 for v in report.verdicts if v.status == TIMEOUT)
    skipped = sum(1 for v in report.verdicts if v.status == SKIP)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuite name={quoteattr("workforce bench " + report.name)} tests="{len(report.verdicts)}" '
           f'failures="{failures}" errors="{errors}" skipped="{skipped}" time="{report.wall_seconds:.3f}">']
    for v in report.verdicts:
        out.append(f'  <testcase classname={quoteattr("bench." + report.name + "." + v.kind)} name={quoteattr(v.name)}>')
        text = escape(f"measured {v.measured}; threshold {v.threshold}. {v.detail}".strip())
        if v.status == FAIL and v.enforced:
            out.append(f'    <failure message={quoteattr(v.detail or v.name)}>{text}</failure>')
        elif v.status == TIMEOUT:
            out.append(f'    <error message="timed out">{text}</error>')
        elif v.status == SKIP:
            out.append(f'    <skipped message={quoteattr(v.detail)}/>')
        else:
            note = "advisory, not enforced: " if v.status == FAIL else ""
            out.append(f'    <system-out>{escape(note)}{text}</system-out>')
        out.append("  </testcase>")
    out.append("</testsuite>")
    return "\n".join(out) + "\n"


def write_reports(report: BenchReport, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix, render in ((".md", to_markdown), (".json", to_json), (".junit.xml", to_junit)):
        path = folder / f"{report.name}{suffix}"
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(render(report))
        tmp.replace(path)
        paths.append(path)
    return paths
