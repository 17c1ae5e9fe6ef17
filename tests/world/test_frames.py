"""Frames against pymap3d's own AER, and the 4/3-earth horizon against the textbook rule."""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest

from iadsim.world.frames import (
    Origin,
    enu_to_aer,
    enu_to_geodetic,
    geodetic_to_enu,
    radar_horizon_m,
    rotation_enu_to_local,
    section_radius_m,
)

ORIGIN = Origin(44.45, 8.75, 0.0)


def test_horizon_10m_mast_30m_target() -> None:
    assert radar_horizon_m(10.0, 30.0) == pytest.approx(35_600.0, abs=100.0)


@pytest.mark.parametrize(("h1", "h2"), [(5.0, 5.0), (20.0, 3000.0), (100.0, 12000.0)])
def test_horizon_matches_4_12_rule(h1: float, h2: float) -> None:
    rule_m = 4120.0 * (np.sqrt(h1) + np.sqrt(h2))
    assert radar_horizon_m(h1, h2) == pytest.approx(rule_m, rel=2e-3)


def test_geodetic_round_trip() -> None:
    rng = np.random.default_rng(1)
    lat = 44.45 + rng.uniform(-2, 2, 50)
    lon = 8.75 + rng.uniform(-2, 2, 50)
    alt = rng.uniform(0, 30000, 50)
    enu = geodetic_to_enu(lat, lon, alt, ORIGIN)
    assert enu.shape == (50, 3)
    lat2, lon2, alt2 = enu_to_geodetic(enu, ORIGIN)
    np.testing.assert_allclose(lat2, lat, atol=1e-9)
    np.testing.assert_allclose(lon2, lon, atol=1e-9)
    np.testing.assert_allclose(alt2, alt, atol=1e-4)


def test_radar_local_angles_match_pymap3d_aer() -> None:
    """A radar 60 km from the origin measures what pymap3d says it should, in its own frame."""
    radar = (44.90, 9.20, 150.0)
    rng = np.random.default_rng(2)
    lat = 44.0 + rng.uniform(-1.5, 1.5, 40)
    lon = 9.0 + rng.uniform(-1.5, 1.5, 40)
    alt = rng.uniform(0, 20000, 40)
    target = geodetic_to_enu(lat, lon, alt, ORIGIN)
    radar_enu = geodetic_to_enu(*radar, ORIGIN)
    local = (target - radar_enu) @ rotation_enu_to_local(ORIGIN, radar[0], radar[1]).T
    r, az, el = enu_to_aer(local)
    az_ref, el_ref, r_ref = pymap3d.geodetic2aer(lat, lon, alt, *radar)
    np.testing.assert_allclose(r, r_ref, rtol=1e-9)
    np.testing.assert_allclose(np.degrees(az), az_ref, atol=1e-7)
    np.testing.assert_allclose(np.degrees(el), el_ref, atol=1e-7)


def test_empty_and_single() -> None:
    assert geodetic_to_enu(np.empty(0), np.empty(0), np.empty(0), ORIGIN).shape == (0, 3)
    r, az, el = enu_to_aer(np.array([[0.0, 1000.0, 1000.0]]))
    assert r[0] == pytest.approx(np.sqrt(2) * 1000) and az[0] == 0.0
    assert el[0] == pytest.approx(np.pi / 4)


def test_surface_points_hold_their_wgs84_height() -> None:
    """Closed-form lay-down onto the earth against pymap3d's ellipsoid, up to 300 km out."""
    from iadsim.world.frames import approx_altitude_m, surface_point_to_enu

    rng = np.random.default_rng(4)
    e, n = rng.uniform(-300e3, 300e3, (2, 200))
    h = rng.uniform(0.0, 20_000.0, 200)
    enu = surface_point_to_enu(e, n, h, ORIGIN)
    _, _, alt = enu_to_geodetic(enu, ORIGIN)
    np.testing.assert_allclose(alt, h, atol=8.0)
    ground_err = np.hypot(*(enu[:, :2] * (6.371e6 / (6.371e6 + h[:, None]))).T) - np.hypot(e, n)
    assert np.max(np.abs(ground_err)) < 0.01 * 300e3
    np.testing.assert_allclose(approx_altitude_m(enu, ORIGIN), h, atol=1e-6)
    assert surface_point_to_enu(np.zeros(1), np.zeros(1), np.zeros(1), ORIGIN)[0] == (
        pytest.approx([0.0, 0.0, 0.0]))


def test_section_radius_is_meridian_north_and_prime_vertical_east_per_origin() -> None:
    """Euler's section radius against the closed-form WGS-84 radii, at several origins in turn
    (the principal radii are kept per latitude: a kept value must never leak to another)."""
    a, f = 6_378_137.0, 1.0 / 298.257223563
    e2 = f * (2.0 - f)
    for lat in (0.0, 51.5, -33.9, 89.0, 51.5, 0.0):
        s2 = np.sin(np.radians(lat)) ** 2
        m, n = a * (1 - e2) / (1 - e2 * s2) ** 1.5, a / np.sqrt(1 - e2 * s2)
        origin = Origin(lat, 10.0)
        got = section_radius_m(origin, np.radians([0.0, 90.0, 180.0, 45.0]))
        np.testing.assert_allclose(got[:3], [m, n, m], rtol=1e-14)
        np.testing.assert_allclose(got[3], 2.0 * m * n / (m + n), rtol=1e-14)  # Euler at 45 deg
    np.testing.assert_allclose(section_radius_m(Origin(0.0, 0.0), np.array([0.0])),
                               [6_335_439.327], atol=1e-3)  # a (1 - e2), the equator's meridian
