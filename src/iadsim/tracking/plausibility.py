"""Tracking stage: which tracks no threat class could be (speed by altitude band).

In: the threat-class limits (``command.fire_control`` in the scenario: each type's top speed
and, for air-breathing types, its highest dynamic pressure; defaults
``iadsim.scenario.command_spec.DEFAULT_MAX_SPEED_MPS`` and ``DEFAULT_MAX_DYNAMIC_PRESSURE_PA``),
once, before the run: a prior the defence holds about the classes, nothing about the raid it
will meet (DIS entities joining during the run are covered alike). Then the tracks' mixture
positions and velocities. Out: a mask of implausible tracks, which the tracker neither
confirms nor keeps (``iadsim.tracking.management.confirm_and_delete``).

The fastest class in an altitude band flies, per type: air-breathing, min(top speed,
sqrt(2 q_max / rho)) with rho the USSA76 density at the band's top (the thinnest air in it);
ballistic, sqrt(top^2 - 2 g h) at the band's bottom (its energy cannot grow after burnout).
A track is implausible if it flies faster than ``SPEED_MARGIN`` x the fastest class of its
band or the two bands next to it (so altitude errors near a band edge and young tracks'
velocity errors do not drop a true track), or lies more than ``ALTITUDE_MARGIN_M`` below sea
level. Altitude is the track's height above the scenario origin's tangent plane plus the
earth's drop, ``up + ground^2 / (2 R)``, good to a few metres at 300 km.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.command_spec import FireControlSpec
from iadsim.scenario.model import THREAT_TYPES
from iadsim.world.atmosphere import density_kg_m3
from iadsim.world.frames import EARTH_RADIUS_M, GRAVITY_MPS2

ALTITUDE_EDGES_M = np.array([1e3, 3e3, 10e3, 20e3, 50e3, 100e3])
"""Edges of the altitude bands (the lowest band is below 1 km, the top one above 100 km)."""
SPEED_MARGIN = 1.25
MIN_SPEED_LIMIT_MPS = 150.0
ALTITUDE_MARGIN_M = 2_000.0


@dataclass(frozen=True, slots=True)
class SpeedEnvelope:
    """Speed limit per altitude band (``ALTITUDE_EDGES_M`` + 1 bands) and an altitude floor."""

    max_speed_mps: NDArray[np.float64]
    min_alt_m: float

    def implausible(self, position_enu_m: NDArray[np.float64],
                    velocity_enu_mps: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Tracks (n,) faster than their band allows, or below the floor."""
        alt = altitude_m(position_enu_m)
        band = np.searchsorted(ALTITUDE_EDGES_M, alt, side="right")
        speed = np.linalg.norm(velocity_enu_mps, axis=1)
        out: NDArray[np.bool_] = (speed > self.max_speed_mps[band]) | (alt < self.min_alt_m)
        return out


def altitude_m(position_enu_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Height (n,) above the origin's sea-level sphere of scenario ENU positions (n, 3)."""
    p = np.asarray(position_enu_m, float).reshape(-1, 3)
    out: NDArray[np.float64] = p[:, 2] + (p[:, 0] ** 2 + p[:, 1] ** 2) / (2.0 * EARTH_RADIUS_M)
    return out


def class_speed_limits_mps(limits: FireControlSpec) -> NDArray[np.float64]:
    """Fastest class speed per altitude band (``ALTITUDE_EDGES_M`` + 1 bands): the rules of
    the module doc, before margins."""
    lows = np.concatenate([[0.0], ALTITUDE_EDGES_M])
    highs = np.concatenate([ALTITUDE_EDGES_M, [np.inf]])
    rho_top = np.where(np.isfinite(highs), density_kg_m3(np.where(np.isfinite(highs), highs,
                                                                   0.0)), 0.0)
    fastest = np.zeros(lows.size)
    for kind in THREAT_TYPES:
        top = limits.speed_limit_mps(kind)
        q_max = limits.dynamic_pressure_limit_pa(kind)
        if kind == "ballistic_missile":
            v = np.sqrt(np.maximum(top**2 - 2.0 * GRAVITY_MPS2 * lows, 0.0))
        else:
            with np.errstate(divide="ignore"):
                v = np.minimum(top, np.sqrt(2.0 * q_max / rho_top))
        fastest = np.maximum(fastest, v)
    return fastest


def class_envelope(limits: FireControlSpec) -> SpeedEnvelope:
    """The tracker's speed-by-height gate from the class limits (module doc), raid-blind."""
    padded = np.concatenate([[0.0], class_speed_limits_mps(limits), [0.0]])
    near = np.maximum(np.maximum(padded[:-2], padded[1:-1]), padded[2:])  # band and neighbours
    return SpeedEnvelope(np.maximum(SPEED_MARGIN * near, MIN_SPEED_LIMIT_MPS),
                         -ALTITUDE_MARGIN_M)
