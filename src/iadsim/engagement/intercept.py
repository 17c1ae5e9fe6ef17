"""Predicted intercept points: where an interceptor at mean speed meets a constant-velocity target.

Solves |p + v t - L| = s t for the smallest t > 0, vectorised over target-launcher pairs:
with d = p - L, (v.v - s^2) t^2 + 2 (d.v) t + d.d = 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def intercept_time_s(
    target_position_m: NDArray[np.float64],
    target_velocity_mps: NDArray[np.float64],
    launcher_position_m: NDArray[np.float64],
    interceptor_speed_mps: NDArray[np.float64] | float,
) -> NDArray[np.float64]:
    """Time of flight to a constant-velocity target, (n,); +inf where it cannot be caught.

    All position/velocity arguments broadcast to (n, 3).
    """
    d = np.asarray(target_position_m, float) - np.asarray(launcher_position_m, float)
    v = np.asarray(target_velocity_mps, float)
    s = np.asarray(interceptor_speed_mps, float)
    a = np.einsum("...i,...i->...", v, v) - s**2
    b = 2.0 * np.einsum("...i,...i->...", d, v)
    c = np.einsum("...i,...i->...", d, d)
    disc = b**2 - 4.0 * a * c
    with np.errstate(divide="ignore", invalid="ignore"):
        sqrt_disc = np.sqrt(np.where(disc >= 0.0, disc, np.nan))
        r1 = (-b - sqrt_disc) / (2.0 * a)
        r2 = (-b + sqrt_disc) / (2.0 * a)
        linear = np.where(b < 0.0, -c / b, np.inf)  # a == 0: target as fast as the interceptor
    roots = np.stack([r1, r2], axis=-1)
    roots = np.where(np.isfinite(roots) & (roots > 0.0), roots, np.inf)
    t = np.min(roots, axis=-1)
    t = np.where(np.abs(a) < 1e-9, np.where(linear > 0, linear, np.inf), t)
    return np.where(c == 0.0, 0.0, t)


def intercept_point_m(
    target_position_m: NDArray[np.float64],
    target_velocity_mps: NDArray[np.float64],
    time_s: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Constant-velocity prediction p + v t, (n, 3); NaN rows where ``time_s`` is infinite."""
    t = np.where(np.isfinite(time_s), time_s, np.nan)
    return np.asarray(target_position_m, float) + np.asarray(target_velocity_mps, float) * t[..., None]
