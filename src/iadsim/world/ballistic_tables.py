"""World stage: precomputed ballistic flights, sampled at any time by cubic Hermite interpolation.

In: solved flights (``world.ballistic``) or the flat vacuum parabola (``world.trajectories``).
Out: ``BallisticTables``, one row per ballistic object (re-entry vehicle, booster, debris): ENU
position and velocity on the row's own uniform time grid (about ``TABLE_STEP_S``), evaluated for
all rows at once. Positions between samples are the cubic Hermite through both end states,
accurate to millimetres at half-second samples of a free-fall arc.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pymap3d
from numpy.typing import NDArray

from iadsim.world.ballistic import Flight, eci_to_ecef
from iadsim.world.frames import Origin, surface_point_to_enu
from iadsim.world.trajectories import BallisticPaths

TABLE_STEP_S = 0.5

TableRow = tuple[NDArray[np.float64], NDArray[np.float64], float, float]
"""One object's samples: positions (k+1, 3), velocities (k+1, 3), step (s), duration (s)."""


@dataclass(frozen=True, slots=True)
class BallisticTables:
    """ENU states (n, k, 3) sampled every ``step_s`` (n,) over ``duration_s`` (n,) per row;
    row ``i`` uses samples ``0 .. intervals[i]`` (later ones repeat the last)."""

    position_enu_m: NDArray[np.float64]
    velocity_enu_mps: NDArray[np.float64]
    step_s: NDArray[np.float64]
    intervals: NDArray[np.intp]
    duration_s: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.duration_s.shape[0])

    def positions_enu(self, flight_s: NDArray[np.float64]) -> NDArray[np.float64]:
        """ENU positions (n, 3) at time ``flight_s`` (n,) after each row's start, clipped."""
        n = len(self)
        if n == 0:
            return np.empty((0, 3))
        t = np.clip(np.asarray(flight_s, float), 0.0, self.duration_s)
        x = t / self.step_s
        j = np.minimum(np.floor(x).astype(np.intp), np.maximum(self.intervals - 1, 0))
        s = np.clip(x - j, 0.0, 1.0)[:, None]
        rows = np.arange(n)
        j1 = np.minimum(j + 1, self.intervals)
        p0, p1 = self.position_enu_m[rows, j], self.position_enu_m[rows, j1]
        h = self.step_s[:, None]
        v0, v1 = self.velocity_enu_mps[rows, j] * h, self.velocity_enu_mps[rows, j1] * h
        s2, s3 = s * s, s * s * s
        return ((2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * v0
                + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * v1)


def _pad(rows: Sequence[TableRow]
         ) -> BallisticTables:
    """Stack per-row (positions (k_i+1, 3), velocities, step, duration) into padded arrays."""
    k = max((p.shape[0] for p, _v, _s, _d in rows), default=1)
    n = len(rows)
    pos, vel = np.zeros((n, k, 3)), np.zeros((n, k, 3))
    for i, (p, v, _s, _d) in enumerate(rows):
        pos[i, : len(p)], pos[i, len(p):] = p, p[-1]
        vel[i, : len(v)], vel[i, len(v):] = v, 0.0
    return BallisticTables(
        pos, vel, np.array([r[2] for r in rows], float).reshape(n),
        np.array([r[0].shape[0] - 1 for r in rows], np.intp).reshape(n),
        np.array([r[3] for r in rows], float).reshape(n))


def _grid(t0_s: float, t1_s: float) -> tuple[NDArray[np.float64], float]:
    """Uniform samples from t0 to t1 at about ``TABLE_STEP_S`` (at least one interval)."""
    m = max(int(np.ceil((t1_s - t0_s) / TABLE_STEP_S)), 1)
    return np.linspace(t0_s, t1_s, m + 1), (t1_s - t0_s) / m


def flight_rows(flights: Sequence[tuple[Flight, float]], origin: Origin, omega_rad_s: float
                ) -> list[TableRow]:
    """Table rows of flights, each sampled from its start (flight time t0, s) to impact.

    Each flight's ECI frame is ECEF at its own launch (flight time 0).
    """
    out = []
    for fl, t0 in flights:
        t, step = _grid(t0, fl.impact_s)
        ecef = eci_to_ecef(t, fl.state_eci(t), omega_rad_s)
        e, n, u = pymap3d.ecef2enu(ecef[:, 0], ecef[:, 1], ecef[:, 2],
                                   origin.lat_deg, origin.lon_deg, origin.alt_m)
        ve, vn, vu = pymap3d.ecef2enuv(ecef[:, 3], ecef[:, 4], ecef[:, 5],
                                       origin.lat_deg, origin.lon_deg)
        out.append((np.stack([e, n, u], axis=1), np.stack([ve, vn, vu], axis=1), step,
                    fl.impact_s - t0))
    return out


def flat_rows(paths: BallisticPaths, origin: Origin
              ) -> list[TableRow]:
    """Table rows of the flat vacuum parabola laid onto the earth (``model: flat_vacuum``)."""
    out = []
    for i in range(paths.flight_time_s.shape[0]):
        t, step = _grid(0.0, float(paths.flight_time_s[i]))

        def at(tt: NDArray[np.float64], i: int = i) -> NDArray[np.float64]:
            one = BallisticPaths(*(np.repeat(np.asarray(f)[i:i + 1], tt.shape[0], axis=0)
                                   for f in (paths.start_m, paths.direction,
                                             paths.ground_speed_mps, paths.vertical_speed_mps,
                                             paths.flight_time_s, paths.launch_alt_m)))
            st = one.evaluate(tt)
            return surface_point_to_enu(st.east_north_m[:, 0], st.east_north_m[:, 1],
                                        st.height_m, origin)

        h = 1e-3
        vel = (at(t + h) - at(t - h)) / (2 * h)
        vel[0], vel[-1] = (at(t[:1] + h) - at(t[:1])) / h, (at(t[-1:]) - at(t[-1:] - h)) / h
        out.append((at(t), vel, step, float(paths.flight_time_s[i])))
    return out


def tables(rows: Sequence[TableRow]
           ) -> BallisticTables:
    """Rows (as ``flight_rows`` / ``flat_rows`` give) into one ``BallisticTables``."""
    return _pad(list(rows))
