"""The two event engines: the dbt models (SQL) and a Polars bulk engine.

Both read the same inputs (the previous year's snapshot, the parameter seeds, the scenario) and
the same counter-based random numbers (``shared/spec/rng.md``), and write the same per-year
tables, equal row for row. ``year_tables`` holds the tables' columns; ``parity`` compares the
engines on a real partition.
"""

ENGINES = ("sql", "polars")
