"""Least-squares line with R² and the slope's two-sided p-value (Student's t), in numpy alone.

The t distribution's tail comes from the regularised incomplete beta function, evaluated by its
continued fraction (Numerical Recipes §6.4), which is exact to double precision here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np


@dataclass(frozen=True)
class LinearFit:
    slope: float
    intercept: float
    r_squared: float
    p_value: Optional[float]  # None with fewer than three points or a perfect fit's degenerate error
    points: int

    def as_dict(self) -> dict:
        return {"slope": self.slope, "intercept": self.intercept, "r_squared": self.r_squared,
                "p_value": self.p_value, "points": self.points}


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    tiny, eps = 1e-300, 3e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, dof: int) -> float:
    """P(|T| >= |t|) for Student's t with `dof` degrees of freedom."""
    return regularized_incomplete_beta(dof / 2.0, 0.5, dof / (dof + t * t))


def linear_fit(x: Sequence[float], y: Sequence[float]) -> LinearFit:
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(xs)
    if n < 2 or np.ptp(xs) == 0:
        raise ValueError("a line needs at least two distinct x values")
    slope, intercept = np.polyfit(xs, ys, 1)
    residuals = ys - (slope * xs + intercept)
    ss_res = float(np.sum(residuals ** 2))
    ss_tot = float(np.sum((ys - ys.mean()) ** 2))
    r_squared = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    p_value = None
    if n >= 3:
        dof = n - 2
        standard_error = math.sqrt(ss_res / dof / float(np.sum((xs - xs.mean()) ** 2)))
        p_value = 0.0 if standard_error == 0 else t_two_sided_p(float(slope) / standard_error, dof)
    return LinearFit(float(slope), float(intercept), float(r_squared), p_value, n)
