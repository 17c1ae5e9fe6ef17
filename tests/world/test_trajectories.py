"""Threat kinematics against closed forms: legs, turn radius, ballistic apogee and range."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from iadsim.scenario.load import scenario_from_dict
from iadsim.world.frames import GRAVITY_MPS2, Origin, approx_altitude_m, great_circle_distance_m
from iadsim.world.threats import THREAT_CODE, build_threats
from iadsim.world.trajectories import ballistic_paths, build_waypoint_paths


def test_straight_leg_distance_is_speed_times_time() -> None:
    paths = build_waypoint_paths([np.array([[0.0, 0.0], [100_000.0, 0.0]])],
                                 [np.array([1000.0, 1000.0])], np.array([250.0]),
                                 np.array([np.radians(3.0)]))
    for t in (0.0, 7.3, 123.0, 399.9):
        st = paths.evaluate(np.array([250.0 * t]))
        assert st.east_north_m[0, 0] == pytest.approx(250.0 * t)
        assert st.east_north_m[0, 1] == pytest.approx(0.0)


def test_turn_radius_is_speed_over_turn_rate() -> None:
    v, w = 200.0, np.radians(4.0)
    pts = np.array([[0.0, 0.0], [60_000.0, 0.0], [60_000.0, 60_000.0]])  # 90 degree left turn
    paths = build_waypoint_paths([pts], [np.zeros(3)], np.array([v]), np.array([w]))
    r = v / w
    # sample the arc: it is centred at (60 km - r, r) and every point lies at distance r
    s_arc0 = 60_000.0 - r
    s = s_arc0 + np.linspace(0.05, 0.95, 9) * (np.pi / 2 * r)
    xy = np.vstack([paths.evaluate(np.array([si])).east_north_m[0] for si in s])
    np.testing.assert_allclose(np.linalg.norm(xy - [60_000.0 - r, r], axis=1), r, rtol=1e-9)
    # heading rate along the arc equals the turn rate
    d0 = paths.evaluate(np.array([s[0]])).direction[0]
    d1 = paths.evaluate(np.array([s[1]])).direction[0]
    dt = (s[1] - s[0]) / v
    assert np.arccos(np.clip(d0 @ d1, -1, 1)) / dt == pytest.approx(w, rel=1e-6)
    assert paths.length_m[0] == pytest.approx(2 * (60_000.0 - r) + np.pi / 2 * r)


def test_ballistic_apogee_range_and_flight_time() -> None:
    d_m, apogee_m = 300_000.0, 75_000.0
    bm = ballistic_paths(np.array([[0.0, 0.0]]), np.array([[d_m, 0.0]]),
                         np.array([apogee_m]), np.array([np.nan]))
    vz = np.sqrt(2 * GRAVITY_MPS2 * apogee_m)
    t_total = 2 * vz / GRAVITY_MPS2
    assert bm.flight_time_s[0] == pytest.approx(t_total)
    top = bm.evaluate(np.array([t_total / 2]))
    assert top.height_m[0] == pytest.approx(apogee_m)
    assert top.east_north_m[0, 0] == pytest.approx(d_m / 2)
    end = bm.evaluate(np.array([t_total]))
    assert end.height_m[0] == pytest.approx(0.0, abs=1e-6)
    assert end.east_north_m[0, 0] == pytest.approx(d_m)
    # given the flight time instead: apogee = g T^2 / 8 (vacuum parabola)
    bm2 = ballistic_paths(np.array([[0.0, 0.0]]), np.array([[d_m, 0.0]]),
                          np.array([np.nan]), np.array([240.0]))
    assert bm2.evaluate(np.array([120.0])).height_m[0] == pytest.approx(
        GRAVITY_MPS2 * 240.0**2 / 8)


def test_ballistic_range_matches_v2_sin2theta_over_g() -> None:
    """Range formula R = v^2 sin(2 theta) / g for the launch implied by (range, apogee)."""
    bm = ballistic_paths(np.array([[0.0, 0.0]]), np.array([[250_000.0, 0.0]]),
                         np.array([62_500.0]), np.array([np.nan]))
    v = np.hypot(bm.ground_speed_mps[0], bm.vertical_speed_mps[0])
    theta = np.arctan2(bm.vertical_speed_mps[0], bm.ground_speed_mps[0])
    assert v**2 * np.sin(2 * theta) / GRAVITY_MPS2 == pytest.approx(250_000.0)
    assert theta == pytest.approx(np.pi / 4)  # apogee = range / 4 is the 45 degree shot


def test_scenario_threats(default_data: dict[str, Any]) -> None:
    data = copy.deepcopy(default_data)
    data["threats"][0].pop("standoff")  # its weapons: tests/world/test_raid.py
    sc = scenario_from_dict(data)
    origin = Origin(44.5, 8.75)
    th = build_threats(sc, origin)
    boosters = sum(g.count for g in sc.threats if g.type == "ballistic_missile")  # separated
    assert len(th) == sum(g.count for g in sc.threats) + boosters
    # cruise missiles hold their height above the spherical earth, far from the origin too
    cm = np.flatnonzero(th.threat_type == THREAT_CODE["cruise_missile"])
    t = th.launch_time_s[cm] + 60.0
    alt = np.array([approx_altitude_m(th.positions(ti)[i], origin)
                    for ti, i in zip(t, cm, strict=True)])
    expected = [30.0 if i < cm[0] + sc.threats[2].count else 50.0 for i in cm]
    np.testing.assert_allclose(alt, expected, atol=2.0)
    # drones fly at their set speed (distance flown in 100 s)
    uav = np.flatnonzero(th.threat_type == THREAT_CODE["uav"])[0]
    p0, p1 = th.positions(th.launch_time_s[uav] + 10.0), th.positions(th.launch_time_s[uav] + 110.0)
    assert np.linalg.norm(p1[uav] - p0[uav]) == pytest.approx(55.0 * 100.0, rel=1e-3)
    # ballistic missiles fall on the aim asset at the end of their flight
    bm = np.flatnonzero((th.threat_type == THREAT_CODE["ballistic_missile"])
                        & (th.aim_asset >= 0))  # not the separated boosters
    end = th.positions(th.end_time_s - 1e-6)[bm]
    asset = sc.defended_assets[1].position
    from iadsim.world.frames import enu_to_geodetic
    lat, lon, alt = enu_to_geodetic(end, origin)
    assert np.all(great_circle_distance_m(lat, lon, asset.lat_deg, asset.lon_deg) < 2000.0)
    assert np.all(np.abs(alt) < 50.0)
    # velocities by central difference match speed for level flight
    _pos, vel = th.state(th.launch_time_s[uav] + 50.0)
    assert np.linalg.norm(vel[uav]) == pytest.approx(55.0, rel=1e-3)


def test_in_air_window(default_scenario: Any) -> None:
    th = build_threats(default_scenario, Origin(44.5, 8.75))
    assert not th.in_air(-1.0).any()
    first = int(np.argmin(th.launch_time_s))
    assert th.in_air(th.launch_time_s[first])[first]
    assert not th.in_air(th.end_time_s.max() + 1.0).any()


def test_members_flying_abreast_all_end_over_their_asset(default_data: dict[str, Any]) -> None:
    data = copy.deepcopy(default_data)
    data["threats"][0]["lateral_spacing_m"] = 5000.0  # 4 fighters 15 km abreast, radius 3 km
    data["threats"][0]["count"] = 4
    data["threats"][0].pop("standoff")  # fly to the asset (a stand-off jet turns away)
    sc = scenario_from_dict(data)
    origin = Origin(44.5, 8.75)
    th = build_threats(sc, origin)
    rows = np.flatnonzero(np.asarray(th.group) == "fighters")
    end = th.positions(th.end_time_s - 1e-6)[rows]
    from iadsim.world.frames import geodetic_to_enu
    base = sc.defended_assets[1]
    base_enu = geodetic_to_enu(base.position.lat_deg, base.position.lon_deg, 0.0, origin)
    assert np.all(np.linalg.norm(end[:, :2] - base_enu[:2], axis=1) <= base.radius_m)
    start = th.positions(th.launch_time_s + 1.0)[rows]
    assert np.linalg.norm(start[0, :2] - start[-1, :2]) == pytest.approx(15_000.0, rel=0.01)


def test_repeated_waypoint_is_skipped_as_a_zero_length_leg() -> None:
    v, w = 200.0, np.radians(4.0)
    pts = np.array([[0.0, 0.0], [60_000.0, 0.0], [60_000.0, 60_000.0]])
    repeated = np.array([[0.0, 0.0], [0.0, 0.0], [60_000.0, 0.0], [60_000.0, 0.0],
                         [60_000.0, 60_000.0], [60_000.0, 60_000.0]])
    plain = build_waypoint_paths([pts], [np.array([1000.0, 3000.0, 3000.0])],
                                 np.array([v]), np.array([w]))
    heights = np.array([1e3, 1e3, 3e3, 3e3, 3e3, 3e3])
    twice = build_waypoint_paths([repeated], [heights], np.array([v]), np.array([w]))
    assert twice.length_m[0] == pytest.approx(plain.length_m[0], rel=1e-12)
    s = np.linspace(0.0, plain.length_m[0], 41)
    for si in s:
        p = plain.evaluate(np.array([si]))
        q = twice.evaluate(np.array([si]))
        np.testing.assert_allclose(q.east_north_m, p.east_north_m, atol=1e-6)
        np.testing.assert_allclose(q.direction, p.direction, atol=1e-12)
        assert q.height_m[0] == pytest.approx(p.height_m[0])


def test_repeated_waypoint_takes_the_last_height_given_there() -> None:
    # 0 -> 10 km at 1000 m, the corner given twice (2000 m then 4000 m), then on to 20 km.
    pts = np.array([[0.0, 0.0], [10_000.0, 0.0], [10_000.0, 0.0], [20_000.0, 0.0]])
    paths = build_waypoint_paths([pts], [np.array([1000.0, 2000.0, 4000.0, 4000.0])],
                                 np.array([250.0]), np.array([np.radians(3.0)]))
    h = [float(paths.evaluate(np.array([s])).height_m[0]) for s in (0.0, 5_000.0, 10_000.0,
                                                                     15_000.0)]
    # linear climb from 1000 m to the last height at the corner (4000 m), then level
    assert h == pytest.approx([1000.0, 2500.0, 4000.0, 4000.0])


def test_a_path_of_one_point_has_zero_length_and_stays_there() -> None:
    pts = np.array([[5_000.0, -3_000.0], [5_000.0, -3_000.0]])
    paths = build_waypoint_paths([pts], [np.array([800.0, 800.0])], np.array([55.0]),
                                 np.array([np.radians(3.0)]))
    assert paths.length_m[0] == 0.0
    st = paths.evaluate(np.array([1_000.0]))
    np.testing.assert_array_equal(st.east_north_m, [[5_000.0, -3_000.0]])
    assert st.height_m[0] == 800.0


def test_scenario_with_repeated_waypoints_and_a_threat_starting_on_its_aim_runs(
    scenario_data: dict[str, Any],
) -> None:
    from iadsim.simulation import run

    d = scenario_data
    d["simulation"]["duration_s"] = 20.0
    recon = d["threats"][1]
    recon["route"] = [recon["route"][0]] * 2 + recon["route"] + [recon["route"][-1]]
    drones = next(g for g in d["threats"] if g["type"] == "uav")
    city = next(a for a in d["defended_assets"] if a["name"] == drones["aim"])
    drones.update(start=dict(city["position"], alt_m=800.0), count=2, launch_time_s=5.0,
                  spacing_s=4.0)
    result = run(scenario_from_dict(d), keep_trajectories=False)
    # A threat starting on its aim has arrived: it leaks onto the asset when it is launched.
    t = result.threats.set_index("name")
    label = drones["name"]
    assert list(t.loc[[f"{label}-1", f"{label}-2"], "fate"]) == ["leaked", "leaked"]
    assert list(t.loc[[f"{label}-1", f"{label}-2"], "leaked_asset"]) == [city["name"]] * 2
    recon_fate = t.loc[f"{recon['name']}-1", "fate"]
    assert recon_fate == "flying"
