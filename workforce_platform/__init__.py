"""Workforce and defined-contribution plan simulation over dbt-duckdb and Dagster."""

import os

__version__ = "0.1.0"

# Polars' allocator (jemalloc) hands freed memory back to the system within seconds, so every
# year the Polars engine faulted its working memory in again after the year's writes and tests
# (figures in docs/benchmarks.md). Freed pages are kept for 30 s instead and reused. jemalloc reads this once, when Polars is first imported, so it is set
# here, before any module of the package imports Polars; a value in the environment wins.
ALLOCATOR_SETTINGS = "dirty_decay_ms:30000"
os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR_SETTINGS)
