"""Sensors stage: probability of detection for Swerling targets, and the per-look draws.

In: signal-to-noise ratio per pulse (linear or dB), the false-alarm probability ``pfa`` and the
number of pulses ``n_pulses`` integrated non-coherently by a square-law detector.
Out: ``pd`` (exact closed forms), the SNR a given ``pd`` needs (exact inversion, Albersheim,
Shnidman), and seeded draws of per-look RCS fluctuation and of the detector's decision.

The detector model, stated once: each pulse gives a complex sample ``sqrt(snr) + n`` with
``n ~ CN(0, 1)``; the detector sums ``|y|^2`` over ``n_pulses`` and compares with a threshold
``T`` set by ``pfa``. Noise alone gives a sum ``~ Gamma(n_pulses, 1)``, so
``pfa = Q(n_pulses, T)`` (regularised upper incomplete gamma). Swerling cases:

==========  ==========================================  ====================================
case        RCS distribution (mean 1)                    decorrelates
==========  ==========================================  ====================================
0 (or 5)    constant                                     never
1           exponential (chi-square, 2 degrees)          scan to scan (one draw per look)
2           exponential (chi-square, 2 degrees)          pulse to pulse
3           chi-square, 4 degrees (Gamma(2, 1/2))        scan to scan
4           chi-square, 4 degrees (Gamma(2, 1/2))        pulse to pulse
==========  ==========================================  ====================================

All closed forms follow from the moment-generating function of the integrated sum (Swerling
1957; DiFranco & Rubin; Mahafza, *Radar Systems Analysis and Design*, ch. 2).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from iadsim.sensors.range_equation import db_to_linear, linear_to_db

__all__ = [
    "SWERLING_CASES",
    "albersheim_snr_db",
    "db_to_linear",
    "draw_detections",
    "draw_rcs_factor",
    "linear_to_db",
    "pd_swerling",
    "required_snr_db",
    "shnidman_snr_db",
    "swerling_shape",
    "threshold_from_pfa",
]

SWERLING_CASES = (0, 1, 2, 3, 4)
"""Supported Swerling cases (0 is the non-fluctuating target, also called case 5)."""


def threshold_from_pfa(pfa: float, n_pulses: int = 1) -> float:
    """Detection threshold ``T`` on the integrated square-law sum (noise power 1 per pulse).

    ``pfa = Q(n_pulses, T)``; for one pulse ``T = -ln(pfa)``.
    """
    _check_pfa_n(pfa, n_pulses)
    return float(special.gammainccinv(n_pulses, pfa))


def pd_swerling(
    snr_db: ArrayLike, pfa: float, n_pulses: int = 1, swerling: int = 0
) -> NDArray[np.float64]:
    """Probability of detection, exact, for a Swerling target.

    Parameters
    ----------
    snr_db : array_like, shape (n,)
        Mean signal-to-noise ratio *per pulse*, dB.
    pfa : float
        False-alarm probability per resolution cell, in (0, 1).
    n_pulses : int
        Pulses integrated non-coherently (square-law detector), >= 1.
    swerling : int
        Swerling case 0-4 (0 = non-fluctuating).

    Returns
    -------
    ndarray, shape (n,)
        ``pd`` in [pfa, 1].

    Notes
    -----
    Case 0 uses the Marcum Q function through ``scipy.stats.ncx2``; case 1 with one pulse reduces
    to ``pd = pfa ** (1 / (1 + snr))``; cases 2 and 4 are (mixtures of) gamma tails; cases 1 and
    3 with several pulses use the incomplete-gamma forms of DiFranco & Rubin, evaluated in log
    space so they stay finite for hundreds of pulses and tiny SNR.
    """
    _check_swerling(swerling)
    t = threshold_from_pfa(pfa, n_pulses)
    snr = db_to_linear(snr_db)
    n = int(n_pulses)
    if swerling == 0:
        from scipy.stats import ncx2  # only here: scipy.stats costs ~0.4 s to import

        pd = ncx2.sf(2.0 * t, 2 * n, 2.0 * n * snr)
    elif swerling == 1:
        pd = _pd_swerling1(snr, t, n)
    elif swerling == 2:
        pd = special.gammaincc(n, t / (1.0 + snr))
    elif swerling == 3:
        pd = _pd_swerling3(snr, t, n)
    else:
        pd = _pd_swerling4(snr, t, n)
    return np.clip(np.asarray(pd, dtype=float), 0.0, 1.0)


def _pd_swerling1(snr: NDArray[np.float64], t: float, n: int) -> NDArray[np.float64]:
    gamma = 1.0 + n * snr
    if n == 1:
        return np.exp(-t / gamma)
    # Sum = Gamma(n-1, 1) + Exp(gamma): P(sum > t).
    a = n - 1
    return special.gammaincc(a, t) + np.exp(-t / gamma + _log_scaled_lower(a, t, 1.0 - 1.0 / gamma))


def _pd_swerling3(snr: NDArray[np.float64], t: float, n: int) -> NDArray[np.float64]:
    gamma = 1.0 + n * snr / 2.0
    if n == 1:
        return special.gammaincc(1, t / gamma) / gamma + (1.0 - 1.0 / gamma) * special.gammaincc(
            2, t / gamma
        )
    if n == 2:
        return special.gammaincc(2, t / gamma)
    # Sum = Gamma(n-2, 1) + Gamma(2, gamma): P(sum > t).
    a = n - 2
    c = 1.0 - 1.0 / gamma
    inner = (1.0 + t / gamma) * np.exp(_log_scaled_lower(a, t, c)) - (a / gamma) * np.exp(
        _log_scaled_lower(a + 1, t, c)
    )
    return special.gammaincc(a, t) + np.exp(-t / gamma) * np.maximum(inner, 0.0)


def _pd_swerling4(snr: NDArray[np.float64], t: float, n: int) -> NDArray[np.float64]:
    # MGF (1+s)^n / (1+beta s)^(2n) = binomial mixture of Gamma(2n-k, beta) tails.
    beta = 1.0 + snr / 2.0
    w_direct = 1.0 / beta
    w_rest = 1.0 - w_direct
    pd = np.zeros_like(beta)
    log_binom = (
        special.gammaln(n + 1)
        - special.gammaln(np.arange(n + 1) + 1)
        - special.gammaln(n - np.arange(n + 1) + 1)
    )
    with np.errstate(divide="ignore"):
        log_direct, log_rest = np.log(w_direct), np.log(w_rest)
    for k in range(n + 1):
        log_w = log_binom[k] + k * log_direct + _xlogy_safe(n - k, log_rest)
        pd = pd + np.exp(log_w) * special.gammaincc(2 * n - k, t / beta)
    return pd


def _xlogy_safe(count: int, log_value: NDArray[np.float64]) -> NDArray[np.float64]:
    """``count * log_value`` with ``0 * -inf = 0``."""
    if count == 0:
        return np.zeros_like(log_value)
    return count * log_value


def _log_scaled_lower(a: int, t: float, c: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log( (1/Gamma(a)) * integral_0^t x^(a-1) exp(-c x) dx )`` for ``c`` in [0, 1).

    Equals ``log(c^-a P(a, c t))``; evaluated through Kummer's series
    ``t^a / Gamma(a+1) * exp(-c t) * 1F1(1; a+1; c t)`` when ``c t < a + 1`` (no underflow for
    tiny ``c``) and directly otherwise.
    """
    c = np.asarray(c, dtype=float)
    z = c * t
    series = z < a + 1.0
    z_series = np.where(series, z, 0.0)
    log_series = (
        a * np.log(t)
        - special.gammaln(a + 1.0)
        - z_series
        + np.log(special.hyp1f1(1.0, a + 1.0, z_series))
    )
    c_direct = np.where(series, 1.0, c)
    with np.errstate(divide="ignore"):
        log_direct = np.log(special.gammainc(a, c_direct * t)) - a * np.log(c_direct)
    return np.where(series, log_series, log_direct)


