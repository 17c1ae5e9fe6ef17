"""Interceptor bookkeeping: midcourse aim-point updates from the track picture."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.engagement.geometry import ground_range_height
from iadsim.engagement.interceptors import EngagementOrder, InterceptorFlights
from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import GRAVITY_MPS2, Origin, surface_point_to_enu

ORIGIN = Origin(44.45, 8.85, 0.0)


def tracks(pos: np.ndarray, vel: np.ndarray, t_s: float) -> TrackBatch:
    n = len(pos)
    return TrackBatch(np.full(n, t_s), np.arange(n, dtype=np.int64), pos, vel,
                      np.repeat(np.eye(6)[None], n, 0), np.ones(n, bool), np.ones(n),
                      np.arange(n, dtype=np.int64))


def test_guide_holds_a_sea_skimmer_at_its_height_and_a_ballistic_missile_on_gravity() -> None:
    """Two rounds, 60 s before their intercepts: a 30 m sea-skimmer 80 km out whose track
    sinks at a noisy 9 m/s (the aim point stays 30 m up, 60 s x 250 m/s along its path), and a
    ballistic track (closed form p + v t - g t^2 / 2 ez, its velocity v - g t ez)."""
    skim = surface_point_to_enu(np.zeros(3), np.array([-80_000.0, -79_750.0, -65_000.0]),
                                np.full(3, 30.0), ORIGIN)
    v_skim = skim[1] - skim[0] + np.array([0.0, 0.0, -9.0])
    p_bm, v_bm = np.array([20_000.0, -60_000.0, 40_000.0]), np.array([-100.0, 900.0, -300.0])
    flights = InterceptorFlights()
    orders = [EngagementOrder(0, 0, 160.0, skim[2], "cruise_missile"),
              EngagementOrder(0, 1, 160.0, p_bm, "ballistic_missile")]
    flights.launch(orders, np.zeros((1, 3)), np.array([1]), 90.0)
    flights.guide(tracks(np.stack([skim[0], p_bm]), np.stack([v_skim, v_bm]), 100.0), ORIGIN)
    ground, height = ground_range_height(flights.aim_point_m[:1], np.zeros(3), ORIGIN)
    assert height[0] == pytest.approx(30.0, abs=0.5)
    assert ground[0] == pytest.approx(65_000.0, abs=10.0)
    lead = 60.0
    np.testing.assert_allclose(flights.aim_point_m[1], p_bm + v_bm * lead
                               - 0.5 * GRAVITY_MPS2 * lead**2 * np.array([0, 0, 1.0]))
    np.testing.assert_allclose(flights.aim_velocity_mps[1],
                               v_bm - GRAVITY_MPS2 * lead * np.array([0, 0, 1.0]), atol=1e-6)
    # without the origin the old straight-line extrapolation: the noisy sink rate carried on
    flat = InterceptorFlights()
    flat.launch(orders, np.zeros((1, 3)), np.array([1]), 90.0)
    flat.guide(tracks(np.stack([skim[0], p_bm]), np.stack([v_skim, v_bm]), 100.0))
    assert ground_range_height(flat.aim_point_m[:1], np.zeros(3), ORIGIN)[1][0] < -300.0


def test_guide_predicts_a_diving_arm_straight_and_a_level_one_at_its_height() -> None:
    """A round at a track reported as an ARM in its 35-degree dive: the aim point 8 s ahead is
    the straight line p + v t (closed form), not held at the track's height (the plan's
    prediction, ``doctrine._diving_arm``); the same track reported as a cruise missile is held
    at its height (kilometres above the ARM's true path)."""
    p = np.array([0.0, -20_000.0, 9_000.0])
    v = np.array([0.0, 700.0, -700.0 * np.tan(np.radians(35.0))])
    orders = [EngagementOrder(0, 0, 108.0, p, "anti_radiation_missile"),
              EngagementOrder(0, 0, 108.0, p, "cruise_missile")]
    flights = InterceptorFlights()
    flights.launch(orders, np.zeros((1, 3)), np.array([0]), 95.0)
    flights.guide(tracks(np.stack([p]), np.stack([v]), 100.0), ORIGIN)
    np.testing.assert_allclose(flights.aim_point_m[0], p + 8.0 * v, atol=1e-6)
    height = ground_range_height(flights.aim_point_m[1:], np.zeros(3), ORIGIN)[1][0]
    assert height > p[2] - 200.0  # held: about 3.9 km above the straight dive's 5.1 km
