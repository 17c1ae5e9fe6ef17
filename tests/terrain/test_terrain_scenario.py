"""tests/terrain: the scenario's ``terrain`` section: bad input, identity, the example."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from iadsim.errors import ScenarioError
from iadsim.scenario.load import DEFAULT_SCENARIO, EXAMPLES_DIR, load_scenario, scenario_from_dict
from iadsim.simulation import run


def _default(**terrain: Any) -> dict[str, Any]:
    data = yaml.safe_load(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    if terrain:
        data["terrain"] = terrain
    return data


def test_terrain_example_is_valid() -> None:
    s = load_scenario(EXAMPLES_DIR / "terrain.yaml")
    assert s.terrain is not None and s.terrain.synthetic is not None
    assert s.terrain.multipath and s.terrain.clutter and s.terrain.masking


def test_missing_dem_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"x\.yaml: terrain\.dem_file '.*nothere\.tif' "
                                            r"not found"):
        scenario_from_dict(_default(dem_file="nothere.tif"), source=str(tmp_path / "x.yaml"))


def test_dem_file_not_a_raster_is_named(tmp_path: Path) -> None:
    pytest.importorskip("rasterio")
    (tmp_path / "notes.tif").write_text("hello\n")
    with pytest.raises(ScenarioError, match=r"terrain\.dem_file '.*notes\.tif': .*not a raster"):
        scenario_from_dict(_default(dem_file="notes.tif"), source=str(tmp_path / "x.yaml"))


def test_dem_not_covering_the_area_names_the_uncovered_extent(tmp_path: Path) -> None:
    rasterio = pytest.importorskip("rasterio")
    from affine import Affine

    with rasterio.open(tmp_path / "small.tif", "w", driver="GTiff", height=10, width=10,
                       count=1, dtype="float32", crs="EPSG:4326",
                       transform=Affine(0.01, 0.0, 8.7, 0.0, -0.01, 44.6)) as dst:
        dst.write(np.zeros((1, 10, 10), np.float32))
    with pytest.raises(ScenarioError, match=r"terrain\.dem_file '.*small\.tif' does not cover "
                                            r"the scenario area .*uncovered: lat .* to 44\.5000"):
        scenario_from_dict(_default(dem_file="small.tif"), source=str(tmp_path / "x.yaml"))


def test_dem_file_and_synthetic_together_is_an_error() -> None:
    with pytest.raises(ScenarioError, match=r"terrain must give dem_file or synthetic, not both"):
        scenario_from_dict(_default(dem_file="a.tif", synthetic={"seed": 1}))


def test_bad_synthetic_value_names_its_path() -> None:
    with pytest.raises(ScenarioError, match=r"terrain\.synthetic\.spacing_m must be >= 10"):
        scenario_from_dict(_default(synthetic={"spacing_m": 1.0}))


def _short(data: dict[str, Any]) -> Any:
    data["simulation"]["duration_s"] = 150
    return scenario_from_dict(data)


def test_no_dem_and_no_multipath_or_clutter_gives_identical_results() -> None:
    plain = run(_short(_default()), keep_trajectories=False)
    smooth = run(_short(_default(multipath=False, clutter=False)), keep_trajectories=False)
    for key in ("fates", "threats", "kills", "leakers", "rounds_spent", "tracking"):
        assert smooth.summary[key] == plain.summary[key]
    assert smooth.threats.equals(plain.threats)
    assert smooth.events.equals(plain.events)


def test_synthetic_terrain_too_small_for_the_area_is_refused_at_load() -> None:
    with pytest.raises(ScenarioError, match=r"terrain\.synthetic\.half_width_m 5000 does not "
                                            r"cover the scenario area .*uncovered: lat "):
        scenario_from_dict(_default(synthetic={"half_width_m": 5000.0, "spacing_m": 500.0}))
