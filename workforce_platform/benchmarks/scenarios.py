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

# Parity: the workforce of each compared run, over five years (2025-2029).
PARITY_EMPLOYEES, QUICK_PARITY_EMPLOYEES, PARITY_YEARS = 2_000, 1_000, 5
