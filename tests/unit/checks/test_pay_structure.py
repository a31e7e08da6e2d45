"""The pay structure's drift (average compa-ratio against the first year), with hand-computed cases."""

import pytest

from workforce_platform.checks.pay_structure import (
    PayStructureDrift, average_millionths, compa_ratio_millionths, drift_millionths,
)


def test_compa_ratio_by_hand():
    # 50,000 / ((35,000 + 60,000) / 2) = 50,000 / 47,500 = 1.0526315... -> 1,052,632 millionths
    assert compa_ratio_millionths(5_000_000, 3_500_000, 6_000_000) == 1_052_632
    # at the midpoint exactly 1
    assert compa_ratio_millionths(4_750_000, 3_500_000, 6_000_000) == 1_000_000
    # 1 cent against a midpoint of 2,000,000 cents: 0.5 millionths rounds half up to 1
    assert compa_ratio_millionths(1, 1_000_000, 3_000_000) == 1
    with pytest.raises(ValueError):
        compa_ratio_millionths(1, 0, 0)


def test_average_and_drift_round_exactly():
    assert average_millionths([1, 2]) == 2            # 1.5 half up
    assert average_millionths([1_000_000, 1_052_632, 900_000]) == 984_211  # 2,952,632 / 3 = 984,210.67
    assert average_millionths([]) is None
    assert drift_millionths(1_000_000, 1_100_000) == 100_000   # +10%
    assert drift_millionths(3, 2) == -333_333                  # -33.33%
    assert drift_millionths(2_000_000, 2_000_001) == 1         # +0.5 millionths, away from zero
    assert drift_millionths(2_000_000, 1_999_999) == -1        # -0.5, away from zero


def test_the_check_warns_beyond_ten_percent_either_way():
    assert PayStructureDrift(2030, 2025, 1_000_000, 1_100_000).passed         # exactly +10%
    assert not PayStructureDrift(2030, 2025, 1_000_000, 1_100_001).passed     # +10.0001%
    assert not PayStructureDrift(2030, 2025, 1_000_000, 899_999).passed       # -10.0001%
    failing = PayStructureDrift(2030, 2025, 1_000_000, 1_150_000)
    assert "+15.00% since 2025 (1.0000 -> 1.1500)" in failing.description and "no longer move together" in failing.description
    missing = PayStructureDrift(2030, 2025, None, 1_150_000)
    assert missing.passed and missing.drift is None and "not compared" in missing.description
