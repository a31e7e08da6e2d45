"""The line fit and the t distribution's tail, against values known in closed form."""

import math

import pytest

from workforce_platform.benchmarks.stats import linear_fit, t_two_sided_p


def test_exact_line():
    fit = linear_fit([1, 2, 3, 4], [3, 5, 7, 9])
    assert fit.slope == pytest.approx(2.0) and fit.intercept == pytest.approx(1.0)
    assert fit.r_squared == pytest.approx(1.0) and fit.p_value < 1e-12


@pytest.mark.parametrize("t, dof, expected", [
    (1.0, 1, 0.5),  # Cauchy: P(|T| >= 1) = 1/2
    (math.sqrt(3), 1, 1 / 3),  # Cauchy: 1 - 2 atan(sqrt 3)/pi
    (1.0, 2, 1 - 1 / math.sqrt(3)),  # dof 2: |t| / sqrt(2 + t^2) = 1/sqrt 3
    (0.0, 5, 1.0),
])
def test_t_tail_closed_forms(t, dof, expected):
    assert t_two_sided_p(t, dof) == pytest.approx(expected, abs=1e-12)


def test_noisy_fit_p_value_matches_its_t_statistic():
    xs, ys = [1, 2, 3, 4, 5, 6], [1.1, 1.9, 3.2, 3.8, 5.3, 5.9]
    fit = linear_fit(xs, ys)
    assert 0.98 < fit.r_squared < 1.0
    # t = r sqrt(n-2) / sqrt(1-r^2) for a simple regression
    r = math.sqrt(fit.r_squared)
    t = r * math.sqrt(4) / math.sqrt(1 - fit.r_squared)
    assert fit.p_value == pytest.approx(t_two_sided_p(t, 4), rel=1e-9)
    assert fit.p_value < 1e-3


def test_two_points_have_no_p_value_and_one_point_no_line():
    assert linear_fit([1, 2], [1, 3]).p_value is None
    with pytest.raises(ValueError):
        linear_fit([2, 2], [1, 3])
