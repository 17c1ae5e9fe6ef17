"""The reload policy (launchers[].reload_at_rounds): a reload may start before the launcher is
empty, takes the launcher off line, tops it up; bad values name the field."""

from __future__ import annotations

import pytest

from iadsim.engagement.launchers import Launchers
from iadsim.errors import ScenarioError
from iadsim.scenario.load import scenario_from_dict
from iadsim.world.frames import scenario_origin


def test_reload_starts_at_the_policy_level_and_tops_up(scenario_data):
    # launchers[2] (long-1): 4 rounds, 1 reload of 300 s, 3 s between launches
    scenario_data["launchers"][2]["reload_at_rounds"] = 2
    s = scenario_from_dict(scenario_data, "s.yaml")
    lau = Launchers(s, scenario_origin(s))
    lau.fire(2, 0.0)
    assert lau.available(3.0)[2]  # 3 left: no reload yet
    lau.fire(2, 3.0)  # 2 left: the policy starts the reload now
    assert lau.reload_done_s[2] == pytest.approx(303.0)
    assert not lau.available(10.0)[2]  # off line while reloading, 2 rounds still on the rails
    assert lau.advance(303.0).tolist() == [2]
    assert lau.ready_rounds[2] == 4 and lau.available(303.0)[2]
    # the 2 rounds on the rails were kept: the reload took 2 of its 4, 2 stay in stock
    assert lau.reload_rounds_left[2] == 2 and lau.reloads_left[2] == 1


def test_early_reloads_lose_no_round(scenario_data):
    # reload at 2 of 4 with 1 reload (4 rounds in stock): 8 rounds in all must be fireable,
    # as with the default policy (reload when empty)
    for level in (0, 1, 2, 3):
        scenario_data["launchers"][2]["reload_at_rounds"] = level
        s = scenario_from_dict(scenario_data, "s.yaml")
        lau = Launchers(s, scenario_origin(s))
        t, fired = 0.0, 0
        while t < 5000.0:
            lau.advance(t)
            if lau.available(t)[2]:
                lau.fire(2, t)
                fired += 1
            t += 3.0
        assert fired == 4 * (1 + 1), level
        assert lau.ready_rounds[2] == 0 and lau.reload_rounds_left[2] == 0


def test_default_policy_reloads_only_when_empty(scenario_data):
    s = scenario_from_dict(scenario_data, "s.yaml")
    lau = Launchers(s, scenario_origin(s))
    for k in range(3):
        lau.fire(2, 3.0 * k)
    assert lau.available(9.0)[2] and lau.reload_done_s[2] == float("inf")
    lau.fire(2, 9.0)
    assert lau.reload_done_s[2] == pytest.approx(309.0)


def test_reload_level_at_or_above_the_magazine_names_the_field(scenario_data):
    scenario_data["launchers"][2]["reload_at_rounds"] = 4
    with pytest.raises(ScenarioError, match=r"launchers\[2\]\.reload_at_rounds must be < "
                       r"ready_rounds \(got 4 >= 4\)"):
        scenario_from_dict(scenario_data, "s.yaml")
