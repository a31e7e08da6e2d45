"""Simulation rules that Python code needs too: random streams, the workforce-needs solver."""
