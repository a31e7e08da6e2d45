"""Optimisation levels and the precedence of explicit settings."""

from pathlib import Path

import pytest

from workforce_platform.errors import WorkforceInputError
from workforce_platform.runtime.execution import machine_cores, parse_size, resolve_execution

DB = Path("/data/sim.duckdb")
KNOBS = ("WORKFORCE_OPT_LEVEL", "WORKFORCE_THREADS", "WORKFORCE_MEMORY_LIMIT", "WORKFORCE_TEMP_DIRECTORY",
         "WORKFORCE_RSS_LIMIT")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for knob in KNOBS:
        monkeypatch.delenv(knob, raising=False)


def test_default_is_medium_with_every_core():
    settings = resolve_execution(DB)
    assert (settings.level, settings.level_source) == ("medium", "default")
    assert settings.threads == machine_cores()
    assert settings.memory_limit == "50%"
    assert settings.temp_directory == Path("/data/sim.duckdb.tmp")
    assert settings.rss_limit_bytes is not None and settings.shards == 1


def test_low_is_the_work_laptop_mode():
    settings = resolve_execution(DB, scenario_level="low")
    assert (settings.threads, settings.memory_limit, settings.shards) == (1, "1GB", 4)
    assert settings.rss_limit_bytes == 3 * 2**30
    assert settings.level_source == "execution.optimization"


def test_high_has_no_guard():
    settings = resolve_execution(DB, level="high")
    assert (settings.memory_limit, settings.rss_limit_bytes) == ("80%", None)


def test_flag_beats_environment_beats_scenario(monkeypatch):
    monkeypatch.setenv("WORKFORCE_OPT_LEVEL", "high")
    assert resolve_execution(DB, scenario_level="low").level == "high"
    settings = resolve_execution(DB, scenario_level="low", level="low")
    assert (settings.level, settings.level_source) == ("low", "--optimization")


def test_explicit_settings_override_the_level(monkeypatch):
    monkeypatch.setenv("WORKFORCE_THREADS", "3")
    monkeypatch.setenv("WORKFORCE_MEMORY_LIMIT", "2GB")
    monkeypatch.setenv("WORKFORCE_RSS_LIMIT", "off")
    settings = resolve_execution(DB, level="low", scenario_threads=7)
    assert (settings.threads, settings.threads_source) == (3, "WORKFORCE_THREADS")
    assert (settings.memory_limit, settings.memory_limit_source) == ("2GB", "WORKFORCE_MEMORY_LIMIT")
    assert settings.rss_limit_bytes is None
    assert resolve_execution(DB, level="low", scenario_threads=7, threads=5).threads == 5


def test_scenario_threads_beat_the_level():
    assert resolve_execution(DB, scenario_level="low", scenario_threads=2).threads == 2


@pytest.mark.parametrize("knob, value, message", [
    ("WORKFORCE_OPT_LEVEL", "turbo", "WORKFORCE_OPT_LEVEL='turbo' is not an optimization level: choose one of low, medium, high"),
    ("WORKFORCE_THREADS", "zero", "WORKFORCE_THREADS='zero' must be a whole number of at least 1"),
    ("WORKFORCE_RSS_LIMIT", "lots", "WORKFORCE_RSS_LIMIT='lots' is not a size like 3GB"),
])
def test_bad_settings_are_named(monkeypatch, knob, value, message):
    monkeypatch.setenv(knob, value)
    with pytest.raises(WorkforceInputError, match=message):
        resolve_execution(DB)


def test_sizes():
    assert parse_size("3GB", "x") == 3 * 10**9
    assert parse_size("512MiB", "x") == 512 * 2**20
    assert parse_size("2000", "x") == 2000
