"""Terrain: per-radar masking-angle tables over the 4/3 earth, built once, looked up per look.

In: an ``ElevationGrid``, a radar's geodetic position and antenna height, the table's
azimuth and range steps and its maximum range. Out: a ``MaskingTable``: for every azimuth bin
``a`` and range sample ``k`` (ground range ``s_k = (k + 1) * range_step_m``) the highest
elevation angle of the terrain seen from the antenna at ground ranges up to ``s_k``
(``mask_rad``), the terrain height there and whether that surface point is itself in view.

Geometry, stated once: refraction is the 4/3-earth model, so rays are straight over an earth
of radius ``k a`` (``a = EARTH_RADIUS_M``, ``k = 4/3``). A point at ground range ``s`` and
height ``h`` above the sphere, seen from an antenna at height ``h0``, has elevation

    el = atan2((k a + h) cos(s / k a) - (k a + h0), (k a + h) sin(s / k a))

and a target is in view when its elevation exceeds the table's mask at all ground ranges
before it (:meth:`MaskingTable.visible`). The ray from the radar is a great circle sampled
with the spherical direct formula; terrain off the grid counts as 0 m (the smooth earth), so
the table stops past the grid's farthest corner and the antenna's smooth horizon (the sea
beyond cannot raise the mask) and a lookup beyond it takes the last column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.terrain.dem import ElevationGrid
from iadsim.world.frames import EARTH_RADIUS_M, EFFECTIVE_EARTH_FACTOR, great_circle_distance_m

EFFECTIVE_RADIUS_M = EFFECTIVE_EARTH_FACTOR * EARTH_RADIUS_M
"""Radius of the 4/3 earth over which rays are straight."""
_CHUNK_POINTS = 400_000


@dataclass(frozen=True, slots=True)
class MaskingTable:
    """One radar's masking angles, ``(n_azimuth, n_range)`` each; see the module docstring."""

    antenna_alt_m: float
    azimuth_step_rad: float
    range_step_m: float
    mask_rad: NDArray[np.float32]  # max terrain elevation up to each range sample
    surface_height_m: NDArray[np.float16]  # terrain height at each range sample
    surface_visible: NDArray[np.bool_]  # the surface point itself is in view

    @property
    def max_range_m(self) -> float:
        """Ground range of the last sample."""
        return float(self.mask_rad.shape[1] * self.range_step_m)

    def cell(self, azimuth_rad: ArrayLike, ground_m: ArrayLike
             ) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """Azimuth bin (nearest) and range sample (nearest, clipped) of points, each (n,)."""
        n_az, n_r = self.mask_rad.shape
        a = np.rint(np.mod(np.asarray(azimuth_rad, float), 2.0 * np.pi)
                    / self.azimuth_step_rad).astype(np.intp) % n_az
        k = np.clip(np.rint(np.asarray(ground_m, float) / self.range_step_m).astype(np.intp) - 1,
                    0, n_r - 1)
        return a, k

    def surface(self, azimuth_rad: ArrayLike, ground_m: ArrayLike
                ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Terrain height at points and whether that surface point is in view, each (n,).

        Beyond the table (off the grid) the surface is the sea, in view above the last mask.
        """
        g = np.asarray(ground_m, float)
        a, k = self.cell(azimuth_rad, g)
        beyond = g > self.max_range_m
        height = np.where(beyond, 0.0, self.surface_height_m[a, k].astype(float))
        sea_seen = elevation_rad(g, 0.0, self.antenna_alt_m) >= self.mask_rad[a, -1]
        return height, np.where(beyond, sea_seen, self.surface_visible[a, k])

    def mask_before_rad(self, azimuth_rad: ArrayLike, ground_m: ArrayLike) -> NDArray[np.float64]:
        """Highest terrain elevation at ground ranges below ``ground_m`` (``-inf`` if none)."""
        az, g = np.broadcast_arrays(np.asarray(azimuth_rad, float), np.asarray(ground_m, float))
        n_az, n_r = self.mask_rad.shape
        a = np.rint(np.mod(az, 2.0 * np.pi)
                    / self.azimuth_step_rad).astype(np.intp) % n_az
        # samples s_j = (j + 1) step strictly before g: j <= ceil(g / step) - 2
        k = np.minimum(np.ceil(g / self.range_step_m).astype(np.intp) - 2, n_r - 1)
        out = np.full(g.shape, -np.inf)
        ok = k >= 0
        out[ok] = self.mask_rad[a[ok], k[ok]]
        return out

    def visible(self, azimuth_rad: ArrayLike, ground_m: ArrayLike,
                height_m: ArrayLike) -> NDArray[np.bool_]:
        """Which targets (azimuth, ground range, height above the sphere) clear the terrain."""
        el = elevation_rad(ground_m, height_m, self.antenna_alt_m)
        return np.asarray(el > self.mask_before_rad(azimuth_rad, ground_m))


def elevation_rad(ground_m: ArrayLike, height_m: ArrayLike,
                  antenna_alt_m: float) -> NDArray[np.float64]:
    """Elevation over the 4/3 earth of points at ground range and height (module formula)."""
    ka = EFFECTIVE_RADIUS_M
    phi = np.asarray(ground_m, float) / ka
    r = ka + np.asarray(height_m, float)
    return np.asarray(np.arctan2(r * np.cos(phi) - (ka + antenna_alt_m), r * np.sin(phi)))


def destination_deg(lat_deg: float, lon_deg: float, azimuth_rad: ArrayLike,
                    ground_m: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Points at ground range and azimuth (clockwise from north) from a start, on the sphere."""
    p1, l1 = np.radians(lat_deg), np.radians(lon_deg)
    d = np.asarray(ground_m, float) / EARTH_RADIUS_M
    az = np.asarray(azimuth_rad, float)
    sp2 = np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(az)
    p2 = np.arcsin(np.clip(sp2, -1.0, 1.0))
    l2 = l1 + np.arctan2(np.sin(az) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * sp2)
    return np.degrees(p2), np.degrees(l2)


def build_masking_table(
    grid: ElevationGrid,
    *,
    lat_deg: float,
    lon_deg: float,
    antenna_alt_m: float,
    max_range_m: float,
    azimuth_step_rad: float = float(np.radians(0.1)),
    range_step_m: float = 90.0,
    stop_at_grid_edge: bool = True,
) -> MaskingTable:
    """The masking table of one radar (see the module docstring); vectorised in chunks.

    ``stop_at_grid_edge=False`` runs the table to ``max_range_m`` (the same lookups, more
    memory: the tests compare the two).
    """
    n_az = max(int(round(2.0 * np.pi / azimuth_step_rad)), 1)
    step_rad = 2.0 * np.pi / n_az
    # Beyond the grid the surface is the sea, whose elevation (about -h0/s - s/2ka) falls
    # with range past the antenna's horizon sqrt(2 ka h0): past both the grid's farthest
    # corner and that horizon the running maximum stops growing, so the table ends there.
    la0, la1, lo0, lo1 = grid.extent_deg
    corners = great_circle_distance_m(lat_deg, lon_deg, np.array([la0, la0, la1, la1]),
                                      np.array([lo0, lo1, lo0, lo1]))
    reach_m = float(max_range_m)
    if stop_at_grid_edge:
        horizon_m = float(np.sqrt(2.0 * EFFECTIVE_RADIUS_M * max(antenna_alt_m, 0.0)))
        reach_m = min(reach_m, max(float(corners.max()), horizon_m) + 2.0 * range_step_m)
    n_r = max(int(np.ceil(reach_m / range_step_m)), 1)
    ranges = (np.arange(n_r) + 1.0) * range_step_m
    mask = np.empty((n_az, n_r), np.float32)
    height = np.empty((n_az, n_r), np.float16)
    seen = np.empty((n_az, n_r), bool)
    rows = max(_CHUNK_POINTS // n_r, 1)
    for a0 in range(0, n_az, rows):
        az = (np.arange(a0, min(a0 + rows, n_az)) * step_rad)[:, None]
        lat, lon = destination_deg(lat_deg, lon_deg, az, ranges[None, :])
        h = np.nan_to_num(grid.sample(lat, lon, outside_m=0.0), nan=0.0)  # off the checked area
        el = elevation_rad(ranges[None, :], h, antenna_alt_m)
        run_max = np.maximum.accumulate(el, axis=1)
        before = np.concatenate([np.full((el.shape[0], 1), -np.inf), run_max[:, :-1]], axis=1)
        mask[a0:a0 + el.shape[0]] = run_max
        height[a0:a0 + el.shape[0]] = h
        seen[a0:a0 + el.shape[0]] = el >= before
    return MaskingTable(antenna_alt_m=float(antenna_alt_m), azimuth_step_rad=step_rad,
                        range_step_m=float(range_step_m), mask_rad=mask,
                        surface_height_m=height, surface_visible=seen)
