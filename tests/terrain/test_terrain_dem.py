"""tests/terrain: ``iadsim.terrain.dem`` and ``iadsim.terrain.synthetic``."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.errors import ScenarioError
from iadsim.terrain.dem import ElevationGrid, check_covers, check_no_holes
from iadsim.terrain.synthetic import synthetic_terrain


def _plane_grid() -> ElevationGrid:
    lat = np.linspace(44.0, 45.0, 11)
    lon = np.linspace(8.0, 9.5, 16)
    # bilinear interpolation is exact on a + b lat + c lon + d lat lon
    h = 100.0 + 50.0 * lat[:, None] - 30.0 * lon[None, :] + 7.0 * lat[:, None] * lon[None, :]
    return ElevationGrid(lat_deg=lat, lon_deg=lon, height_m=h.astype(np.float64), source="plane")


@pytest.mark.parametrize("n", [0, 1, 500])
def test_bilinear_sampling_is_exact_on_a_bilinear_surface(n: int) -> None:
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(44.0, 45.0, n), rng.uniform(8.0, 9.5, n)
    expected = 100.0 + 50.0 * lat - 30.0 * lon + 7.0 * lat * lon
    np.testing.assert_allclose(_plane_grid().sample(lat, lon), expected, rtol=1e-12)


def test_sampling_off_the_grid_gives_the_outside_value() -> None:
    got = _plane_grid().sample(np.array([43.9, 44.5]), np.array([8.5, 9.6]), outside_m=-1.0)
    assert list(got) == [-1.0, -1.0]


def test_uncovered_area_is_named() -> None:
    with pytest.raises(ScenarioError, match=r"plane: terrain does not cover.*lat 45\.0000 to "
                                            r"45\.2000.*lon 7\.9000 to 8\.0000"):
        check_covers(_plane_grid(), (44.2, 45.2, 7.9, 9.0))
    check_covers(_plane_grid(), (44.2, 44.8, 8.1, 9.0))  # covered: no error


def test_nodata_hole_is_reported_not_taken_as_sea() -> None:
    grid = _plane_grid()
    h = grid.height_m.copy()
    h[3, 4] = np.nan
    holed = ElevationGrid(lat_deg=grid.lat_deg, lon_deg=grid.lon_deg, height_m=h, source="x.tif")
    with pytest.raises(ScenarioError, match=r"x\.tif: terrain has 1 nodata cell\(s\) in lat "
                                            r"44\.3000 to 44\.3000, lon 8\.4000"):
        check_no_holes(holed)
    check_no_holes(holed, (44.5, 45.0, 8.0, 9.5))  # the hole is outside this area


def test_synthetic_terrain_is_seeded_with_sea_at_zero_beyond_the_coast() -> None:
    kwargs = dict(centre_lat_deg=44.5, centre_lon_deg=8.75, half_width_m=30_000.0,
                  spacing_m=300.0, max_height_m=700.0, sea_bearing_deg=180.0,
                  coast_distance_m=10_000.0, coast_wiggle_m=2_000.0)
    a = synthetic_terrain(seed=3, **kwargs)
    b = synthetic_terrain(seed=3, **kwargs)
    c = synthetic_terrain(seed=4, **kwargs)
    np.testing.assert_array_equal(a.height_m, b.height_m)
    assert not np.array_equal(a.height_m, c.height_m)
    north_m = (a.lat_deg - 44.5) * np.pi / 180.0 * 6_371_000.0
    sea_rows = north_m < -12_500.0  # beyond the coast and its wiggle
    land_rows = north_m > -7_500.0
    assert np.all(a.height_m[sea_rows] == 0.0)
    assert np.all(a.height_m[land_rows] >= 1.0)
    assert 100.0 < float(a.height_m.max()) <= 700.0
