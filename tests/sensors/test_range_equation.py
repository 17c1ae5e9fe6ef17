"""Radar range equation against a hand-worked dB budget and its own inverses."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.sensors.range_equation import (
    MAX_SNR,
    MAX_SNR_CONSTANT,
    gain_from_aperture_db,
    noise_power_w,
    pulses_integrated,
    range_for_snr_m,
    range_resolution_m,
    snr_1m2_1m_physical,
    snr_1m2_1m_reference,
    snr_per_pulse,
    time_on_target_s,
    wavelength_m,
)


def test_snr_against_hand_db_budget() -> None:
    """Pt 1.5 MW, 5.6 GHz, G 45 dB, B 5 MHz (tau 0.2 us), F 3 dB, L 6 dB, 0.1 m^2 at 75 km.

    Budget by hand (dB): Pt 61.761 + G^2 90.000 + lambda^2 (0.053534 m) -25.428
    + sigma -10.000 - (4 pi)^3 32.976 - R^4 195.002 - kT0 (-203.975) - B 66.990 - F 3 - L 6
    = 16.340 dB.
    """
    k = snr_1m2_1m_physical(
        peak_power_w=1.5e6,
        frequency_hz=5.6e9,
        gain_tx_db=45.0,
        bandwidth_hz=5e6,
        noise_figure_db=3.0,
        system_losses_db=6.0,
    )
    snr_db = 10 * np.log10(snr_per_pulse(75e3, 0.1, k))
    assert snr_db == pytest.approx(16.340, abs=0.01)


def test_pulse_width_and_bandwidth_forms_agree() -> None:
    common = dict(peak_power_w=2e5, frequency_hz=3e9, gain_tx_db=33.0, noise_figure_db=4.0)
    by_width = snr_1m2_1m_physical(pulse_width_s=1e-6, **common)
    by_band = snr_1m2_1m_physical(bandwidth_hz=1e6, **common)
    assert by_width == pytest.approx(by_band)
    # A 10 us coded pulse with the same 1 MHz bandwidth gains 10 dB of energy.
    coded = snr_1m2_1m_physical(pulse_width_s=1e-5, bandwidth_hz=1e6, **common)
    assert 10 * np.log10(coded / by_band) == pytest.approx(10.0)


def test_separate_receive_gain_and_aperture() -> None:
    # A 1 m^2 aperture at 3 GHz: G = 4 pi / lambda^2 = 1258.4 -> 31.0 dBi.
    assert float(gain_from_aperture_db(1.0, 3e9)) == pytest.approx(30.998, abs=1e-3)
    mono = snr_1m2_1m_physical(
        peak_power_w=1e3, frequency_hz=1e9, gain_tx_db=30.0, pulse_width_s=1e-6
    )
    bi = snr_1m2_1m_physical(
        peak_power_w=1e3, frequency_hz=1e9, gain_tx_db=30.0, gain_rx_db=20.0, pulse_width_s=1e-6
    )
    assert 10 * np.log10(mono / bi) == pytest.approx(10.0)


def test_reference_point_form() -> None:
    k = snr_1m2_1m_reference(reference_snr_db=13.0, reference_range_m=100e3, reference_rcs_m2=1.0)
    assert 10 * np.log10(snr_per_pulse(100e3, 1.0, k)) == pytest.approx(13.0)
    # R^4 law: half the range, +12.04 dB; ten times the RCS, +10 dB.
    assert 10 * np.log10(snr_per_pulse(50e3, 10.0, k)) == pytest.approx(
        13.0 + 12.0412 + 10.0, abs=1e-3
    )
    np.testing.assert_allclose(range_for_snr_m(10**1.3, 1.0, k), 100e3)


def test_extreme_reference_points_stay_finite() -> None:
    # Regression: reference_range_m ** 4 raised OverflowError past about 1e77 m.
    k = snr_1m2_1m_reference(reference_snr_db=13.0, reference_range_m=1e80, reference_rcs_m2=1.0)
    assert np.isfinite(k) and k == MAX_SNR_CONSTANT
    # below the cap the log form is the R^4 law to rounding
    k = snr_1m2_1m_reference(reference_snr_db=13.0, reference_range_m=1e40, reference_rcs_m2=2.0)
    assert k == pytest.approx(10**1.3 * 1e160 / 2.0, rel=1e-12)
    snr = snr_per_pulse(np.array([0.0, 1e-30, 1.0, 1e6]), 1e4, MAX_SNR_CONSTANT)
    np.testing.assert_array_equal(snr, MAX_SNR)  # even at 1000 km: 1e180 is capped
    snr = snr_per_pulse(np.array([0.0, 1e6]), 1e4, 1e40)
    assert snr[0] == MAX_SNR and snr[1] == pytest.approx(1e40 * 1e4 / 1e24)


def test_conversions() -> None:
    assert float(wavelength_m(3e9)) == pytest.approx(0.0999308, rel=1e-6)
    assert float(range_resolution_m(1e6)) == pytest.approx(149.896, abs=1e-3)
    assert float(noise_power_w(1e6, 0.0)) == pytest.approx(4.0039e-15, rel=1e-4)
    assert time_on_target_s(np.radians(1.5), 10.0) == pytest.approx(10.0 * 1.5 / 360.0)
    assert pulses_integrated(1000.0, 0.0417) == 41
    assert pulses_integrated(100.0, 0.001) == 1


@pytest.mark.parametrize("n", [0, 1, 100])
def test_shapes(n: int) -> None:
    r = np.linspace(1e3, 1e5, n)
    assert snr_per_pulse(r, np.ones(n), 1e20).shape == (n,)
    assert range_for_snr_m(np.ones(n), 1.0, 1e20).shape == (n,)


def test_missing_waveform_is_an_error() -> None:
    with pytest.raises(ValueError, match="pulse_width_s or bandwidth_hz"):
        snr_1m2_1m_physical(peak_power_w=1.0, frequency_hz=1e9, gain_tx_db=0.0)
