"""The run's sampler sees the whole process tree, and the memory guard names its setting."""

import os
import subprocess
import sys
import time

import pytest

from workforce_platform.runtime.monitoring import MemoryLimitExceeded, ResourceSampler


@pytest.mark.timing  # the sampler reads memory every 50 ms: a busy machine can delay its reads
def test_window_sees_a_child_process_memory_and_cpu():
    sampler = ResourceSampler(interval=0.05)
    before = sampler.tree_rss()
    window = sampler.open_window()
    child = subprocess.Popen([sys.executable, "-c",
                              "b = bytearray(300 * 2**20)\nimport time\nt = time.time()\n"
                              "while time.time() - t < 1.0: pass"])
    _, _, usage = os.wait4(child.pid, 0)  # reaped here, with the kernel's own count of its CPU
    child.returncode = 0
    sampler.close_window(window)
    assert window.peak_rss_bytes >= before + 250 * 2**20  # the child's 300 MiB counted in the tree
    assert window.wall_seconds >= 1.0
    # The child's CPU as the kernel counted it, whatever share of a core a loaded machine gave it.
    assert window.cpu_seconds >= 0.95 * (usage.ru_utime + usage.ru_stime) > 0
    assert 0 < window.cpu_utilisation <= 1.0


def test_a_forked_child_does_not_count_the_parents_pages_twice():
    sampler = ResourceSampler(interval=0.05)
    ballast = bytearray(200 * 2**20)
    for i in range(0, len(ballast), 4096):  # resident in this process
        ballast[i] = 1
    own = sampler.tree_rss()
    pid = os.fork()
    if pid == 0:  # the child shares every page with its parent and touches none
        time.sleep(1.0)
        os._exit(0)
    try:
        time.sleep(0.3)
        assert sampler.tree_rss() < own + 50 * 2**20  # the ballast once, not twice
    finally:
        os.waitpid(pid, 0)
    del ballast


def test_guard_trips_and_names_the_setting():
    sampler = ResourceSampler(interval=0.05)
    sampler.arm_guard(sampler.tree_rss() + 100 * 2**20, "WORKFORCE_RSS_LIMIT")
    sampler.check_guard("the dbt step")  # under the limit
    ballast = bytearray(200 * 2**20)
    for i in range(0, len(ballast), 4096):  # touch the pages so they are resident
        ballast[i] = 1
    time.sleep(0.2)
    with pytest.raises(MemoryLimitExceeded, match="set by WORKFORCE_RSS_LIMIT; the dbt step stopped"):
        sampler.check_guard("the dbt step")
    del ballast
    sampler.arm_guard(None, "WORKFORCE_RSS_LIMIT")  # re-arming forgets the trip
    sampler.check_guard("the dbt step")
