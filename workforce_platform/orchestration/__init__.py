"""Runs a simulation year: inputs, one in-process dbt build, results as Dagster events."""
