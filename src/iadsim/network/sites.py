"""Where the networked defence's radars and launchers are, step by step: the ``sites`` table.

In: each unit's moves (``mobility.Move``: tear-down, road leg, set-up), its sites' scenario
positions and the step times. Out: one row per site and step time with the site's position
(geodetic and scenario ENU), its velocity (scenario ENU) and the unit's status
(``operational``, ``teardown``, ``moving``, ``setup``).

A unit is a rigid group: its reference point (the first site) stays put while the unit tears
down, drives the great circle from the move's start to its destination at a constant ground
speed (the leg's distance over its duration: the road speed) while moving, and is at the
destination during the set-up; every site keeps its latitude and longitude offset from the
reference, as the run puts the sites at the destination (``defence``). The velocity is the
road speed along the leg's local direction (zero outside the leg), the same for every site of
the unit; the height is the site's own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.network.mobility import MOVING, OPERATIONAL, SETUP, TEARDOWN, Move
from iadsim.world.frames import Origin, geodetic_to_enu, great_circle_distance_m

def _unit_vector(lat_deg: NDArray[np.float64], lon_deg: NDArray[np.float64]
                 ) -> NDArray[np.float64]:
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def great_circle_point(from_deg: tuple[float, float], to_deg: tuple[float, float],
                       fraction: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                               NDArray[np.float64]]:
    """Latitude and longitude (degrees) at ``fraction`` (0-1) of the great circle's length
    from ``from_deg`` to ``to_deg`` (spherical linear interpolation)."""
    a = _unit_vector(np.array(from_deg[0]), np.array(from_deg[1]))
    b = _unit_vector(np.array(to_deg[0]), np.array(to_deg[1]))
    angle = float(np.arccos(np.clip(np.dot(a, b), -1.0, 1.0)))
    f = np.asarray(fraction, float)[:, None]
    if angle < 1e-12:
        p = np.broadcast_to(a, (f.shape[0], 3))
    else:
        p = (np.sin((1.0 - f) * angle) * a + np.sin(f * angle) * b) / np.sin(angle)
    return (np.degrees(np.arctan2(p[:, 2], np.hypot(p[:, 0], p[:, 1]))),
            np.degrees(np.arctan2(p[:, 1], p[:, 0])))


def reference_path(moves: list[Move], start_deg: tuple[float, float],
                   times_s: NDArray[np.float64]) -> tuple[NDArray[np.float64],
                                                          NDArray[np.float64],
                                                          NDArray[np.object_],
                                                          NDArray[np.intp]]:
    """The reference point's latitude, longitude, status and move index (-1: none) at each
    time (times (t,))."""
    t = np.asarray(times_s, float)
    lat, lon = np.full(t.size, start_deg[0]), np.full(t.size, start_deg[1])
    status = np.full(t.size, OPERATIONAL, dtype=object)
    which = np.full(t.size, -1, np.intp)
    for k, m in enumerate(moves):  # moves follow one another: later ones overwrite
        after = t >= m.start_s
        lat[after], lon[after] = m.to_deg
        which[after] = k
        status[after] = np.select(
            [t[after] < m.teardown_end_s, t[after] < m.arrive_s, t[after] < m.operational_s],
            [TEARDOWN, MOVING, SETUP], OPERATIONAL)
        tear = after & (t < m.teardown_end_s)
        lat[tear], lon[tear] = m.from_deg
        leg = (t >= m.teardown_end_s) & (t < m.arrive_s)
        if leg.any():
            f = (t[leg] - m.teardown_end_s) / max(m.arrive_s - m.teardown_end_s, 1e-9)
            lat[leg], lon[leg] = great_circle_point(m.from_deg, m.to_deg, f)
    return lat, lon, status, which


def site_table(moves: list[list[Move]], start_deg: list[tuple[float, float]],
               sites: list[tuple[str, str, int, float, float, float]],
               times_s: NDArray[np.float64], origin: Origin, *,
               step_s: float) -> pd.DataFrame:
    """The ``sites`` table (module docstring). ``sites``: (name, kind, unit, lat, lon, alt) of
    every radar and launcher in a unit; ``moves``/``start_deg``: each unit's moves and its
    reference point's scenario position; ``step_s`` the difference step of the direction."""
    t = np.asarray(times_s, float)
    parts = []
    for name, kind, u, lat0, lon0, alt in sites:
        ref_lat, ref_lon, status, which = reference_path(moves[u], start_deg[u], t)
        d_lat, d_lon = lat0 - start_deg[u][0], lon0 - start_deg[u][1]
        lat, lon = ref_lat + d_lat, ref_lon + d_lon
        enu = geodetic_to_enu(lat, lon, np.full(t.size, alt), origin).reshape(-1, 3)
        vel = np.zeros((t.size, 3))
        moving = status == MOVING
        if moving.any():  # the leg's direction at each time, at its constant ground speed
            h = 0.5 * step_s
            for k in np.unique(which[moving]).tolist():
                m = moves[u][k]
                rows = moving & (which == k)
                span = max(m.arrive_s - m.teardown_end_s, 1e-9)
                speed = float(great_circle_distance_m(*m.from_deg, *m.to_deg)) / span
                f0 = np.clip((t[rows] - h - m.teardown_end_s) / span, 0.0, 1.0)
                f1 = np.clip((t[rows] + h - m.teardown_end_s) / span, 0.0, 1.0)
                a = geodetic_to_enu(*great_circle_point(m.from_deg, m.to_deg, f0),
                                    np.zeros(f0.size), origin).reshape(-1, 3)
                b = geodetic_to_enu(*great_circle_point(m.from_deg, m.to_deg, f1),
                                    np.zeros(f1.size), origin).reshape(-1, 3)
                d = b - a
                d[:, 2] = 0.0  # along the ground
                vel[rows] = speed * d / np.maximum(np.linalg.norm(d, axis=1), 1e-12)[:, None]
        parts.append(pd.DataFrame({
            "time_s": t, "site": pd.array([name] * t.size, dtype="string"),
            "kind": pd.array([kind] * t.size, dtype="string"),
            "unit": np.full(t.size, u, np.int64),
            "status": pd.array(status.astype(str), dtype="string"),
            "east_m": enu[:, 0], "north_m": enu[:, 1], "up_m": enu[:, 2],
            "lat_deg": lat, "lon_deg": lon, "alt_m": np.full(t.size, float(alt)),
            "vel_east_mps": vel[:, 0], "vel_north_mps": vel[:, 1], "vel_up_mps": vel[:, 2]}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in SITE_COLUMNS})
    return pd.concat(parts, ignore_index=True).sort_values(
        ["time_s", "kind", "site"], kind="stable").reset_index(drop=True)


SITE_COLUMNS = ("time_s", "site", "kind", "unit", "status", "east_m", "north_m", "up_m",
                "lat_deg", "lon_deg", "alt_m", "vel_east_mps", "vel_north_mps", "vel_up_mps")
