"""Independent checks shared by the DIS tests."""

from __future__ import annotations

import numpy as np
import pymap3d


def geodetic_error_m(x: float, y: float, z: float, lat_deg: float, lon_deg: float,
                     alt_m: float) -> float:
    """Distance (m) between a geocentric point taken back to geodetic (pymap3d's iterative
    ecef2geodetic) and the geodetic truth, on the local tangent plane."""
    lat2, lon2, alt2 = pymap3d.ecef2geodetic(x, y, z)
    north = np.radians(lat2 - lat_deg) * 6_378_137.0
    east = np.radians((lon2 - lon_deg + 180.0) % 360.0 - 180.0) * 6_378_137.0 * np.cos(
        np.radians(lat_deg))
    return float(np.linalg.norm([north, east, alt2 - alt_m]))
