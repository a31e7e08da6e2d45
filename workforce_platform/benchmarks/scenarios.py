"""The benchmarks' sizes (kept free of heavy imports: the command line reads them)."""

# Scale scenarios, name: (employees, years). `threading` runs at 1, 2 and all cores.
SCALE_SCENARIOS: dict[str, tuple[int, int]] = {
    "small": (1_000, 3),
    "medium": (5_000, 5),
    "large": (10_000, 5),
    "stress": (20_000, 10),
    "threading": (8_000, 7),
}
QUICK_SCENARIOS = ("small", "medium")
# Large employers, run only when named (`--scenario huge`): not part of the default set or of CI.
ON_REQUEST_SCENARIOS: dict[str, tuple[int, int]] = {
    "large_employer": (250_000, 5),
    "huge": (1_000_000, 10),
}
ALL_SCALE_SCENARIOS = {**SCALE_SCENARIOS, **ON_REQUEST_SCENARIOS}
# The run options of the defaults before all years went in one Dagster run (the sql engine, one run
# a year), which `bench scale --versus-previous-defaults` runs side by side with today's.
PREVIOUS_DEFAULTS = ("--engine", "sql", "--years-per-run", "1")

# Parity: the workforce of each compared run, over five years (2025-2029).
PARITY_EMPLOYEES, QUICK_PARITY_EMPLOYEES, PARITY_YEARS = 2_000, 1_000, 5
