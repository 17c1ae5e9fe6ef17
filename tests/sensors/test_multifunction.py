"""Fire-control channels and the scheduler's priority rule."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from iadsim.sensors.multifunction import (
    HIGH,
    LOW,
    MEDIUM,
    ChannelLimits,
    FireControlChannels,
    MultifunctionScheduler,
    channel_limits,
    priority_from_closing,
)


@dataclass
class Spec:
    kind: str
    fire_control_channels: int | None
    guidance_channels: int | None


def test_channel_limits_sum_over_multifunction_radars() -> None:
    specs = [
        Spec("surveillance", None, None),
        Spec("multifunction", 4, 8),
        Spec("multifunction", 2, 3),
    ]
    assert channel_limits(specs) == ChannelLimits(6, 11)
    assert channel_limits(specs[:1]) == ChannelLimits(None, None)
    assert channel_limits([Spec("multifunction", 4, None)]) == ChannelLimits(4, None)


def test_raid_larger_than_the_channels_never_exceeds_them() -> None:
    """A greedy shooter tries to put two rounds on each of 40 targets, with random outcomes."""
    book = FireControlChannels(ChannelLimits(fire_control_channels=5, guidance_channels=8))
    rng = np.random.default_rng(4)
    in_flight: list[int] = []
    next_id = 0
    refused = 0
    for _step in range(300):
        for target in rng.permutation(40)[:10]:
            if book.can_launch_at(int(target)):
                book.launch(next_id, int(target))
                in_flight.append(next_id)
                next_id += 1
            else:
                refused += 1
            assert len(book.engaged_targets) <= 5 and book.guided <= 8
        for ident in list(in_flight):  # some interceptors end each step
            if rng.random() < 0.3:
                book.release(ident)
                in_flight.remove(ident)
    assert book.max_engaged == 5 and book.max_guided == 8
    assert refused > 0 and next_id > 40
    with pytest.raises(RuntimeError, match="no free channel"):
        full = FireControlChannels(ChannelLimits(1, 1))
        full.launch(0, 1)
        full.launch(1, 2)


def test_second_round_at_an_engaged_target_needs_no_new_fire_control_channel() -> None:
    book = FireControlChannels(ChannelLimits(fire_control_channels=1, guidance_channels=3))
    book.launch(0, 7)
    assert book.can_launch_at(7) and not book.can_launch_at(8)
    book.launch(1, 7)
    book.release(0)
    book.release(1)
    assert book.can_launch_at(8) and book.engaged_targets == []


def test_unlimited_channels() -> None:
    book = FireControlChannels(ChannelLimits(None, None))
    for k in range(100):
        book.launch(k, k)
    assert book.guided == 100


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
    """The default raid (61 threats) against 2 fire-control and 3 guidance channels."""
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
