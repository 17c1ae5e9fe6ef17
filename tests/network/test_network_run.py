"""The networked defence in a run: one unit per threat, relocation, link failure, and the
one-unit network that is today's battalion."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
from network_fakes import two_unit_data

from iadsim.scenario.load import scenario_from_dict
from iadsim.simulation import run


def test_two_units_one_threat_exactly_one_engages(default_data: dict[str, Any]) -> None:
    res = run(scenario_from_dict(two_unit_data(default_data)), seed=1, keep_trajectories=False)
    eng = res.engagements
    assert len(eng) >= 1
    assert eng["launcher"].nunique() == 1  # the other unit holds fire
    units = res.summary["network"]["units"]
    rounds = sorted(u["rounds"] for u in units.values())
    assert rounds[0] == 0 and rounds[1] == len(eng)
    links = res.summary["network"]["links"]
    assert all(v["delivered"] > 0 and abs(v["mean_latency_s"] - 0.2) < 1e-9
               for v in links.values())


def test_relocating_unit_neither_detects_nor_launches_and_failed_link_goes_autonomous(
        default_data: dict[str, Any]) -> None:
    d = two_unit_data(default_data)
    a = d["network"]["units"][0]
    a.update(teardown_s=30, setup_s=40, road_speed_mps=10, relocations=[
        {"time_s": 20, "destination": {"lat_deg": 44.475, "lon_deg": 8.80}}])
    d["network"]["links"][1]["fail_time_s"] = 50
    res = run(scenario_from_dict(d), seed=2, keep_trajectories=False)
    net = res.summary["network"]
    move = net["units"]["a"]["moves"][0]
    start, back = move["start_s"], move["operational_s"]
    assert start == 20 and back > 20 + 30 + 40
    ev = res.events
    scans_a = ev[(ev["kind"] == "scan") & (ev["sensor"] == "mfr-a")]["time_s"]
    assert (scans_a <= start).any() and (scans_a >= back).any()
    assert not ((scans_a > start) & (scans_a < back)).any()
    launches = ev[(ev["kind"] == "launch") & (ev["launcher"] == "long-a")]["time_s"]
    assert not ((launches > start) & (launches < back)).any()
    # the failure at 50 s: unit b fights autonomously from then on, unit a stays linked
    assert net["units"]["b"]["autonomous_from_s"] == 50.0
    assert net["units"]["a"]["autonomous_from_s"] is None
    assert net["links"]["b->hq"]["failed_at_s"] == 50.0


def test_one_unit_without_links_is_todays_battalion(default_data: dict[str, Any]) -> None:
    d = copy.deepcopy(default_data)
    d["simulation"]["duration_s"] = 240.0
    plain = run(scenario_from_dict(d), seed=1, keep_trajectories=False)
    d["network"] = {"units": [{"name": "battalion",
                               "sensors": [s["name"] for s in d["sensors"]],
                               "launchers": [x["name"] for x in d["launchers"]]}]}
    one = run(scenario_from_dict(d), seed=1, keep_trajectories=False)
    pd.testing.assert_frame_equal(plain.threats, one.threats)
    pd.testing.assert_frame_equal(plain.engagements, one.engagements)
    pd.testing.assert_frame_equal(plain.events, one.events)
    assert "network" not in one.summary
    assert np.isfinite(plain.summary["wall_time_s"])


def test_no_second_unit_while_the_first_ones_round_flies(default_data: dict[str, Any]) -> None:
    # both units may fire on either's track; the one that fires first scoots at once (its
    # radar stops, its track of the threat goes): the other must not fire while that round
    # flies or its assessment is pending (review of issue 17). The cause was the system track
    # number: seed 1, b fires at 125 s and tears down, its track (the only one of the threat)
    # is deleted at 131 s, a's radar picks the threat up at 151 s under a new number, and the
    # engagement record (b's round -> the old number) no longer matched: a fired at 155 s
    d = two_unit_data(default_data)
    d["network"]["engage_on_remote"] = True
    for u in d["network"]["units"]:
        u.update(teardown_s=60, setup_s=60, shoot_and_scoot={
            "after_launches": 1, "hides": [{"lat_deg": 44.50, "lon_deg": 8.93}]})
    res = run(scenario_from_dict(d), seed=1, keep_trajectories=False)
    eng = res.engagements.sort_values("launch_time_s")
    assert len(eng) >= 1
    unit = eng["launcher"].str[-1].to_numpy()
    for i in range(len(eng)):
        later = (eng["launch_time_s"].to_numpy() < eng["intercept_time_s"].iloc[i]) & (
            np.arange(len(eng)) > i)
        assert not (later & (unit != unit[i])).any(), eng[["launcher", "launch_time_s",
                                                            "intercept_time_s"]]
    # the other unit is not kept from the threat for good: it fires after the first round
    # missed and was assessed (shoot-look-shoot across units)
    assert set(unit) == {"a", "b"} or res.summary["kills"] == 1
