"""The package's import-time setting: Polars' allocator keeps freed memory for reuse (see
``workforce_platform/__init__.py``). Each case runs in a fresh interpreter, since the allocator
reads its settings once, when Polars is first imported."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from workforce_platform import ALLOCATOR_SETTINGS

# Builds a 400 MB frame, frees it, waits a second, builds it again, and prints the page faults of
# the second build: near zero when the freed pages were kept, about 100,000 when they went back.
REFAULT = """
import resource, time
import workforce_platform
import polars as pl

def build():
    return pl.select(pl.int_range(0, 25_000_000, dtype=pl.Int64).alias("x")).with_columns(y=pl.col("x") * 2)

frame = build()
del frame
time.sleep(1.0)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
frame = build()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _python(code: str, allocator: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if allocator is not None:
        env["_RJEM_MALLOC_CONF"] = allocator
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_importing_the_package_sets_the_allocator_before_polars_does():
    assert _python("import os, workforce_platform, polars; print(os.environ['_RJEM_MALLOC_CONF'])", None).endswith(
        "," + ALLOCATOR_SETTINGS)


def test_a_setting_in_the_environment_wins():
    assert _python("import os, workforce_platform, polars; print(os.environ['_RJEM_MALLOC_CONF'])",
                   "dirty_decay_ms:0").endswith(",dirty_decay_ms:0")


@pytest.mark.timing  # counts page faults against a threshold
def test_freed_memory_is_reused_instead_of_faulted_in_again():
    returned = int(_python(REFAULT, "dirty_decay_ms:0"))  # freed pages go back at once
    if returned < 20_000:  # 400 MB in 4 KiB pages is about 100,000 faults
        pytest.skip(f"only {returned} page faults for 400 MB: the kernel maps huge pages here "
                    "(transparent_hugepage 'always'), so reuse cannot be told from faults")
    kept = int(_python(REFAULT, None))
    assert kept < returned / 4
