"""The invariant catalogue and how a year is audited."""
