"""Tests of iadsim.montecarlo.grid: the --set grammar, overrides and grid validation."""

from __future__ import annotations

import pytest

from iadsim.errors import ScenarioError
from iadsim.montecarlo.grid import (
    apply_override,
    build_grid,
    parse_override,
    parse_overrides,
    parse_path,
)


def test_parse_path() -> None:
    assert parse_path("threats[0].count") == ["threats", 0, "count"]
    assert parse_path("command.doctrine") == ["command", "doctrine"]
    assert parse_path("interceptors.very_long.pk.uav") == ["interceptors", "very_long", "pk", "uav"]
    assert parse_path("threats[12].route[1].lat_deg") == ["threats", 12, "route", 1, "lat_deg"]
    for bad in ("threats[x].count", "threats..count", ".a", "a[0", "a b"):
        with pytest.raises(ScenarioError, match="not a field path"):
            parse_path(bad)


def test_values_are_yaml_scalars() -> None:
    ov = parse_override("threats[0].count=10, 20,40")
    assert ov.path == "threats[0].count"
    assert ov.values == (10, 20, 40)
    # YAML 1.2 floats: 1e-3 is a number, as the scenario reader reads it
    assert parse_override("a.b=0.5,1e-3,true,x y").values == (0.5, 0.001, True, "x y")
    assert parse_override("a.route=[1, 2],'q,r'").values == ([1, 2], "q,r")


@pytest.mark.parametrize(("option", "message"), [
    ("threats[0].count", "no '=' found"),
    ("threats[0].count=10,,20", "empty value"),
    ("threats[0].count=10,10", "lists a value twice"),
    ("threats[0].count=[1, 2", "not a YAML scalar"),
])
def test_bad_options(option: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        parse_override(option)


def test_same_path_twice() -> None:
    with pytest.raises(ScenarioError, match=r"threats\[0\]\.count: the same field"):
        parse_overrides(["threats[0].count=1", "threats[0].count=2"])


def test_apply_override_copies_and_creates_sections(scenario_data: dict) -> None:
    del scenario_data["command"]
    out = apply_override(scenario_data, "command.cycle_s", 4.0)
    assert out["command"] == {"cycle_s": 4.0}
    assert "command" not in scenario_data
    out = apply_override(scenario_data, "threats[2].count", 3)
    assert out["threats"][2]["count"] == 3
    assert scenario_data["threats"][2]["count"] == 8
    with pytest.raises(ScenarioError, match=r"threats\[9\] does not exist \(threats has 6"):
        apply_override(scenario_data, "threats[9].count", 3)
    with pytest.raises(ScenarioError, match="name is not a list"):
        apply_override(scenario_data, "name[0]", 3)


def test_grid_order_first_option_slowest(scenario_data: dict) -> None:
    points = build_grid(scenario_data, parse_overrides(
        ["threats[0].count=1,2,3", "command.cycle_s=2,4.5"]))
    assert [p.index for p in points] == list(range(6))
    assert [p.values["threats[0].count"] for p in points] == [1, 1, 2, 2, 3, 3]
    assert [p.values["command.cycle_s"] for p in points] == [2.0, 4.5] * 3
    assert [p.scenario.threats[0].count for p in points] == [1, 1, 2, 2, 3, 3]
    assert [p.scenario.command.cycle_s for p in points] == [2.0, 4.5] * 3
    assert all(p.seed == 20261127 for p in points)


def test_no_override_is_one_point(scenario_data: dict) -> None:
    [point] = build_grid(scenario_data, [])
    assert point.values == {}
    assert point.scenario.threats[0].count == 2


def test_bad_value_refused_naming_field(scenario_data: dict) -> None:
    with pytest.raises(ScenarioError) as info:
        build_grid(scenario_data, parse_overrides(
            ["threats[0].count=10,0,abc", "command.doctrine=shoot_look_shoot,fire_at_will"]))
    text = str(info.value)
    assert "--set threats[0].count=0: threats[0].count must be >= 1 (got 0)" in text
    assert "--set threats[0].count=abc: threats[0].count" in text
    assert "command.doctrine must be one of" in text
    assert "fire_at_will" in text
    assert len(info.value.problems) == 3


def test_unknown_field_refused(scenario_data: dict) -> None:
    with pytest.raises(ScenarioError, match=r"command\.doctrin is not a known field"):
        build_grid(scenario_data, parse_overrides(["command.doctrin=x"]))


def test_cross_field_problem_of_a_combination(scenario_data: dict) -> None:
    # each value alone is valid; together step_s > duration_s
    expected = (r"sweep point 3 \(simulation.duration_s=5, simulation.step_s=10\): "
                r"simulation\.step_s must be <=")
    with pytest.raises(ScenarioError, match=expected):
        build_grid(scenario_data, parse_overrides(
            ["simulation.duration_s=100,5", "simulation.step_s=1,10"]))
