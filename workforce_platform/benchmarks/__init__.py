"""Benchmarks: one measured run (`workforce bench run`), the scale harness (`bench scale`) and the
parity harness (`bench parity`). Each measured run is a fresh process, so start-up, memory and
CPU are measured as a user meets them."""
