"""World stage: what a ballistic boost can reach at a given range (for the error messages).

In: a ``Shot`` the solver (``world.ballistic.solve_shot``) could not fly, its motor, re-entry
ballistic coefficient and physics. Out: ``ShapeLimits``: the longest range of the full burn and,
for this shot's range, the lowest and highest apogee and the shortest and longest flight time.

At a fixed range, the full burn's depressed shot (low burnout pitch) has the lowest apogee and
shortest flight time and its lofted shot (high pitch) the highest and longest: a shorter burn
only brings both ends in. So a scan of the burnout pitch at full burn, each end refined by
bisection on the range, gives the limits (about 50 flights, 1 to 2 s). The limits are the
message's guidance only; whether a shot is flown stays the solver's verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pymap3d

from iadsim.world.ballistic import Motor, Physics, Shot, Weave, eci_to_ecef, fly

_EARTH_R_M = 6_371_000.0


@dataclass(frozen=True, slots=True)
class ShapeLimits:
    """Reach of the full burn: max range (m); at the shot's range (m) the apogee (m) and
    flight-time (s) intervals, None if the range is beyond reach."""

    range_m: float
    max_range_m: float
    apogee_m: tuple[float, float] | None
    flight_time_s: tuple[float, float] | None


def _ground_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * _EARTH_R_M * math.asin(min(1.0, math.sqrt(a)))


def shape_limits(shot: Shot, motor: Motor, beta_kg_m2: float, physics: Physics = Physics(),
                 weave: Weave | None = None) -> ShapeLimits:
    """Range reach and, at the shot's range, the apogee and flight-time intervals."""
    launch = np.array(pymap3d.geodetic2ecef(shot.launch_lat_deg, shot.launch_lon_deg,
                                            shot.launch_alt_m), float)
    p1, p2 = math.radians(shot.launch_lat_deg), math.radians(shot.aim_lat_deg)
    dl = math.radians(shot.aim_lon_deg - shot.launch_lon_deg)
    az = math.atan2(math.sin(dl) * math.cos(p2),
                    math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl))
    want = _ground_m(shot.launch_lat_deg, shot.launch_lon_deg, shot.aim_lat_deg,
                     shot.aim_lon_deg)

    def flown(pitch_rad: float) -> tuple[float, float, float]:
        fl = fly(launch, az, pitch_rad, motor.burn_time_s, motor, beta_kg_m2, physics, weave)
        ecef = eci_to_ecef(np.array([fl.impact_s]), np.hstack([fl.impact_eci_m, np.zeros(3)]
                                                               )[None, :], physics.omega_rad_s)
        lat, lon, _h = pymap3d.ecef2geodetic(*ecef[0, :3])
        reach = _ground_m(shot.launch_lat_deg, shot.launch_lon_deg, float(lat), float(lon))
        return reach, fl.apogee_m, fl.impact_s

    pitches = np.radians(np.linspace(1.0, 89.5, 24))
    scan = [flown(float(p)) for p in pitches]
    reach = np.array([s[0] for s in scan])
    if reach.max() < want:
        return ShapeLimits(want, float(reach.max()), None, None)
    ok = np.flatnonzero(reach >= want)

    def edge(inside: int, outside: int) -> tuple[float, float, float]:
        a, b = float(pitches[inside]), float(pitches[outside])  # reach(a) >= want > reach(b)
        best = scan[inside]
        for _ in range(12):
            mid = 0.5 * (a + b)
            got = flown(mid)
            if got[0] >= want:
                a, best = mid, got
            else:
                b = mid
        return best

    low = scan[ok[0]] if ok[0] == 0 else edge(int(ok[0]), int(ok[0]) - 1)
    high = scan[ok[-1]] if ok[-1] == len(pitches) - 1 else edge(int(ok[-1]), int(ok[-1]) + 1)
    return ShapeLimits(want, float(reach.max()), (low[1], high[1]), (low[2], high[2]))
