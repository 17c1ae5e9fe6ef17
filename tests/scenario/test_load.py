"""Scenario validation: every problem names the file, field path, value and rule."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import iadsim
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
    assert res.exit_code == 2 and "none.yaml: scenario file not found" in res.output


def test_cli_validate_never_opens_a_named_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)  # no writer: opening it would block for ever
    env = {**os.environ, "PYTHONPATH": str(Path(iadsim.__file__).parents[1])}
    res = subprocess.run([sys.executable, "-m", "iadsim", "validate", str(fifo)], env=env,
                         capture_output=True, text=True, timeout=120, check=False)  # hang guard
    assert res.returncode == 2
    assert res.stderr.strip() == f"{fifo}: scenario file is not a regular file (a named pipe)"


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


# -- strict, finite numbers -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda d: d["threats"][0].update(count=True),
         r"threats\[0\]\.count must be an integer \(got True\)"),
        (lambda d: d["threats"][0].update(count="20"),
         r"threats\[0\]\.count must be an integer \(got '20'\)"),
        (lambda d: d["threats"][0].update(count=20.0),
         r"threats\[0\]\.count must be an integer \(got 20\.0\)"),
        (lambda d: d["threats"][0].update(speed_mps=False),
         r"threats\[0\]\.speed_mps must be a number \(got False\)"),
        (lambda d: d["sensors"][0].update(max_range_m="4e5"),
         r"sensors\[0\]\.max_range_m must be a number \(got '4e5'\)"),
        (lambda d: d["sensors"][0].update(swerling=True),
         r"sensors\[0\]\.swerling must be a number, not true or false \(got True\)"),
        (lambda d: d["threats"][0].update(speed_mps=float("nan")),
         r"threats\[0\]\.speed_mps must be a finite number \(got nan\)"),
        # fields with only a lower bound
        (lambda d: d["defended_assets"][0].update(radius_m=float("inf")),
         r"defended_assets\[0\]\.radius_m must be a finite number \(got inf\)"),
        (lambda d: d["sensors"][0].update(range_sigma_m=float("inf")),
         r"sensors\[0\]\.range_sigma_m must be a finite number \(got inf\)"),
        (lambda d: d.update(tracking={"clutter_density_per_m3": float("nan")}),
         r"tracking\.clutter_density_per_m3 must be a finite number \(got nan\)"),
        (lambda d: d["launchers"][0].update(reload_time_s=1e308),
         r"launchers\[0\]\.reload_time_s must be a number of magnitude <= 1e\+12 \(got 1e\+308\)"),
        (lambda d: d["command"].update(threat_cost={"uav": 1e300}),
         r"command\.threat_cost must be a number of magnitude <= 1e\+12 \(got a dict: "),
        (lambda d: d["defended_assets"][0].update(radius_m=1e300),
         r"defended_assets\[0\]\.radius_m must be <= 1000000\.0 \(got 1e\+300\)"),
        (lambda d: d["threats"][0].update(launch_time_s=1e20),
         r"threats\[0\]\.launch_time_s must be <= 86400\.0"),
        (lambda d: d["simulation"].update(seed=2**64),
         r"simulation\.seed must be <= 9223372036854775807 \(got 18446744073709551616\)"),
        (lambda d: d["defended_assets"][0].update(radius_m=10**400),
         r"defended_assets\[0\]\.radius_m must be a number \(got 1000"),
    ],
)
def test_numbers_are_strict_and_finite(scenario_data: dict[str, Any], edit: Any,
                                       pattern: str) -> None:
    edit(scenario_data)
    assert re.search(pattern, problems(scenario_data))


def test_integers_are_numbers_where_floats_are_asked(scenario_data: dict[str, Any]) -> None:
    scenario_data["sensors"][0]["max_range_m"] = 400000
    assert scenario_from_dict(scenario_data).sensors[0].max_range_m == 400000.0


def test_a_misspelt_section_is_echoed_short(scenario_data: dict[str, Any]) -> None:
    scenario_data["threatz"] = scenario_data.pop("threats")
    text = problems(scenario_data)
    assert "raid.yaml: threats is required" in text
    (line,) = [x for x in text.splitlines() if "threatz" in x]
    assert re.search(r"threatz is not a known field \(check the spelling\) "
                     r"\(got a list: \[\{", line)
    assert len(line) < 160


def test_a_long_string_is_echoed_short(scenario_data: dict[str, Any]) -> None:
    scenario_data["threats"][0]["aim"] = "x" * 100_000
    (line,) = problems(scenario_data).splitlines()
    assert "threats[0].aim names an unknown defended asset" in line and len(line) < 200


# -- cross-field rules on lists holding the wrong things ---------------------------------------

@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda d: d["launchers"][0].update(name={"a": 1}),
         r"^raid\.yaml: launchers\[0\]\.name must be a string \(got a dict: \{'a': 1\}\)$"),
        (lambda d: d["sensors"][1].update(name=["x"]),
         r"^raid\.yaml: sensors\[1\]\.name must be a string \(got a list: \['x'\]\)$"),
        (lambda d: d["defended_assets"][0].update(name={"x": 1}),
         r"^raid\.yaml: defended_assets\[0\]\.name must be a string \(got a dict: \{'x': 1\}\)$"),
        (lambda d: d["threats"][0].update(aim=["city"]),
         r"^raid\.yaml: threats\[0\]\.aim must be a string \(got a list: \['city'\]\)$"),
        (lambda d: d["launchers"].append(["not", "a", "launcher"]),
         r"^raid\.yaml: launchers\[\d+\] must be a mapping of fields \(got a list: "),
        (lambda d: d.update({5: 1}), r"^raid\.yaml: \(top level\) keys must be strings \(got 5\)$"),
    ],
)
def test_lists_holding_the_wrong_type_are_one_problem(scenario_data: dict[str, Any], edit: Any,
                                                      pattern: str) -> None:
    edit(scenario_data)
    assert re.search(pattern, problems(scenario_data))


def test_interceptor_classes_keyed_by_a_number(scenario_data: dict[str, Any]) -> None:
    scenario_data["interceptors"][1] = scenario_data["interceptors"]["long"]
    assert "interceptors[1] (a key) must be a string (got 1)" in problems(scenario_data)


# -- radar rules naming both fields -------------------------------------------------------------

def test_pfa_above_the_reference_pd_names_both_fields(scenario_data: dict[str, Any]) -> None:
    scenario_data["sensors"][0]["pfa"] = 0.6  # reference_pd left at its default, 0.5
    assert re.search(r"^raid\.yaml: sensors\[0\]\.reference_pd must be > sensors\[0\]\.pfa: .* "
                     r"\(got reference_pd=0\.5 <= pfa=0\.6\)$", problems(scenario_data))


def test_pfa_of_a_physical_radar_is_not_held_to_reference_pd(
        scenario_data: dict[str, Any]) -> None:
    assert "peak_power_w" in scenario_data["sensors"][1]
    scenario_data["sensors"][1]["pfa"] = 0.6
    scenario_data["sensors"][1]["false_alarms_per_scan"] = 10.0  # else pfa x cells is refused
    assert scenario_from_dict(scenario_data).sensors[1].pfa == 0.6


def test_range_sigma_must_be_sane_for_the_radar_range(scenario_data: dict[str, Any]) -> None:
    scenario_data["sensors"][0]["range_sigma_m"] = 30_000.0  # max_range_m 400 km
    assert re.search(r"sensors\[0\]\.range_sigma_m must be <= 1% of sensors\[0\]\.max_range_m "
                     r"\(got 30000\.0 > 4000\.0\)", problems(scenario_data))
    scenario_data["sensors"][0]["range_sigma_m"] = 4000.0
    scenario_from_dict(scenario_data)


# -- the files a pre-stop check runs through `iadsim validate` ---------------------------------

def _laughs() -> str:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * 9)}]" for k in range(1, 9)]
    return "\n".join([*lines, "tracking: *l8", ""])


BAD_FILES = {
    "latin1": (b"name: caf\xe9\n", r"not UTF-8 text \(line 1, column 10, byte offset 9: 0xe9\)"),
    "laughs": (_laughs().encode(), r"holds more than 250000 values once aliases are expanded"),
    "second_name": (DEFAULT_SCENARIO.read_bytes() + b"\nname: again\n",
                    r": name is given twice \(line \d+ and line \d+\)"),
    "brackets": (b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n",
                 r": (a(\[0\])+.*)?nested deeper than 32 levels"),  # PyYAML 6.0.4 stops first
}


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_cli_bad_files_exit_2_with_one_line(tmp_path: Path, name: str, command: str) -> None:
    content, pattern = BAD_FILES[name]
    bad = tmp_path / f"{name}.yaml"
    bad.write_bytes(content)
    args = [command, str(bad)] + (["--out", str(tmp_path / "out"), "--quiet"]
                                  if command == "run" else [])
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    (line,) = res.output.strip().splitlines()
    assert line.startswith(f"{bad}: ") and re.search(pattern, line)


def test_denormal_numbers_are_refused(scenario_data: dict[str, Any]) -> None:
    scenario_data["threats"][0]["rcs_m2"] = 5e-324
    scenario_data["sensors"][0]["min_elevation_deg"] = -1e-200
    text = problems(scenario_data)
    assert "threats[0].rcs_m2 must be 0 or a number of magnitude >= 1e-30 (got 5e-324)" in text
    assert "sensors[0].min_elevation_deg must be 0 or a number of magnitude >= 1e-30" in text


def test_a_step_too_fine_to_run_is_refused(scenario_data: dict[str, Any]) -> None:
    scenario_data["simulation"]["step_s"] = 1e-9  # 9e11 steps for 900 s
    assert "simulation.step_s must be >= 0.01 (got 1e-09)" in problems(scenario_data)


@pytest.mark.parametrize(("path", "reason"), [
    ("a\0b.csv", "embedded null byte"),
    ("~nosuchuser-iadsim/x.csv", "Could not determine home directory"),
    ("x" * 5_000 + ".csv", "File name too long"),
])
def test_unreadable_trajectory_paths_are_one_problem(scenario_data: dict[str, Any], path: str,
                                                     reason: str) -> None:
    scenario_data["threats"][0]["trajectory_file"] = path
    (line,) = problems(scenario_data).splitlines()
    assert line.startswith(f"raid.yaml: threats[0].trajectory_file cannot be read ({reason}")
    assert len(line) < 200


def test_two_threat_groups_may_not_share_a_name(scenario_data: dict[str, Any]) -> None:
    scenario_data["threats"][1]["name"] = "fighters"
    assert problems(scenario_data) == (
        "raid.yaml: threats[1].name must be unique (got 'fighters', also threats[0])")
    scenario_data["threats"][2]["speed_mps"] = -5.0  # reported with the other problems too
    assert "threats[1].name must be unique" in problems(scenario_data)


def test_a_threat_name_may_not_be_the_default_label_of_another(
        scenario_data: dict[str, Any]) -> None:
    del scenario_data["threats"][0]["name"]  # labelled aircraft-0 (its type and index)
    scenario_data["threats"][4]["name"] = "aircraft-0"
    assert problems(scenario_data) == (
        "raid.yaml: threats[4].name must be unique (got 'aircraft-0', the default label of the "
        "unnamed threats[0]: its type and index)")


def test_unnamed_groups_label_their_threats_uniquely(scenario_data: dict[str, Any]) -> None:
    from iadsim.world.frames import scenario_origin
    from iadsim.world.threats import build_threats

    for group in scenario_data["threats"][2:4]:  # two cruise-missile groups, both unnamed
        del group["name"]
    sc = scenario_from_dict(scenario_data)
    names = build_threats(sc, scenario_origin(sc)).name
    raid = sum(g.count * (g.standoff.count if g.standoff else 0) + (  # weapons, boosters
        g.count if g.type == "ballistic_missile" and g.ballistic.separation else 0)
        for g in sc.threats)
    assert len(set(names)) == len(names) == sum(g.count for g in sc.threats) + raid
    assert "cruise_missile-2-1" in names and "cruise_missile-3-1" in names
