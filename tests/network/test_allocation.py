"""Cross-unit allocation: one unit per threat, reach, standing engagements, capacity."""

from __future__ import annotations

import numpy as np

from iadsim.network.allocation import allocate, cpa_range_m, unit_costs


def test_cpa_range_against_closed_form() -> None:
    # a track at (-10 km, 3 km) flying east: its closest point to a site at the origin is 3 km
    # ahead; a site behind it is nearest now (the CPA is not behind the track)
    pos = np.array([[-10_000.0, 3_000.0, 500.0]])
    vel = np.array([[250.0, 0.0, 0.0]])
    sites = np.array([[0.0, 0.0, 0.0], [-20_000.0, 0.0, 0.0]])
    assert np.allclose(cpa_range_m(pos, vel, sites), [[3_000.0, np.hypot(10_000.0, 3_000.0)]])


def test_two_units_one_threat_exactly_one_is_allocated() -> None:
    pos = np.array([[-60_000.0, 5_000.0, 3_000.0]])
    vel = np.array([[250.0, 0.0, 0.0]])
    launchers = np.array([[0.0, 0.0, 0.0], [0.0, 20_000.0, 0.0]])  # unit 0 closer to the path
    cost = unit_costs(pos, vel, np.array([0, 1]), launchers, np.array([40_000.0, 40_000.0]), 2)
    assert np.allclose(cost, [[5_000 / 40_000, 15_000 / 40_000]])
    got = allocate(cost, np.ones((1, 2), bool), np.array([8, 8]), np.ones(1),
                   np.full((1, 1), -1))
    assert got.tolist() == [[0]]
    # a standing engagement by unit 1 is not handed over
    got = allocate(cost, np.ones((1, 2), bool), np.array([8, 8]), np.ones(1), np.array([[1]]))
    assert got.tolist() == [[1]]
    # the doctrine asks for two units: two different ones
    got = allocate(cost, np.ones((1, 2), bool), np.array([8, 8]), np.ones(1),
                   np.full((1, 2), -1), per_threat=2)
    assert sorted(got[0].tolist()) == [0, 1]


def test_out_of_reach_zone_and_capacity() -> None:
    pos = np.array([[0.0, 100_000.0, 1_000.0], [0.0, 5_000.0, 1_000.0], [0.0, 6_000.0, 1_000.0]])
    vel = np.zeros((3, 3))
    cost = unit_costs(pos, vel, np.array([0]), np.zeros((1, 3)), np.array([40_000.0]), 1)
    assert np.isinf(cost[0, 0]) and np.isfinite(cost[1:, 0]).all()
    value = np.array([1.0, 1.0, 5.0])
    got = allocate(cost, np.ones((3, 1), bool), np.array([1]), value, np.full((3, 1), -1))
    assert got[:, 0].tolist() == [-1, -1, 0]  # one channel: the more valuable threat
    got = allocate(cost, np.zeros((3, 1), bool), np.array([5]), value, np.full((3, 1), -1))
    assert (got == -1).all()


def test_no_tracks() -> None:
    got = allocate(np.empty((0, 2)), np.empty((0, 2), bool), np.array([1, 1]), np.empty(0),
                   np.empty((0, 1), np.int64))
    assert got.shape == (0, 1)


def test_a_held_engagement_stays_where_it_is_no_longer_feasible() -> None:
    cost = np.array([[np.inf, 0.2]])  # unit 0 cannot shoot again (no rounds, tearing down)
    got = allocate(cost, np.ones((1, 2), bool), np.array([4, 4]), np.ones(1), np.array([[0]]))
    assert got.tolist() == [[1]]  # not held: handed over
    got = allocate(cost, np.ones((1, 2), bool), np.array([4, 4]), np.ones(1), np.array([[0]]),
                   hold=np.array([[True]]))
    assert got.tolist() == [[0]]  # its round flies: it keeps the threat
