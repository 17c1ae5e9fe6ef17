"""Issue 11 D1 and D2 in the command stage, without truth.

D1: a track coasting through an intercept (any round's, fired at another track) may have lost
its threat there; the command sees its own rounds' intercepts, never truth, so such a track
needs a fire-control update after the intercept before it draws a round.
D2: a fast level track below 20 km is classed by what it physically can be (the class table:
top speed, dynamic pressure), so a fast cruise missile draws a round and a ghost still does
not.
"""

from __future__ import annotations

import numpy as np
import pytest
from command_fakes import centre, make_tracks

from iadsim.command.threat_evaluation import classify_kinematics
from iadsim.engagement.atmosphere import density_kg_m3
from iadsim.engagement.interceptors import InterceptorFlights, InterceptResults
from iadsim.scenario.command_spec import ClassificationSpec, FireControlSpec
from iadsim.scenario.model import THREAT_TYPES
from iadsim.world.frames import Origin, surface_point_to_enu

FC = [False, True]  # the default's radars: surveillance, multifunction
ORIGIN = Origin(44.45, 8.85, 0.0)


def _burst(cc, flights: InterceptorFlights, point_m, time_s: float, track_id: int) -> None:
    """One of the command's rounds (fired at ``track_id``) ended at ``point_m``, ``time_s``."""
    flights.launch([], np.zeros((1, 3)), np.zeros(1, np.intp), 0.0)
    k = len(flights)
    flights.track_id = np.append(flights.track_id, track_id)
    flights.detonation_m = np.vstack([flights.detonation_m, np.asarray(point_m, float)])
    res = InterceptResults(interceptor_id=np.array([k], np.int64), time_s=np.array([time_s]),
                           threat_id=np.array([-1], np.int64), miss_distance_m=np.array([1.0]),
                           in_basket=np.array([True]), killed=np.array([True]))
    cc.assess_kills(res, flights, type("W", (), {"threat_alive": np.ones(1, bool)})(), time_s)


@pytest.mark.parametrize(("offset_m", "last_fc_s", "fires"), [
    (300.0, 9.0, False),     # coasted through the intercept at 10 s: look first
    (300.0, 10.5, True),     # a fire-control update after it: the look is done
    (20_000.0, 9.0, True),   # an intercept 20 km away is not on this track
])
def test_a_track_coasting_through_an_intercept_needs_a_look(default_scenario, offset_m,
                                                            last_fc_s, fires) -> None:
    cc, launchers, _ = centre(default_scenario, reaction_time_s=0.0, fire_control_sensor=FC,
                              ballistic_reserve={}, hold_fire_below_value=0.0,
                              fire_control=FireControlSpec(max_update_age_s=3.0))
    site = launchers.position_enu_m.mean(axis=0)
    cc.asset_position_enu_m = site[None, :] * np.array([[1, 1, 0]])
    flights = InterceptorFlights()
    # a drone 25 km out at 1 km, 40 m/s toward the site; at 10 s a round on track 99 (another
    # track: a twin, or the neighbour's) ended offset_m from where this track was then
    vel = np.array([-40.0, 0.0, 0.0])
    now = 11.0
    pos = site + np.array([25_000.0, 0.0, 0.0]) + [0.0, 0.0, 1_000.0]
    _burst(cc, flights, pos - vel * (now - 10.0) + [0.0, offset_m, 0.0], 10.0, track_id=99)
    track = make_tracks([pos], [vel], now, track_id=[7], last_hit_s=[[now, last_fc_s]])
    orders = cc.cycle(now, track, launchers, flights)
    assert (len(orders) == 1) == fires


def _level(height_m: float, speed_mps: float, ground_m: float = 60_000.0):
    p = np.asarray(surface_point_to_enu(np.array([ground_m]), np.array([0.0]),
                                        np.array([height_m]), ORIGIN), float).reshape(3)
    up = (p + [0.0, 0.0, 6_371_000.0]) / np.linalg.norm(p + [0.0, 0.0, 6_371_000.0])
    east = np.cross([0.0, 1.0, 0.0], up)
    return p, -speed_mps * east / np.linalg.norm(east)


