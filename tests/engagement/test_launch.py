"""Launching is the engagement stage's: orders -> launcher rounds spent, interceptors in flight,
each round's true target the threat behind its track."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.engagement.interceptors import EngagementOrder, InterceptorFlights
from iadsim.engagement.launch import launch_orders
from iadsim.engagement.launchers import Launchers
from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import scenario_origin


def _tracks(track_id: list[int], truth_id: list[int]) -> TrackBatch:
    n = len(track_id)
    return TrackBatch(
        time_s=np.zeros(n), track_id=np.array(track_id, np.int64),
        position_enu_m=np.zeros((n, 3)), velocity_enu_mps=np.zeros((n, 3)),
        covariance=np.tile(np.eye(6), (n, 1, 1)), confirmed=np.ones(n, bool),
        quality=np.ones(n), truth_id=np.array(truth_id, np.int64),
    )


@pytest.mark.parametrize("n", [0, 1, 3])
def test_orders_fire_their_launchers_and_fly_at_the_track_s_truth(default_scenario, n) -> None:
    launchers = Launchers(default_scenario, scenario_origin(default_scenario))
    assert len(launchers) >= 3
    ready = launchers.ready_rounds.copy()
    flights = InterceptorFlights()
    tracks = _tracks([10, 11, 12], [4, -1, 7])  # track 11 is false
    orders = [EngagementOrder(launcher=k, track_id=[10, 11, 99][k], intercept_time_s=30.0,
                              aim_point_enu_m=np.array([10_000.0, 0.0, 1_000.0]))
              for k in range(n)]
    got = launch_orders(orders, launchers, flights, tracks, 5.0)
    assert len(got) == n == len(flights)
    assert got.interceptor_id.tolist() == list(range(n))
    assert got.target_threat_id.tolist() == [4, -1, -1][:n]  # 99: not in the picture
    assert flights.target_threat_id.tolist() == [4, -1, -1][:n]
    spent = ready - launchers.ready_rounds
    assert spent.tolist() == [1 if k < n else 0 for k in range(len(launchers))]
    assert (launchers.last_launch_s[:n] == 5.0).all()
    assert flights.track_id.tolist() == [10, 11, 99][:n]


def test_kills_are_credited_to_the_interceptors_that_made_them(default_scenario) -> None:
    launchers = Launchers(default_scenario, scenario_origin(default_scenario))
    flights = InterceptorFlights()
    orders = [EngagementOrder(launcher=k, track_id=10, intercept_time_s=30.0,
                              aim_point_enu_m=np.array([10_000.0, 0.0, 1_000.0]))
              for k in range(3)]
    launch_orders(orders, launchers, flights, _tracks([10], [4]), 5.0)
    flights.credit_kills(np.array([0, 2], np.int64), np.array([False, True]))
    assert flights.killed.tolist() == [False, False, True]
    flights.credit_kills(np.empty(0, np.int64), np.empty(0, bool))
    assert flights.killed.tolist() == [False, False, True]
