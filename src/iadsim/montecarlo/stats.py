"""Monte Carlo stage: confidence intervals and the saturation point of a raid-size sweep.

In: per-replication results (counts, proportions). Out: interval bounds and crossing points.
Every function is vectorised over sweep points (arrays of shape ``(m,)``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def wilson_interval(successes: ArrayLike, n: ArrayLike,
                    confidence: float = 0.95) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Wilson score interval of a binomial proportion.

    Parameters
    ----------
    successes, n
        Counts, broadcastable, ``0 <= successes <= n``; ``n = 0`` gives NaN bounds.
    confidence
        Two-sided coverage, e.g. 0.95.

    Returns
    -------
    (low, high)
        Arrays of the broadcast shape, within [0, 1].
    """
    x = np.asarray(successes, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    if np.any(x < 0) or np.any(x > n_arr):
        raise ValueError("successes must lie within [0, n]")
    from scipy import stats as sps  # imported where used: ~0.4 s per process

    z = float(sps.norm.ppf(0.5 + confidence / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n_arr
        denom = 1.0 + z * z / n_arr
        centre = (p + z * z / (2.0 * n_arr)) / denom
        half = z / denom * np.sqrt(p * (1.0 - p) / n_arr + z * z / (4.0 * n_arr * n_arr))
        low = np.where(n_arr > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(n_arr > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def _sample_and_mean(values: ArrayLike) -> tuple[NDArray[np.float64], float]:
    """The sample without its NaNs, and its mean (NaN for an empty sample)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    return v, float(v.mean()) if v.size else float("nan")


def t_interval(values: ArrayLike, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of a sample.

    Returns
    -------
    (mean, low, high)
        NaN bounds for fewer than two values; a zero-width interval for a constant sample.
    """
    v, mean = _sample_and_mean(values)
    if v.size < 2:
        return mean, float("nan"), float("nan")
    from scipy import stats as sps

    half = float(sps.t.ppf(0.5 + confidence / 2.0, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    return mean, mean - half, mean + half


def bootstrap_interval(values: ArrayLike, *, rng: np.random.Generator, confidence: float = 0.95,
                       n_resamples: int = 2000) -> tuple[float, float, float]:
    """Mean and percentile-bootstrap confidence interval of a sample.

    Returns
    -------
    (mean, low, high)
        NaN bounds for fewer than two values.
    """
    v, mean = _sample_and_mean(values)
    if v.size < 2:
        return mean, float("nan"), float("nan")
    idx = rng.integers(0, v.size, size=(n_resamples, v.size))
    means = v[idx].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return mean, float(low), float(high)


def crossing_point(x: ArrayLike, y: ArrayLike, level: float) -> float:
    """First ``x`` where the piecewise-linear curve ``y(x)`` reaches ``level``.

    ``x`` is sorted ascending first (ties averaged). Returns ``x[0]`` if the curve already starts
    at or above the level, NaN if it never reaches it (or fewer than one point).
    """
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    keep = ~(np.isnan(xa) | np.isnan(ya))
    xa, ya = xa[keep], ya[keep]
    if xa.size == 0:
        return float("nan")
    ux, inverse = np.unique(xa, return_inverse=True)
    uy = np.bincount(inverse, weights=ya) / np.bincount(inverse)
    above = np.flatnonzero(uy >= level)
    if above.size == 0:
        return float("nan")
    i = int(above[0])
    if i == 0:
        return float(ux[0])
    x0, x1, y0, y1 = ux[i - 1], ux[i], uy[i - 1], uy[i]
    return float(x0 + (level - y0) * (x1 - x0) / (y1 - y0))
