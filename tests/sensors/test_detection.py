"""Detection probability: closed forms against textbook values, quadrature and seeded draws."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, special

from iadsim.sensors.detection import (
    albersheim_snr_db,
    db_to_linear,
    draw_detections,
    draw_rcs_factor,
    linear_to_db,
    pd_swerling,
    required_snr_db,
    shnidman_snr_db,
    swerling_shape,
    threshold_from_pfa,
)


def test_albersheim_textbook_value_and_exact_swerling0() -> None:
    # Richards, Fundamentals of Radar Signal Processing: Pd 0.9, Pfa 1e-6, one pulse: 13.1 dB.
    snr_db = float(albersheim_snr_db(0.9, 1e-6, 1))
    assert snr_db == pytest.approx(13.11, abs=0.05)
    exact_db = float(required_snr_db(0.9, 1e-6, 1, swerling=0))
    assert abs(snr_db - exact_db) < 0.3


@pytest.mark.parametrize("n_pulses", [1, 4, 16, 64])
def test_albersheim_tracks_exact_swerling0_with_integration(n_pulses: int) -> None:
    # Albersheim's fit is tightest at mid-to-high Pd; at Pd 0.1 it is ~0.9 dB optimistic.
    pd = np.array([0.3, 0.5, 0.8, 0.9])
    gap_db = albersheim_snr_db(pd, 1e-6, n_pulses) - required_snr_db(pd, 1e-6, n_pulses, 0)
    assert np.all(np.abs(gap_db) < 0.3)


def test_threshold_single_pulse_is_minus_log_pfa() -> None:
    assert threshold_from_pfa(1e-6, 1) == pytest.approx(-np.log(1e-6))
    # Noise-only integrated sum is Gamma(n, 1): its tail at T is pfa.
    assert special.gammaincc(10, threshold_from_pfa(1e-4, 10)) == pytest.approx(1e-4)


def _marcum_pd_by_quadrature(snr: float, pfa: float) -> float:
    """Single-pulse Swerling 0 Pd from the Rician envelope density, integrated numerically."""
    a = np.sqrt(2.0 * snr)
    x0 = np.sqrt(-2.0 * np.log(pfa))

    def rician(x: float) -> float:
        return x * np.exp(-0.5 * (x - a) ** 2) * special.i0e(a * x)

    value, _ = integrate.quad(rician, x0, x0 + a + 40.0, limit=200)
    return float(value)


@pytest.mark.parametrize("snr_db", [-5.0, 5.0, 10.0, 13.0, 16.0])
def test_swerling0_single_pulse_against_rician_quadrature(snr_db: float) -> None:
    pd = float(pd_swerling(snr_db, 1e-6, 1, 0))
    assert pd == pytest.approx(_marcum_pd_by_quadrature(db_to_linear(snr_db), 1e-6), abs=1e-7)


def test_swerling1_single_pulse_closed_form() -> None:
    snr_db = np.linspace(-10.0, 40.0, 26)
    expected = 1e-6 ** (1.0 / (1.0 + db_to_linear(snr_db)))
    np.testing.assert_allclose(pd_swerling(snr_db, 1e-6, 1, 1), expected, rtol=1e-10)


def test_single_pulse_identities() -> None:
    snr_db = np.linspace(-10.0, 30.0, 9)
    np.testing.assert_allclose(pd_swerling(snr_db, 1e-5, 1, 2), pd_swerling(snr_db, 1e-5, 1, 1))
    np.testing.assert_allclose(pd_swerling(snr_db, 1e-5, 1, 4), pd_swerling(snr_db, 1e-5, 1, 3))
    # Swerling 3, one pulse: (1 + 2/(snr) ...) closed form of DiFranco & Rubin.
    snr = db_to_linear(snr_db)
    t = -np.log(1e-5)
    expected = np.exp(-t / (1 + snr / 2)) * (1 + 2 * t * snr / (2 + snr) ** 2)
    np.testing.assert_allclose(pd_swerling(snr_db, 1e-5, 1, 3), expected, rtol=1e-10)


@pytest.mark.parametrize("swerling", [1, 3])
@pytest.mark.parametrize("n_pulses", [2, 5, 20])
def test_scan_to_scan_cases_against_quadrature_over_rcs(swerling: int, n_pulses: int) -> None:
    # Scan-to-scan: Pd = E_sigma[ Swerling-0 Pd at snr * sigma ], sigma ~ Gamma(k, 1/k).
    pfa = 1e-6
    k = swerling_shape(swerling, n_pulses)
    t = threshold_from_pfa(pfa, n_pulses)
    for snr_db in (0.0, 8.0, 15.0):
        snr = db_to_linear(snr_db)

        def integrand(sigma: float, snr: float = snr) -> float:
            density = k**k * sigma ** (k - 1) * np.exp(-k * sigma) / special.gamma(k)
            cdf = special.chndtr(2 * t, 2 * n_pulses, 2 * n_pulses * snr * sigma)
            return float((1.0 - cdf) * density)

        expected, _ = integrate.quad(integrand, 0.0, 60.0, limit=400, points=[0.5, 1, 2, 5])
        assert float(pd_swerling(snr_db, pfa, n_pulses, swerling)) == pytest.approx(
            expected, abs=2e-6
        )


@pytest.mark.parametrize("swerling", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("n_pulses", [1, 3, 10])
def test_pd_against_seeded_draws(swerling: int, n_pulses: int) -> None:
    rng = np.random.default_rng(1000 + 10 * swerling + n_pulses)
    pfa, draws = 1e-3, 40_000
    t = threshold_from_pfa(pfa, n_pulses)
    for snr_db in (0.0, 6.0, 12.0):
        factor = draw_rcs_factor(draws, swerling, n_pulses, rng=rng)
        detected = draw_detections(db_to_linear(snr_db) * factor, t, n_pulses, rng=rng)
        pd = float(pd_swerling(snr_db, pfa, n_pulses, swerling))
        sigma = np.sqrt(max(pd * (1 - pd), 1e-4) / draws)
        assert abs(detected.mean() - pd) < 5.0 * sigma


def test_noise_only_draws_give_the_set_pfa() -> None:
    rng = np.random.default_rng(7)
    for n_pulses in (1, 8):
        t = threshold_from_pfa(1e-2, n_pulses)
        alarms = draw_detections(np.zeros(200_000), t, n_pulses, rng=rng)
        assert abs(alarms.mean() - 1e-2) < 5.0 * np.sqrt(1e-2 * 0.99 / 200_000)


@pytest.mark.parametrize("swerling", [0, 1, 2, 3, 4])
def test_rcs_factor_moments(swerling: int) -> None:
    rng = np.random.default_rng(3)
    factor = draw_rcs_factor(200_000, swerling, 4, rng=rng)
    assert factor.mean() == pytest.approx(1.0, abs=0.01)
    expected_var = 0.0 if swerling == 0 else 1.0 / swerling_shape(swerling, 4)
    assert factor.var() == pytest.approx(expected_var, abs=0.02)


@pytest.mark.parametrize("swerling", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("n_pulses", [1, 10, 30, 100])
def test_shnidman_within_its_stated_accuracy(swerling: int, n_pulses: int) -> None:
    # Shnidman's fit: about 0.5 dB; the worst corner (Swerling 1, one pulse, Pd 0.1) is 0.59 dB.
    pd = np.array([0.1, 0.5, 0.8, 0.9, 0.95])
    gap_db = shnidman_snr_db(pd, 1e-6, n_pulses, swerling) - required_snr_db(
        pd, 1e-6, n_pulses, swerling
    )
    assert np.all(np.abs(gap_db) < 0.6)


@pytest.mark.parametrize("swerling", [0, 1, 2, 3, 4])
def test_required_snr_inverts_pd_and_pd_is_monotone(swerling: int) -> None:
    pd = np.array([0.2, 0.5, 0.9, 0.99])
    snr_db = required_snr_db(pd, 1e-6, 8, swerling)
    np.testing.assert_allclose(pd_swerling(snr_db, 1e-6, 8, swerling), pd, atol=1e-6)
    curve = pd_swerling(np.linspace(-20, 40, 121), 1e-6, 8, swerling)
    assert np.all(np.diff(curve) >= -1e-12)


@pytest.mark.parametrize("swerling", [0, 1, 2, 3, 4])
def test_extremes_stay_finite(swerling: int) -> None:
    pd = pd_swerling(np.array([-90.0, -40.0, 0.0, 40.0, 90.0]), 1e-6, 300, swerling)
    assert np.all(np.isfinite(pd))
    assert pd[0] == pytest.approx(1e-6, rel=1e-3)
    assert pd[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("n", [0, 1, 50])
def test_shapes(n: int) -> None:
    rng = np.random.default_rng(0)
    snr_db = np.linspace(0, 20, n)
    for swerling in range(5):
        assert pd_swerling(snr_db, 1e-6, 3, swerling).shape == (n,)
        assert draw_rcs_factor(n, swerling, 3, rng=rng).shape == (n,)
    assert draw_detections(db_to_linear(snr_db), 10.0, 3, rng=rng).shape == (n,)
    assert linear_to_db(db_to_linear(snr_db)) == pytest.approx(snr_db)


def test_bad_arguments_name_the_rule() -> None:
    with pytest.raises(ValueError, match=r"pfa must be in \(0, 1\)"):
        pd_swerling(10.0, 1.5, 1, 0)
    with pytest.raises(ValueError, match=r"swerling must be one of"):
        pd_swerling(10.0, 1e-6, 1, 7)
    with pytest.raises(ValueError, match=r"n_pulses must be an integer >= 1"):
        threshold_from_pfa(1e-6, 0)
    with pytest.raises(ValueError, match=r"pd must be in"):
        required_snr_db(1.0, 1e-6)
