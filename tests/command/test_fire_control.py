"""Fire-control gate: a round only on a track a fire-control radar holds, accurate enough for the
class, with a speed its reported type can fly. The default run's ghost (a confirmed track at
1.3-3.4 km/s classed as a ballistic missile) must draw no round."""

from __future__ import annotations

import numpy as np
import pytest
from command_fakes import centre, make_tracks

from iadsim.engagement.interceptors import InterceptorFlights
from iadsim.scenario.command_spec import DEFAULT_MAX_SPEED_MPS, FireControlSpec
from iadsim.world.frames import GRAVITY_MPS2

FC = [False, True]  # the default's radars: surveillance, multifunction


def _cycle(default_scenario, tracks, time_s=0.0, **changes):
    """Orders' classes for ``tracks`` under the default's doctrine with no reserve, no hold-fire
    and the default fire-control requirements (unless changed)."""
    changes = {"ballistic_reserve": {}, "hold_fire_below_value": 0.0,
               "fire_control": FireControlSpec(), **changes}
    cc, launchers, classes = centre(default_scenario, reaction_time_s=0.0,
                                    fire_control_sensor=FC, **changes)
    lau0 = launchers.position_enu_m.mean(axis=0)
    cc.asset_position_enu_m = lau0[None, :] * np.array([[1, 1, 0]])
    orders = cc.cycle(time_s, tracks, launchers, InterceptorFlights())
    return [classes.name[int(launchers.class_index[o.launcher])] for o in orders]


def _site(default_scenario):
    _, launchers, _ = centre(default_scenario)
    return launchers.position_enu_m.mean(axis=0)


@pytest.mark.parametrize("speed_mps", [1_300.0, 2_400.0, 3_400.0])
def test_a_ghost_too_fast_for_a_ballistic_missile_draws_no_round(default_scenario, speed_mps):
    """Classed ballistic (speed >= 1 km/s) at 40 km: v^2 + 2 g h above the limit, or its
    velocity unknown to 1 km/s: never fired on. A real ballistic missile there draws a round."""
    s = _site(default_scenario)
    hit = [[0.0, 0.0]]
    pos = [[s[0] + 150_000, s[1], 40_000]]
    real = make_tracks(pos, [[-1_500.0, 0, -300]], last_hit_s=hit)
    assert _cycle(default_scenario, real) == ["very_long"]
    fast = make_tracks(pos, [[-speed_mps, 0, -300]], last_hit_s=hit)
    limit = DEFAULT_MAX_SPEED_MPS["ballistic_missile"]
    credible = speed_mps**2 + 300**2 + 2 * GRAVITY_MPS2 * 40_000 <= limit**2
    assert credible == (speed_mps < 2_000)
    assert _cycle(default_scenario, fast) == (["very_long"] if credible else [])
    jumpy = make_tracks(pos, [[-speed_mps, 0, 0]], velocity_sigma_mps=1_000.0, last_hit_s=hit)
    assert _cycle(default_scenario, jumpy) == []


def test_a_type_s_speed_limit_is_a_scenario_setting(default_scenario):
    s = _site(default_scenario)
    jet = make_tracks([[s[0] + 60_000, s[1], 8_000]], [[-700.0, 0, 0]], last_hit_s=[[0.0, 0.0]])
    assert len(_cycle(default_scenario, jet)) == 1
    fc = FireControlSpec(max_speed_mps={"aircraft": 600.0})
    assert _cycle(default_scenario, jet, fire_control=fc) == []


@pytest.mark.parametrize(("hits", "time_s", "fires"), [
    ([[0.0, -np.inf]], 0.0, False),   # only the surveillance radar has seen it
    ([[0.0, -1.0]], 0.0, True),       # the multifunction radar updated it 1 s ago
    ([[0.0, -6.0]], 0.0, False),      # ... 6 s ago: older than max_update_age_s (5 s)
])
def test_only_a_track_a_fire_control_radar_holds_draws_a_round(default_scenario, hits, time_s,
                                                               fires):
    s = _site(default_scenario)
    jet = make_tracks([[s[0] + 60_000, s[1], 8_000]], [[-250.0, 0, 0]], time_s, last_hit_s=hits)
    assert (len(_cycle(default_scenario, jet, time_s)) == 1) == fires


def test_each_class_has_its_own_accuracy_requirement(default_scenario):
    """A track 500 m accurate: the long-range class (asks 300 m) may not take it, the short one
    (asks 1,000 m) may; with no requirement the longest-reaching class fires."""
    s = _site(default_scenario)
    jet = make_tracks([[s[0] + 25_000, s[1], 3_000]], [[-250.0, 0, 0]], sigma_m=500.0,
                      last_hit_s=[[0.0, 0.0]])
    assert _cycle(default_scenario, jet, layered=True) == ["very_long"]
    fc = FireControlSpec(max_track_sigma_m={"very_long": 300.0, "long": 300.0, "short": 1_000.0})
    assert _cycle(default_scenario, jet, layered=True, fire_control=fc) == ["short"]
    assert _cycle(default_scenario, jet, layered=True, fire_control=fc,
                  assignment="greedy") == ["short"]


def test_unknown_class_in_the_requirement_names_the_field(scenario_data):
    from iadsim.errors import ScenarioError
    from iadsim.scenario.load import scenario_from_dict

    scenario_data["command"]["fire_control"] = {"max_track_sigma_m": {"medium": 100.0}}
    with pytest.raises(ScenarioError, match=r"command\.fire_control\.max_track_sigma_m\.medium"):
        scenario_from_dict(scenario_data, "s.yaml")
