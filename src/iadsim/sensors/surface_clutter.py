"""Sensors stage: surface clutter in the resolution cell, MTI/Doppler notch, blind speeds.

In: the clutter cell's geometry (slant range, grazing angle), the surface's constant gamma,
the radar's resolution (range, azimuth beamwidth), its SNR constant, wavelength and PRF, and
the target's radial velocity. Out: clutter-to-noise ratio (CNR), the MTI filter's power
response to the target, and the signal-to-(clutter + noise) ratio the detector sees.

Models (Skolnik, *Introduction to Radar Systems*, 3rd ed., ch. 3 and 7; Nathanson, *Radar
Design Principles*, ch. 7; Richards, *Fundamentals of Radar Signal Processing*, ch. 5):

* constant gamma: ``sigma0 = gamma sin(psi)``; the low-grazing, pulse-limited cell of area
  ``A = R theta_az dR sec(psi)``, so the clutter RCS is ``sigma_c = gamma R theta_az dR tan(psi)``;
* the clutter echo follows the same range equation as a target: ``CNR = snr_1m2_1m sigma_c / R^4``;
* an ``N``-delay binomial MTI canceller has the power response
  ``(2 sin(pi f_d / PRF))^(2N) / C(2N, N)`` (normalised to unit noise gain), Doppler
  ``f_d = 2 v_r / lambda``: zero at ``v_r = 0`` and at the blind speeds ``n lambda PRF / 2``;
  the clutter left after it is ``CNR / I`` (improvement factor ``I``);
* ``SCNR = snr G_mti / (1 + CNR / I)``: clutter residue is taken as Gaussian noise, so the
  Swerling detector of ``iadsim.sensors.detection`` applies unchanged.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special


def clutter_rcs_m2(
    gamma: ArrayLike, slant_range_m: ArrayLike, grazing_rad: ArrayLike,
    azimuth_beamwidth_rad: float, range_resolution_m: float,
) -> NDArray[np.float64]:
    """Constant-gamma clutter RCS of the pulse-limited cell, ``gamma R theta dR tan(psi)``."""
    psi = np.clip(np.asarray(grazing_rad, float), 0.0, np.radians(89.0))
    return np.asarray(np.asarray(gamma, float) * np.asarray(slant_range_m, float)
                      * azimuth_beamwidth_rad * range_resolution_m * np.tan(psi))


def clutter_to_noise(snr_1m2_1m: float, clutter_rcs: ArrayLike,
                     slant_range_m: ArrayLike) -> NDArray[np.float64]:
    """Clutter-to-noise ratio per pulse, linear: the range equation on ``sigma_c``."""
    r = np.maximum(np.asarray(slant_range_m, float), 1.0)
    return np.asarray(snr_1m2_1m * np.asarray(clutter_rcs, float) / r**4)


def mti_response(radial_velocity_mps: ArrayLike, *, wavelength_m: float, prf_hz: float,
                 delays: int) -> NDArray[np.float64]:
    """Power response of an ``delays``-delay binomial canceller to a target, unit noise gain.

    ``delays = 0`` is no MTI (response 1).
    """
    v = np.asarray(radial_velocity_mps, float)
    if delays <= 0:
        return np.ones(v.shape)
    doppler_hz = 2.0 * v / wavelength_m
    gain = (2.0 * np.sin(np.pi * doppler_hz / prf_hz)) ** (2 * delays)
    return np.asarray(gain / special.comb(2 * delays, delays, exact=False))


def blind_speeds_mps(wavelength_m: float, prf_hz: float, count: int = 3) -> NDArray[np.float64]:
    """The first ``count`` blind speeds ``n lambda PRF / 2``, n = 1..count."""
    return np.arange(1, count + 1) * wavelength_m * prf_hz / 2.0


def signal_to_clutter_noise(snr: ArrayLike, cnr: ArrayLike, *, mti_gain: ArrayLike = 1.0,
                            improvement_db: ArrayLike = 0.0) -> NDArray[np.float64]:
    """``SCNR = snr G_mti / (1 + CNR / I)``, linear; ``I`` from ``improvement_db`` (dB, per row
    or one for all)."""
    residue = np.asarray(cnr, float) / 10.0 ** (np.asarray(improvement_db, float) / 10.0)
    return np.asarray(np.asarray(snr, float) * np.asarray(mti_gain, float) / (1.0 + residue))
