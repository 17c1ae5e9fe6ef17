"""Engagement measures of one run, on hand-made tables."""

from __future__ import annotations

import pandas as pd
import pytest

from iadsim.outcomes.engagement_measures import engagement_measures


def tables():
    threats = pd.DataFrame(
        {
            "threat_id": [0, 1, 2, 3],
            "type": ["aircraft", "uav", "uav", "cruise_missile"],
            "fate": ["killed", "killed", "leaked", "killed"],
            "killer_class": ["long", "short", None, "short"],
        }
    )
    eng = pd.DataFrame(
        {
            "interceptor_id": [0, 1, 2, 3, 4],
            "launcher": ["L1", "S1", "S1", "S1", "L1"],
            "interceptor_class": ["long", "short", "short", "short", "long"],
            "track_id": [10, 11, 11, 13, 12],
            "target_threat_id": [0, 1, 1, 3, 2],
            "launch_time_s": [5.0, 3.0, 8.0, 9.0, 20.0],
            "intercept_time_s": [30.0, 10.0, 15.0, 20.0, 40.0],
            "outcome": ["kill", "miss", "kill", "kill", "miss"],
        }
    )
    return threats, eng


def test_measures_by_hand():
    threats, eng = tables()
    m = engagement_measures(
        threats,
        eng,
        class_names=("short", "long"),
        class_cost={"short": 1.0, "long": 3.0},
        threat_cost={"aircraft": 20.0, "uav": 0.5, "cruise_missile": 2.0},
    )
    assert m["rounds_per_kill"] == pytest.approx(5 / 3)
    assert m["rounds_per_kill_by_class"] == {"short": 1.5, "long": 2.0}
    assert m["kills_by_class"] == {"short": 2, "long": 1}
    assert m["threat_cost_killed"] == pytest.approx(22.5)
    assert m["threat_cost_total"] == pytest.approx(23.0)
    assert m["cost_exchange_ratio"] == pytest.approx(22.5 / 9.0)
    assert m["raid_annihilated"] is False and m["no_leakers"] is False
    assert m["raid_annihilation"] == 0.0
    all_killed = threats.assign(fate="killed", killer_class="short")
    m2 = engagement_measures(
        all_killed,
        eng,
        class_names=("short", "long"),
        class_cost={"short": 1.0, "long": 3.0},
        threat_cost={},
    )
    assert m2["raid_annihilated"] is True and m2["raid_annihilation"] == 1.0
    assert m2["no_leakers"] is True
    tl = m["engagement_timeline"]
    assert list(tl) == ["L1", "S1"]
    assert [e["launch_time_s"] for e in tl["S1"]] == [3.0, 8.0, 9.0]
    assert tl["L1"][1] == {
        "interceptor_id": 4,
        "launch_time_s": 20.0,
        "intercept_time_s": 40.0,
        "track_id": 12,
        "threat_id": 2,
        "outcome": "miss",
    }


def test_empty_run():
    threats, eng = tables()
    m = engagement_measures(
        threats.iloc[:0],
        eng.iloc[:0],
        class_names=("short",),
        class_cost={"short": 1.0},
        threat_cost={},
    )
    assert m["rounds_per_kill"] is None and m["cost_exchange_ratio"] is None
    assert m["raid_annihilated"] is False and m["no_leakers"] is True
    assert m["engagement_timeline"] == {}


def test_default_run_summary_has_the_measures(default_result):
    s = default_result.summary
    for key in (
        "rounds_per_kill",
        "cost_exchange_ratio",
        "raid_annihilated",
        "engagement_timeline",
        "rounds_per_kill_by_class",
    ):
        assert key in s
    n = sum(len(v) for v in s["engagement_timeline"].values())
    assert n == sum(s["rounds_spent"].values())
