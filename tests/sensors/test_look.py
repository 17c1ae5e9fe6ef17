"""One look of one radar: horizon, timing, sectors, merging, SNR-dependent noise, Pd."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.stats import norm

from iadsim.sensors.detection import db_to_linear, pd_swerling
from iadsim.sensors.look import false_alarm_cells, look, measured_range_m, measurement_sigmas


def _look(site: Any, pos, *, rcs=None, vel=None, seed=0, start_s=0.0, fa=False):
    pos = np.atleast_2d(np.asarray(pos, dtype=float))
    n = pos.shape[0]
    return look(
        site,
        start_s=start_s,
        truth_time_s=start_s,
        position_enu_m=pos,
        velocity_enu_mps=vel,
        rcs_m2=np.full(n, 100.0) if rcs is None else rcs,
        truth_id=np.arange(n, dtype=np.int64),
        rng=np.random.default_rng(seed),
        with_false_alarms=fa,
    )


def _at(ground_m: float, alt_m: float, az_deg: float = 0.0) -> list[float]:
    """Scenario-ENU point at a ground range and true altitude (earth drop included)."""
    drop = ground_m**2 / (2 * 6_371_000.0)
    a = np.radians(az_deg)
    return [ground_m * np.sin(a), ground_m * np.cos(a), alt_m - drop]


def test_low_cruise_missile_appears_only_over_the_horizon(site: Any) -> None:
    # Horizon for a 20 m mast and a 30 m missile: 4.12 (sqrt 20 + sqrt 30) = 41.0 km.
    horizon_m = 4120.0 * (np.sqrt(20.0) + np.sqrt(30.0))
    beyond = _look(site, [_at(horizon_m + 2_000.0, 30.0)])
    inside = _look(site, [_at(horizon_m - 2_000.0, 30.0)])
    risen = _look(site, [_at(horizon_m + 2_000.0, 300.0)])  # pops up: horizon 4.12 sqrt(300)
    assert len(beyond) == 0
    assert len(inside) == 1 and len(risen) == 1


def test_detection_time_follows_the_beam(site: Any) -> None:
    pos = [_at(50e3, 5e3, 90.3), _at(50e3, 5e3, 270.3), _at(50e3, 5e3, 1.0)]
    det = _look(site, pos, start_s=100.0)
    # Stamped when the centre of the target's 1.5 deg beam position passes: 90.75, 270.75 and
    # 0.75 deg, a 10 s rotation from north at t = 100 s.
    np.testing.assert_allclose(
        det.time_s, 100.0 + np.array([90.75, 270.75, 0.75]) / 36.0, atol=1e-6
    )
    # A staring (non-rotating) look sees everything at its start.
    stare = _look(site.with_(rotating=False), pos, start_s=100.0)
    np.testing.assert_allclose(stare.time_s, 100.0)


def test_targets_are_measured_where_they_are_when_the_beam_passes(site: Any) -> None:
    # A target due east moving north at 300 m/s: the beam reaches it 2.5 s into the scan.
    quiet = site.with_(
        range_sigma_m=1e-6, azimuth_sigma_rad=1e-9, elevation_sigma_rad=1e-9, snr_1m2_1m=1e40
    )
    det = _look(quiet, [[50e3, 0.0, 5e3]], vel=np.array([[0.0, 300.0, 0.0]]))
    t = det.time_s[0]  # its beam position's time stamp, within half a beam of 2.5 s
    assert t == pytest.approx(2.5, abs=0.75 / 36.0 + 1e-9)
    north = 300.0 * t
    assert det.azimuth_rad[0] == pytest.approx(np.arctan2(50e3, north), abs=2e-5)
    assert det.range_m[0] == pytest.approx(np.linalg.norm([50e3, north, 5e3 - 20.0]), abs=1e-3)


def test_blind_range_elevation_and_sectors(site: Any) -> None:
    assert len(_look(site, [_at(800.0, 100.0)])) == 0  # inside 1 km blind range
    assert len(_look(site, [[0.0, 2e3, 20e3]])) == 0  # 84 degrees up, above 60
    east_only = site.with_(sectors_rad=np.radians([[45.0, 135.0]]))
    det = _look(east_only, [_at(50e3, 5e3, 90.0), _at(50e3, 5e3, 0.0), _at(50e3, 5e3, 200.0)])
    np.testing.assert_array_equal(det.truth_id, [0])


def test_targets_in_one_cell_give_one_detection(site: Any) -> None:
    # Two aircraft 30 m apart in range, same bearing: one echo, the stronger one's id.
    pos = [_at(80_020.0, 5e3, 30.2), _at(80_050.0, 5e3, 30.2), _at(90e3, 5e3, 30.2)]
    det = _look(site.with_(swerling=0), pos, rcs=np.array([1e3, 4e3, 1e3]))
    np.testing.assert_array_equal(det.truth_id, [1, 2])


def test_sigmas_grow_as_snr_falls_and_match_the_scatter(site: Any) -> None:
    snr = np.array([1.0, 10.0, 1e3, 1e9])
    s_r, s_a, s_e = measurement_sigmas(site, snr)
    np.testing.assert_allclose(s_r, np.sqrt(10.0**2 + 150.0**2 / (2 * snr)))
    np.testing.assert_allclose(
        s_a, np.sqrt(np.radians(0.02) ** 2 + np.radians(1.5) ** 2 / (2 * snr))
    )
    assert np.all(np.diff(s_r) < 0) and s_e[-1] == pytest.approx(np.radians(0.02), rel=1e-4)
    # Empirical scatter of range errors for a steady (Swerling 0) target at known SNR.
    steady = site.with_(swerling=0)
    true_range = np.hypot(60e3, 1e3 - 20.0)
    errors, reported = [], []
    for seed in range(300):
        det = _look(steady, [[0.0, 60e3, 1e3]], rcs=np.array([1.0]), seed=seed)
        if len(det):
            errors.append(det.range_m[0] - true_range)
            reported.append(det.range_sigma_m[0])
    assert abs(np.std(errors) / np.mean(reported) - 1.0) < 0.15


def test_fan_beam_elevation_sigma_is_the_floor(site: Any) -> None:
    fan = site.with_(elevation_beamwidth_rad=np.inf)
    _, _, s_e = measurement_sigmas(fan, np.array([1.0, 100.0]))
    np.testing.assert_allclose(s_e, np.radians(0.02))


@pytest.mark.parametrize("swerling", [1, 3])
def test_look_pd_matches_the_closed_form(site: Any, swerling: int) -> None:
    # Place a 1 m^2 target where the mean SNR is 12 dB and count detections over many looks.
    r = 150e3 * 10 ** ((13.0 - 12.0) / 40.0)
    s = site.with_(swerling=swerling, n_pulses=4, snr_1m2_1m=10**1.3 * 150e3**4)
    rng = np.random.default_rng(swerling)
    looks = 3000
    pos = np.tile([0.0, r, 8e3], (looks, 1))
    pos[:, 0] = np.linspace(-looks * 400.0, looks * 400.0, looks)  # separate cells
    det = look(
        s,
        start_s=0.0,
        truth_time_s=0.0,
        position_enu_m=pos,
        velocity_enu_mps=None,
        rcs_m2=np.ones(looks),
        truth_id=np.arange(looks),
        rng=rng,
        with_false_alarms=False,
    )
    ranges = np.hypot(np.hypot(pos[:, 0], pos[:, 1]), pos[:, 2] - 20.0)
    expected = pd_swerling(13.0 + 40 * np.log10(150e3 / ranges), 1e-6, 4, swerling).mean()
    assert abs(len(det) / looks - expected) < 4 * np.sqrt(expected * (1 - expected) / looks)


def test_false_alarms_of_a_look(site: Any) -> None:
    noisy = site.with_(pfa=1e-4)
    cells = false_alarm_cells(noisy)
    assert cells == pytest.approx((299e3 / 150.0) * 240 * (62.0 / 2.0), rel=1e-6)
    counts = [len(_look(noisy, np.zeros((0, 3)), seed=k, fa=True)) for k in range(40)]
    lam = 1e-4 * cells
    assert abs(np.mean(counts) - lam) < 4 * np.sqrt(lam / 40)


def test_false_alarms_are_stamped_per_azimuth_sector_like_targets(site: Any) -> None:
    # Regression: every false alarm had its own time, so the tracker ran one scan per false
    # alarm (1,000 per scan made a 30 s run take 20 s instead of 2 s).
    stamp = np.radians(11.25)
    noisy = site.with_(false_alarms_per_scan=5_000.0, azimuth_stamp_rad=stamp)
    det = _look(noisy, np.zeros((0, 3)), seed=3, start_s=20.0, fa=True)
    assert len(det) > 4_000
    sector = np.floor(det.azimuth_rad / stamp)
    expected = 20.0 + (sector + 0.5) * stamp / (2 * np.pi) * noisy.scan_period_s
    np.testing.assert_allclose(det.time_s, expected, rtol=0, atol=1e-9)
    assert len(np.unique(det.time_s)) == 32


def test_empty_and_one(site: Any) -> None:
    assert len(_look(site, np.zeros((0, 3)))) == 0
    det = _look(site, [_at(50e3, 5e3)])
    assert len(det) == 1 and det.snr_db[0] > 20.0
    assert det.sensor_id.dtype == np.int32 and det.truth_id.dtype == np.int64
    assert db_to_linear(det.snr_db[0]) > 0


def test_huge_sigma_floors_stay_finite(site: Any) -> None:
    # Regression: range_sigma_m ** 2 raised OverflowError past about 1e154 m.
    huge = site.with_(range_sigma_m=1e200)
    r, az, el = measurement_sigmas(huge, np.array([1e-3, 10.0, 1e6]))
    np.testing.assert_array_equal(r, 1e200)
    assert np.all(np.isfinite(az)) and np.all(np.isfinite(el))


@pytest.mark.parametrize(("mu_m", "sigma_m", "floor_m"), [(100.0, 30_000.0, 0.0),
                                                           (6_000.0, 3_000.0, 5_000.0)])
def test_measured_ranges_are_redrawn_above_the_blind_range(
    mu_m: float, sigma_m: float, floor_m: float
) -> None:
    # Regression: a 30 km range sigma gave negative ranges that aborted the tracker.
    n = 40_000
    out = measured_range_m(np.full(n, mu_m), np.full(n, sigma_m), floor_m,
                           rng=np.random.default_rng(2))
    floor = max(floor_m, 1.0)
    assert out.min() > floor
    # the Gaussian truncated to (floor, inf): mean mu + sigma phi(a) / (1 - Phi(a))
    a = (floor - mu_m) / sigma_m
    mean = mu_m + sigma_m * norm.pdf(a) / norm.sf(a)
    var = sigma_m**2 * (1 + a * norm.pdf(a) / norm.sf(a) - (norm.pdf(a) / norm.sf(a)) ** 2)
    assert abs(out.mean() - mean) < 4 * np.sqrt(var / n)


def test_measured_ranges_far_from_the_blind_range_draw_nothing_more() -> None:
    mu, sigma = np.array([5e4, 2e5]), np.array([100.0, 25.0])
    out = measured_range_m(mu, sigma, 0.0, rng=np.random.default_rng(9))
    np.testing.assert_array_equal(out, mu + sigma * np.random.default_rng(9).standard_normal(2))
