"""Coordinate frames: WGS-84 geodetic <-> local ENU, and radar-local angles.

The shape convention, stated once for the whole package:

* a *vector* of n entities is an ``(n, 3)`` float64 array named for its frame and unit,
  e.g. ``position_enu_m`` or ``velocity_enu_mps``; columns are (east, north, up);
* the scenario ENU frame is the tangent plane at the scenario origin (``Origin``);
* each radar measures in its *own* local ENU frame (tangent plane at the radar), which is the
  scenario frame rotated by ``rotation_to_local`` (3, 3); azimuth is clockwise from north,
  elevation up from the local horizontal, both in radians;
* geodetic positions are WGS-84 ``lat_deg``, ``lon_deg``, ``alt_m`` (height above the ellipsoid).

Geodetic <-> ENU conversions go through pymap3d (``source2target`` functions, degrees in the
file, radians inside).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pymap3d
from numpy.typing import NDArray

if TYPE_CHECKING:
    from iadsim.scenario.model import Scenario

EARTH_RADIUS_M = 6_371_000.0
"""Mean earth radius used by the spherical-earth models (horizon, cruise height)."""

EFFECTIVE_EARTH_FACTOR = 4.0 / 3.0
"""Standard-atmosphere refraction factor k of the 4/3-earth model."""

GRAVITY_MPS2 = 9.80665


@dataclass(frozen=True, slots=True)
class Origin:
    """Geodetic origin of the scenario's local ENU frame."""

    lat_deg: float
    lon_deg: float
    alt_m: float = 0.0


def geodetic_to_enu(
    lat_deg: NDArray[np.float64] | float,
    lon_deg: NDArray[np.float64] | float,
    alt_m: NDArray[np.float64] | float,
    origin: Origin,
) -> NDArray[np.float64]:
    """Geodetic points to scenario ENU, shape ``(n, 3)`` (``(3,)`` for scalars)."""
    e, n, u = pymap3d.geodetic2enu(
        np.asarray(lat_deg, dtype=float),
        np.asarray(lon_deg, dtype=float),
        np.asarray(alt_m, dtype=float),
        origin.lat_deg,
        origin.lon_deg,
        origin.alt_m,
    )
    return np.stack([np.asarray(e), np.asarray(n), np.asarray(u)], axis=-1).astype(np.float64)


def enu_to_geodetic(
    position_enu_m: NDArray[np.float64], origin: Origin
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Scenario ENU ``(..., 3)`` to geodetic ``(lat_deg, lon_deg, alt_m)``."""
    p = np.asarray(position_enu_m, dtype=float)
    lat, lon, alt = pymap3d.enu2geodetic(
        p[..., 0], p[..., 1], p[..., 2], origin.lat_deg, origin.lon_deg, origin.alt_m
    )
    return np.asarray(lat), np.asarray(lon), np.asarray(alt)


def surface_point_to_enu(
    east_m: NDArray[np.float64], north_m: NDArray[np.float64], alt_m: NDArray[np.float64],
    origin: Origin,
) -> NDArray[np.float64]:
    """ENU of the tangent-plane point (east, north) laid onto the earth and lifted to ``alt_m``.

    A path drawn in the tangent plane keeps its ground distance and bearing from the origin
    (azimuthal equidistant), and its height is measured above the curved earth, so a cruise
    missile "at 30 m" stays 30 m above the surface and drops below the tangent plane as it goes:
    what makes the radar horizon bite. The earth is the osculating sphere of the WGS-84 ellipsoid
    in each point's bearing (Euler's normal-section radius at the origin), accurate to metres in
    height over a few hundred kilometres, and closed form, so it costs a few numpy operations.
    """
    e = np.asarray(east_m, dtype=float)
    n = np.asarray(north_m, dtype=float)
    ground_m = np.hypot(e, n)
    radius_m = section_radius_m(origin, np.arctan2(e, n))
    phi = ground_m / radius_m
    r = radius_m + np.asarray(alt_m, dtype=float)
    scale = r * np.sinc(phi / np.pi) / radius_m  # r sin(phi) / ground, safe at 0
    up = r * np.cos(phi) - radius_m - origin.alt_m
    return np.stack([e * scale, n * scale, up], axis=-1)


def section_radius_m(origin: Origin, bearing_rad: NDArray[np.float64]) -> NDArray[np.float64]:
    """Radius of curvature of the WGS-84 normal section at the origin in a bearing (Euler)."""
    meridian, normal = _principal_radii_m(float(origin.lat_deg))
    c2 = np.cos(bearing_rad) ** 2
    return meridian * normal / (normal * c2 + meridian * (1.0 - c2))


@functools.lru_cache(maxsize=64)
def _principal_radii_m(lat_deg: float) -> tuple[np.float64, np.float64]:
    """WGS-84 meridian and prime-vertical radii at a latitude (computed once per origin)."""
    a, f = 6_378_137.0, 1.0 / 298.257223563
    e2 = f * (2.0 - f)
    s2 = np.sin(np.radians(lat_deg)) ** 2
    meridian = a * (1.0 - e2) / (1.0 - e2 * s2) ** 1.5
    normal = a / np.sqrt(1.0 - e2 * s2)
    return meridian, normal


def rotation_enu_to_local(origin: Origin, lat_deg: float, lon_deg: float) -> NDArray[np.float64]:
    """Rotation (3, 3) taking scenario-ENU vectors to the ENU frame of a site at lat/lon."""
    return _ecef_to_enu_matrix(lat_deg, lon_deg) @ _ecef_to_enu_matrix(
        origin.lat_deg, origin.lon_deg
    ).T


def _ecef_to_enu_matrix(lat_deg: float, lon_deg: float) -> NDArray[np.float64]:
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    return np.array(
        [[-so, co, 0.0], [-sl * co, -sl * so, cl], [cl * co, cl * so, sl]], dtype=np.float64
    )


def enu_to_aer(
    offset_local_m: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Local ENU offsets ``(n, 3)`` to (range_m, azimuth_rad in [0, 2 pi), elevation_rad)."""
    d = np.asarray(offset_local_m, dtype=float)
    horizontal_m = np.hypot(d[..., 0], d[..., 1])
    range_m = np.sqrt(horizontal_m**2 + d[..., 2] ** 2)
    azimuth_rad = np.mod(np.arctan2(d[..., 0], d[..., 1]), 2.0 * np.pi)
    elevation_rad = np.arctan2(d[..., 2], horizontal_m)
    return range_m, azimuth_rad, elevation_rad


