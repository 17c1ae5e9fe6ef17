"""DIS world geometry: geocentric (ECEF) positions and velocities, Euler angles, dead reckoning.

Interop stage. DIS carries positions and velocities in the geocentric WGS-84 frame (x through
lat 0 / lon 0, z through the north pole, metres) and orientation as the Euler angles
(psi, theta, phi) of the entity body frame (x forward, y right, z down) relative to that frame,
applied z-y-x. iadsim's truth is geodetic plus scenario-ENU velocities (``world/frames.py``);
this module converts, vectorised over ``(n, 3)`` arrays, through pymap3d.
"""

from __future__ import annotations

import numpy as np
import pymap3d
from numpy.typing import NDArray

from iadsim.world.frames import GRAVITY_MPS2, Origin

FloatArray = NDArray[np.float64]


def geodetic_to_ecef(lat_deg: FloatArray | float, lon_deg: FloatArray | float,
                     alt_m: FloatArray | float) -> FloatArray:
    """WGS-84 geodetic to geocentric, ``(n, 3)`` metres."""
    x, y, z = pymap3d.geodetic2ecef(np.asarray(lat_deg, dtype=float),
                                    np.asarray(lon_deg, dtype=float),
                                    np.asarray(alt_m, dtype=float))
    return np.stack([np.asarray(x), np.asarray(y), np.asarray(z)], axis=-1).astype(np.float64)


def ecef_to_geodetic(position_ecef_m: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Geocentric ``(..., 3)`` to (lat_deg, lon_deg, alt_m)."""
    p = np.asarray(position_ecef_m, dtype=float)
    lat, lon, alt = pymap3d.ecef2geodetic(p[..., 0], p[..., 1], p[..., 2])
    return np.asarray(lat), np.asarray(lon), np.asarray(alt)


def enu_vectors_to_ecef(vector_enu: FloatArray, origin: Origin) -> FloatArray:
    """Vectors ``(n, 3)`` in the scenario ENU frame (tangent plane at ``origin``) to ECEF."""
    v = np.asarray(vector_enu, dtype=float)
    u, w_, z = pymap3d.enu2uvw(v[..., 0], v[..., 1], v[..., 2], origin.lat_deg, origin.lon_deg)
    return np.stack([np.asarray(u), np.asarray(w_), np.asarray(z)], axis=-1).astype(np.float64)


def ecef_vectors_to_enu(vector_ecef: FloatArray, origin: Origin) -> FloatArray:
    """Vectors ``(n, 3)`` in ECEF to the scenario ENU frame; inverse of ``enu_vectors_to_ecef``."""
    v = np.asarray(vector_ecef, dtype=float)
    e, n, u = pymap3d.uvw2enu(v[..., 0], v[..., 1], v[..., 2], origin.lat_deg, origin.lon_deg)
    return np.stack([np.asarray(e), np.asarray(n), np.asarray(u)], axis=-1).astype(np.float64)


def ecef_to_enu(position_ecef_m: FloatArray, origin: Origin) -> FloatArray:
    """Geocentric positions ``(n, 3)`` to the scenario ENU frame."""
    p = np.asarray(position_ecef_m, dtype=float)
    e, n, u = pymap3d.ecef2enu(p[..., 0], p[..., 1], p[..., 2],
                               origin.lat_deg, origin.lon_deg, origin.alt_m)
    return np.stack([np.asarray(e), np.asarray(n), np.asarray(u)], axis=-1).astype(np.float64)


def _ned_axes_in_ecef(lat_deg: FloatArray, lon_deg: FloatArray) -> FloatArray:
    """``(n, 3, 3)``: columns are the local north, east, down unit vectors in ECEF."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    zero = np.zeros_like(lat)
    north = np.stack([-sl * co, -sl * so, cl], axis=-1)
    east = np.stack([-so, co, zero], axis=-1)
    down = np.stack([-cl * co, -cl * so, -sl], axis=-1)
    return np.stack([north, east, down], axis=-1)


def body_to_ecef_matrix(
    heading_rad: FloatArray, pitch_rad: FloatArray, roll_rad: FloatArray,
    lat_deg: FloatArray, lon_deg: FloatArray,
) -> FloatArray:
    """``(n, 3, 3)`` rotation taking body vectors (x fwd, y right, z down) to ECEF.

    Heading is clockwise from north, pitch up from the local horizontal, roll right-wing-down,
    all at the entity's own geodetic position.
    """
    h, p, r = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (heading_rad, pitch_rad,
                                                                   roll_rad))
    ch, sh, cp, sp, cr, sr = np.cos(h), np.sin(h), np.cos(p), np.sin(p), np.cos(r), np.sin(r)
    # body -> NED, the aerospace z-y-x sequence (heading, pitch, roll)
    body_to_ned = np.stack([
        np.stack([cp * ch, sr * sp * ch - cr * sh, cr * sp * ch + sr * sh], axis=-1),
        np.stack([cp * sh, sr * sp * sh + cr * ch, cr * sp * sh - sr * ch], axis=-1),
        np.stack([-sp, sr * cp, cr * cp], axis=-1),
    ], axis=-2)
    ned = _ned_axes_in_ecef(np.atleast_1d(lat_deg), np.atleast_1d(lon_deg))
    return np.einsum("nij,njk->nik", ned, body_to_ned)


