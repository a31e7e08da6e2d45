"""The counter-based random numbers of ``shared/spec/rng.md``, as a Python reference.

``draw(seed, key, year, stream)`` is a pure function of its coordinates. The SQL engine
computes the same numbers with the ``random_draws`` dbt macro; the test vectors keep both exact.
"""

from __future__ import annotations

import hashlib
from enum import IntEnum

MASK32 = 0xFFFFFFFF
TWO_POW_32 = 2**32


class Stream(IntEnum):
    """One stream per random decision. Listed once here and in ``dbt_project/macros/streams.sql``;
    a value is never reused for another decision."""

    TERMINATION = 1
    TERMINATION_DATE = 2
    NEW_HIRE_LEVEL = 3
    NEW_HIRE_AGE = 4
    NEW_HIRE_DATE = 5
    NEW_HIRE_PAY = 6
    NEW_HIRE_TERMINATION = 7
    NEW_HIRE_TERMINATION_DATE = 8
    PROMOTION = 9
    NEW_HIRE_BIRTH_DAY = 10
    OPT_OUT = 11
    OPT_OUT_DATE = 12
    VOLUNTARY_ENROLLMENT = 13
    VOLUNTARY_ENROLLMENT_DATE = 14
    DEATH = 15
    RETIREMENT = 16
    NEW_HIRE_SCHEDULE = 17


def fmix32(h: int) -> int:
    """The MurmurHash3 32-bit finaliser."""
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & MASK32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & MASK32
    h ^= h >> 16
    return h


def draw_bits(seed: int, key: int, year: int, stream: int) -> int:
    """The 32-bit integer ``h`` behind a draw."""
    h = fmix32((seed & MASK32) ^ (key & MASK32))
    h = fmix32(h ^ (key >> 32))
    h = fmix32(h ^ year)
    return fmix32(h ^ stream)


def draw(seed: int, key: int, year: int, stream: int) -> float:
    """A uniform number in [0, 1)."""
    return draw_bits(seed, key, year, stream) / TWO_POW_32


def employee_key(employee_id: str) -> int:
    """The stable integer key of an employee id: DuckDB's ``md5_number_lower(id) >> 1``."""
    return int.from_bytes(hashlib.md5(employee_id.encode()).digest()[8:16], "little") >> 1


def draw_bits_array(seed: int, keys, year: int, stream: int):
    """``draw_bits`` over a numpy array of keys (uint64), for bulk generation in Python."""
    import numpy as np  # only the census generator needs numpy; the reference stays plain Python

    mask = np.uint64(MASK32)

    def fmix(h):
        h = h ^ (h >> np.uint64(16))
        h = (h * np.uint64(0x85EBCA6B)) & mask
        h = h ^ (h >> np.uint64(13))
        h = (h * np.uint64(0xC2B2AE35)) & mask
        return h ^ (h >> np.uint64(16))

    keys = np.asarray(keys, dtype=np.uint64)
    h = fmix((np.uint64(seed) & mask) ^ (keys & mask))
    h = fmix(h ^ (keys >> np.uint64(32)))
    h = fmix(h ^ np.uint64(year))
    return fmix(h ^ np.uint64(stream))


def draw_array(seed: int, keys, year: int, stream: int):
    """``draw`` over a numpy array of keys: uniform doubles in [0, 1)."""
    return draw_bits_array(seed, keys, year, stream).astype("float64") / TWO_POW_32