@pytest.mark.parametrize(("height_m", "speed_mps"), [
    (100.0, 1_050.0), (5_000.0, 1_050.0), (15_000.0, 1_050.0), (50.0, 1_090.0),
    (3_000.0, 1_300.0), (8_000.0, 1_500.0)])
def test_a_level_fast_target_below_20_km_is_what_it_can_physically_be(height_m, speed_mps):
    """The independent expectation: the dynamic pressure 0.5 rho(h) v^2 (USSA76) and the top
    speeds of the class table, worked out here per type; the altitude rule's own type first
    (recon at and above 10 km), then cruise missile, recon, aircraft; else it stays ballistic
    (a ghost: no type can fly it)."""
    fc, spec = FireControlSpec(), ClassificationSpec()
    p, v = _level(height_m, speed_mps)
    tracks = make_tracks([p], [v])
    q = 0.5 * float(density_kg_m3(height_m)) * speed_mps**2
    can = [t for t in ("cruise_missile", "recon_aircraft", "aircraft")
           if speed_mps <= fc.speed_limit_mps(t) and q <= fc.dynamic_pressure_limit_pa(t)]
    rule = "recon_aircraft" if height_m >= spec.recon_min_altitude_m else "aircraft"
    want = rule if rule in can else (can[0] if can else "ballistic_missile")
    got = THREAT_TYPES[int(classify_kinematics(tracks, spec, ORIGIN, fc)[0])]
    assert got == want
    assert classify_kinematics(tracks, spec, ORIGIN)[0] == THREAT_TYPES.index(
        "ballistic_missile")  # without the class table: called ballistic by its speed
    if height_m == 5_000.0:
        assert got == "cruise_missile" and q < 700_000.0
    if height_m == 50.0:
        assert got == "ballistic_missile" and q > 700_000.0  # too fast even for a missile


def test_a_steep_fast_track_stays_ballistic() -> None:
    """A re-entry at 1.2 km/s diving at 40 degrees, 12 km up: ballistic with or without the
    class table."""
    p, level = _level(12_000.0, 1.0)
    up = (p + [0.0, 0.0, 6_371_000.0]) / np.linalg.norm(p + [0.0, 0.0, 6_371_000.0])
    v = 1_200.0 * (np.cos(np.radians(40)) * level - np.sin(np.radians(40)) * up)
    tracks = make_tracks([p], [v])
    got = classify_kinematics(tracks, ClassificationSpec(), ORIGIN, FireControlSpec())
    assert THREAT_TYPES[int(got[0])] == "ballistic_missile"


@pytest.mark.parametrize(("height_m", "speed_mps", "fires", "reported"), [
    (5_000.0, 1_050.0, True, "cruise_missile"), (3_000.0, 1_300.0, False, None)])
def test_the_fast_cruise_missile_draws_a_round_and_the_ghost_does_not(
        default_scenario, height_m, speed_mps, fires, reported) -> None:
    cc, launchers, _ = centre(default_scenario, reaction_time_s=0.0, fire_control_sensor=FC,
                              ballistic_reserve={}, hold_fire_below_value=0.0,
                              fire_control=FireControlSpec())
    site = launchers.position_enu_m.mean(axis=0)
    cc.asset_position_enu_m = site[None, :] * np.array([[1, 1, 0]])
    track = make_tracks([site + [60_000.0, 0.0, height_m]], [[-speed_mps, 0.0, 0.0]],
                        last_hit_s=[[0.0, 0.0]])
    orders = cc.cycle(0.0, track, launchers, InterceptorFlights())
    assert bool(orders) == fires
    if fires:
        assert orders[0].reported_type == reported
