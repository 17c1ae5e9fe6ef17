"""Scenario validation: every problem names the file, field path, value and rule."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from iadsim.cli import app
from iadsim.errors import ScenarioError
from iadsim.scenario.load import DEFAULT_SCENARIO, load_scenario, scenario_from_dict


def problems(data: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(data, "raid.yaml")
    text = str(info.value)
    assert all(line.startswith("raid.yaml: ") for line in info.value.problems)
    return text


def test_default_scenario_is_valid() -> None:
    sc = load_scenario(DEFAULT_SCENARIO)
    assert set(sc.interceptors) == {"short", "long", "very_long"}
    assert 20 <= sum(g.count for g in sc.threats) <= 30
    assert {g.type for g in sc.threats} == {
        "aircraft", "recon_aircraft", "cruise_missile", "uav", "ballistic_missile"}
    assert sc.simulation.duration_s == 900


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda d: d["threats"][2].update(speed_mps=-5.0),
         r"threats\[2\]\.speed_mps must be > 0\.0 \(got -5\.0\)"),
        (lambda d: d["sensors"][1].update(max_range_m=-5000.0),
         r"sensors\[1\]\.max_range_m must be > 0\.0 \(got -5000\.0\)"),
        (lambda d: d["sensors"][0].update(rnage_sigma_m=3),
         r"sensors\[0\]\.rnage_sigma_m is not a known field"),
        (lambda d: d["interceptors"]["long"]["pk"].update(uav=1.3),
         r"interceptors\.long\.pk\.uav must be <= 1\.0 \(got 1\.3\)"),
        (lambda d: d["threats"][0].update(type="bomber"),
         r"threats\[0\]\.type must be one of .*\(got 'bomber'\)"),
        (lambda d: d["simulation"].pop("duration_s"), r"simulation\.duration_s is required"),
        (lambda d: d["threats"][5].pop("apogee_m"),
         r"threats\[5\] a ballistic_missile group needs exactly one of apogee_m or flight_time_s"),
    ],
)
def test_field_errors_name_path_value_and_rule(scenario_data: dict[str, Any], edit: Any,
                                               pattern: str) -> None:
    edit(scenario_data)
    assert re.search(pattern, problems(scenario_data))


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda d: d["launchers"][0].update(interceptor="medium"),
         r"launchers\[0\]\.interceptor names an unknown interceptor class \(got 'medium'"),
        (lambda d: d["threats"][0].update(aim="harbour"),
         r"threats\[0\]\.aim names an unknown defended asset \(got 'harbour'"),
        (lambda d: d["interceptors"]["short"].update(min_range_m=50000.0),
         r"interceptors\.short\.min_range_m must be < interceptors\.short\.max_range_m "
         r"\(got 50000\.0 >= 40000"),
        (lambda d: d["sensors"][0].update(min_elevation_deg=50.0),
         r"sensors\[0\]\.min_elevation_deg must be < sensors\[0\]\.max_elevation_deg"),
        (lambda d: d["launchers"][1].update(name="short-1"),
         r"launchers\[1\]\.name must be unique \(got 'short-1', also launchers\[0\]\)"),
    ],
)
def test_cross_field_errors(scenario_data: dict[str, Any], edit: Any, pattern: str) -> None:
    edit(scenario_data)
    assert re.search(pattern, problems(scenario_data))


def test_several_problems_reported_together(scenario_data: dict[str, Any]) -> None:
    scenario_data["threats"][2]["speed_mps"] = -5.0
    scenario_data["sensors"][1]["max_range_m"] = -1.0
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(scenario_data, "raid.yaml")
    assert len(info.value.problems) == 2


def test_scenario_is_frozen() -> None:
    sc = load_scenario(DEFAULT_SCENARIO)
    with pytest.raises(Exception, match="frozen"):
        sc.simulation.duration_s = 5.0  # type: ignore[misc]


def test_cli_validate_bad_file_exit_2_without_traceback(
    tmp_path: Path, scenario_data: dict[str, Any]
) -> None:
    scenario_data["threats"][2]["speed_mps"] = -5.0
    bad = tmp_path / "raid.yaml"
    bad.write_text(yaml.safe_dump(scenario_data))
    res = CliRunner().invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    assert "threats[2].speed_mps must be > 0.0 (got -5.0)" in res.output
    assert "Traceback" not in res.output


def test_cli_validate_broken_yaml_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1,\n")
    res = CliRunner().invoke(app, ["validate", str(broken)])
    assert res.exit_code == 2 and "not valid YAML (line 2" in res.output
    res = CliRunner().invoke(app, ["validate", str(tmp_path / "none.yaml")])
    assert res.exit_code == 2 and "cannot read the scenario file" in res.output


def test_cli_example_round_trips() -> None:
    res = CliRunner().invoke(app, ["example"])
    assert res.exit_code == 0
    assert "#" in res.output  # commented
    scenario_from_dict(yaml.safe_load(res.output))


def test_a_failed_field_is_not_reported_twice(scenario_data: dict[str, Any]) -> None:
    """A bad physical radar parameter is named once, without a misleading follow-on rule."""
    radar = scenario_data["sensors"][1]  # the multifunction radar uses the physical equation
    assert "reference_range_m" not in radar
    radar.update(peak_power_w=-5.0)
    text = problems(scenario_data)
    assert re.search(r"sensors\[1\]\.peak_power_w must be > 0\.0 \(got -5\.0\)", text)
    assert "reference_range_m" not in text


def test_field_and_cross_field_problems_reported_together(scenario_data: dict[str, Any]) -> None:
    scenario_data["threats"][2]["speed_mps"] = -5.0  # a single-field rule
    scenario_data["launchers"][0]["interceptor"] = "medium"  # cross-field rules
    scenario_data["sensors"][0]["min_elevation_deg"] = 50.0
    scenario_data["sensors"][1]["max_range_m"] = -1.0  # min_range < max_range follows from it
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(scenario_data, "raid.yaml")
    text = "\n".join(info.value.problems)
    assert "threats[2].speed_mps must be > 0.0" in text
    assert "launchers[0].interceptor names an unknown interceptor class" in text
    assert "sensors[0].min_elevation_deg must be < sensors[0].max_elevation_deg" in text
    assert "sensors[1].max_range_m must be > 0.0 (got -1.0)" in text
    assert len(info.value.problems) == 4  # no follow-on line about sensors[1].min_range_m
