"""The ``network`` section: names that must exist, one owner each, no cycles, times in the run."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from iadsim.errors import ScenarioError
from iadsim.scenario.load import EXAMPLES_DIR, load_scenario, scenario_from_dict


def _with_network(default_data: dict[str, Any], **network: Any) -> dict[str, Any]:
    d = copy.deepcopy(default_data)
    sensors = [s["name"] for s in d["sensors"]]
    launchers = [x["name"] for x in d["launchers"]]
    d["network"] = {
        "units": [{"name": "u1", "sensors": sensors[:1], "launchers": launchers[:3],
                   "superior": "sector"},
                  {"name": "u2", "sensors": sensors[1:], "launchers": launchers[3:],
                   "superior": "sector"}],
        "commands": [{"name": "sector", "superior": "brigade"}, {"name": "brigade"}],
        "links": [{"source": "u1", "destination": "sector"},
                  {"source": "sector", "destination": "brigade"}],
    }
    d["network"].update(network)
    return d


def test_valid_network_and_bundled_example_load(default_data: dict[str, Any]) -> None:
    s = scenario_from_dict(_with_network(default_data))
    assert [u.name for u in s.network.units] == ["u1", "u2"]
    net = load_scenario(EXAMPLES_DIR / "network.yaml")
    assert sum(g.count for g in net.threats) == 150
    fire = [u for u in net.network.units if u.launchers]
    assert len(fire) >= 3 and len(net.network.units) - len(fire) >= 2


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, source="n.yaml")
    return str(info.value)


def test_unknown_radar_and_launcher(default_data: dict[str, Any]) -> None:
    d = _with_network(default_data)
    d["network"]["units"][0]["sensors"] = ["no-such-radar"]
    d["network"]["units"][1]["launchers"].append("no-such-launcher")
    msg = _error(d)
    assert "network.units[0].sensors[0] must name a sensor" in msg and "no-such-radar" in msg
    assert "network.units[1].launchers[3] must name a launcher" in msg


def test_radar_owned_twice_or_by_nobody(default_data: dict[str, Any]) -> None:
    d = _with_network(default_data)
    d["network"]["units"][1]["sensors"].append(d["network"]["units"][0]["sensors"][0])
    assert "network.units[1].sensors[1] 'surveillance-radar' already belongs to unit 'u1'" \
        in _error(d)
    d = _with_network(default_data)
    d["network"]["units"][1]["launchers"] = d["network"]["units"][1]["launchers"][:-1]
    assert "launchers[5] 'very-long-1' must belong to one of network.units" in _error(d)


def test_link_between_unknown_units(default_data: dict[str, Any]) -> None:
    d = _with_network(default_data, links=[{"source": "ghost", "destination": "sector"},
                                           {"source": "u2", "destination": "brigade"}])
    msg = _error(d)
    assert "network.links[0].source must name a unit or command (got 'ghost')" in msg
    assert "network.links[1].destination must be the superior of 'u2' ('sector')" in msg


def test_cycle_in_the_command_hierarchy(default_data: dict[str, Any]) -> None:
    d = _with_network(default_data, commands=[{"name": "sector", "superior": "brigade"},
                                              {"name": "brigade", "superior": "sector"}])
    msg = _error(d)
    assert "network.commands[0].superior makes a cycle" in msg
    assert "sector -> brigade -> sector" in msg
    d = _with_network(default_data)
    d["network"]["units"][0]["superior"] = "nowhere"
    assert "network.units[0].superior must name one of network.commands (got 'nowhere')" \
        in _error(d)


def test_relocation_outside_the_run(default_data: dict[str, Any]) -> None:
    d = _with_network(default_data)
    d["network"]["units"][0]["relocations"] = [
        {"time_s": 5000, "destination": {"lat_deg": 44.5, "lon_deg": 8.8}}]
    assert ("network.units[0].relocations[0].time_s must be < simulation.duration_s (900.0) "
            "(got 5000.0)") in _error(d)


def test_single_field_rules_name_the_field(default_data: dict[str, Any]) -> None:
    d = _with_network(default_data)
    d["network"]["links"][0]["capacity_reports_per_s"] = -3
    assert "network.links[0].capacity_reports_per_s must be > 0" in _error(d)
    d = _with_network(default_data)
    d["network"]["units"][0]["shoot_and_scoot"] = {"hides": [{"lat_deg": 44.0, "lon_deg": 9.0}]}
    assert "network.units[0].shoot_and_scoot" in _error(d)
