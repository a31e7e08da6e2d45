"""Workforce and defined-contribution plan simulation over dbt-duckdb and Dagster."""

__version__ = "0.1.0"