def aer_to_enu(
    range_m: NDArray[np.float64],
    azimuth_rad: NDArray[np.float64],
    elevation_rad: NDArray[np.float64],
) -> NDArray[np.float64]:
    """(range, azimuth, elevation) to local ENU offsets ``(n, 3)``; inverse of ``enu_to_aer``."""
    r = np.asarray(range_m, dtype=float)
    ce = np.cos(elevation_rad)
    return np.stack(
        [r * ce * np.sin(azimuth_rad), r * ce * np.cos(azimuth_rad), r * np.sin(elevation_rad)],
        axis=-1,
    )


def radar_horizon_m(
    radar_height_m: NDArray[np.float64] | float,
    target_height_m: NDArray[np.float64] | float,
    k: float = EFFECTIVE_EARTH_FACTOR,
) -> NDArray[np.float64]:
    """Radar horizon ground range (m) over a smooth k-earth: sqrt(2kRh1) + sqrt(2kRh2).

    With k = 4/3 this is the familiar 4.12 (sqrt(h1) + sqrt(h2)) km rule, heights in metres.
    Negative heights count as zero.
    """
    r_eff = 2.0 * k * EARTH_RADIUS_M
    h1 = np.maximum(np.asarray(radar_height_m, dtype=float), 0.0)
    h2 = np.maximum(np.asarray(target_height_m, dtype=float), 0.0)
    return np.sqrt(r_eff * h1) + np.sqrt(r_eff * h2)


def great_circle_distance_m(
    lat1_deg: NDArray[np.float64] | float, lon1_deg: NDArray[np.float64] | float,
    lat2_deg: NDArray[np.float64] | float, lon2_deg: NDArray[np.float64] | float,
) -> NDArray[np.float64]:
    """Great-circle ground distance on the mean-radius sphere (haversine), metres."""
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2_deg) - np.asarray(lon1_deg))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def approx_altitude_m(
    position_enu_m: NDArray[np.float64], origin: Origin
) -> NDArray[np.float64]:
    """Height above the earth of scenario-ENU points; the inverse of ``surface_point_to_enu``.

    Closed form on the same osculating sphere: accurate to metres within a few hundred
    kilometres of the origin; use ``enu_to_geodetic`` where the exact WGS-84 height matters.
    """
    p = np.asarray(position_enu_m, dtype=float)
    radius_m = section_radius_m(origin, np.arctan2(p[..., 0], p[..., 1]))
    centre_up = p[..., 2] + radius_m + origin.alt_m
    return np.sqrt(p[..., 0] ** 2 + p[..., 1] ** 2 + centre_up**2) - radius_m


def scenario_origin(scenario: Scenario) -> Origin:
    """The scenario's ENU origin: ``simulation.origin`` if set, else the centroid of its sites.

    Sites are the defended assets, sensors and launchers (threat start points are excluded so
    that the frame is centred on the defence).
    """
    spec = scenario.simulation.origin
    if spec is not None:
        return Origin(spec.lat_deg, spec.lon_deg, spec.alt_m)
    sites = [a.position for a in scenario.defended_assets]
    sites += [s.position for s in scenario.sensors]
    sites += [launcher.position for launcher in scenario.launchers]
    lat = float(np.mean([p.lat_deg for p in sites]))
    lon = float(np.degrees(np.arctan2(np.mean([np.sin(np.radians(p.lon_deg)) for p in sites]),
                                      np.mean([np.cos(np.radians(p.lon_deg)) for p in sites]))))
    return Origin(lat, lon, 0.0)
