"""What a build reports: each dbt node's (or plain statement's) outcome, and the year's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from workforce_platform.runtime.execution import ExecutionSettings


def resource_hint(messages: str, settings: ExecutionSettings) -> Optional[str]:
    """Names the setting to change when DuckDB ran out of memory or of temp space."""
    text = messages.lower()
    limit = f"memory_limit={settings.memory_limit} (from {settings.memory_limit_source})"
    if "failed to offload" in text or "no space left" in text or "could not write" in text:
        return (f"DuckDB could not spill to its temp directory {settings.temp_directory} (full or not writable) "
                f"under {limit}: free space there, set WORKFORCE_TEMP_DIRECTORY to a larger "
                "one, or raise WORKFORCE_MEMORY_LIMIT; nothing of this year was published")
    if "out of memory" in text:
        return (f"DuckDB ran out of memory under {limit}: raise WORKFORCE_MEMORY_LIMIT "
                "(or give it a temp directory with room to spill); nothing of this year was published")
    return None


@dataclass(frozen=True)
class NodeResult:
    """What dbt reported for one node of the build."""

    unique_id: str
    resource_type: str
    status: str
    message: str
    execution_time: float
    rows_affected: Optional[int] = None
    failures: Optional[int] = None


@dataclass
class YearBuildResult:
    year: int
    success: bool
    nodes: list[NodeResult] = field(default_factory=list)
    inputs_seconds: float = 0.0
    dbt_seconds: float = 0.0
    engine: str = "sql"
    engine_seconds: float = 0.0  # the Polars engine's compute and write (the sql engine's is dbt_seconds)
    error: Optional[str] = None
    hint: Optional[str] = None  # the setting to change, when a resource ran out

    def failed_nodes(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in ("error", "fail", "runtime error")]

    def failed_nodes_text(self) -> str:
        return "; ".join(f"{n.unique_id}: {n.status}: {n.message}" for n in self.failed_nodes())

    def fail_with_failed_nodes(self, settings: ExecutionSettings) -> None:
        """Marks the build failed when a node failed: the error names each, the hint the setting
        to change when a resource ran out."""
        if self.failed_nodes():
            self.success = False
            self.error = self.failed_nodes_text()
            self.hint = resource_hint(self.error, settings)
