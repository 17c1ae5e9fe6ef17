"""Tests of iadsim.reports.basemap: the shipped Natural Earth outlines, decoded and clipped."""

from __future__ import annotations

import numpy as np
import pymap3d

from iadsim.reports.basemap import load_basemap

WORLD_POINTS = 80_617  # points in world-atlas 2.0.2 countries-50m.json (sum of arc lengths)


def test_whole_world_keeps_every_point_within_the_globe() -> None:
    world = load_basemap(-180.0, 180.0, -90.0, 90.0)
    assert world["coastline"].n_points + world["border"].n_points == WORLD_POINTS
    for lines in world.values():
        lon, lat = lines.lon_deg[np.isfinite(lines.lon_deg)], lines.lat_deg[
            np.isfinite(lines.lat_deg)]
        assert lon.min() >= -180.0 and lon.max() <= 180.0
        assert lat.min() >= -90.0 and lat.max() <= 90.0


def test_coast_passes_by_genoa_and_border_by_ventimiglia() -> None:
    """Known places: Genoa's harbour (44.41 N, 8.93 E) is on the coast; the French-Italian
    border reaches the sea at Ventimiglia (43.78 N, 7.53 E)."""
    area = load_basemap(6.0, 11.0, 42.0, 46.0)

    def nearest_km(lines, lat, lon) -> float:
        ok = np.isfinite(lines.lat_deg)
        e, n, _ = pymap3d.geodetic2enu(lines.lat_deg[ok], lines.lon_deg[ok], 0.0, lat, lon, 0.0)
        return float(np.min(np.hypot(e, n))) / 1000.0

    assert nearest_km(area["coastline"], 44.41, 8.93) < 5.0
    assert nearest_km(area["border"], 43.78, 7.53) < 5.0


def test_clip_keeps_points_inside_and_their_neighbours() -> None:
    box = (6.0, 12.0, 41.0, 46.0)
    lines = load_basemap(*box)["coastline"]
    lon, lat = lines.lon_deg, lines.lat_deg
    inside = (lon >= box[0]) & (lon <= box[1]) & (lat >= box[2]) & (lat <= box[3])
    assert inside.sum() > 10
    # every kept point outside the box is the neighbour of a point inside it on the same line
    outside = np.flatnonzero(np.isfinite(lon) & ~inside)
    padded = np.concatenate([[False], inside, [False]])
    assert outside.size > 0
    assert (padded[outside] | padded[outside + 2]).all()


def test_open_ocean_box_is_empty() -> None:
    ocean = load_basemap(-140.0, -135.0, -40.0, -35.0)
    assert ocean["coastline"].n_points == 0 and ocean["border"].n_points == 0
