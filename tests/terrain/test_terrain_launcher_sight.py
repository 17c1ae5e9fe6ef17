"""tests/terrain: launcher-to-intercept line of sight (``terrain.launcher_sight``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from iadsim.engagement.interceptors import InterceptorFlights
from iadsim.terrain.dem import ElevationGrid
from iadsim.terrain.launcher_sight import (
    LAUNCHER_EYE_HEIGHT_M,
    build_launcher_sight,
    line_of_sight,
    with_launcher_sight,
)
from iadsim.terrain.masking import EFFECTIVE_RADIUS_M, destination_deg
from iadsim.world.frames import EARTH_RADIUS_M, geodetic_to_enu, scenario_origin

RIDGE_EAST_M, RIDGE_HEIGHT_M = 5_000.0, 400.0

def _ridge_grid(lat0: float, lon0: float) -> ElevationGrid:
    """Flat land at 0 m with a north-south ridge RIDGE_EAST_M east of (lat0, lon0)."""
    spacing = 100.0
    dlat = spacing / (EARTH_RADIUS_M * np.pi / 180.0)
    dlon = dlat / np.cos(np.radians(lat0))
    lat = lat0 + np.arange(-300, 301) * dlat
    lon = lon0 + np.arange(-500, 501) * dlon
    x_m = (lon - lon0) * np.radians(1.0) * EARTH_RADIUS_M * np.cos(np.radians(lat0))
    ridge = RIDGE_HEIGHT_M * np.exp(-(((x_m - RIDGE_EAST_M) / 300.0) ** 2))
    return ElevationGrid(lat_deg=lat, lon_deg=lon, source="ridge",
                         height_m=np.broadcast_to(ridge, (lat.size, lon.size)).astype(np.float32))


def _one_launcher(default_scenario):  # short-1 only: 1-40 km, 10 m-15 km
    return default_scenario.model_copy(update={"launchers": [default_scenario.launchers[0]]})


def _sight(scenario):
    p = scenario.launchers[0].position
    grid = _ridge_grid(p.lat_deg, p.lon_deg)
    return build_launcher_sight(scenario, scenario_origin(scenario), grid,
                                azimuth_step_rad=float(np.radians(0.1)), range_step_m=50.0), grid


def _hand_threshold_m(s_m: float) -> float:
    """Lowest visible height at ground range s behind the ridge: small-angle 4/3-earth geometry.

    Seen from the eye (height e), a point (s, h) has elevation ~ (h - e - s^2 / 2ka) / s; it is
    in view when that exceeds the ridge crest's (RIDGE_HEIGHT_M at RIDGE_EAST_M)."""
    e, ka, r = LAUNCHER_EYE_HEIGHT_M, EFFECTIVE_RADIUS_M, RIDGE_EAST_M
    crest = (RIDGE_HEIGHT_M - e - r * r / (2 * ka)) / r
    return e + s_m * s_m / (2 * ka) + crest * s_m


def test_sight_behind_a_ridge_against_hand_geometry(default_scenario) -> None:
    s = _one_launcher(default_scenario)
    sight, _ = _sight(s)
    origin = scenario_origin(s)
    p = s.launchers[0].position
    site = geodetic_to_enu(p.lat_deg, p.lon_deg, p.alt_m, origin)
    ranges = np.array([8e3, 15e3, 25e3])
    thresholds = np.array([_hand_threshold_m(r) for r in ranges])
    for factor, want in [(0.9, False), (1.1, True)]:
        lat, lon = destination_deg(p.lat_deg, p.lon_deg, np.full(3, np.pi / 2), ranges)
        pts = geodetic_to_enu(lat, lon, factor * thresholds, origin)
        assert np.all(sight.visible(site, pts) == want), factor
    # due west (no ridge) the low points are in view
    lat, lon = destination_deg(p.lat_deg, p.lon_deg, np.full(3, -np.pi / 2), ranges)
    assert sight.visible(site, geodetic_to_enu(lat, lon, np.full(3, 50.0), origin)).all()


