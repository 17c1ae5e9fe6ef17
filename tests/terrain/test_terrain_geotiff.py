"""tests/terrain: ``iadsim.terrain.geotiff``: GeoTIFFs written here round-trip to the heights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

rasterio = pytest.importorskip("rasterio")
from affine import Affine  # noqa: E402  (rasterio's own dependency)
from rasterio.warp import transform as warp_transform  # noqa: E402

from iadsim.errors import ScenarioError  # noqa: E402
from iadsim.terrain.geotiff import dem_extent_deg, read_geotiff  # noqa: E402


def from_origin(west: float, north: float, x_step: float, y_step: float) -> Affine:
    """A north-up transform (rasterio's ``from_origin`` warns on affine 2.4)."""
    return Affine(x_step, 0.0, west, 0.0, -y_step, north)


def _write(path: Path, heights: np.ndarray, transform: object, crs: str,
           nodata: float | None = None) -> None:
    with rasterio.open(path, "w", driver="GTiff", height=heights.shape[0],
                       width=heights.shape[1], count=1, dtype="float32", crs=crs,
                       transform=transform, nodata=nodata) as dst:
        dst.write(heights.astype(np.float32), 1)


def test_geodetic_geotiff_round_trips_to_the_same_heights(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    heights = rng.uniform(0.0, 900.0, (40, 60)).astype(np.float32)  # row 0 is the north
    step = 1.0 / 1200.0  # 3 arc-seconds
    path = tmp_path / "dem.tif"
    _write(path, heights, from_origin(8.0, 45.0, step, step), "EPSG:4326")
    grid = read_geotiff(path)
    np.testing.assert_array_equal(grid.height_m, heights[::-1])  # ascending latitude
    np.testing.assert_allclose(grid.lat_deg, 45.0 - (np.arange(40)[::-1] + 0.5) * step)
    np.testing.assert_allclose(grid.lon_deg, 8.0 + (np.arange(60) + 0.5) * step)
    # the pixel centres sample to their own heights
    i, j = rng.integers(0, 40, 20), rng.integers(0, 60, 20)
    lat, lon = 45.0 - (i + 0.5) * step, 8.0 + (j + 0.5) * step
    np.testing.assert_allclose(grid.sample(lat, lon), heights[i, j], rtol=1e-5)
    la0, la1, lo0, lo1 = dem_extent_deg(path)
    assert (la0, la1, lo0, lo1) == pytest.approx((45.0 - 40 * step, 45.0, 8.0, 8.0 + 60 * step))


def test_projected_geotiff_is_reprojected_to_geodetic(tmp_path: Path) -> None:
    # A plane h = 100 + 0.01 x + 0.02 y in UTM 32N, reprojected (bilinear) and sampled
    # (bilinear): exact but for GDAL's resampling, under 0.2 m where a pixel spans ~2 m.
    x0, y0, step, n = 500_000.0, 4_930_000.0, 90.0, 120
    x = x0 + (np.arange(n) + 0.5) * step
    y = y0 - (np.arange(n) + 0.5) * step
    heights = 100.0 + 0.01 * (x[None, :] - x0) + 0.02 * (y[:, None] - y0 + n * step)
    path = tmp_path / "utm.tif"
    _write(path, heights, from_origin(x0, y0, step, step), "EPSG:32632")
    grid = read_geotiff(path)
    rng = np.random.default_rng(3)
    px = rng.uniform(x0 + 1_000.0, x0 + n * step - 1_000.0, 50)
    py = rng.uniform(y0 - n * step + 1_000.0, y0 - 1_000.0, 50)
    lon, lat = warp_transform("EPSG:32632", "EPSG:4326", px, py)
    expected = 100.0 + 0.01 * (px - x0) + 0.02 * (py - y0 + n * step)
    np.testing.assert_allclose(grid.sample(np.array(lat), np.array(lon)), expected, atol=0.2)


def test_nodata_becomes_nan(tmp_path: Path) -> None:
    heights = np.full((10, 10), 50.0, np.float32)
    heights[4, 5] = -32768.0
    path = tmp_path / "holes.tif"
    _write(path, heights, from_origin(8.0, 45.0, 0.01, 0.01), "EPSG:4326", nodata=-32768.0)
    grid = read_geotiff(path)
    assert int(np.isnan(grid.height_m).sum()) == 1


def test_missing_and_not_a_raster_are_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nothere\.tif: DEM file not found"):
        read_geotiff(tmp_path / "nothere.tif")
    text = tmp_path / "notes.tif"
    text.write_text("not a raster\n")
    with pytest.raises(ScenarioError, match=r"notes\.tif: not a raster"):
        dem_extent_deg(text)


def test_a_hole_where_the_radars_rays_reach_is_reported_even_outside_the_area(
        tmp_path: Path) -> None:
    from iadsim.scenario.terrain_spec import TerrainSpec
    from iadsim.terrain.site_view import terrain_grid
    from iadsim.world.frames import Origin

    heights = np.full((200, 200), 50.0, np.float32)  # lat 43-45, lon 8-10 at 0.01 deg
    heights[100, 195] = -32768.0  # lat ~44.0, lon ~9.955: about 60 km east of the area below
    path = tmp_path / "far_hole.tif"
    _write(path, heights, from_origin(8.0, 45.0, 0.01, 0.01), "EPSG:4326", nodata=-32768.0)
    spec, origin = TerrainSpec(dem_file=str(path)), Origin(44.0, 9.0, 0.0)
    area = (43.8, 44.2, 8.8, 9.2)
    with pytest.raises(ScenarioError, match=r"far_hole\.tif: terrain has 1 nodata cell"):
        terrain_grid(spec, origin, area, reach_m=100_000.0)  # a 100 km ray crosses the hole
    assert terrain_grid(spec, origin, area, reach_m=20_000.0) is not None  # none reach it
