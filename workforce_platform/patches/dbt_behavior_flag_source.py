"""dbt's behavior flags name their source module without reading source files.

dbt builds its behavior flags on every invocation, and `BehaviorFlagRendered` names each flag's
source module with `inspect.stack()`, which reads the source lines of every frame: as much time per
invocation as a small year's models (docs/benchmarks.md). The same answer (the first calling module outside
dbt_common.behavior_flags) comes from walking the frames without their source, which this
replaces `BehaviorFlagRendered._default_source` with. Upstream: dbt_common/behavior_flags.py
(`_default_source`, checked against dbt-common 1.39 with dbt-core 1.11). The canary in
tests/unit/patches/test_dbt_patches.py fails once dbt stops calling `inspect.stack()` there, or
the private method goes.
"""

from __future__ import annotations

import sys


def speed_up_behavior_flag_source() -> None:
    """Installs the frame walk (once per process; dbt is imported here, by a process about to run it)."""
    # Imported here: only a process about to run dbt pays for importing it.
    from dbt_common import behavior_flags

    flag_class = behavior_flags.BehaviorFlagRendered
    if getattr(flag_class, "_workforce_fast_source", False):
        return

    def default_source() -> str:
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_globals.get("__name__")
            if name and name != behavior_flags.__name__:
                return name
            frame = frame.f_back
        return "Unknown"

    flag_class._upstream_default_source = flag_class.__dict__["_default_source"]  # kept for the canary
    flag_class._default_source = staticmethod(default_source)
    flag_class._workforce_fast_source = True
