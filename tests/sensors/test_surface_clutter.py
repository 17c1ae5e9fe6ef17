"""tests/sensors: ``iadsim.sensors.surface_clutter`` against hand computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from iadsim.sensors.surface_clutter import (
    blind_speeds_mps,
    clutter_rcs_m2,
    clutter_to_noise,
    mti_response,
    signal_to_clutter_noise,
)
from iadsim.terrain.masking import EFFECTIVE_RADIUS_M


def test_clutter_limited_detection_range_matches_hand_computation() -> None:
    # Constant gamma, low grazing over a smooth 4/3 earth: tan(psi) ~ h/R - R/(2ka), so the
    # signal-to-clutter ratio sigma_t / (gamma theta dR R tan psi) rises with range and a
    # required SCR is first met at R = sqrt(2 ka (h - sigma_t / (gamma theta dR SCR))).
    ka = EFFECTIVE_RADIUS_M
    gamma, theta, d_r, h, sigma_t = 1e-4, np.radians(1.5), 150.0, 300.0, 1.0  # sea, -40 dB
    scr_req = 10 ** (13.0 / 10)
    hand_m = np.sqrt(2 * ka * (h - sigma_t / (gamma * theta * d_r * scr_req)))
    snr_const = 1e27  # noise negligible: clutter-limited

    def scnr_margin(r_m: float) -> float:
        psi = np.arcsin(h / r_m - r_m / (2 * ka))
        cnr = clutter_to_noise(snr_const, clutter_rcs_m2(gamma, r_m, psi, theta, d_r), r_m)
        snr = snr_const * sigma_t / r_m**4
        return float(np.log(signal_to_clutter_noise(snr, cnr) / scr_req))

    got_m = brentq(scnr_margin, 5_000.0, np.sqrt(2 * ka * h) * 0.999)
    assert got_m == pytest.approx(hand_m, rel=1e-3)


def test_mti_notch_blind_speeds_and_unit_noise_gain() -> None:
    lam, prf = 0.1, 1000.0
    blind = blind_speeds_mps(lam, prf)
    np.testing.assert_allclose(blind, [50.0, 100.0, 150.0])
    for delays in (1, 2, 3):
        g = mti_response(np.concatenate([[0.0], blind]), wavelength_m=lam, prf_hz=prf,
                         delays=delays)
        np.testing.assert_allclose(g, 0.0, atol=1e-20)
        # white noise gain 1: the response averaged over one Doppler period is 1
        mean, _ = quad(lambda v, k=delays: float(mti_response(np.array([v]), wavelength_m=lam,
                                                               prf_hz=prf, delays=k)[0]),
                       0.0, 50.0)
        assert mean / 50.0 == pytest.approx(1.0, rel=1e-6)
    # a slow drone (2 m/s) loses more than 20 dB in a double canceller
    assert 10 * np.log10(mti_response(np.array([2.0]), wavelength_m=lam, prf_hz=prf,
                                      delays=2)[0]) < -20.0
    assert np.all(mti_response(np.array([0.0, 3.0]), wavelength_m=lam, prf_hz=prf,
                               delays=0) == 1.0)


def test_scnr_is_snr_without_clutter() -> None:
    snr = np.array([1.0, 10.0])
    np.testing.assert_array_equal(signal_to_clutter_noise(snr, np.zeros(2)), snr)
    np.testing.assert_allclose(signal_to_clutter_noise(snr, np.full(2, 99.0),
                                                       improvement_db=20.0), snr / 1.99)
