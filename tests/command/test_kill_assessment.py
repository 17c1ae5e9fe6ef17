"""Kill assessment: reports after the delay, right with the set probability; what the doctrine
does with a reported miss (re-engages) and a reported kill (drops the threat's tracks)."""

from __future__ import annotations

import numpy as np
import pytest
from command_fakes import centre, fire, make_tracks, resolve
from scipy.stats import binomtest

from iadsim.command.kill_assessment import KillAssessment
from iadsim.engagement.interceptors import InterceptorFlights
from iadsim.world.frames import scenario_origin
from iadsim.world.state import WorldState
from iadsim.world.threats import build_threats


@pytest.mark.parametrize("n", [0, 1, 50])
def test_reports_come_after_the_delay_and_are_exact_at_pc_one(n: int) -> None:
    ka = KillAssessment(3.0, 1.0, rng=np.random.default_rng(1))
    rng = np.random.default_rng(2)
    t_hit = rng.uniform(0.0, 10.0, n)
    destroyed = rng.random(n) < 0.5
    ka.add(np.arange(n), t_hit, destroyed)
    got_ids, got_kill = [], []
    for t in np.arange(0.0, 20.0, 1.0):
        ids, kill = ka.reports(float(t))
        assert np.all(t_hit[ids] + 3.0 <= t + 1e-9) and np.all(t_hit[ids] + 3.0 > t - 1.0)
        got_ids += ids.tolist()
        got_kill += kill.tolist()
    assert sorted(got_ids) == list(range(n))
    assert np.array_equal(np.array(got_kill, bool), destroyed[got_ids])
    assert ka.pending_track_id.size == 0


def test_reports_are_right_with_the_set_probability() -> None:
    n, pc = 20_000, 0.8
    ka = KillAssessment(0.0, pc, rng=np.random.default_rng(7))
    truth = np.random.default_rng(8).random(n) < 0.6
    ka.add(np.arange(n), np.zeros(n), truth)
    ids, kill = ka.reports(0.0)
    right = int(np.sum(kill == truth[ids]))
    assert binomtest(right, n, pc).pvalue > 1e-3
    # both kinds of error happen: missed kills and false kills
    assert np.any(truth[ids] & ~kill) and np.any(~truth[ids] & kill)


def _engaged(default_scenario, **changes):
    """A command centre that has fired one round at one aircraft track, and the world."""
    cc, launchers, _ = centre(default_scenario, reaction_time_s=0.0, kill_assessment_s=4.0,
                              **changes)
    lau0 = launchers.position_enu_m.mean(axis=0)
    cc.asset_position_enu_m = lau0[None, :] * np.array([[1, 1, 0]])
    track = make_tracks([[lau0[0] + 60_000, lau0[1], 6_000]], [[-250, 0, 0]])
    flights = InterceptorFlights()
    first = cc.cycle(0.0, track, launchers, flights)
    assert len(first) == 1
    fire(first, launchers, flights, 0.0)
    world = WorldState(build_threats(default_scenario, scenario_origin(default_scenario)))
    return cc, launchers, flights, track, world


def _moved(track, t):
    return make_tracks(track.position_enu_m + track.velocity_enu_mps * t,
                       track.velocity_enu_mps, t)


def test_a_reported_miss_is_re_engaged_after_the_assessment(default_scenario) -> None:
    cc, launchers, flights, track, world = _engaged(default_scenario)
    t_hit = flights.intercept_time_s[0]
    assert cc.cycle(2.0, _moved(track, 2.0), launchers, flights) == []  # in flight
    cc._next_cycle_s = 0.0
    t = float(np.ceil(t_hit))
    res = resolve(flights, [0], [0], [False])  # threat 0 survives: the world keeps it
    assert cc.assess_kills(res, flights, world, t).drop_track_id.size == 0
    for probe in (t, t_hit + 3.5):  # outcome not seen yet
        assert cc.cycle(probe, _moved(track, probe), launchers, flights) == []
        cc._next_cycle_s = 0.0
    t = t_hit + 4.5
    assert cc.assess_kills(resolve(flights, [], [], []), flights, world, t).drop_track_id.size == 0
    again = cc.cycle(t, _moved(track, t), launchers, flights)
    assert len(again) == 1 and again[0].track_id == 0


@pytest.mark.parametrize(("pc", "lethal", "dropped"), [(1.0, True, True), (0.0, False, True),
                                                       (0.0, True, False)])
def test_a_reported_kill_drops_the_track_and_stops_engaging(default_scenario, pc, lethal,
                                                             dropped) -> None:
    """pc = 0: a miss reported as a kill lets the live threat go; a kill reported as a miss
    keeps the track engageable."""
    cc, launchers, flights, track, world = _engaged(default_scenario, kill_assessment_pc=pc)
    t_hit = flights.intercept_time_s[0]
    res = resolve(flights, [0], [0], [lethal])
    world.destroy_threats(res.threat_id, res.time_s, res.killed)
    assert cc.assess_kills(res, flights, world, t_hit).drop_track_id.size == 0
    t = t_hit + 4.0
    due = cc.assess_kills(resolve(flights, [], [], []), flights, world, t)
    ids = due.drop_track_id
    assert ids.tolist() == ([0] if dropped else [])
    # the report itself: of interceptor 0, the delay after its intercept, what the command believes
    assert due.interceptor_id.tolist() == [0] and due.track_id.tolist() == [0]
    assert due.time_s.tolist() == pytest.approx([t_hit + cc.kill_assessment.delay_s])
    assert due.intercept_time_s.tolist() == pytest.approx([t_hit])
    assert due.kill.tolist() == [dropped]
    for probe in (t, t + 10.0):
        cc._next_cycle_s = 0.0
        orders = cc.cycle(probe, _moved(track, probe), launchers, flights)
        assert len(orders) == (0 if dropped else 1)
        if orders:
            break
