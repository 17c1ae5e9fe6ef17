"""Tracking stage: which tracks no threat of the scenario could be (speed by altitude band).

In: the scenario's threats (their trajectories, once, before the run: the defence's planning
knowledge of the classes it faces); then the tracks' mixture positions and velocities. Out:
a mask of implausible tracks, which the tracker neither confirms nor keeps
(``iadsim.tracking.management.confirm_and_delete``).

A track is implausible if it flies faster than ``SPEED_MARGIN`` x the fastest threat seen in
its altitude band or the two bands next to it (so altitude errors near a band edge do not
drop a true track), or lies more than ``ALTITUDE_MARGIN_M`` below the lowest threat. Altitude
is the track's height above the scenario origin's tangent plane plus the earth's drop,
``up + ground^2 / (2 R)``, good to a few metres at 300 km.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.world.frames import EARTH_RADIUS_M
from iadsim.world.threats import ThreatSet

ALTITUDE_EDGES_M = np.array([1e3, 3e3, 10e3, 20e3, 50e3, 100e3])
"""Edges of the altitude bands (the lowest band is below 1 km, the top one above 100 km)."""
SPEED_MARGIN = 1.25
MIN_SPEED_LIMIT_MPS = 150.0
ALTITUDE_MARGIN_M = 2_000.0
SAMPLE_S = 2.0
"""Threat trajectories sampled this often to find the envelope."""


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


def threat_envelope(threats: ThreatSet, duration_s: float) -> SpeedEnvelope | None:
    """The envelope of the scenario's threats over the run (None without any threat known
    before the run, e.g. all arriving over DIS: then only ``max_speed_mps`` applies)."""
    alts, speeds = [], []
    for t in np.arange(0.0, duration_s + SAMPLE_S, SAMPLE_S):
        truth = threats.truth_at(float(t))
        alts.append(altitude_m(truth.position_enu_m))
        speeds.append(np.linalg.norm(truth.velocity_enu_mps, axis=1))
    alt, speed = np.concatenate(alts), np.concatenate(speeds)
    if alt.size == 0:
        return None
    band = np.searchsorted(ALTITUDE_EDGES_M, alt, side="right")
    fastest = np.zeros(ALTITUDE_EDGES_M.size + 1)
    np.maximum.at(fastest, band, speed)
    padded = np.concatenate([[0.0], fastest, [0.0]])
    near = np.maximum(np.maximum(padded[:-2], padded[1:-1]), padded[2:])  # band and neighbours
    return SpeedEnvelope(np.maximum(SPEED_MARGIN * near, MIN_SPEED_LIMIT_MPS),
                         float(alt.min()) - ALTITUDE_MARGIN_M)
