"""Radar cost bounds at validation: resolution cells, expected false alarms, scan and revisit.

Each case is a minimal change to the default scenario that used to exhaust memory or run for
minutes; it is now refused with the field path, the computed figure and the limit, or runs.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from iadsim.errors import ScenarioError
from iadsim.scenario.load import scenario_from_dict
from iadsim.scenario.sensor_spec import MAX_FALSE_ALARMS_PER_SCAN, MAX_RESOLUTION_CELLS
from iadsim.simulation import run
from iadsim.world.frames import scenario_origin
from iadsim.world.threats import build_threats


def _with(data: dict[str, Any], k: int, **change: Any) -> dict[str, Any]:
    d = copy.deepcopy(data)
    d["sensors"][k].update(change)
    return d


def test_a_tiny_beamwidth_is_refused_with_its_cell_count(scenario_data: dict[str, Any]) -> None:
    # Regression: numpy asked for 4.2 EiB of false alarms.
    d = _with(scenario_data, 0, azimuth_beamwidth_deg=1e-9)
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(d, "s.yaml")
    (line,) = [x for x in str(err.value).splitlines() if "resolution cells" in x]
    assert line.startswith("s.yaml: sensors[0].azimuth_beamwidth_deg gives ")
    # the default surveillance radar: 400 km / 150 m gates, 42 deg / 2 deg elevation beams
    expected = (400e3 / 150.0) * (360.0 / 1e-9) * (42.0 / 2.0)
    got = float(re.search(r"gives ([0-9.e+]+) resolution cells", line).group(1))  # type: ignore[union-attr]
    assert got == pytest.approx(expected, rel=1e-2)
    assert f"over the limit of {MAX_RESOLUTION_CELLS:.0e}" in line and "(got 1e-09)" in line


@pytest.mark.parametrize(
    ("k", "change", "field"),
    [
        (1, {"range_resolution_m": 1e-6}, "range_resolution_m"),
        (1, {"bandwidth_hz": 1e11, "azimuth_beamwidth_deg": 0.001}, "bandwidth_hz"),
        (0, {"elevation_beamwidth_deg": 1e-9}, "elevation_beamwidth_deg"),
    ],
)
def test_too_fine_resolutions_name_the_finest_field(
    scenario_data: dict[str, Any], k: int, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(ScenarioError, match=rf"sensors\[{k}\]\.{field} gives .* resolution cells"):
        scenario_from_dict(_with(scenario_data, k, **change))


def test_expected_false_alarms_per_scan_are_bounded(scenario_data: dict[str, Any]) -> None:
    # The multifunction radar: 300 km / 75 m gates x 240 beams x 81 / 1.5 elevation beams.
    cells = (300e3 / 75.0) * 240.0 * (81.0 / 1.5)
    pfa = 2.0 * MAX_FALSE_ALARMS_PER_SCAN / cells
    with pytest.raises(ScenarioError, match=r"sensors\[1\]\.pfa gives 2e\+05 expected false "
                       r"alarms per scan .* over the limit of 100000"):
        scenario_from_dict(_with(scenario_data, 1, pfa=pfa))
    scenario_from_dict(_with(scenario_data, 1, pfa=0.5 * MAX_FALSE_ALARMS_PER_SCAN / cells))
    # the override is what counts when it is given (and has its own bound)
    scenario_from_dict(_with(scenario_data, 1, pfa=pfa, false_alarms_per_scan=10.0))
    with pytest.raises(ScenarioError, match=r"sensors\[1\]\.false_alarms_per_scan must be <="):
        scenario_from_dict(_with(scenario_data, 1, false_alarms_per_scan=2e5))


@pytest.mark.parametrize(
    ("k", "change", "message"),
    [
        (0, {"scan_period_s": 0.001}, r"sensors\[0\]\.scan_period_s must be >= 0\.1"),
        (1, {"scan_period_s": 1e-6}, r"sensors\[1\]\.scan_period_s must be >= 0\.1"),
        (1, {"revisit_low_s": 1e-6}, r"sensors\[1\]\.revisit_low_s must be >= 0\.01"),
        (1, {"revisit_high_s": 0.001}, r"sensors\[1\]\.revisit_high_s must be >= 0\.01"),
        (1, {"bandwidth_hz": 1e-6}, r"sensors\[1\]\.bandwidth_hz must be >= 1500"),
    ],
)
def test_scans_and_revisits_faster_than_a_radar_are_refused(
    scenario_data: dict[str, Any], k: int, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(_with(scenario_data, k, **change))


def test_a_fine_radar_just_inside_the_limits_runs(scenario_data: dict[str, Any]) -> None:
    # 4e4 gates x 3.6e4 beams x 420 elevation beams = 6e11 cells: nothing is allocated per
    # cell, so a short run is as fast as the default's.
    d = _with(scenario_data, 0, range_resolution_m=10.0, azimuth_beamwidth_deg=0.01,
              elevation_beamwidth_deg=0.1, false_alarms_per_scan=20.0, scan_period_s=0.5,
              timestamp_sector_deg=45.0)
    d["simulation"]["duration_s"] = 20.0
    sc = scenario_from_dict(d)
    result = run(sc, keep_trajectories=False)
    # every object in the world: the groups' members plus what the raid adds (boosters, weapons)
    assert result.summary["threat_count"] == len(build_threats(sc, scenario_origin(sc)))
    assert result.summary["leakers"] == 0  # nothing arrives in 20 s


@pytest.mark.parametrize(
    ("k", "change", "message"),
    [
        (0, {"scan_period_s": None}, r"s\.yaml: sensors\[0\]\.scan_period_s is required for a "
         r"surveillance radar"),
        (1, {"scan_period_s": 2.0}, r"sensors\[1\]\.search_pulses_per_beam must be left out "
         r"when scan_period_s is given .*got 1 and 2\.0"),
        (1, {"search_pulses_per_beam": None}, r"sensors\[1\]\.search_pulses_per_beam or "
         r"scan_period_s is required for a multifunction radar"),
        (1, {"prf_hz": None}, r"sensors\[1\]\.search_pulses_per_beam needs prf_hz \(.*got 1\)"),
        (0, {"search_pulses_per_beam": 4}, r"sensors\[0\]\.search_pulses_per_beam applies to a "
         r"multifunction radar only"),
        (1, {"search_pulses_per_beam": 0}, r"sensors\[1\]\.search_pulses_per_beam must be >= 1"),
        (1, {"uplink_dwell_s": -1.0}, r"sensors\[1\]\.uplink_dwell_s must be >= 0"),
    ],
)
def test_search_frame_or_pulses_is_validated(
    scenario_data: dict[str, Any], k: int, change: dict[str, Any], message: str
) -> None:
    d = _with(scenario_data, k, **change)
    for key, value in change.items():
        if value is None:
            d["sensors"][k].pop(key, None)
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(d, "s.yaml")


def test_multifunction_frame_time_alone_is_still_valid(scenario_data: dict[str, Any]) -> None:
    # 12,960 beams x 2 pulses x 2 x 100 km / c = 17.29 s: met within 1 %
    d = _with(scenario_data, 1, scan_period_s=17.3)
    d["sensors"][1].pop("search_pulses_per_beam")
    scenario_from_dict(d, "s.yaml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # 12,960 beams x 1 pulse x 0.667 ms = 8.65 s > 2 s asked: say what frame results
        ({"scan_period_s": 2.0, "search_pulses_per_beam": None},
         r"s\.yaml: sensors\[1\]\.scan_period_s cannot be met: .* frame of 8\.646 s .*got 2\.0"),
        # 12,960 x 100 x 2 x 300 km / c = 2,594 s > 600 s
        ({"search_pulses_per_beam": 100, "search_range_m": None},
         r"sensors\[1\]\.search_pulses_per_beam gives a search frame of 2594 s .* over the "
         r"limit of 600 s \(got 100\)"),
    ],
)
def test_a_search_frame_the_radar_cannot_keep_is_refused(
    scenario_data: dict[str, Any], change: dict[str, Any], message: str
) -> None:
    d = _with(scenario_data, 1, **{k: v for k, v in change.items() if v is not None})
    for key in [k for k, v in change.items() if v is None]:
        d["sensors"][1].pop(key, None)
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict(d, "s.yaml")
