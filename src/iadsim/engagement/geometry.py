"""Engagement geometry on the curved earth: ground range and height of scenario-ENU points.

Engagement-stage helper. The threats are placed with ``world.frames.surface_point_to_enu``
(azimuthal-equidistant ground position from the origin, height above the osculating sphere of
WGS-84); :func:`to_surface` is its exact inverse, so heights here agree with the threats' own to
round-off, and an altitude test reads height above the earth, never the tangent-plane "up".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.world.frames import Origin, section_radius_m, surface_point_to_enu


def to_surface(position_enu_m: ArrayLike, origin: Origin) -> NDArray[np.float64]:
    """Scenario ENU ``(..., 3)`` to (east, north) on the ground from the origin and height."""
    p = np.asarray(position_enu_m, dtype=float)
    bearing = np.arctan2(p[..., 0], p[..., 1])
    radius_m = section_radius_m(origin, bearing)
    up = p[..., 2] + radius_m + origin.alt_m
    horiz = np.hypot(p[..., 0], p[..., 1])
    ground_m = radius_m * np.arctan2(horiz, up)
    height_m = np.sqrt(horiz**2 + up**2) - radius_m
    return np.stack([ground_m * np.sin(bearing), ground_m * np.cos(bearing), height_m], axis=-1)


def from_surface(surface_m: ArrayLike, origin: Origin) -> NDArray[np.float64]:
    """Inverse of :func:`to_surface`."""
    s = np.asarray(surface_m, dtype=float)
    return surface_point_to_enu(s[..., 0], s[..., 1], s[..., 2], origin)


def ground_range_height(
    point_enu_m: ArrayLike, launcher_enu_m: ArrayLike, origin: Origin
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Ground range from the launcher and height above the earth of points, each (...,)."""
    sp, sl = to_surface(point_enu_m, origin), to_surface(launcher_enu_m, origin)
    return np.hypot(sp[..., 0] - sl[..., 0], sp[..., 1] - sl[..., 1]), sp[..., 2]
