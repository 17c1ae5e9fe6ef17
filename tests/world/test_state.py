"""World state: who is alive, killed in time order, impacts on assets, path ends."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from iadsim.scenario.load import scenario_from_dict
from iadsim.scenario.model import THREAT_TYPES
from iadsim.world.frames import scenario_origin
from iadsim.world.state import DESTROYED, IMPACTED, IN_WORLD, PATH_ENDED, WorldState
from iadsim.world.threats import build_threats


@pytest.fixture(scope="module")
def threats(default_data):
    s = scenario_from_dict(copy.deepcopy(default_data), "default.yaml")
    return build_threats(s, scenario_origin(s))


def test_everyone_starts_alive(threats) -> None:
    w = WorldState(threats)
    assert w.threat_alive.all() and len(w.threat_alive) == len(threats) > 10
    assert (w.threat_status == IN_WORLD).all() and np.isnan(w.threat_gone_s).all()


@pytest.mark.parametrize("n", [0, 1, 5])
def test_kills_apply_in_time_order_and_only_to_the_living(threats, n: int) -> None:
    w = WorldState(threats)
    # n intercepts on threat 3, shuffled in time: only the earliest lethal one kills
    rng = np.random.default_rng(n)
    t = rng.permutation(np.arange(n, dtype=float) + 10.0)
    lethal = np.ones(n, bool)
    if n > 1:
        lethal[np.argmin(t)] = False  # the first one misses, the second kills
    killed = w.destroy_threats(np.full(n, 3), t, lethal)
    assert killed.sum() == min(n, 1)
    if n:
        want = np.sort(t)[1 if n > 1 else 0]
        assert t[killed][0] == want and w.threat_gone_s[3] == want
        assert w.threat_status[3] == DESTROYED and not w.threat_alive[3]
    assert w.threat_alive.sum() == len(threats) - min(n, 1)
    # nothing there (-1) kills nothing; a second kill later kills only if it was alive
    again = w.destroy_threats(np.array([-1, 3]), np.array([30.0, 31.0]), np.ones(2, bool))
    assert again.tolist() == [False, n == 0]


def test_arrivals_impact_assets_and_end_paths(threats) -> None:
    w = WorldState(threats)
    asset = np.array([[0.0, 0.0, 0.0], [1e7, 0, 0]])
    radius = np.array([1e9, 1.0])  # the first asset covers everything
    pos = threats.positions(400.0)
    hit, which, ended = w.arrivals(400.0, pos, asset, radius)
    launched = threats.launch_time_s <= 400.0
    ballistic = threats.threat_type == THREAT_TYPES.index("ballistic_missile")
    over = threats.end_time_s <= 400.0
    # a ballistic missile impacts only at the end of its flight
    want = np.flatnonzero(launched & (~ballistic | over))
    assert hit.tolist() == want.tolist() and (which == 0).all()
    assert (w.threat_status[hit] == IMPACTED).all()
    assert np.allclose(w.threat_gone_s[hit], np.minimum(400.0, threats.end_time_s[hit]))
    assert ended.size == 0  # those whose path ended were over the asset: impacts
    # far from any asset, a path that is over ends
    w2 = WorldState(threats)
    far = np.array([[1e8, 1e8, 0.0]])
    hit, _, ended = w2.arrivals(1e6, threats.positions(1e6), far, np.array([1.0]))
    assert hit.size == 0 and ended.tolist() == list(range(len(threats)))
    assert (w2.threat_status == PATH_ENDED).all()
    assert np.allclose(w2.threat_gone_s, threats.end_time_s)


def test_advance_moves_threats_to_impacted_at_the_world_s_own_assets(threats) -> None:
    """``advance`` is ``arrivals`` on the threats' truth at that time and the assets the world
    was built with; no assets: nobody impacts, paths still end."""
    asset = np.array([[0.0, 0.0, 0.0]])
    w = WorldState(threats, assets=(asset, np.ones(1), np.array([1e9])))
    got = w.advance(400.0)
    ref = WorldState(threats)
    hit, which, ended = ref.arrivals(400.0, threats.positions(400.0), asset, np.array([1e9]))
    assert got.impacted.tolist() == hit.tolist() and got.asset.tolist() == which.tolist()
    assert got.ended.tolist() == ended.tolist()
    np.testing.assert_array_equal(w.threat_status, ref.threat_status)
    pos, vel = threats.state(400.0)
    np.testing.assert_allclose(got.position_enu_m, pos)
    np.testing.assert_allclose(got.velocity_enu_mps, vel)
    bare = WorldState(threats).advance(1e6)
    assert bare.impacted.size == 0 and bare.ended.tolist() == list(range(len(threats)))
