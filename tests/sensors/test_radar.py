"""The core radar: Swerling 1 Pd, empirical Pd, horizon, limits, noise and false alarms."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.scenario.common import GeoPosition
from iadsim.scenario.sensor_spec import SensorSpec
from iadsim.sensors.radar import build_radars, false_alarms, look_times, scan, swerling1_pd
from iadsim.world.frames import Origin, geodetic_to_enu, surface_point_to_enu
from iadsim.world.threats import TruthBatch

ORIGIN = Origin(44.5, 8.75, 0.0)


def radar(**kw: float) -> SensorSpec:
    base = dict(name="r", position=GeoPosition(lat_deg=44.5, lon_deg=8.75, alt_m=0.0),
                mast_height_m=10.0, scan_period_s=2.0, max_range_m=300_000.0,
                range_sigma_m=25.0, azimuth_sigma_deg=0.1, elevation_sigma_deg=0.1,
                reference_range_m=100_000.0, pfa=1e-6, false_alarms_per_scan=0.0)
    base.update(kw)
    return SensorSpec(**base)  # type: ignore[arg-type]


def truth(pos: np.ndarray, rcs: float = 1.0) -> TruthBatch:
    n = len(pos)
    return TruthBatch(0.0, np.arange(n, dtype=np.int64), pos, np.zeros((n, 3)),
                      np.full(n, rcs), np.zeros(n, np.int8))


def test_swerling1_formula() -> None:
    assert swerling1_pd(np.array([0.0]), 1e-6)[0] == pytest.approx(1e-6)
    snr = np.log(1e-6) / np.log(0.5) - 1
    assert swerling1_pd(np.array([snr]), 1e-6)[0] == pytest.approx(0.5)
    assert swerling1_pd(np.array([10 ** 2.0]), 1e-6)[0] == pytest.approx(1e-6 ** (1 / 101))


def test_empirical_pd_at_reference_and_double_range() -> None:
    site = build_radars([radar()], ORIGIN)[0]
    n = 20_000
    # 1 m^2 targets at 100 km (Pd 0.5) and at 50 km (SNR x16), due north at 5 km altitude
    pos = np.array([[0.0, 100_000.0, 5000.0]] * n + [[0.0, 50_000.0, 5000.0]] * n)
    det = scan(site, truth(pos), rng=np.random.default_rng(7))
    r = np.linalg.norm(pos[0] - site.position_enu_m)
    snr_ref = site.reference_snr
    pd_far = swerling1_pd(np.array([snr_ref * (1e5 / r) ** 4]), 1e-6)[0]
    pd_near = swerling1_pd(np.array([snr_ref * 16 * (1e5 / r) ** 4]), 1e-6)[0]
    far = np.mean(np.isin(np.arange(n), det.truth_id))
    near = np.mean(np.isin(np.arange(n, 2 * n), det.truth_id))
    sigma = np.sqrt(0.25 / n)
    assert abs(far - pd_far) < 4 * sigma
    assert abs(near - pd_near) < 4 * sigma
    assert pd_far == pytest.approx(0.5, abs=0.01)


def test_noise_statistics_match_sigmas() -> None:
    site = build_radars([radar(reference_range_m=1e7)], ORIGIN)[0]
    pos = np.tile([[20_000.0, 30_000.0, 3000.0]], (5000, 1))
    det = scan(site, truth(pos), rng=np.random.default_rng(3))
    true_r = np.linalg.norm(pos[0] - site.position_enu_m)
    assert len(det) == 5000
    assert np.std(det.range_m - true_r) == pytest.approx(25.0, rel=0.05)
    assert np.mean(det.range_m - true_r) == pytest.approx(0.0, abs=1.5)
    assert np.std(det.elevation_rad) == pytest.approx(np.radians(0.1), rel=0.05)


def test_low_target_hidden_behind_horizon() -> None:
    """10 m mast, 30 m target: seen inside 35.6 km, never beyond (4/3 earth)."""
    site = build_radars([radar(reference_range_m=1e7)], ORIGIN)[0]
    ranges = np.array([30_000.0, 34_500.0, 36_700.0, 45_000.0])
    pos = surface_point_to_enu(np.zeros(4), ranges, np.full(4, 30.0), ORIGIN)
    seen = np.zeros(4, int)
    rng = np.random.default_rng(0)
    for _ in range(20):
        seen[np.unique(scan(site, truth(pos), rng=rng).truth_id)] += 1
    assert seen[:2].tolist() == [20, 20]
    assert seen[2:].tolist() == [0, 0]


def test_outside_range_and_elevation_limits_never_seen() -> None:
    site = build_radars([radar(reference_range_m=1e8, max_elevation_deg=30.0)], ORIGIN)[0]
    above = [0.0, 5000.0, 10_000.0]  # 63 degrees elevation
    far = geodetic_to_enu(44.5 + 3.2, 8.75, 20000.0, ORIGIN)  # ~355 km
    det = scan(site, truth(np.array([above, far])), rng=np.random.default_rng(1))
    assert len(det) == 0


def test_false_alarm_counts_are_poisson_with_the_set_mean() -> None:
    site = build_radars([radar(false_alarms_per_scan=5.0)], ORIGIN)[0]
    rng = np.random.default_rng(11)
    counts = np.array([len(false_alarms(site, 0.0, rng=rng)) for _ in range(4000)])
    assert counts.mean() == pytest.approx(5.0, abs=4 * np.sqrt(5.0 / 4000))
    assert counts.var() == pytest.approx(5.0, rel=0.1)
    fa = false_alarms(site, 0.0, rng=rng)
    assert np.all(fa.truth_id == -1) and np.all(fa.range_m <= site.max_range_m)


def test_zero_one_many_targets_and_look_times() -> None:
    site = build_radars([radar()], ORIGIN)[0]
    rng = np.random.default_rng(0)
    assert len(scan(site, truth(np.empty((0, 3))), rng=rng)) == 0
    assert len(scan(site, truth(np.array([[0.0, 10_000.0, 1000.0]])), rng=rng)) == 1
    np.testing.assert_allclose(look_times(site, 0.0, 1.0), [])
    np.testing.assert_allclose(look_times(site, 1.0, 2.0), [2.0])
    np.testing.assert_allclose(look_times(site, 0.0, 6.0), [2.0, 4.0, 6.0])
