"""The memory guard as the steps see it: a tripped guard fails the step, naming the limit."""

from typing import Any, Optional

from dagster import Failure

from workforce_platform.runtime.monitoring import MemoryLimitExceeded, process_sampler


def stop_if_memory_guard_tripped(what: str, metadata: Optional[dict[str, Any]] = None) -> None:
    """Fails the step (no retries) when the run's memory passed the guard's limit."""
    try:
        process_sampler().check_guard(what)
    except MemoryLimitExceeded as exc:
        raise Failure(description=str(exc), metadata={"memory_guard": True, **(metadata or {})},
                      allow_retries=False) from exc
