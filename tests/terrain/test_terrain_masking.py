"""tests/terrain: ``iadsim.terrain.masking`` against hand geometry and brute-force ray marching."""

from __future__ import annotations

import numpy as np

from iadsim.terrain.dem import ElevationGrid
from iadsim.terrain.masking import (
    EFFECTIVE_RADIUS_M,
    build_masking_table,
    destination_deg,
    elevation_rad,
)
from iadsim.terrain.synthetic import synthetic_terrain

LAT0, LON0 = 44.0, 9.0


def _ridge(height_m: float, east_m: float, width_m: float = 150.0) -> ElevationGrid:
    """A north-south ridge ``east_m`` east of (LAT0, LON0) on a 30-m grid."""
    dlat = 30.0 / (6_371_000.0 * np.pi / 180.0)
    dlon = dlat / np.cos(np.radians(LAT0))
    lat = LAT0 + np.arange(-200, 201) * dlat
    lon = LON0 + np.arange(-50, 2000) * dlon
    x_m = (lon - LON0) * np.radians(1.0) * 6_371_000.0 * np.cos(np.radians(LAT0))
    h = height_m * np.exp(-(((x_m - east_m) / width_m) ** 2))
    return ElevationGrid(lat_deg=lat, lon_deg=lon,
                         height_m=np.broadcast_to(h, (lat.size, lon.size)).astype(np.float32),
                         source="ridge")


def test_line_of_sight_over_a_ridge_matches_hand_geometry() -> None:
    h0, ridge_h, ridge_d = 30.0, 200.0, 10_000.0
    table = build_masking_table(_ridge(ridge_h, ridge_d), lat_deg=LAT0, lon_deg=LON0,
                                antenna_alt_m=h0, max_range_m=55_000.0, range_step_m=30.0)
    # Hand geometry, 4/3 earth, small angles: the ray grazing the crest climbs at
    # tan(theta) = (H - h0) / d_r - d_r / (2 k a); a target at d_t clears it above
    # h_min = h0 + d_t tan(theta) + d_t^2 / (2 k a).
    ka = EFFECTIVE_RADIUS_M
    tan_theta = (ridge_h - h0) / ridge_d - ridge_d / (2.0 * ka)
    d_t = np.array([15_000.0, 25_000.0, 40_000.0, 50_000.0])
    h_min = h0 + d_t * tan_theta + d_t**2 / (2.0 * ka)
    az = np.full(d_t.shape, np.pi / 2.0)  # due east
    assert np.all(table.visible(az, d_t, h_min * 1.02 + 2.0))
    assert not np.any(table.visible(az, d_t, h_min * 0.98 - 2.0))
    # Nothing before the ridge is masked, and west (no ridge) only the earth's bulge matters.
    assert np.all(table.visible(az[:2], np.array([2_000.0, 5_000.0]), np.array([5.0, 5.0])))
    assert np.all(table.visible(np.full(3, 1.5 * np.pi), np.array([2e3, 5e3, 8e3]),
                                np.full(3, 1.0)))


def _blocked_by_ray_march(grid: ElevationGrid, h0: float, az: float, d: float,
                          h_t: float) -> bool:
    """Brute force: march the straight segment radar -> target in the 4/3-earth plane."""
    ka = EFFECTIVE_RADIUS_M
    p0 = np.array([0.0, ka + h0])
    p1 = (ka + h_t) * np.array([np.sin(d / ka), np.cos(d / ka)])
    u = np.linspace(0.0, 1.0, 4001)[1:-1]
    pts = p0[None, :] + u[:, None] * (p1 - p0)[None, :]
    ground = ka * np.arctan2(pts[:, 0], pts[:, 1])
    height = np.hypot(pts[:, 0], pts[:, 1]) - ka
    lat, lon = destination_deg(LAT0, LON0, np.full(u.shape, az), ground)
    terrain = np.nan_to_num(grid.sample(lat, lon, outside_m=0.0))
    return bool(np.any(height < terrain))


def test_masking_table_equals_brute_force_ray_marching_on_random_pairs() -> None:
    grid = synthetic_terrain(centre_lat_deg=LAT0, centre_lon_deg=LON0, half_width_m=40_000.0,
                             spacing_m=90.0, max_height_m=600.0, hill_scale_m=8_000.0,
                             coast_distance_m=25_000.0, seed=11)
    h0 = float(grid.sample(LAT0, LON0)) + 15.0
    table = build_masking_table(grid, lat_deg=LAT0, lon_deg=LON0, antenna_alt_m=h0,
                                max_range_m=35_000.0, range_step_m=45.0,
                                azimuth_step_rad=float(np.radians(0.5)))
    rng = np.random.default_rng(5)
    n = 300
    az = rng.integers(0, 720, n) * table.azimuth_step_rad  # on the table's azimuths
    d = rng.uniform(1_000.0, 34_000.0, n)
    lat, lon = destination_deg(LAT0, LON0, az, d)
    h_t = np.nan_to_num(grid.sample(lat, lon)) + rng.uniform(5.0, 1500.0, n)
    got = table.visible(az, d, h_t)
    want = np.array([not _blocked_by_ray_march(grid, h0, a, r, h)
                     for a, r, h in zip(az, d, h_t, strict=True)])
    assert 0.15 < want.mean() < 0.9  # a mix of masked and clear pairs
    # Sampling the terrain every 45 m (table) against every ~10 m (march): a pair may differ
    # only when the ray skims a crest by less than the change within one step.
    assert np.mean(got == want) >= 0.98
    differ = got != want
    margin = elevation_rad(d, h_t, h0) - table.mask_before_rad(az, d)
    # only rays skimming a crest: a 45-m step on slopes up to ~0.3 misses ~7 m of a crest,
    # ~3 mrad at the nearest crests a few km out
    assert np.all(np.abs(margin[differ]) < 3e-3)


def test_table_ending_at_the_grid_edge_equals_one_running_to_full_range() -> None:
    grid = synthetic_terrain(centre_lat_deg=LAT0, centre_lon_deg=LON0, half_width_m=20_000.0,
                             spacing_m=200.0, max_height_m=500.0, coast_distance_m=5_000.0,
                             seed=2)
    kwargs = dict(lat_deg=LAT0, lon_deg=LON0 + 0.05, antenna_alt_m=300.0, range_step_m=200.0,
                  azimuth_step_rad=float(np.radians(1.0)))
    short = build_masking_table(grid, max_range_m=120_000.0, **kwargs)
    assert short.max_range_m < 75_000.0  # stopped past the grid and the 71-km sea horizon
    full = build_masking_table(grid, max_range_m=120_000.0, stop_at_grid_edge=False, **kwargs)
    assert full.max_range_m >= 120_000.0
    rng = np.random.default_rng(8)
    az = rng.integers(0, 360, 400) * short.azimuth_step_rad
    d = rng.uniform(20_000.0, 119_000.0, 400)
    h = rng.uniform(0.0, 900.0, 400)
    np.testing.assert_array_equal(short.visible(az, d, h), full.visible(az, d, h))
    s_h, s_seen = short.surface(az, d)
    f_h, f_seen = full.surface(az, d)
    beyond = d > short.max_range_m
    assert np.all(s_h[beyond] == 0.0)
    np.testing.assert_array_equal(s_h, f_h)
    np.testing.assert_array_equal(s_seen, f_seen)
