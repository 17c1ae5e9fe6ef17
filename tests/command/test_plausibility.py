"""Physically grounded speed gate (``command.plausibility``): speed against height above the
earth per reported type. Hand-built ghost tracks must draw no round; real targets must."""

from __future__ import annotations

import numpy as np
import pytest
from command_fakes import centre, make_tracks

from iadsim.command.plausibility import credible_motion, local_up
from iadsim.engagement.atmosphere import density_kg_m3
from iadsim.engagement.interceptors import InterceptorFlights
from iadsim.scenario.command_spec import FireControlSpec
from iadsim.scenario.model import THREAT_TYPES
from iadsim.world.frames import GRAVITY_MPS2, Origin, surface_point_to_enu

ORIGIN = Origin(44.45, 8.85, 0.0)
BALLISTIC = THREAT_TYPES.index("ballistic_missile")
AIRCRAFT = THREAT_TYPES.index("aircraft")
FC = [False, True]


def _at(ground_east_m: float, height_m: float) -> np.ndarray:
    """ENU point ``ground_east_m`` along the surface east of the origin, ``height_m`` up."""
    return np.asarray(surface_point_to_enu(np.array([ground_east_m]), np.array([0.0]),
                                           np.array([height_m]), ORIGIN), float).reshape(3)


def _up(p: np.ndarray) -> np.ndarray:
    return local_up(p[None], ORIGIN)[0]


def test_local_up_is_the_radial_direction_not_enu_up() -> None:
    low, high = _at(200_000.0, 0.0), _at(200_000.0, 10_000.0)
    up = _up(low)
    assert np.allclose(up, (high - low) / np.linalg.norm(high - low), atol=1e-6)
    assert up[2] < np.cos(np.radians(1.7))  # tilted by 200 km / 6371 km = 1.8 degrees


def test_a_level_fast_ballistic_ghost_low_down_is_not_credible() -> None:
    """1.3 km/s level at 3 km height, 40 km out: no ballistic body flies level there; the
    same speed diving at 60 degrees (an arc from 60+ km) is credible."""
    p = _at(40_000.0, 3_000.0)
    east = np.cross(np.array([0.0, 1.0, 0.0]), _up(p))
    east /= np.linalg.norm(east)
    level = -1_300.0 * east
    dive = 1_300.0 * (-np.cos(np.radians(60)) * east - np.sin(np.radians(60)) * _up(p))
    fc = FireControlSpec()
    got = credible_motion(np.stack([p, p]), np.stack([level, dive]), np.array([BALLISTIC] * 2),
                          fc, ORIGIN)
    assert got.tolist() == [False, True]
    # the rule: a path at least 10 degrees from the local horizontal below 20 km; a slow,
    # steep re-entry (drag has taken most of its speed) is credible too
    assert fc.ballistic_steep_below_m == 20_000.0 and fc.ballistic_min_path_angle_deg == 10.0
    slow = 450.0 * (-np.cos(np.radians(53)) * east - np.sin(np.radians(53)) * _up(p))
    shallow = 1_300.0 * (-np.cos(np.radians(5)) * east - np.sin(np.radians(5)) * _up(p))
    got = credible_motion(np.stack([p, p]), np.stack([slow, shallow]),
                          np.array([BALLISTIC] * 2), fc, ORIGIN)
    assert got.tolist() == [True, False]


def test_the_steep_path_rule_uses_height_above_the_earth() -> None:
    """Level at 21 km height 150 km out (ENU up about 19.2 km): near its apogee, credible. A
    tangent-plane height (ENU up) would put it under the 20 km line and refuse it."""
    p = _at(150_000.0, 21_000.0)
    assert p[2] < 20_000.0
    v = np.cross(np.array([0.0, 1.0, 0.0]), _up(p)) * -1_200.0
    assert credible_motion(p[None], v[None], np.array([BALLISTIC]), FireControlSpec(), ORIGIN)[0]
    p_low = _at(150_000.0, 19_000.0)
    assert not credible_motion(p_low[None], v[None], np.array([BALLISTIC]), FireControlSpec(),
                               ORIGIN)[0]


@pytest.mark.parametrize(("height_m", "speed_mps", "credible"), [
    (100.0, 300.0, True), (100.0, 700.0, False), (11_000.0, 700.0, True),
    (11_000.0, 900.0, False),  # above the 800 m/s top speed
])
def test_an_aircraft_s_credible_speed_falls_in_dense_air(height_m, speed_mps, credible) -> None:
    p = _at(60_000.0, height_m)
    v = np.cross(np.array([0.0, 1.0, 0.0]), _up(p)) * -speed_mps
    fc = FireControlSpec()
    q = 0.5 * float(density_kg_m3(height_m)) * speed_mps**2
    assert (q <= fc.dynamic_pressure_limit_pa("aircraft") and speed_mps <= 800.0) == credible
    assert credible_motion(p[None], v[None], np.array([AIRCRAFT]), fc, ORIGIN)[0] == credible


def test_empty_and_many() -> None:
    fc = FireControlSpec()
    assert credible_motion(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, np.int64), fc,
                           ORIGIN).shape == (0,)
    p = np.tile(_at(50_000.0, 8_000.0), (5, 1))
    v = np.tile([-250.0, 0.0, 0.0], (5, 1))
    assert credible_motion(p, v, np.full(5, AIRCRAFT), fc, ORIGIN).all()


def test_the_ghost_draws_no_round_from_the_command_centre(default_scenario) -> None:
    """The default's doctrine on a hand-built ghost: 1.3 km/s level at 3 km, 40 km from the
    launchers, classed ballistic by its speed. Its specific energy is well under the
    ballistic limit (the old gate let it through, and does with a 0-degree path rule);
    the steep-path rule refuses it."""

    def orders(fc: FireControlSpec) -> list:
        cc, launchers, _ = centre(default_scenario, reaction_time_s=0.0, fire_control_sensor=FC,
                                  ballistic_reserve={}, hold_fire_below_value=0.0,
                                  fire_control=fc)
        site = launchers.position_enu_m.mean(axis=0)
        cc.asset_position_enu_m = site[None, :] * np.array([[1, 1, 0]])
        ghost = make_tracks([[site[0] + 40_000.0, site[1], 3_000.0]], [[-1_300.0, 0.0, -20.0]],
                            last_hit_s=[[0.0, 0.0]])
        return cc.cycle(0.0, ghost, launchers, InterceptorFlights())

    assert 1_300.0**2 + 2 * GRAVITY_MPS2 * 3_000.0 < FireControlSpec().speed_limit_mps(
        "ballistic_missile") ** 2
    assert orders(FireControlSpec()) == []
    old_rule = orders(FireControlSpec(ballistic_min_path_angle_deg=0.0))
    assert len(old_rule) >= 1 and old_rule[0].reported_type == "ballistic_missile"
