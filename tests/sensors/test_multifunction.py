"""The multifunction scheduler, its priority rule, and the channel limits end to end."""

from __future__ import annotations

import numpy as np

from iadsim.sensors.multifunction import (
    HIGH,
    LOW,
    MEDIUM,
    MultifunctionScheduler,
    priority_from_closing,
)


def test_priority_from_time_to_go() -> None:
    levels = priority_from_closing([10e3, 30e3, 100e3, 50e3], [300.0, 300.0, 300.0, -100.0])
    np.testing.assert_array_equal(levels, [HIGH, MEDIUM, LOW, LOW])


def test_scheduler_holds_capacity_and_drops_after_misses() -> None:
    s = MultifunctionScheduler(
        search_frame_s=2.0,
        track_capacity=3,
        track_dwell_s=0.01,
        max_track_fraction=0.5,
        revisit_s=(0.5, 1.0, 2.0),
    )
    plan = s.plan(0.0, 1.0)
    s.update(
        plan,
        1.0,
        [],
        np.array([5, 6, 7, 8]),
        np.array([LOW, HIGH, LOW, MEDIUM]),
        np.array([5, 6, 7, 8]),
    )
    np.testing.assert_array_equal(s.tracked_ids(), [6, 8, 5])  # highest priority first
    for k in range(1, 8):  # target 6 never answers its dwells
        plan = s.plan(float(k), k + 1.0)
        hits = plan.dwell_ids[plan.dwell_ids != 6]
        s.update(plan, k + 1.0, hits, [], [], [5, 6, 7, 8])
    assert 6 not in s.tracked_ids() and len(s) == 2
    plan = s.plan(8.0, 9.0)
    s.update(plan, 9.0, [], [], [], [5])  # 8 gone from the air
    np.testing.assert_array_equal(s.tracked_ids(), [5])


def test_command_respects_the_radar_channels_end_to_end(scenario_data: dict) -> None:
    """The default raid against 2 fire-control and 3 guidance channels."""
    import copy

    from iadsim.scenario.load import scenario_from_dict
    from iadsim.simulation import run

    data = copy.deepcopy(scenario_data)
    data["sensors"][1].update(fire_control_channels=2, guidance_channels=3)
    data["simulation"]["duration_s"] = 500
    result = run(scenario_from_dict(data), keep_trajectories=False)
    eng = result.engagements
    assert len(eng) > 3 and eng["target_threat_id"].nunique() > 2
    for t in eng["launch_time_s"].unique():
        flying = eng[(eng["launch_time_s"] <= t) & (eng["intercept_time_s"] > t)]
        assert len(flying) <= 3
        assert flying["target_threat_id"].nunique() <= 2
