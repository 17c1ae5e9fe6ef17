"""Tracker settings: bounds that keep every valid tracker setting affordable in clutter."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from iadsim.errors import ScenarioError
from iadsim.scenario.load import scenario_from_dict
from iadsim.scenario.tracking_spec import MAX_POSITION_SIGMA_M, TrackingSpec


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # tracks that never die gate every detection of the scene: each scan costs
        # tracks x detections and memory grows without end in clutter
        ("max_position_sigma_m", 1e12, r"tracking\.max_position_sigma_m must be <= 100000"),
        ("max_coast_s", 1e9, r"tracking\.max_coast_s must be <= 3600"),
        ("merge_distance_m", float("1e12"), r"tracking\.merge_distance_m must be <= 100000"),
        ("default_revisit_s", 1e6, r"tracking\.default_revisit_s must be <= 600"),
        ("quality_memory_scans", 1e12, r"tracking\.quality_memory_scans must be <= 1000"),
    ],
)
def test_unbounded_track_lifetimes_are_refused(
    scenario_data: dict[str, Any], field: str, value: float, message: str
) -> None:
    d = copy.deepcopy(scenario_data)
    d["tracking"] = {field: value}
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(d)


def test_the_bounds_themselves_are_valid() -> None:
    spec = TrackingSpec(max_position_sigma_m=MAX_POSITION_SIGMA_M, max_coast_s=3_600.0,
                        merge_distance_m=MAX_POSITION_SIGMA_M, default_revisit_s=600.0,
                        quality_memory_scans=1_000.0)
    assert spec.max_position_sigma_m == 100_000.0
