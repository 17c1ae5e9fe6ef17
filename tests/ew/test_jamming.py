"""Noise jamming: the jamming equation, the antenna pattern and the burn-through range.

Expectations are written out from the textbook equations (Skolnik sec. 10.8) in the test, not
taken from the code: the radar equation from its physical terms, the one-way jamming equation,
and the burn-through range found by root finding on S / (N + J) = D.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from iadsim.ew.jamming import (
    Jammers,
    burn_through_range_m,
    detection_range_with_standoff_m,
    jnr_at_1m,
    jnr_per_beam,
    receiver,
)
from iadsim.sensors.range_equation import snr_1m2_1m_physical

K_B, T0, C = 1.380649e-23, 290.0, 299_792_458.0
# A hand-chosen radar: 100 kW, 3 GHz, 35 dB antenna, 1 us pulse (1 MHz), NF 4 dB, losses 6 dB.
PT, F_HZ, G_DB, TAU, B_R, NF_DB, L_DB = 1e5, 3e9, 35.0, 1e-6, 1e6, 4.0, 6.0
# A self-screening jammer: 10 W into 6 dB over 20 MHz, on a 5 m^2 target.
PJ, GJ_DB, B_J, SIGMA = 10.0, 6.0, 20e6, 5.0
D = 10.0 ** (13.0 / 10.0)  # required SNR per pulse


def _db(x_db: float) -> float:
    return 10.0 ** (x_db / 10.0)


def _rx(sidelobe_db: float = -30.0, pg_db: float = 0.0):  # noqa: ANN202
    return receiver(gain_db=G_DB, sidelobe_level_db=sidelobe_db, frequency_hz=F_HZ,
                    bandwidth_hz=B_R, noise_figure_db=NF_DB, processing_gain_db=pg_db,
                    azimuth_beamwidth_rad=np.radians(2.0), elevation_beamwidth_rad=np.radians(2.0))


def _jammers() -> Jammers:
    return Jammers(name=("ssj",), erp_w=np.array([PJ * _db(GJ_DB)]), bandwidth_hz=np.array([B_J]))


def _textbook_snr(r_m: float) -> float:
    lam = C / F_HZ
    return PT * _db(2 * G_DB) * lam**2 * SIGMA / ((4 * np.pi) ** 3 * r_m**4 * K_B * T0
                                                   * _db(NF_DB) * B_R * _db(L_DB))


def _textbook_jnr(r_m: float) -> float:
    lam = C / F_HZ
    j_w = PJ * _db(GJ_DB) * _db(G_DB) * lam**2 / ((4 * np.pi) ** 2 * r_m**2) * (B_R / B_J)
    return j_w / (K_B * T0 * _db(NF_DB) * B_R)


def test_jnr_matches_the_one_way_jamming_equation() -> None:
    k1 = jnr_at_1m(_rx(), _jammers())
    for r in (1e3, 3.7e4, 2e5):
        assert k1[0] / r**2 == pytest.approx(_textbook_jnr(r), rel=1e-12)


def test_burn_through_range_solves_s_over_n_plus_j_equal_to_the_required_snr() -> None:
    snr_c = snr_1m2_1m_physical(peak_power_w=PT, frequency_hz=F_HZ, gain_tx_db=G_DB,
                                pulse_width_s=TAU, noise_figure_db=NF_DB, system_losses_db=L_DB)
    k1 = float(jnr_at_1m(_rx(), _jammers())[0])
    r_bt = burn_through_range_m(snr_c, SIGMA, D, k1)
    root = brentq(lambda r: _textbook_snr(r) / (1.0 + _textbook_jnr(r)) - D, 10.0, 1e7,
                  xtol=1e-6, rtol=1e-13)
    assert r_bt == pytest.approx(root, rel=1e-9)
    # Jamming-dominated: the classic R_bt^2 = Pt Gt sigma B_j / (4 pi ERP B_r L D)
    classic = np.sqrt(PT * _db(G_DB) * SIGMA * B_J / (4 * np.pi * PJ * _db(GJ_DB) * B_R
                                                       * _db(L_DB) * D))
    assert r_bt == pytest.approx(classic, rel=0.01)
    assert _textbook_jnr(r_bt) > 100.0  # so the classic form is the right check
    # no jammer: the clean detection range of the radar equation
    clean = brentq(lambda r: _textbook_snr(r) - D, 10.0, 1e8, rtol=1e-13)
    assert burn_through_range_m(snr_c, SIGMA, D, 0.0) == pytest.approx(clean, rel=1e-9)


def test_processing_gain_lowers_jnr_by_its_decibels() -> None:
    full = jnr_at_1m(_rx(), _jammers())[0]
    assert jnr_at_1m(_rx(pg_db=7.0), _jammers())[0] == pytest.approx(full / _db(7.0), rel=1e-12)


def test_jnr_in_a_sidelobe_is_lower_by_the_sidelobe_level() -> None:
    rx = _rx(sidelobe_db=-27.0)
    k1 = jnr_at_1m(rx, _jammers())
    beam_az = np.radians([90.0, 90.0, 92.5, 270.0])  # on, on, just off (bw 2 deg), behind
    beam_el = np.radians([1.0, 2.5, 1.0, 1.0])      # the second off in elevation
    jnr = jnr_per_beam(rx, k1, np.array([50e3]), np.radians([90.0]), np.radians([1.0]),
                       beam_az, beam_el)
    main = k1[0] / 50e3**2
    assert jnr[0] == pytest.approx(main, rel=1e-12)
    np.testing.assert_allclose(10 * np.log10(jnr[1:] / main), -27.0, atol=1e-9)


def test_jnr_per_beam_at_zero_one_and_many_beams_sums_jammers() -> None:
    rx = _rx()
    two = Jammers(name=("a", "b"), erp_w=np.array([100.0, 400.0]),
                  bandwidth_hz=np.array([1e7, 1e7]))
    k1 = jnr_at_1m(rx, two)
    args = (k1, np.array([1e4, 2e4]), np.radians([10.0, 200.0]), np.zeros(2))
    assert jnr_per_beam(rx, *args, np.empty(0), np.empty(0)).shape == (0,)
    one = jnr_per_beam(rx, *args, np.radians([10.0]), np.zeros(1))
    assert one[0] == pytest.approx(k1[0] / 1e8 + rx.sidelobe_level * k1[1] / 4e8, rel=1e-12)
    many = jnr_per_beam(rx, *args, np.radians(np.linspace(0, 359, 50)), np.zeros(50))
    assert many.min() == pytest.approx(rx.sidelobe_level * (k1[0] / 1e8 + k1[1] / 4e8))


def test_stand_off_detection_range_is_the_radar_equation_with_the_noise_raised() -> None:
    # R^4 = C sigma / (D (1 + J/N)): J/N = 15 halves R^4 ... by 16
    assert detection_range_with_standoff_m(1e20, 1.0, 10.0, 15.0) == pytest.approx(
        (1e20 / 10.0 / 16.0) ** 0.25, rel=1e-12)
