"""Readable references of plan rules that only the tests use (the package never imports them)."""
