"""tests/terrain: ``iadsim.terrain.coverage``: the low-altitude map against the horizon rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from iadsim.scenario.load import DEFAULT_SCENARIO, scenario_from_dict
from iadsim.terrain.coverage import LOW_HEIGHTS_M, low_altitude_map, write_terrain_coverage
from iadsim.terrain.masking import EFFECTIVE_RADIUS_M
from iadsim.world.frames import great_circle_distance_m


def _smooth_sea_scenario() -> object:
    data = yaml.safe_load(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    data["terrain"] = {"multipath": False, "clutter": False}
    return scenario_from_dict(data)


def test_smooth_earth_low_altitude_map_follows_the_horizon_closed_form() -> None:
    # No DEM, no multipath, no clutter, a huge target: only the 4/3-earth horizon limits, so
    # the lowest height at ground range d is the first height tried above
    # (d - sqrt(2 ka h0))^2 / (2 ka) (zero inside the antenna's own horizon).
    scenario = _smooth_sea_scenario()
    m = low_altitude_map(scenario, rcs_m2=1e5, pd=0.5, cells=40)
    spec = scenario.sensors[0]
    h0 = spec.position.alt_m + spec.mast_height_m
    lat, lon = np.meshgrid(m.lat_deg, m.lon_deg, indexing="ij")
    d = great_circle_distance_m(spec.position.lat_deg, spec.position.lon_deg, lat, lon)
    beyond = np.maximum(d - np.sqrt(2 * EFFECTIVE_RADIUS_M * h0), 0.0)
    h_min = beyond**2 / (2 * EFFECTIVE_RADIUS_M)
    tried = np.array(LOW_HEIGHTS_M)
    first = np.searchsorted(tried, h_min, side="left")
    expected = np.where(first < tried.size, tried[np.minimum(first, tried.size - 1)], np.inf)
    # cells whose horizon height sits within 1 % of a tried height may round either way
    edge = np.any(np.abs(h_min[..., None] - tried) < 0.01 * tried, axis=-1)
    got = m.lowest_m[0]
    assert np.mean(got[~edge] == expected[~edge]) == 1.0
    assert np.isfinite(got).mean() > 0.5 and np.all(m.lowest_m[-1] <= got)


def test_coverage_files_are_written(tmp_path: Path) -> None:
    files = write_terrain_coverage(_smooth_sea_scenario(), tmp_path, rcs_m2=1.0)
    assert [f.name for f in files][:2] == ["terrain_coverage.json",
                                           "low_altitude_surveillance_radar.png"]
    assert all(f.stat().st_size > 0 for f in files)