def required_snr_db(
    pd: ArrayLike, pfa: float, n_pulses: int = 1, swerling: int = 0
) -> NDArray[np.float64]:
    """SNR per pulse (dB) at which :func:`pd_swerling` equals ``pd``, by vectorised bisection.

    ``pd`` must lie in (pfa, 1); the answer is good to 1e-6 dB.
    """
    _check_swerling(swerling)
    target = np.asarray(pd, dtype=float)
    if np.any((target <= pfa) | (target >= 1.0)):
        raise ValueError(f"pd must be in (pfa, 1) = ({pfa}, 1) (got {target})")
    lo = np.full(target.shape, -60.0)
    hi = np.full(target.shape, 100.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = pd_swerling(mid, pfa, n_pulses, swerling) >= target
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return 0.5 * (lo + hi)


def albersheim_snr_db(
    pd: ArrayLike, pfa: ArrayLike, n_pulses: ArrayLike = 1
) -> NDArray[np.float64]:
    """Albersheim's equation: SNR per pulse (dB) a non-fluctuating target needs.

    Valid for 1e-7 <= pfa <= 1e-3, 0.1 <= pd <= 0.9, 1 <= n_pulses <= 8096, to about 0.2 dB
    (Albersheim 1981; Richards, *Fundamentals of Radar Signal Processing*, eq. 6.79).
    """
    pd_ = np.asarray(pd, dtype=float)
    pfa_ = np.asarray(pfa, dtype=float)
    n = np.asarray(n_pulses, dtype=float)
    a = np.log(0.62 / pfa_)
    b = np.log(pd_ / (1.0 - pd_))
    return -5.0 * np.log10(n) + (6.2 + 4.54 / np.sqrt(n + 0.44)) * np.log10(
        a + 0.12 * a * b + 1.7 * b
    )


def shnidman_snr_db(
    pd: ArrayLike, pfa: ArrayLike, n_pulses: int = 1, swerling: int = 0
) -> NDArray[np.float64]:
    """Shnidman's equation: SNR per pulse (dB) for ``pd`` with non-coherent integration.

    Covers Swerling 0-4; valid for 0.1 <= pd <= 0.99, 1e-9 <= pfa <= 1e-3, 1 <= n_pulses <= 100,
    to within about 0.5 dB (Shnidman 2002; Richards, eq. 6.80-6.84).
    """
    _check_swerling(swerling)
    pd_ = np.asarray(pd, dtype=float)
    pfa_ = np.asarray(pfa, dtype=float)
    n = float(n_pulses)
    k = swerling_shape(swerling, n_pulses)
    alpha = 0.0 if n < 40 else 0.25
    eta = np.sqrt(-0.8 * np.log(4.0 * pfa_ * (1.0 - pfa_))) + np.sign(pd_ - 0.5) * np.sqrt(
        -0.8 * np.log(4.0 * pd_ * (1.0 - pd_))
    )
    x_inf = eta * (eta + 2.0 * np.sqrt(n / 2.0 + (alpha - 0.25)))
    if np.isinf(k):
        c_db = np.zeros_like(pd_)
    else:
        c1 = (((17.7006 * pd_ - 18.4496) * pd_ + 14.5339) * pd_ - 3.525) / k
        c2 = (
            np.exp(27.31 * pd_ - 25.14)
            + (pd_ - 0.8) * (0.7 * np.log(1e-5 / pfa_) + (2.0 * n - 20.0) / 80.0)
        ) / k
        c_db = np.where(pd_ <= 0.872, c1, c1 + c2)
    return 10.0 * np.log10(db_to_linear(c_db) * x_inf / n)


def swerling_shape(swerling: int, n_pulses: int = 1) -> float:
    """Gamma shape ``k`` of the pulse-averaged RCS over one look (``inf`` for case 0).

    The RCS averaged over the ``n_pulses`` of one look is ``mean * Gamma(k, 1/k)`` with
    k = inf, 1, n, 2, 2n for cases 0-4 (scan-to-scan cases draw once per look; pulse-to-pulse
    cases average n independent draws). This is also Shnidman's ``K``.
    """
    _check_swerling(swerling)
    return {0: np.inf, 1: 1.0, 2: float(n_pulses), 3: 2.0, 4: 2.0 * n_pulses}[swerling]


def draw_rcs_factor(
    size: int, swerling: int, n_pulses: int = 1, *, rng: np.random.Generator
) -> NDArray[np.float64]:
    """Per-look fluctuation factor of the RCS, mean 1, shape ``(size,)``.

    Multiply the mean RCS (or mean SNR) by this factor to get the look's pulse-averaged value.
    Case 0 gives ones and draws nothing.
    """
    k = swerling_shape(swerling, n_pulses)
    if np.isinf(k):
        return np.ones(size)
    return rng.gamma(k, 1.0 / k, size=size)


def draw_detections(
    snr: ArrayLike, threshold: float, n_pulses: int = 1, *, rng: np.random.Generator
) -> NDArray[np.bool_]:
    """Draw the square-law detector's decision for each look, shape ``(n,)``.

    Parameters
    ----------
    snr : array_like, shape (n,)
        The look's pulse-averaged SNR per pulse, *linear*, after RCS fluctuation
        (mean SNR times :func:`draw_rcs_factor`); zero for noise only.
    threshold : float
        From :func:`threshold_from_pfa` with the same ``n_pulses``.
    n_pulses : int
        Pulses integrated.

    Notes
    -----
    Twice the integrated sum is non-central chi-square with ``2 n`` degrees of freedom and
    non-centrality ``2 n snr``, whatever the per-pulse split of the fluctuating RCS.
    """
    snr_ = np.asarray(snr, dtype=float)
    if snr_.size == 0:
        return np.zeros(0, dtype=bool)
    statistic = 0.5 * rng.noncentral_chisquare(2.0 * n_pulses, 2.0 * n_pulses * snr_)
    return statistic > threshold


def _check_swerling(swerling: int) -> None:
    if swerling not in SWERLING_CASES:
        raise ValueError(f"swerling must be one of {SWERLING_CASES} (got {swerling!r})")


def _check_pfa_n(pfa: float, n_pulses: int) -> None:
    if not 0.0 < pfa < 1.0:
        raise ValueError(f"pfa must be in (0, 1) (got {pfa!r})")
    if int(n_pulses) != n_pulses or n_pulses < 1:
        raise ValueError(f"n_pulses must be an integer >= 1 (got {n_pulses!r})")
