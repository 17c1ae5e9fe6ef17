"""The run record: kill-assessment reports become events, with their correctness from truth."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from iadsim.scenario.load import scenario_from_dict
from iadsim.simulation import run


def test_every_kill_assessment_is_an_event_and_a_wrong_one_says_so(
        default_data: dict[str, Any]) -> None:
    """``kill_assessment_pc: 0``: every report is wrong; each real kill is reported ``no kill
    (wrong)`` 3 s after it, each miss on a live threat ``kill (wrong)`` (the threat let go)."""
    data = copy.deepcopy(default_data)
    data["simulation"]["duration_s"] = 500.0
    data["command"]["kill_assessment_pc"] = 0.0
    res = run(scenario_from_dict(data), seed=3, keep_trajectories=False)
    ev = res.events
    reports = ev[ev["kind"] == "kill_assessment"]
    ends = ev[ev["kind"].isin(["kill", "miss"])]
    delay_s = data["command"]["kill_assessment_s"]  # an end in the last 3 s is reported after it
    ends = ends[ends["time_s"] + delay_s <= data["simulation"]["duration_s"]]
    assert len(ends) > 3
    assert sorted(reports["interceptor_id"]) == sorted(ends["interceptor_id"])
    both = ends.merge(reports, on="interceptor_id", suffixes=("", "_report"))
    pd.testing.assert_series_equal(both["time_s_report"], both["time_s"] + delay_s,
                                   check_names=False)
    assert (both["threat_id_report"] == both["threat_id"]).all()
    assert (both["track_id_report"] == both["track_id"]).all()
    kills = both[both["kind"] == "kill"]
    assert len(kills) > 0 and (kills["detail_report"] == "no kill (wrong)").all()
    # a miss on a threat still flying is reported a kill; on one already gone, "no kill"
    misses = both[both["kind"] == "miss"]
    assert misses["detail_report"].isin(["kill (wrong)", "no kill (wrong)"]).all()
    assert (reports["detail"].str.endswith("(wrong)")).all()