def test_table_lookup_equals_ray_march_on_random_pairs(default_scenario) -> None:
    s = _one_launcher(default_scenario)
    sight, grid = _sight(s)
    origin = scenario_origin(s)
    p = s.launchers[0].position
    rng = np.random.default_rng(7)
    n = 400
    lat, lon = destination_deg(p.lat_deg, p.lon_deg, rng.uniform(0, 2 * np.pi, n),
                               rng.uniform(2e3, 28e3, n))
    h = rng.uniform(0.0, 3_000.0, n)
    site = geodetic_to_enu(p.lat_deg, p.lon_deg, p.alt_m, origin)
    table = sight.visible(site, geodetic_to_enu(lat, lon, h, origin))
    eye = sight.eye_alt_m[0]
    march = line_of_sight(grid, p.lat_deg, p.lon_deg, eye, lat, lon, h, samples=4_000)
    assert 0.2 < march.mean() < 0.95  # both kinds of pair are drawn
    assert np.mean(table != march) <= 0.01  # bins: 0.1 deg, 50 m
    # a launcher that has moved 20 m (network mobility) is answered by the ray march
    moved = sight.visible(site + np.array([0.0, 20.0, 0.0]), geodetic_to_enu(lat, lon, h, origin))
    assert np.mean(moved != march) <= 0.01


def _one_track(pos: np.ndarray, vel: np.ndarray):
    """One confirmed, accurate cruise-missile track at time 0."""
    from iadsim.tracking.batch import TrackBatch

    return TrackBatch(
        time_s=np.zeros(1), track_id=np.zeros(1, np.int64), position_enu_m=pos[None, :],
        velocity_enu_mps=vel[None, :], covariance=np.diag([25.0] * 3 + [25.0] * 3)[None],
        confirmed=np.ones(1, bool), quality=np.ones(1), truth_id=np.zeros(1, np.int64),
        last_hit_s=None)


def _engage(scenario, classes, height_m: float) -> int:
    from iadsim.command.doctrine import CommandCentre
    from iadsim.engagement.launchers import Launchers

    origin = scenario_origin(scenario)
    p = scenario.launchers[0].position
    lat, lon = destination_deg(p.lat_deg, p.lon_deg, np.pi / 2, 25e3)
    launchers = Launchers(scenario, origin)
    site = launchers.position_enu_m[0]
    pos = geodetic_to_enu(lat, lon, height_m, origin)
    vel = 250.0 * (site - pos) * np.array([1.0, 1.0, 0.0])
    vel /= np.linalg.norm(vel) / 250.0
    spec = scenario.command.model_copy(update={"reaction_time_s": 0.0, "layered": False})
    assets = site[None, :] * np.array([[1.0, 1.0, 0.0]]), np.array([100.0]), np.array([5e3])
    cc = CommandCentre(spec, classes, origin, *assets, rng=np.random.default_rng(0))
    tracks = _one_track(pos, vel)
    cc.note_confirmed(tracks.track_id, 0.0)
    return len(cc.cycle(0.0, tracks, launchers, InterceptorFlights()))


def test_launcher_behind_a_ridge_engages_a_high_target_not_a_low_one(default_scenario) -> None:
    from iadsim.engagement.launchers import InterceptorClasses

    s = _one_launcher(default_scenario)
    sight, _ = _sight(s)
    plain = InterceptorClasses.from_scenario(s)
    ridge = replace(plain, sight=sight)
    assert _engage(s, plain, 150.0) >= 1  # control: the low target is engaged without terrain
    assert _engage(s, ridge, 150.0) == 0  # behind the ridge (needs ~0.08 rad: > 1 km at 15 km)
    assert _engage(s, ridge, 6_000.0) >= 1  # a high one is in view


def test_no_terrain_section_leaves_the_classes_alone(default_scenario) -> None:
    from iadsim.engagement.launchers import InterceptorClasses

    classes = InterceptorClasses.from_scenario(default_scenario)
    assert default_scenario.terrain is None
    assert with_launcher_sight(classes, default_scenario, scenario_origin(default_scenario)) \
        is classes
    assert classes.envelope().sight is None
