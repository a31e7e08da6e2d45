"""The saved manifest is never read while a parse rewrites it."""

from __future__ import annotations

import fcntl
import threading
import time

from workforce_platform.runtime import dbt_project


def test_reading_the_manifest_waits_for_another_process_s_parse(monkeypatch):
    dbt_project.ensure_manifest()
    monkeypatch.setattr(dbt_project, "_manifest_json", {})
    read: list[float] = []
    # A parse elsewhere holds the lock exclusively: a separate open file stands for the other process.
    with open(dbt_project.MANIFEST_PATH.parent / ".parse.lock", "a") as other_process:
        fcntl.flock(other_process, fcntl.LOCK_EX)
        reader = threading.Thread(target=lambda: (dbt_project.manifest_json(), read.append(time.monotonic())))
        reader.start()
        time.sleep(0.5)
        assert not read, "the manifest was read while a parse held the lock"
        released = time.monotonic()
        fcntl.flock(other_process, fcntl.LOCK_UN)
    reader.join(timeout=30)
    assert read and read[0] >= released
    assert "nodes" in dbt_project.manifest_json()
