"""Tests of iadsim.command.reserves: the ballistic reserve's release rules fire exactly when
they say, once, with an event."""

from __future__ import annotations

import numpy as np

from iadsim.command.reserves import ReserveState, reserve_allows
from iadsim.scenario.command_spec import CommandSpec, ReserveReleaseSpec

CLASSES = ("short", "long")


def _call(spec, state, time_s, ballistic_in_view=False, time_to_asset_s=300.0):
    # one long launcher class holding 4 rounds, reserve 4: a cruise missile (row 0) and a
    # ballistic missile (row 1), each offered a one-round salvo of the long class
    reserve = np.array([0, 4])
    held = np.array([8.0, 4.0])
    pairs = (np.array([0, 1]), np.array([1, 1]), np.array([1, 1]))
    threat = (np.array([False, True]), np.array([time_to_asset_s, 500.0]),
              np.array([100.0, 60.0]), np.array([7, 8]))
    return reserve_allows(spec, state, time_s, reserve, held, CLASSES, pairs, threat,
                          ballistic_in_view)


def test_reserve_holds_without_release_rules():
    state = ReserveState()
    ok = _call(CommandSpec(), state, 1000.0)
    assert ok.tolist() == [False, True]  # the ballistic missile may take the reserve
    assert state.events == []


def test_no_threat_expected_releases_after_the_time_and_only_with_none_in_view():
    spec = CommandSpec(reserve_release=ReserveReleaseSpec(no_threat_expected_after_s=600.0))
    state = ReserveState()
    assert _call(spec, state, 599.0).tolist() == [False, True]  # too early
    assert _call(spec, state, 700.0, ballistic_in_view=True).tolist() == [False, True]
    assert state.events == []
    assert _call(spec, state, 700.0).tolist() == [True, True]  # released now ...
    assert len(state.events) == 1
    e = state.events[0]
    assert e["time_s"] == 700.0 and e["interceptor_class"] == "long" and e["count"] == 4
    assert _call(spec, state, 710.0, ballistic_in_view=True).tolist() == [True, True]
    assert len(state.events) == 1  # ... for good, logged once


def test_imminent_hit_on_a_valuable_asset_releases_for_that_threat_only():
    spec = CommandSpec(reserve_release=ReserveReleaseSpec(asset_value_at_least=100.0,
                                                          imminent_s=60.0))
    state = ReserveState()
    assert _call(spec, state, 100.0, time_to_asset_s=61.0).tolist() == [False, True]
    assert state.events == []
    assert _call(spec, state, 102.0, time_to_asset_s=59.0).tolist() == [True, True]
    assert [e["track_id"] for e in state.events] == [7]
    _call(spec, state, 104.0, time_to_asset_s=57.0)
    assert len(state.events) == 1  # one event per class and track
    # an asset below the threshold is not worth the reserve
    low = CommandSpec(reserve_release=ReserveReleaseSpec(asset_value_at_least=150.0))
    assert _call(low, ReserveState(), 102.0, time_to_asset_s=10.0).tolist() == [False, True]
