"""Raid tactics: time-on-target waves, stand-off release and egress, pop-up, separation, and the
bad input that names its field and limit."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from iadsim.errors import ScenarioError
from iadsim.scenario.load import scenario_from_dict
from iadsim.world.ballistic import Motor, Shot, Unreachable, solve_shot
from iadsim.world.frames import (
    Origin,
    approx_altitude_m,
    enu_to_geodetic,
    great_circle_distance_m,
    scenario_origin,
)
from iadsim.world.state import PATH_ENDED, WorldState
from iadsim.world.threats import THREAT_CODE, build_threats

CITY = (44.41, 8.93)


def _only(data: dict[str, Any], *groups: dict[str, Any]) -> Any:
    data["threats"] = list(groups)
    return scenario_from_dict(data)


def _ground_to(th: Any, row: int, t: float, origin: Origin, lat: float, lon: float) -> float:
    la, lo, _ = enu_to_geodetic(th.positions(t)[row], origin)
    return float(great_circle_distance_m(la, lo, lat, lon))


def test_time_on_target_wave_arrives_within_its_window(scenario_data: dict[str, Any]) -> None:
    sc = _only(scenario_data, dict(
        name="tot", type="cruise_missile", count=5, lateral_spacing_m=3_000,
        start={"lat_deg": 43.3, "lon_deg": 8.5}, route=[{"lat_deg": 43.8, "lon_deg": 9.3}],
        aim="city", speed_mps=240, height_m=30, rcs_m2=0.1, time_on_target_s=700,
        arrival_window_s=8))
    th = build_threats(sc, scenario_origin(sc))
    np.testing.assert_allclose(th.end_time_s, 700.0 + 8.0 * np.arange(5) / 4.0, atol=1e-9)
    assert np.ptp(th.launch_time_s) > 1.0  # abreast members fly different lengths
    # each member really is over its aim point at its arrival (independent: the geodesic)
    origin = scenario_origin(sc)
    for i in range(5):
        assert _ground_to(th, i, th.end_time_s[i] - 1e-6, origin, *CITY) < 3_000.0


def test_time_on_target_too_early_names_the_field(scenario_data: dict[str, Any]) -> None:
    sc = _only(scenario_data, dict(
        type="uav", count=2, start={"lat_deg": 44.0, "lon_deg": 8.8}, aim="city",
        speed_mps=50, altitude_m=500, rcs_m2=0.05, time_on_target_s=60))
    with pytest.raises(ScenarioError, match=r"threats\[0\]\.time_on_target_s is too early"):
        build_threats(sc, scenario_origin(sc))


def _strike(**standoff: Any) -> dict[str, Any]:
    return dict(name="strike", type="aircraft", count=2, spacing_s=30, lateral_spacing_m=2_000,
                start={"lat_deg": 43.0, "lon_deg": 8.6}, aim="city", speed_mps=250,
                altitude_m=6_000, rcs_m2=3.0,
                standoff=dict(count=2, release_range_m=60_000, weapon_range_m=80_000,
                              release_interval_s=3, **standoff))


def test_standoff_weapons_are_released_at_their_range(scenario_data: dict[str, Any]) -> None:
    sc = _only(scenario_data, _strike())
    origin = scenario_origin(sc)
    th = build_threats(sc, origin)
    assert len(th) == 6 and list(th.weapon_carrier) == [0, 0, 1, 1]
    for w, carrier in zip(th.weapon_rows, th.weapon_carrier, strict=True):
        assert th.threat_type[w] == THREAT_CODE["cruise_missile"]
        t = th.launch_time_s[w]
        first = w == th.weapon_rows[th.weapon_carrier == carrier][0]
        if first:  # released where the carrier is, 60 km (ground) from the aim
            np.testing.assert_allclose(th.positions(t)[w], th.positions(t)[carrier], atol=1.0)
            assert _ground_to(th, carrier, t, origin, *CITY) == pytest.approx(60_000, abs=1_500)
        # the weapon flies to the city and the carrier never comes within 40 km of it
        assert _ground_to(th, w, th.end_time_s[w] - 1e-6, origin, *CITY) < 6_000.0
    times = np.linspace(0.0, th.end_time_s[:2].max(), 400)
    closest = min(_ground_to(th, 0, t, origin, *CITY) for t in times)
    assert closest > 40_000.0
    # egress: the carrier's path ends back where it started (not over the asset)
    assert _ground_to(th, 0, th.end_time_s[0] - 1e-6, origin, 43.0, 8.6) < 2_000.0


def test_weapons_of_a_carrier_killed_before_release_never_fly(
        scenario_data: dict[str, Any]) -> None:
    sc = _only(scenario_data, _strike())
    th = build_threats(sc, scenario_origin(sc))
    world = WorldState(th)
    t_kill = float(th.launch_time_s[th.weapon_rows[0]] - 5.0)  # carrier 0, before its release
    world.destroy_threats(np.array([0]), np.array([t_kill]), np.array([True]))
    _imp, _asset, ended = world.arrivals(t_kill + 1.0, th.positions(t_kill + 1.0),
                                         np.empty((0, 3)), np.empty(0))
    np.testing.assert_array_equal(ended, th.weapon_rows[:2])
    assert np.all(world.threat_status[th.weapon_rows[:2]] == PATH_ENDED)
    assert world.threat_alive[th.weapon_rows[2:]].all()  # the other carrier's still fly


def test_release_range_beyond_the_weapon_names_the_limit(scenario_data: dict[str, Any]) -> None:
    bad = _strike()
    bad["standoff"]["release_range_m"] = 90_000
    with pytest.raises(ScenarioError, match=r"threats\[0\]\.standoff.*release_range_m must be "
                                            r"<= weapon_range_m"):
        _only(scenario_data, bad)


def test_popup_climbs_then_dives_onto_the_aim(scenario_data: dict[str, Any]) -> None:
    sc = _only(scenario_data, dict(
        type="cruise_missile", count=1, start={"lat_deg": 43.5, "lon_deg": 8.93}, aim="city",
        speed_mps=250, height_m=30, rcs_m2=0.1, popup_range_m=9_000, popup_height_m=400))
    origin = scenario_origin(sc)
    th = build_threats(sc, origin)
    t_end = th.end_time_s[0]
    alt = [float(approx_altitude_m(th.positions(t_end - s)[0], origin)) for s in
           (60.0, 9_000 / 250 + 5, 3_000 / 250, 0.5)]
    assert alt[0] == pytest.approx(30.0, abs=2.0) and alt[1] == pytest.approx(30.0, abs=2.0)
    assert alt[2] == pytest.approx(400.0, abs=5.0)  # the apex, a third of the way out
    assert alt[3] < 30.0  # diving onto the aim


def test_ballistic_separation_adds_a_booster_that_falls_short(
        scenario_data: dict[str, Any]) -> None:
    sc = _only(scenario_data, dict(
        name="bm", type="ballistic_missile", count=1, start={"lat_deg": 42.2, "lon_deg": 9.3},
        aim="airbase", apogee_m=70_000, rcs_m2=0.3,
        ballistic=dict(separation=True, booster_rcs_m2=2.5, debris_count=2)))
    origin = scenario_origin(sc)
    th = build_threats(sc, origin)
    assert th.name == ("bm-1", "bm-1-booster", "bm-1-debris-1", "bm-1-debris-2")
    assert th.rcs_m2[1] == 2.5 and np.all(th.launch_time_s[1:] > th.launch_time_s[0])
    # a light booster is braked harder: it lands short of the aim, the vehicle on it
    d_rv = _ground_to(th, 0, th.end_time_s[0] - 1e-6, origin, 44.60, 8.55)
    d_booster = _ground_to(th, 1, th.end_time_s[1] - 1e-6, origin, 44.60, 8.55)
    assert d_rv < 10.0 and d_booster > 10_000.0
    # at separation the booster is where the vehicle is
    t = th.launch_time_s[1] + 1e-9
    np.testing.assert_allclose(th.positions(t)[1], th.positions(t)[0], atol=1.0)


@pytest.mark.parametrize(("change", "match"), [
    ({"apogee_m": 900_000}, r"threats\[0\]\.apogee_m is beyond the boost's reach: at most"),
    ({"ballistic": {"burn_time_s": 10}}, r"threats\[0\]\.aim is beyond the boost's reach"),
    ({"ballistic": {"vertical_rise_s": 70}}, r"threats\[0\]\.ballistic"),
])
def test_unreachable_shots_name_field_and_limit(scenario_data: dict[str, Any],
                                                change: dict[str, Any], match: str) -> None:
    group = dict(type="ballistic_missile", count=1, start={"lat_deg": 42.2, "lon_deg": 9.3},
                 aim="airbase", apogee_m=70_000, rcs_m2=0.3)
    group.update(change)
    with pytest.raises(ScenarioError, match=match):
        _only(scenario_data, group)


def test_a_shot_the_solver_cannot_fly_names_its_field(scenario_data: dict[str, Any]) -> None:
    """Passes the energy bound (no losses) but not the real boost with gravity and drag."""
    sc = _only(scenario_data, dict(
        type="ballistic_missile", count=1, start={"lat_deg": 42.2, "lon_deg": 9.3},
        aim="airbase", apogee_m=400_000, rcs_m2=0.3))
    with pytest.raises(ScenarioError, match=r"threats\[0\]\.apogee_m must be <= \d+ km for "
                       r"this range \(\d+ km, threats\[0\]\.ballistic's boost\) \(got 400000"):
        build_threats(sc, scenario_origin(sc))


def test_the_stated_apogee_limits_bracket_what_the_solver_flies(
        scenario_data: dict[str, Any]) -> None:
    """The limits (a full-burn pitch scan, ``world.ballistic_reach``) against the 3-control
    Newton solve: just inside each limit it flies the shot, just outside it cannot."""
    base = dict(type="ballistic_missile", count=1, start={"lat_deg": 42.2, "lon_deg": 9.3},
                aim="airbase", rcs_m2=0.3)
    found = {}
    for side, apogee in (("<=", 400_000.0), (">=", 5_000.0)):
        sc = _only(scenario_data, dict(base, apogee_m=apogee))
        with pytest.raises(ScenarioError) as err:
            build_threats(sc, scenario_origin(sc))
        m = re.search(rf"apogee_m must be {side} (\d+) km for this range", str(err.value))
        assert m, str(err.value)
        found[side] = 1e3 * float(m.group(1))
    g = _only(scenario_data, dict(base, apogee_m=1e5)).threats[0]
    aim = next(a.position for a in _only(scenario_data, dict(base, apogee_m=1e5)).defended_assets
               if a.name == "airbase")
    motor = Motor(g.ballistic.burn_time_s, g.ballistic.thrust_to_weight, g.ballistic.mass_ratio,
                  g.ballistic.vertical_rise_s, g.ballistic.launch_ballistic_coefficient_kg_m2)

    def flies(apogee_m: float) -> bool:
        shot = Shot(42.2, 9.3, 0.0, aim.lat_deg, aim.lon_deg, apogee_m, None)
        try:
            solve_shot(shot, motor, g.ballistic.ballistic_coefficient_kg_m2)
        except Unreachable:
            return False
        return True

    assert found[">="] < found["<="]
    assert flies(0.97 * found["<="]) and not flies(1.05 * found["<="])
    assert flies(1.04 * found[">="]) and not flies(0.95 * found[">="])


def test_an_evading_aircraft_stays_within_its_acceleration_limit(
        scenario_data: dict[str, Any]) -> None:
    sc = _only(scenario_data, dict(
        type="aircraft", count=3, spacing_s=10, start={"lat_deg": 43.0, "lon_deg": 8.6},
        aim="city", speed_mps=250, altitude_m=6_000, rcs_m2=3.0,
        evasion=dict(probability=1.0, max_load_factor_g=4.0, turn_deg=120, descent_rate_mps=80,
                     floor_altitude_m=1_000, vertical_accel_g=0.8)))
    origin = scenario_origin(sc)
    th = build_threats(sc, origin)
    world = WorldState(th)
    before = th.positions(300.0)
    broke = world.evade(200.0, np.array([1, -1, 1]), rng=np.random.default_rng(3))
    assert list(broke) == [1]
    assert list(world.evade(210.0, np.array([1]), rng=np.random.default_rng(3))) == []  # once
    np.testing.assert_allclose(th.positions(300.0)[[0, 2]], before[[0, 2]])  # others unchanged
    # second differences of the true ENU track: the load factor |a + g up| / g stays <= n
    dt = 0.25
    t = np.arange(195.0, 330.0, dt)
    p = np.array([th.positions(ti)[1] for ti in t])
    assert 0.9 * 4.0 < _load_factor_g(p, dt).max() <= 4.0 * 1.003  # pull-out after the turn
    speed = np.linalg.norm(np.diff(p[:, :2], axis=0), axis=1) / dt
    # horizontal speed held (the ENU projection of a path 6 km above a curved earth: +0.4%)
    np.testing.assert_allclose(speed, 250.0, rtol=4e-3)
    heading = np.diff(p[:, :2], axis=0)
    cos_turn = heading[0] @ heading[-1] / np.linalg.norm(heading[0]) / np.linalg.norm(heading[-1])
    turned = np.degrees(np.arccos(np.clip(cos_turn, -1, 1)))
    assert turned == pytest.approx(120.0, abs=1.0)
    assert float(approx_altitude_m(p[-1], origin)) == pytest.approx(1_000.0, abs=5.0)


def _load_factor_g(p: np.ndarray, dt: float) -> np.ndarray:
    """|a + g up| / g from second differences of ENU positions ``p`` (gravity towards the centre
    of a sphere below the origin, so the local up is tilted along the track)."""
    g = 9.80665
    acc = np.diff(p, 2, axis=0) / dt**2
    centre = p[1:-1] + np.array([0.0, 0.0, 6_371_000.0])
    up = centre / np.linalg.norm(centre, axis=1, keepdims=True)
    return np.linalg.norm(acc + g * up, axis=1) / g


# peak load factor expected (closed form, g units) from when the turn (a_h = sqrt(n^2 - (1 + a_v)^2))
# runs: during the pull-out (1 + a_v vertical) -> n; during the push-over (1 - a_v) ->
# sqrt(n^2 - 4 a_v); level -> sqrt(n^2 - (1 + a_v)^2 + 1)
@pytest.mark.parametrize(("n", "turn_deg", "altitude_m", "rate_mps", "a_v_g", "span_s", "peak"), [
    (5.0, 180.0, 1_000.0, 60.0, 0.5, 40.0, 5.0),  # reviewer: this 500 m drop gave 5.10 g
    (3.0, 270.0, 6_000.0, 80.0, 1.9, 180.0, 3.0),  # near the a_v < g (n - 1) bound: gave 3.6 g
    (8.0, 45.0, 3_000.0, 150.0, 3.0, 60.0, np.sqrt(64.0 - 12.0)),  # turn done in the push-over
    (2.0, 90.0, 2_000.0, 0.0, 0.3, 60.0, np.sqrt(4.0 - 1.3**2 + 1.0)),  # level break
])
def test_an_evading_aircraft_never_exceeds_its_load_factor(
        scenario_data: dict[str, Any], n: float, turn_deg: float, altitude_m: float,
        rate_mps: float, a_v_g: float, span_s: float, peak: float) -> None:
    sc = _only(scenario_data, dict(
        type="aircraft", count=1, start={"lat_deg": 43.0, "lon_deg": 8.6}, aim="city",
        speed_mps=250, altitude_m=altitude_m, rcs_m2=3.0,
        evasion=dict(probability=1.0, max_load_factor_g=n, turn_deg=turn_deg,
                     descent_rate_mps=rate_mps, floor_altitude_m=500.0, vertical_accel_g=a_v_g)))
    th = build_threats(sc, scenario_origin(sc))
    assert list(WorldState(th).evade(100.0, np.array([0]), rng=np.random.default_rng(5))) == [0]
    dt = 0.25
    p = np.array([th.positions(ti)[0] for ti in np.arange(99.0, 100.0 + span_s, dt)])
    lf = _load_factor_g(p, dt)
    assert lf.max() <= n * 1.002  # the true load factor never exceeds n
    assert lf.max() == pytest.approx(peak, rel=2e-3)


def test_evasion_within_load_factor_is_checked(scenario_data: dict[str, Any]) -> None:
    for n, a_v in ((1.2, 1.0), (3.0, 2.0)):  # the pull-out needs g + a_v <= n g (was sqrt(n^2 - 1))
        with pytest.raises(ScenarioError, match=r"threats\[0\]\.evasion.*vertical_accel_g must "
                           r"be < max_load_factor_g - 1 = [0-9.]+ g.*got"):
            _only(scenario_data, dict(
                type="aircraft", count=1, start={"lat_deg": 43.0, "lon_deg": 8.6}, aim="city",
                speed_mps=250, altitude_m=6_000, rcs_m2=3.0,
                evasion=dict(max_load_factor_g=n, vertical_accel_g=a_v)))
