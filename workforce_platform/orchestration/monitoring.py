"""Peak memory of this process and its children, from the kernel's own accounting."""

from __future__ import annotations

import resource
import sys


def peak_rss_bytes() -> int:
    """The larger of this process's and its largest child's peak resident set size."""
    scale = 1 if sys.platform == "darwin" else 1024  # Linux reports kilobytes
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) * scale
