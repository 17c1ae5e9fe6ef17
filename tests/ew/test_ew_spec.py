"""Scenario section ``ew``: bad input gives one line naming the field path, value and rule."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml

from iadsim.errors import ScenarioError
from iadsim.scenario.load import DEFAULT_SCENARIO, EXAMPLES_DIR, load_scenario, scenario_from_dict

SEAD = yaml.safe_load((EXAMPLES_DIR / "sead.yaml").read_text(encoding="utf-8"))


def _problems(edit: Any) -> str:
    d = copy.deepcopy(SEAD)
    edit(d["ew"])
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(d, "raid.yaml")
    assert all(line.startswith("raid.yaml: ") for line in info.value.problems)
    return str(info.value)


def test_the_sead_example_is_valid_and_the_default_has_a_clean_sky() -> None:
    sc = load_scenario(EXAMPLES_DIR / "sead.yaml")
    assert sc.ew.active and len(sc.ew.arm_strikes) == 2 and len(sc.ew.decoys) == 1
    assert [j.kind for j in sc.ew.jammers] == ["stand_off", "self_screening", "drfm"]
    assert not load_scenario(DEFAULT_SCENARIO).ew.active


@pytest.mark.parametrize(("edit", "pattern"), [
    (lambda e: e["jammers"][0].update(power_w=-5.0), r"ew\.jammers\[0\]\.power_w.*-5\.0"),
    (lambda e: e["jammers"][1].pop("carrier_group"),
     r"ew\.jammers\[1\].*self_screening jammer needs carrier_group"),
    (lambda e: e["jammers"][0].pop("orbit"), r"ew\.jammers\[0\].*stand_off jammer needs an orbit"),
    # review: a stand_off jammer with a carrier_group became a self-screening one on every
    # carrier (its orbit silently ignored), and a carried jammer's orbit was ignored
    (lambda e: e["jammers"][0].update(carrier_group="fighters"),
     r"ew\.jammers\[0\].*stand_off jammer flies its orbit and takes no carrier_group"),
    (lambda e: e["jammers"][1].update(orbit=e["jammers"][0]["orbit"]),
     r"ew\.jammers\[1\].*self_screening jammer rides its carrier_group and takes no orbit"),
    (lambda e: e["jammers"][1].update(carrier_group="bombers"),
     r"ew\.jammers\[1\]\.carrier_group names no threat group \(got 'bombers'"),
    (lambda e: e["radars"][1].update(name="radar-x"),
     r"ew\.radars\[1\]\.name names no sensor \(got 'radar-x'"),
    (lambda e: e["radars"][1].update(emission="sometimes"), r"ew\.radars\[1\]\.emission"),
    (lambda e: e["arm_strikes"][0].update(target_radar="radar-y"),
     r"ew\.arm_strikes\[0\]\.target_radar names no sensor \(got 'radar-y'"),
    (lambda e: e["arm_strikes"][0].pop("launch"), r"ew\.arm_strikes\[0\]\.launch"),
    (lambda e: e["jammers"][0].update(powr_w=3.0), r"ew\.jammers\[0\]\.powr_w"),
    (lambda e: e["decoys"][0].update(group="lures"),
     r"ew\.decoys\[0\]\.group names no threat group \(got 'lures'"),
    (lambda e: e["decoys"][0].update(p_discriminate=1.5), r"ew\.decoys\[0\]\.p_discriminate"),
    (lambda e: e["jammers"][2].update(name="soj"),  # review: reports are keyed on names
     r"ew\.jammers\[2\]\.name repeats an earlier entry \(got 'soj'"),
    (lambda e: e["arm_strikes"][1].update(name=e["arm_strikes"][0]["name"]),
     r"ew\.arm_strikes\[1\]\.name repeats an earlier entry"),
    (lambda e: e["radars"][1].update(name=e["radars"][0]["name"]),
     r"ew\.radars\[1\]\.name repeats an earlier entry"),
])
def test_bad_ew_input_names_the_field(edit: Any, pattern: str) -> None:
    assert re.search(pattern, _problems(edit)), _problems(edit)
