"""Terrain: an elevation grid in geodetic coordinates and its vectorised bilinear sampling.

In: a regular grid of heights (m above sea level, taken as the ellipsoid: the geoid is
ignored) on ascending latitudes and longitudes (degrees). Out: heights at any (lat, lon)
points by bilinear interpolation, the extent covered, and checks that name what is missing
(uncovered extent, nodata holes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.errors import ScenarioError


@dataclass(frozen=True, slots=True)
class ElevationGrid:
    """Heights ``height_m[i, j]`` at ``lat_deg[i]``, ``lon_deg[j]`` (both ascending, regular).

    ``height_m`` may hold NaN for nodata cells; :func:`check_no_holes` reports them.
    ``source`` names where the grid came from (a file path, ``synthetic(seed=...)``).
    """

    lat_deg: NDArray[np.float64]  # (ny,)
    lon_deg: NDArray[np.float64]  # (nx,)
    height_m: NDArray[np.float32]  # (ny, nx)
    source: str = "grid"

    def __post_init__(self) -> None:
        ny, nx = self.height_m.shape
        if self.lat_deg.shape != (ny,) or self.lon_deg.shape != (nx,) or ny < 2 or nx < 2:
            raise ValueError(
                f"{self.source}: height grid {self.height_m.shape} needs lat ({ny},) and lon "
                f"({nx},) axes of at least 2 points (got {self.lat_deg.shape}, "
                f"{self.lon_deg.shape})"
            )
        if np.any(np.diff(self.lat_deg) <= 0) or np.any(np.diff(self.lon_deg) <= 0):
            raise ValueError(f"{self.source}: lat_deg and lon_deg must be strictly ascending")

    @property
    def extent_deg(self) -> tuple[float, float, float, float]:
        """``(lat_min, lat_max, lon_min, lon_max)`` covered, degrees."""
        return (float(self.lat_deg[0]), float(self.lat_deg[-1]), float(self.lon_deg[0]),
                float(self.lon_deg[-1]))

    @property
    def spacing_deg(self) -> tuple[float, float]:
        """Grid steps ``(dlat, dlon)``, degrees."""
        return (float(self.lat_deg[1] - self.lat_deg[0]),
                float(self.lon_deg[1] - self.lon_deg[0]))

    def covers(self, lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
        """Which points lie inside the grid, shape of the broadcast inputs."""
        lat, lon = np.asarray(lat_deg, float), np.asarray(lon_deg, float)
        la0, la1, lo0, lo1 = self.extent_deg
        return (lat >= la0) & (lat <= la1) & (lon >= lo0) & (lon <= lo1)

    def sample(self, lat_deg: ArrayLike, lon_deg: ArrayLike,
               outside_m: float = np.nan) -> NDArray[np.float64]:
        """Bilinear heights at points (any matching shapes); ``outside_m`` off the grid."""
        lat = np.asarray(lat_deg, dtype=float)
        lon = np.asarray(lon_deg, dtype=float)
        dlat, dlon = self.spacing_deg
        ny, nx = self.height_m.shape
        fy = (lat - self.lat_deg[0]) / dlat
        fx = (lon - self.lon_deg[0]) / dlon
        eps = 1e-6  # a point on the edge stays inside despite rounding
        inside = (fy >= -eps) & (fy <= ny - 1 + eps) & (fx >= -eps) & (fx <= nx - 1 + eps)
        fy = np.clip(np.nan_to_num(fy), 0.0, ny - 1.000001)
        fx = np.clip(np.nan_to_num(fx), 0.0, nx - 1.000001)
        iy = fy.astype(np.intp)
        ix = fx.astype(np.intp)
        ty = fy - iy
        tx = fx - ix
        h = self.height_m
        top = h[iy, ix] * (1.0 - tx) + h[iy, ix + 1] * tx
        bottom = h[iy + 1, ix] * (1.0 - tx) + h[iy + 1, ix + 1] * tx
        out = np.asarray(top * (1.0 - ty) + bottom * ty, dtype=float)
        return np.where(inside, out, outside_m)


def uncovered_extent(have_deg: tuple[float, float, float, float],
                     needed_deg: tuple[float, float, float, float]) -> list[str]:
    """The strips of ``needed_deg`` outside ``have_deg``, both ``(lat0, lat1, lon0, lon1)``."""
    la0, la1, lo0, lo1 = have_deg
    n_la0, n_la1, n_lo0, n_lo1 = needed_deg
    missing = []
    if n_la0 < la0:
        missing.append(f"lat {n_la0:.4f} to {la0:.4f}")
    if n_la1 > la1:
        missing.append(f"lat {la1:.4f} to {n_la1:.4f}")
    if n_lo0 < lo0:
        missing.append(f"lon {n_lo0:.4f} to {lo0:.4f}")
    if n_lo1 > lo1:
        missing.append(f"lon {lo1:.4f} to {n_lo1:.4f}")
    return missing


def check_covers(grid: ElevationGrid, needed_deg: tuple[float, float, float, float]) -> None:
    """Raise ``ScenarioError`` naming the source and the uncovered part of ``needed_deg``.

    ``needed_deg`` is ``(lat_min, lat_max, lon_min, lon_max)``.
    """
    missing = uncovered_extent(grid.extent_deg, needed_deg)
    if missing:
        la0, la1, lo0, lo1 = grid.extent_deg
        raise ScenarioError([
            f"{grid.source}: terrain does not cover the scenario area (covers lat "
            f"{la0:.4f} to {la1:.4f}, lon {lo0:.4f} to {lo1:.4f}; uncovered: "
            + ", ".join(missing) + ")"
        ])


def check_no_holes(grid: ElevationGrid,
                   area_deg: tuple[float, float, float, float] | None = None) -> None:
    """Raise ``ScenarioError`` if a cell (inside ``area_deg``, if given) is nodata (NaN).

    The message names the source, the count of holes and the extent they span: a hole is
    reported, never taken as sea level.
    """
    lat_in = np.ones(grid.lat_deg.shape, bool)
    lon_in = np.ones(grid.lon_deg.shape, bool)
    if area_deg is not None:
        lat_in = (grid.lat_deg >= area_deg[0]) & (grid.lat_deg <= area_deg[1])
        lon_in = (grid.lon_deg >= area_deg[2]) & (grid.lon_deg <= area_deg[3])
    holes = np.isnan(grid.height_m) & lat_in[:, None] & lon_in[None, :]
    if not holes.any():
        return
    rows = np.flatnonzero(holes.any(axis=1))
    cols = np.flatnonzero(holes.any(axis=0))
    raise ScenarioError([
        f"{grid.source}: terrain has {int(holes.sum())} nodata cell(s) in lat "
        f"{grid.lat_deg[rows[0]]:.4f} to {grid.lat_deg[rows[-1]]:.4f}, lon "
        f"{grid.lon_deg[cols[0]]:.4f} to {grid.lon_deg[cols[-1]]:.4f} (fill them, e.g. with "
        "gdal_fillnodata.py, or set them to 0 m where they are sea; they are not taken as sea)"
    ])
