"""Resource monitoring of a run: one long-lived sampler per process, a memory guard, stage times.

The sampler is a single daemon thread started on first use and kept for the life of the process
(a `workforce simulate` run, or a Dagster run process): steps open cheap *windows* on it rather
than threads of their own. It samples the resident memory of the whole process tree and its CPU
time. The memory guard trips when the tree's RSS passes the configured limit; the steps check it
at their boundaries, so a year that passed the limit fails before its promotion and nothing of it
is published.
"""

from __future__ import annotations

import resource
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Optional

import psutil

from workforce_platform.runtime.execution import format_bytes, machine_cores

SAMPLE_SECONDS = 0.1


class MemoryLimitExceeded(RuntimeError):
    """The process tree's RSS passed the memory guard's limit."""


@dataclass
class Window:
    """Figures of one step: peak RSS of the tree while it ran, CPU seconds and utilisation."""

    started_wall: float
    started_cpu: float
    peak_rss_bytes: int = 0
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    attributed_seconds: float = 0.0  # of the window's time, reported under other stages

    def attribute(self, stage: str, seconds: float) -> None:
        """Reports part of this window's time under another stage (not counted twice)."""
        STAGES.add(stage, seconds)
        self.attributed_seconds += seconds

    @property
    def cpu_utilisation(self) -> float:
        """Busy share of the machine's cores, 0-1."""
        return self.cpu_seconds / (self.wall_seconds * machine_cores()) if self.wall_seconds > 0 else 0.0

    def metadata(self) -> dict[str, float]:
        return {"peak_rss_mib": round(self.peak_rss_bytes / 2**20, 1),
                "cpu_seconds": round(self.cpu_seconds, 3),
                "cpu_utilisation": round(self.cpu_utilisation, 3)}


@dataclass
class _Guard:
    limit_bytes: Optional[int] = None
    setting: str = ""
    tripped_at: Optional[int] = None  # the RSS that passed the limit


class ResourceSampler:
    def __init__(self, interval: float = SAMPLE_SECONDS) -> None:
        self._process = psutil.Process()
        self._interval = interval
        self._lock = threading.Lock()
        self._windows: list[Window] = []
        self._guard = _Guard()
        self.peak_rss_bytes = 0
        self._thread = threading.Thread(target=self._loop, name="workforce-resource-sampler", daemon=True)
        self._thread.start()

    # -- measuring ------------------------------------------------------------------------------
    def tree_rss(self) -> int:
        """The process's RSS plus the memory each descendant holds of its own (USS). A child's
        pages shared with the process are counted once: a child forked and not yet exec'd (such
        as the one that starts multiprocessing's resource tracker) shares all of them, and adding
        its RSS counted the process twice, now and then, in a sample."""
        total = self._process.memory_info().rss
        for child in self._process.children(recursive=True):
            try:
                total += child.memory_full_info().uss
            except psutil.Error:  # ended between listing and reading
                pass
        return total

    def tree_cpu_seconds(self) -> float:
        times = self._process.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in self._process.children(recursive=True):
            try:
                child_times = child.cpu_times()
                total += child_times.user + child_times.system
            except psutil.Error:
                pass
        return total

    def sample(self) -> int:
        rss = self.tree_rss()
        with self._lock:
            self.peak_rss_bytes = max(self.peak_rss_bytes, rss)
            for window in self._windows:
                window.peak_rss_bytes = max(window.peak_rss_bytes, rss)
            guard = self._guard
            if guard.limit_bytes and rss > guard.limit_bytes and guard.tripped_at is None:
                guard.tripped_at = rss
        return rss

    def _loop(self) -> None:
        while True:
            try:
                self.sample()
            except psutil.Error:
                pass
            time.sleep(self._interval)

    # -- windows --------------------------------------------------------------------------------
    def open_window(self) -> Window:
        window = Window(started_wall=time.perf_counter(), started_cpu=self.tree_cpu_seconds())
        with self._lock:
            self._windows.append(window)
        self.sample()
        return window

    def close_window(self, window: Window) -> Window:
        self.sample()
        with self._lock:
            if window in self._windows:
                self._windows.remove(window)
        window.wall_seconds = time.perf_counter() - window.started_wall
        window.cpu_seconds = max(0.0, self.tree_cpu_seconds() - window.started_cpu)
        return window

    # -- the memory guard -----------------------------------------------------------------------
    def arm_guard(self, limit_bytes: Optional[int], setting: str) -> None:
        """Sets the limit for the run that starts now (and forgets an earlier trip)."""
        with self._lock:
            self._guard = _Guard(limit_bytes=limit_bytes, setting=setting)

    def check_guard(self, what: str) -> None:
        """Raises MemoryLimitExceeded naming the limit and the setting when the guard tripped."""
        self.sample()
        with self._lock:
            guard = self._guard
        if guard.tripped_at is not None:
            raise MemoryLimitExceeded(
                f"memory guard: the run's memory (RSS of the process tree) reached {format_bytes(guard.tripped_at)}, "
                f"over the limit of {format_bytes(guard.limit_bytes or 0)} set by {guard.setting}; {what} stopped "
                "and nothing of this year was published. Raise the limit (WORKFORCE_RSS_LIMIT, e.g. 8GB, or off), "
                "or lower DuckDB's memory with WORKFORCE_MEMORY_LIMIT or optimization: low"
            )


_sampler: Optional[ResourceSampler] = None
_sampler_lock = threading.Lock()


def process_sampler() -> ResourceSampler:
    """The process's one sampler, started on first use."""
    global _sampler
    with _sampler_lock:
        if _sampler is None:
            _sampler = ResourceSampler()
        return _sampler


@dataclass
class StageClock:
    """Seconds per stage of the run (dbt, Python engine, checks, publish), summed over years."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] += seconds

    def reset(self) -> None:
        self.seconds.clear()

    def totals(self) -> dict[str, float]:
        return dict(sorted(self.seconds.items()))


STAGES = StageClock()


@contextmanager
def measured_stage(stage: str) -> Iterator[Window]:
    """A window on the process's sampler around one step; its time goes to `stage`, less what
    the step attributed to other stages."""
    sampler = process_sampler()
    window = sampler.open_window()
    try:
        yield window
    finally:
        sampler.close_window(window)
        STAGES.add(stage, window.wall_seconds - window.attributed_seconds)


def peak_rss_bytes() -> int:
    """Peak RSS of the process tree: the sampler's, or the kernel's own figure if that is larger."""
    scale = 1 if sys.platform == "darwin" else 1024  # Linux reports kilobytes
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
    sampled = _sampler.peak_rss_bytes if _sampler is not None else 0
    return max(own, children, sampled)
