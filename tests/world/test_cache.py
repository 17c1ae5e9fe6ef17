"""world.cache: per-scenario invariants and the truth memo give what a fresh build gives."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import iadsim
from iadsim.world import cache
from iadsim.world.cache import MemoThreatSet, per_scenario, scenario_threats
from iadsim.world.frames import scenario_origin
from iadsim.world.threats import build_threats


@pytest.fixture(scope="module")
def scenario() -> iadsim.Scenario:
    return iadsim.default_scenario()


def test_memo_state_is_the_fresh_computation_bit_for_bit(scenario: iadsim.Scenario) -> None:
    origin = scenario_origin(scenario)
    fresh = build_threats(scenario, origin)
    memo = MemoThreatSet.of(fresh)
    for t in (0.0, 1.0, 37.5, 120.0, 37.5, 600.0, 1.0):
        pos, vel = memo.state(t)
        ref_pos, ref_vel = fresh.state(t)
        assert np.array_equal(pos, ref_pos) and np.array_equal(vel, ref_vel)
        assert not pos.flags.writeable and not vel.flags.writeable
    assert sorted(memo.memo) == [0.0, 1.0, 37.5, 120.0, 600.0]
    truth, ref = memo.truth_at(37.5), fresh.truth_at(37.5)
    assert np.array_equal(truth.threat_id, ref.threat_id)
    assert np.array_equal(truth.position_enu_m, ref.position_enu_m)


def test_memo_keeps_within_its_budget(scenario: iadsim.Scenario,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    memo = MemoThreatSet.of(build_threats(scenario, scenario_origin(scenario)))
    per_time = 2 * 3 * len(memo)
    monkeypatch.setattr(cache, "MEMO_BUDGET_FLOATS", 3 * per_time)
    for t in range(10):
        memo.state(float(t))
    assert sorted(memo.memo) == [7.0, 8.0, 9.0]  # the oldest times went first


def test_external_rows_are_never_remembered(scenario: iadsim.Scenario) -> None:
    class Moving:  # a DIS-in source whose entities move between two calls at the same time
        def __init__(self) -> None:
            self.calls = 0

        def positions_enu(self, t: np.ndarray) -> np.ndarray:
            self.calls += 1
            return np.full((len(t), 3), float(self.calls))

    import dataclasses

    base = MemoThreatSet.of(build_threats(scenario, scenario_origin(scenario)))
    n = len(base)
    moving = dataclasses.replace(base, external_rows=np.array([0], np.intp), external=Moving())
    first = moving.state(10.0)[0][0].copy()
    second = moving.state(10.0)[0][0]
    assert not np.array_equal(first, second) and not moving.memo and len(moving) == n


def test_per_scenario_builds_once_per_object_and_forgets_it() -> None:
    calls: list[int] = []
    a, b = iadsim.default_scenario(), iadsim.default_scenario()
    assert per_scenario(a, "x", lambda: calls.append(1) or len(calls)) == 1
    assert per_scenario(a, "x", lambda: calls.append(1) or len(calls)) == 1
    assert per_scenario(b, "x", lambda: calls.append(1) or len(calls)) == 2
    one, two = scenario_threats(a, scenario_origin(a)), scenario_threats(a, scenario_origin(a))
    # built once (the same trajectories); the default's jets may evade, so each run gets its
    # own evasion state (world/cache.py: who broke when is drawn per run)
    assert one.waypoint_paths is two.waypoint_paths and one.ballistic is two.ballistic
    assert one.evasion is not None and one.evasion is not two.evasion
    key = id(a)
    del a
    gc.collect()
    assert key not in cache._ENTRIES


def test_evasive_memo_state_is_the_fresh_computation_bit_for_bit(
        scenario: iadsim.Scenario) -> None:
    """The default's jets may break: before and after they do, the remembered planned paths with
    the broken rows recomputed give ``ThreatSet.state`` exactly, and a second run's set (a fresh
    evasion state) is back on the planned paths."""
    from iadsim.world.cache import EvasiveMemoThreatSet
    from iadsim.world.threats import ThreatSet

    origin = scenario_origin(scenario)
    run1 = scenario_threats(scenario, origin)
    assert isinstance(run1, EvasiveMemoThreatSet) and run1.evasion is not None
    idx = np.arange(run1.evasion.rows.size)
    broke = False
    for t in np.arange(0.0, 700.0, 11.0):
        pos, vel = run1.state(float(t))
        ref_pos, ref_vel = ThreatSet.state(run1, float(t))
        assert np.array_equal(pos, ref_pos) and np.array_equal(vel, ref_vel), t
        if not broke and t >= 300.0 and run1.in_air(float(t))[run1.evasion.rows].all():
            run1.evasion.start_s[idx] = t  # every jet breaks now, as Evasion.draw would set it
            run1.start_evasion(idx, float(t))
            broke = True
    assert broke
    moved = run1.state(650.0)[0][run1.evasion.rows]
    run2 = scenario_threats(scenario, origin)
    assert run2.planned is run1.planned and not np.isfinite(run2.evasion.start_s).any()
    planned = run2.state(650.0)[0][run2.evasion.rows]
    assert np.array_equal(planned, build_threats(scenario, origin).state(650.0)[0][
        run2.evasion.rows])
    assert not np.array_equal(moved, planned)  # the first run's breaks did not leak