def euler_from_matrix(body_to_ecef: FloatArray) -> FloatArray:
    """DIS (psi, theta, phi) ``(n, 3)`` from body->ECEF matrices: R = Rz(psi) Ry(theta) Rx(phi)."""
    m = np.asarray(body_to_ecef, dtype=float)
    psi = np.arctan2(m[:, 1, 0], m[:, 0, 0])
    theta = np.arcsin(np.clip(-m[:, 2, 0], -1.0, 1.0))
    phi = np.arctan2(m[:, 2, 1], m[:, 2, 2])
    return np.stack([psi, theta, phi], axis=-1)


def matrix_from_euler(euler_rad: FloatArray) -> FloatArray:
    """Body->ECEF matrices ``(n, 3, 3)`` from DIS (psi, theta, phi); inverse of the above."""
    e = np.atleast_2d(np.asarray(euler_rad, dtype=float))
    cps, sps = np.cos(e[:, 0]), np.sin(e[:, 0])
    cth, sth = np.cos(e[:, 1]), np.sin(e[:, 1])
    cph, sph = np.cos(e[:, 2]), np.sin(e[:, 2])
    return np.stack([
        np.stack([cth * cps, sph * sth * cps - cph * sps, cph * sth * cps + sph * sps], axis=-1),
        np.stack([cth * sps, sph * sth * sps + cph * cps, cph * sth * sps - sph * cps], axis=-1),
        np.stack([-sth, sph * cth, cph * cth], axis=-1),
    ], axis=-2)


def orientation_from_velocity(
    velocity_ecef_mps: FloatArray, lat_deg: FloatArray, lon_deg: FloatArray
) -> FloatArray:
    """DIS Euler angles ``(n, 3)`` of a body pointing along its velocity, wings level.

    Heading and pitch come from the velocity in the entity's local NED frame; roll is 0. An
    entity at rest gets heading 0, pitch 0 (north, level).
    """
    v = np.atleast_2d(np.asarray(velocity_ecef_mps, dtype=float))
    ned = _ned_axes_in_ecef(np.atleast_1d(lat_deg), np.atleast_1d(lon_deg))
    v_ned = np.einsum("nji,nj->ni", ned, v)  # project on north, east, down
    heading = np.arctan2(v_ned[:, 1], v_ned[:, 0])
    pitch = np.arctan2(-v_ned[:, 2], np.hypot(v_ned[:, 0], v_ned[:, 1]))
    return euler_from_matrix(body_to_ecef_matrix(heading, pitch, np.zeros_like(heading),
                                                 lat_deg, lon_deg))


def dead_reckon_fpw(
    location_ecef_m: FloatArray, velocity_ecef_mps: FloatArray, elapsed_s: FloatArray | float
) -> FloatArray:
    """DRM F-P-W (algorithm 2): constant velocity in world coordinates, ``p0 + v0 t``."""
    dt = np.asarray(elapsed_s, dtype=float)
    return np.asarray(location_ecef_m, dtype=float) + np.asarray(
        velocity_ecef_mps, dtype=float) * dt[..., None]


def dead_reckon_fvw(
    location_ecef_m: FloatArray, velocity_ecef_mps: FloatArray,
    acceleration_ecef_mps2: FloatArray, elapsed_s: FloatArray | float,
) -> FloatArray:
    """DRM F-V-W (algorithm 5): constant acceleration in world coordinates,
    ``p0 + v0 t + a0 t^2 / 2`` (F-P-W when ``a0`` is zero)."""
    dt = np.asarray(elapsed_s, dtype=float)[..., None]
    return (np.asarray(location_ecef_m, dtype=float)
            + np.asarray(velocity_ecef_mps, dtype=float) * dt
            + 0.5 * np.asarray(acceleration_ecef_mps2, dtype=float) * dt**2)


def gravity_ecef_mps2(position_ecef_m: FloatArray, g_mps2: float = GRAVITY_MPS2) -> FloatArray:
    """``(n, 3)`` gravity ``g`` along the local geodetic down at each geocentric position (no
    Coriolis or centrifugal term: the world stage's vacuum trajectories have none)."""
    lat, lon, _ = ecef_to_geodetic(np.asarray(position_ecef_m, dtype=float).reshape(-1, 3))
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    up = np.stack([np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r),
                   np.sin(lat_r)], axis=-1)
    return -g_mps2 * up


def angle_difference_rad(a: FloatArray, b: FloatArray) -> FloatArray:
    """Largest absolute wrapped difference between Euler-angle triples ``(n, 3)`` -> ``(n,)``."""
    d = np.mod(np.asarray(a) - np.asarray(b) + np.pi, 2.0 * np.pi) - np.pi
    return np.max(np.abs(d), axis=-1)
