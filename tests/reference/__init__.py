"""Readable Python references of rules that only the tests use (the package never imports them; the
engines have their own SQL and Polars implementations, which the tests hold equal to these)."""
