"""Launching is the engagement stage's: orders -> launcher rounds spent, interceptors in flight,
each round's true target the threat behind its track."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from iadsim.engagement.interceptors import EngagementOrder, InterceptorFlights
from iadsim.engagement.launch import booked_threats, launch_orders
from iadsim.engagement.launchers import Launchers
from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import scenario_origin
from iadsim.world.state import DESTROYED, IN_WORLD


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


class _World:
    """What booking reads from the world state: who is alive (the dead here were killed),
    where each threat is."""

    def __init__(self, alive: list[bool], positions_m: list[list[float]]) -> None:
        self.threat_alive = np.array(alive, bool)
        self.threat_status = np.where(self.threat_alive, IN_WORLD, DESTROYED).astype(np.int8)
        where = np.array(positions_m, float)
        self.threats = type("T", (), {"positions": staticmethod(lambda t: where)})()


def test_a_round_is_booked_at_the_live_threat_behind_the_track_s_recent_returns() -> None:
    """Issue 11 D1. Threat 0 was killed; its track (label 0: most of its returns were 0's)
    has since been carried onto neighbour 1, 300 m away: the round goes at 1, never at 0. With
    both alive, the one nearer the track; the label when no recent return is known; -1 when
    the only live candidate is far from the track (its returns since are clutter alone)."""
    world = _World([False, True, True, True],
                   [[0, 0, 0], [300, 0, 0], [10_000, 0, 0], [50_000, 0, 0]])
    tracks = TrackBatch(
        time_s=np.zeros(5), track_id=np.arange(5, dtype=np.int64),
        position_enu_m=np.array([[250.0, 0, 0], [9_900, 0, 0], [9_900, 0, 0], [0, 0, 0],
                                 [0, 0, 0]]),
        velocity_enu_mps=np.zeros((5, 3)), covariance=np.tile(np.eye(6) * 100.0, (5, 1, 1)),
        confirmed=np.ones(5, bool), quality=np.ones(5),
        truth_id=np.array([0, 1, 2, 0, 3], np.int64),
        recent_truth_id=np.array([1, 2, 1, 0, 0], np.int64),
    )
    got = booked_threats(tracks, world, 0.0)
    # 0: label dead, recent live -> 1; 1: both live, recent (2) nearer; 2: both live, label
    # (2) nearer; 3: label and recent dead -> none; 4: label 3 alive but 50 km away -> none
    assert got.tolist() == [1, 2, 2, -1, -1]
    assert booked_threats(replace(tracks, recent_truth_id=None), world, 0.0).tolist() == [
        -1, -1, 2, -1, -1]  # label only: 1 is 9.6 km from track 1, outside the 2 km gate
    assert booked_threats(tracks.take(np.zeros(0, np.intp)), world, 0.0).shape == (0,)


def test_launch_orders_book_with_the_world(default_scenario) -> None:
    launchers = Launchers(default_scenario, scenario_origin(default_scenario))
    flights = InterceptorFlights()
    tracks = replace(_tracks([10, 11], [0, 1]), recent_truth_id=np.array([1, 1], np.int64))
    world = _World([False, True], [[0, 0, 0], [100, 0, 0]])
    orders = [EngagementOrder(launcher=k, track_id=[10, 11][k], intercept_time_s=30.0,
                              aim_point_enu_m=np.array([10_000.0, 0.0, 1_000.0]))
              for k in range(2)]
    got = launch_orders(orders, launchers, flights, tracks, 5.0, world)
    assert got.target_threat_id.tolist() == [1, 1] == flights.target_threat_id.tolist()
    assert not got.on_dead_track.any()  # both rounds go at live threat 1
