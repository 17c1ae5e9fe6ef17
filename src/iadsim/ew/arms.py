"""EW: anti-radiation missiles. ARM strikes -> threat groups flown by the world; impacts -> hits.

In: the scenario's ``ew.arm_strikes``. Out: one threat group per strike (type ``aircraft`` in
the world's kinematics: a straight, level path from the launch point that ends on the radar's
ground position), flown, seen, tracked and engageable like any threat, so point defence can shoot
ARMs down; and, when an ARM ends its path (not killed), whether it hit.

Homing: the radars stand still, so the ARM always flies to the radar's position (its last known
one). Its terminal miss is Gaussian per ground axis, with sigma ``miss_sigma_m`` while the radar
emits, growing by ``miss_growth_mps`` per second the radar has been silent before the impact
(the seeker lost the emitter and flies an inertial end game). The radar is destroyed if the miss
is inside ``lethal_radius_m``: ``P(hit) = 1 - exp(-r^2 / (2 sigma^2))`` (Rayleigh miss).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.common import GeoPoint2D
from iadsim.scenario.model import Scenario, ThreatGroup

ARM_GROUP_PREFIX = "arm:"
"""Threat group name of a strike's ARMs: ``arm:<strike name>``."""


def with_arm_strikes(scenario: Scenario) -> Scenario:
    """The scenario with one threat group appended per ARM strike (itself if there are none).

    Appended after the scenario's own groups, so every other threat keeps its id.
    """
    strikes = scenario.ew.arm_strikes
    if not strikes:
        return scenario
    sensors = {s.name: s for s in scenario.sensors}
    groups = [
        ThreatGroup(
            name=ARM_GROUP_PREFIX + a.name, type="aircraft", count=a.count,
            launch_time_s=a.launch_time_s, spacing_s=a.spacing_s, start=a.launch,
            route=[GeoPoint2D(lat_deg=sensors[a.target_radar].position.lat_deg,
                              lon_deg=sensors[a.target_radar].position.lon_deg,
                              alt_m=max(sensors[a.target_radar].position.alt_m, 0.0))],
            speed_mps=a.speed_mps, altitude_m=max(a.launch.alt_m, 0.0), rcs_m2=a.rcs_m2,
            turn_rate_deg_s=30.0,
        )
        for a in strikes
    ]
    return scenario.model_copy(update={"threats": [*scenario.threats, *groups]})


@dataclass(frozen=True, slots=True)
class ArmRows:
    """The ARMs of a run: threat rows, target radar (sensor id) and each one's miss model."""

    threat_id: NDArray[np.int64]
    target_sensor: NDArray[np.int64]
    miss_sigma_m: NDArray[np.float64]
    miss_growth_mps: NDArray[np.float64]
    lethal_radius_m: NDArray[np.float64]

    @classmethod
    def from_threats(cls, scenario: Scenario, group: tuple[str, ...] | list[str]) -> ArmRows:
        """Rows of the ARM groups in the threat set (``group``: each threat's group label)."""
        sensor_id = {s.name: i for i, s in enumerate(scenario.sensors)}
        by_group = {ARM_GROUP_PREFIX + a.name: a for a in scenario.ew.arm_strikes}
        rows = [i for i, g in enumerate(group) if g in by_group]
        strikes = [by_group[group[i]] for i in rows]
        return cls(
            threat_id=np.asarray(rows, np.int64),
            target_sensor=np.asarray([sensor_id[a.target_radar] for a in strikes], np.int64),
            miss_sigma_m=np.asarray([a.miss_sigma_m for a in strikes], float),
            miss_growth_mps=np.asarray([a.miss_growth_mps for a in strikes], float),
            lethal_radius_m=np.asarray([a.lethal_radius_m for a in strikes], float),
        )


def miss_sigma_m(base_sigma_m: NDArray[np.float64], growth_mps: NDArray[np.float64],
                 silence_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per-axis miss sigma of ARMs whose radar has been silent ``silence_s`` at impact."""
    out: NDArray[np.float64] = base_sigma_m + growth_mps * np.maximum(silence_s, 0.0)
    return out


def draw_arm_hits(sigma_m: NDArray[np.float64], lethal_radius_m: NDArray[np.float64], *,
                  rng: np.random.Generator) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Draw each ARM's ground miss (Rayleigh, per-axis ``sigma_m``); hit where inside the
    lethal radius. Returns (hit, miss distance), each (n,)."""
    xy = rng.standard_normal((sigma_m.shape[0], 2)) * sigma_m[:, None]
    miss = np.hypot(xy[:, 0], xy[:, 1])
    return miss <= lethal_radius_m, miss
