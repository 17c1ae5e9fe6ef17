"""tests/terrain: ``iadsim.terrain.following``: cruise missiles over the synthetic hills."""

from __future__ import annotations

import numpy as np

from iadsim.scenario.load import EXAMPLES_DIR, load_scenario
from iadsim.terrain.following import follow_terrain, slope_limited_envelope
from iadsim.terrain.synthetic import synthetic_terrain
from iadsim.world.frames import approx_altitude_m, enu_to_geodetic, scenario_origin
from iadsim.world.threats import THREAT_CODE, build_threats


def test_envelope_equals_its_brute_force_definition() -> None:
    # lowest profile above h with |slope| <= s: env_i = max_j (h_j - s |i - j| ds)
    rng = np.random.default_rng(4)
    h = np.cumsum(rng.normal(0.0, 20.0, 300))
    ds, s = 250.0, np.tan(np.radians(5.0))
    i = np.arange(h.size)
    brute = np.max(h[None, :] - s * ds * np.abs(i[:, None] - i[None, :]), axis=1)
    np.testing.assert_allclose(slope_limited_envelope(h, ds, s), brute)


def test_cruise_missiles_keep_their_height_above_the_hills_within_the_climb_limit() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "terrain.yaml")
    origin = scenario_origin(scenario)
    grid = synthetic_terrain(centre_lat_deg=origin.lat_deg, centre_lon_deg=origin.lon_deg,
                             half_width_m=150_000.0, spacing_m=300.0, max_height_m=900.0,
                             sea_bearing_deg=180.0, coast_distance_m=12_000.0, seed=7)
    threats = build_threats(scenario, origin)
    climb = np.radians(5.0)
    followed = follow_terrain(threats, grid, origin, max_climb_rad=climb)
    cruise = np.flatnonzero(threats.threat_type == THREAT_CODE["cruise_missile"])
    overland = [i for i in cruise if threats.group[i] == "overland-cruise"]
    others = np.flatnonzero(threats.threat_type != THREAT_CODE["cruise_missile"])
    times = np.arange(0.0, 900.0, 2.0)
    over_ground, climb_ratio, lifted = [], [], 0.0
    for t in times:
        pos, vel = followed.state(t)
        flying = followed.in_air(t)
        rows = [i for i in overland if flying[i]]
        if rows:
            lat, lon, _ = enu_to_geodetic(pos[rows], origin)
            ground = grid.sample(lat, lon, outside_m=0.0)
            over_ground.append(approx_altitude_m(pos[rows], origin) - ground)
            horizontal = np.hypot(vel[rows, 0], vel[rows, 1])
            climb_ratio.append(np.abs(vel[rows, 2]) / horizontal)
            lifted = max(lifted, float(np.max(ground)))
        # everything else flies exactly as before
        np.testing.assert_array_equal(pos[others], threats.positions(t)[others])
    height_m = np.concatenate(over_ground)
    assert lifted > 200.0  # they did cross hills
    # never below the set 50 m (the profile is sampled every 250 m, the grid every 300 m)
    assert height_m.min() > 50.0 - 15.0
    # the vertical speed stays within the climb limit (plus the earth's curvature)
    assert np.concatenate(climb_ratio).max() < np.tan(climb) + 0.02
