"""Errors that users see. Each names the file, the row or key, and the rule."""

# The command line's exit codes: success; a simulation step or check failed; bad input.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class WorkforceInputError(ValueError):
    """Bad input (census, scenario, command line): the command line exits with code 2."""


class SimulationOrderError(RuntimeError):
    """A year was asked for before the year it starts from."""


class DatabaseBusyError(WorkforceInputError):
    """Another process is writing the same database file."""
