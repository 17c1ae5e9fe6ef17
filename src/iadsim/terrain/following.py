"""Terrain: cruise missiles' terrain following -> denser height profiles of their paths.

In: a ``ThreatSet`` (its waypoint paths give each threat's plane track and set height along
path distance), the scenario origin, an ``ElevationGrid`` and the climb/dive limit. Out: the
same ``ThreatSet`` whose cruise missiles' height profile (height above the sphere along path
distance, ``WaypointPaths.height_knot_*``) is the terrain plus the set height, smoothed so that
it climbs and dives at most ``tan(max_climb)`` per metre flown. Nothing else changes: the
world stage evaluates the profile as before (piecewise linear in path distance).

The smoothing is the slope-limited upper envelope: a forward pass bounds the dive, a
backward pass the climb (``h[i] = max(h[i], h[i -/+ 1] - slope ds)``), so the missile never
flies lower than its set height above the terrain and starts climbing before a ridge.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from iadsim.terrain.dem import ElevationGrid
from iadsim.world.frames import Origin, enu_to_geodetic, surface_point_to_enu
from iadsim.world.threats import THREAT_CODE, ThreatSet

PROFILE_STEP_M = 250.0
"""Path-distance step of the terrain-following height profile."""


def slope_limited_envelope(height_m: NDArray[np.float64], step_m: float,
                           max_slope: float) -> NDArray[np.float64]:
    """Lowest profile >= ``height_m`` (n,) whose slope stays within ``max_slope``."""
    h = np.asarray(height_m, float).copy()
    drop = max_slope * step_m
    for i in range(1, h.size):  # dive limit (a loop over profile samples, not over threats)
        h[i] = max(h[i], h[i - 1] - drop)
    for i in range(h.size - 2, -1, -1):  # climb limit
        h[i] = max(h[i], h[i + 1] - drop)
    return h


def follow_terrain(threats: ThreatSet, grid: ElevationGrid, origin: Origin, *,
                   max_climb_rad: float, step_m: float = PROFILE_STEP_M) -> ThreatSet:
    """``threats`` with its cruise missiles following the terrain (module docstring)."""
    paths = threats.waypoint_paths
    cruise = threats.threat_type[threats.waypoint_rows] == THREAT_CODE["cruise_missile"]
    if not cruise.any():
        return threats
    n_knots = int(np.ceil(float(paths.length_m[cruise].max()) / step_m)) + 1
    s = np.minimum(np.arange(n_knots)[None, :] * step_m, paths.length_m[:, None])  # (n, k)
    plane = np.stack([paths.evaluate(s[:, k]).east_north_m for k in range(n_knots)], axis=1)
    base = np.stack([paths.evaluate(s[:, k]).height_m for k in range(n_knots)], axis=1)
    rows = np.flatnonzero(cruise)
    enu = surface_point_to_enu(plane[rows, :, 0], plane[rows, :, 1],
                               np.zeros(plane[rows, :, 0].shape), origin)
    lat, lon, _ = enu_to_geodetic(enu, origin)
    ground = np.nan_to_num(grid.sample(lat, lon, outside_m=0.0), nan=0.0)
    slope = float(np.tan(max_climb_rad))
    heights = np.zeros((paths.length_m.shape[0], n_knots))
    knots_s = np.zeros(heights.shape)
    for j, r in enumerate(rows):  # one profile per cruise missile
        heights[r] = slope_limited_envelope(base[r] + ground[j], step_m, slope)
        knots_s[r] = np.arange(n_knots) * step_m
    # Other waypoint threats keep their own knots, padded to the new width.
    old_s, old_h = paths.height_knot_s_m, paths.height_knot_m
    width = max(n_knots, old_s.shape[1])
    new_s = np.full((old_s.shape[0], width), np.inf)
    new_h = np.full((old_s.shape[0], width), np.inf)
    keep = np.flatnonzero(~cruise)
    new_s[keep, :old_s.shape[1]] = old_s[keep]
    new_h[keep, :old_s.shape[1]] = old_h[keep]
    new_h[keep, old_s.shape[1]:] = old_h[keep, -1:]  # pads repeat the last height
    new_s[rows, :n_knots] = knots_s[rows]
    new_h[rows, :n_knots] = heights[rows]
    new_h[rows, n_knots:] = heights[rows, -1:]
    return replace(threats, waypoint_paths=replace(paths, height_knot_s_m=new_s,
                                                   height_knot_m=new_h))
