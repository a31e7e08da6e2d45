"""Report formats and exit codes: enforced failures fail, advisory timing does not, a time-out is 2."""

import json
import xml.etree.ElementTree as ET

from workforce_platform.benchmarks.reports import FAIL, PASS, SKIP, TIMEOUT, BenchReport, Verdict, write_reports


def _report(*verdicts, timed_out=False):
    report = BenchReport(name="scale", title="Scale benchmark", command="workforce bench scale", machine={"cores": 2},
                         run_columns=[("scenario", "scenario"), ("wall_seconds", "wall s")],
                         runs=[{"scenario": "small", "wall_seconds": 12.5}], timed_out=timed_out)
    report.verdicts = list(verdicts)
    return report


def test_exit_codes():
    assert _report(Verdict("correctness", "correctness", PASS, "1/1", "all")).exit_code() == 0
    assert _report(Verdict("speed", "timing", FAIL, "12 s", "<= 10 s", enforced=False)).exit_code() == 0
    assert _report(Verdict("speed", "timing", FAIL, "12 s", "<= 10 s")).exit_code() == 1
    assert _report(Verdict("correctness", "correctness", FAIL, "0/1", "all")).exit_code() == 1
    assert _report(Verdict("limit", "correctness", TIMEOUT, "", ""), timed_out=True).exit_code() == 2


def test_three_formats(tmp_path):
    report = _report(Verdict("correctness", "correctness", PASS, "1/1 runs", "all runs"),
                     Verdict("speed_medium", "timing", FAIL, "12.0 s", "<= 10 s", enforced=False),
                     Verdict("linearity", "timing", SKIP, "", "R² >= 0.9", "needs three sizes"),
                     Verdict("peak_memory", "memory", FAIL, "2000 MiB", "<= 1024 MiB", "too big"))
    md, js, junit = write_reports(report, tmp_path)
    text = md.read_text()
    assert "Outcome: **FAIL** (exit 1)" in text and "| speed_medium | timing | FAIL (advisory) |" in text
    assert "| small | 12.5 |" in text
    payload = json.loads(js.read_text())
    assert payload["exit_code"] == 1 and [v["status"] for v in payload["verdicts"]] == ["pass", "fail", "skip", "fail"]
    suite = ET.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    failed = [case.get("name") for case in suite if case.find("failure") is not None]
    assert failed == ["peak_memory"]
