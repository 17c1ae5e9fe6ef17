"""Tests of iadsim.command.reserves: the ballistic reserve's release rules fire exactly when
they say, once, with an event."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.command.reserves import ReserveState, reserve_pairs
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
    return reserve_pairs(spec, state, time_s, reserve, held, CLASSES, pairs, threat,
                         ballistic_in_view)[0]


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


# ------------------------------------------------------------ one cycle, several launches

from command_fakes import centre, make_tracks  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from iadsim.command.reserves import keep_within_reserve  # noqa: E402
from iadsim.engagement.interceptors import InterceptorFlights  # noqa: E402


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3), st.booleans()), max_size=12),
       st.lists(st.integers(0, 12), min_size=3, max_size=3),
       st.lists(st.integers(0, 12), min_size=3, max_size=3))
def test_keep_within_reserve_never_spends_the_reserve_on_others(pairs, free, reserve):
    cls = np.array([p[0] for p in pairs], dtype=np.intp)
    salvo = np.array([p[1] for p in pairs], dtype=np.int64)
    exempt = np.array([p[2] for p in pairs], dtype=bool)
    keep = keep_within_reserve(cls, salvo, exempt, np.array(free, float), np.array(reserve))
    assert keep[exempt].all()  # a ballistic missile (or a release) may always spend
    for c in range(3):
        spent_before = 0
        for k in np.flatnonzero(cls == c).tolist():
            breach = free[c] - spent_before - salvo[k] < reserve[c]
            # kept exactly when exempt or the class keeps its reserve after this launch
            assert keep[k] == (exempt[k] or not breach)
            spent_before += salvo[k] * keep[k]
        others = salvo[(cls == c) & keep & ~exempt].sum()
        assert others <= max(free[c] - reserve[c], 0)


@pytest.mark.parametrize("long_reserve", [0, 10])
def test_a_cycle_of_several_launches_keeps_the_reserve(default_scenario, long_reserve):
    # four aircraft 50 km from the long launchers (3 x 4 rounds), the very-long class held
    # back entirely: the long rounds the cycle commits (salvos included) must leave the long
    # reserve untouched (before the fix, reserve 10 of 12 let 3 launch: each launch alone
    # saw 12 - 1 >= 10)
    from iadsim.engagement.launchers import Launchers
    from iadsim.world.frames import scenario_origin

    lau = Launchers(default_scenario, scenario_origin(default_scenario))
    site = lau.position_enu_m[np.array(lau.name) == np.array("long-1")][0]
    pos = [[site[0] + 50_000, site[1] + 4_000 * k, 8_000] for k in range(4)]
    tracks = make_tracks(pos, [[-250, 0, 0]] * 4)
    cc, launchers, classes = centre(
        default_scenario, reaction_time_s=0.0,
        ballistic_reserve={"long": long_reserve, "very_long": 6},
    )
    cc.asset_position_enu_m = site[None, :] * np.array([[1, 1, 0]])
    cc.note_confirmed(tracks.track_id, 0.0)
    orders = cc.cycle(0.0, tracks, launchers, InterceptorFlights())
    name = np.array(classes.name)[launchers.class_index]
    held = int(launchers.ready_rounds[name == "long"].sum())
    spent = sum(o.salvo_size for o in orders if name[o.launcher] == "long")
    assert spent == min(3, held - long_reserve)  # one salvo per long launcher per cycle
    assert not any(name[o.launcher] == "very_long" for o in orders)
