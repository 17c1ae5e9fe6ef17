"""EW: anti-radiation missiles. ARM strikes -> threat groups flown by the world; impacts -> hits.

In: the scenario's ``ew.arm_strikes``. Out: one threat group per strike (type
``anti_radiation_missile``, flown by the world like an aircraft along waypoints: a climb to its
cruise altitude, a cruise, and a straight terminal dive at ``dive_angle_deg`` that ends on the
radar's position), seen, tracked, classified (``command.threat_evaluation``) and engageable like
any threat, so point defence can shoot ARMs down; and, when an ARM ends its path (not killed),
whether it hit.

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

from iadsim.scenario.common import GeoPoint2D, GeoPosition
from iadsim.scenario.ew_spec import ArmStrikeSpec
from iadsim.scenario.model import Scenario, ThreatGroup
from iadsim.world.frames import Origin, enu_to_geodetic, geodetic_to_enu, scenario_origin

ARM_GROUP_PREFIX = "arm:"
"""Threat group name of a strike's ARMs: ``arm:<strike name>``."""


def with_arm_strikes(scenario: Scenario) -> Scenario:
    """The scenario with one threat group appended per ARM strike (itself if there are none).

    Appended after the scenario's own groups, so every other threat keeps its id. Each group is
    of type ``anti_radiation_missile`` and flies the strike's loft and dive (:func:`arm_route`).
    """
    strikes = scenario.ew.arm_strikes
    if not strikes:
        return scenario
    sensors = {s.name: s for s in scenario.sensors}
    origin = scenario_origin(scenario)  # the run's: threats do not move it
    groups = [
        ThreatGroup(
            name=ARM_GROUP_PREFIX + a.name, type="anti_radiation_missile", count=a.count,
            launch_time_s=a.launch_time_s, spacing_s=a.spacing_s, start=a.launch,
            route=arm_route(a, sensors[a.target_radar].position, origin),
            speed_mps=a.speed_mps, altitude_m=max(a.launch.alt_m, 0.0), rcs_m2=a.rcs_m2,
            turn_rate_deg_s=30.0,
        )
        for a in strikes
    ]
    return scenario.model_copy(update={"threats": [*scenario.threats, *groups]})


def arm_profile_m(ground_m: float, launch_alt_m: float, cruise_alt_m: float, target_alt_m: float,
                  climb_deg: float, dive_deg: float) -> tuple[float, float, float]:
    """Ground distances from the launch of the top of the climb and of the start of the dive,
    and the altitude between them, of an ARM launched ``ground_m`` from its radar.

    Climb at ``climb_deg`` (none if launched at or above the cruise altitude), cruise, dive at
    ``dive_deg`` onto the radar at ``target_alt_m``. When the ground is too short for both, the
    top is lowered to where the climb meets the dive (never below the launch altitude: then
    the dive starts at the launch altitude as far out as its angle needs, or at the launch).
    """
    tc, td = np.tan(np.radians(climb_deg)), np.tan(np.radians(dive_deg))
    top = max(cruise_alt_m, launch_alt_m)
    if (top - launch_alt_m) / tc + (top - target_alt_m) / td > ground_m:
        top = max((ground_m + launch_alt_m / tc + target_alt_m / td) / (1 / tc + 1 / td),
                  launch_alt_m)
    dive_m = min(max(top - target_alt_m, 0.0) / td, ground_m)
    climb_m = min((top - launch_alt_m) / tc, ground_m - dive_m)
    return climb_m, ground_m - dive_m, top


def arm_route(strike: ArmStrikeSpec, radar: GeoPosition, origin: Origin) -> list[GeoPoint2D]:
    """Waypoints of a strike's loft and dive: top of climb, start of dive, the radar (on the
    straight ground line from the launch point, in the scenario's tangent plane)."""
    a = strike.launch
    start = geodetic_to_enu(a.lat_deg, a.lon_deg, 0.0, origin)
    end = geodetic_to_enu(radar.lat_deg, radar.lon_deg, 0.0, origin)
    ground = float(np.linalg.norm(end[:2] - start[:2]))
    target_alt = max(radar.alt_m, 0.0)
    climb_m, dive_m, top = arm_profile_m(ground, max(a.alt_m, 0.0), strike.cruise_altitude_m,
                                         target_alt, strike.climb_angle_deg,
                                         strike.dive_angle_deg)
    profile = [(climb_m, top), *pitch_over_m(climb_m, dive_m, ground, top, target_alt,
                                             strike.dive_angle_deg, strike.speed_mps,
                                             strike.pitch_over_accel_mps2)]
    points = []
    for along, alt in profile:
        lat, lon, _ = enu_to_geodetic(start + (end - start) * along / max(ground, 1e-9), origin)
        points.append(GeoPoint2D(lat_deg=float(lat), lon_deg=float(lon), alt_m=alt))
    return [*points, GeoPoint2D(lat_deg=radar.lat_deg, lon_deg=radar.lon_deg, alt_m=target_alt)]


PITCH_OVER_STEP_S = 1.0
"""Flight time between the waypoints that sample the pitch-over (the world flies straight
legs between them: the vertical speed changes in steps of ``accel x step``)."""


def pitch_over_m(climb_m: float, dive_m: float, ground_m: float, top_m: float,
                 target_alt_m: float, dive_deg: float, ground_speed_mps: float,
                 accel_mps2: float) -> list[tuple[float, float]]:
    """Waypoints (ground distance from the launch, altitude) of the pull from the cruise at
    ``top_m`` into the straight dive that starts ``dive_m`` from the launch.

    At a constant ground speed V a constant vertical acceleration a makes the height a
    parabola of the ground distance whose slope changes at ``a / V^2`` per metre: from level
    to ``-tan(dive)`` over ``L = tan(dive) V^2 / a``, centred on the corner (a parabola
    blending two lines touches them symmetrically about their intersection). ``L / 2`` is
    capped at half the cruise before the corner and half the dive after it (a harder pull
    where the geometry is short: the end of the dive stays straight at its angle, the
    seeker's terminal line); the arc is sampled every
    ``PITCH_OVER_STEP_S`` of flight (both tangent points included).
    """
    slope = float(np.tan(np.radians(dive_deg)))
    half = 0.5 * slope * ground_speed_mps**2 / accel_mps2
    half = min(half, 0.5 * (dive_m - climb_m), 0.5 * (ground_m - dive_m))
    if half <= 0.0 or top_m <= target_alt_m:
        return [(dive_m, top_m)]
    n = max(int(np.ceil(2.0 * half / (ground_speed_mps * PITCH_OVER_STEP_S))), 1)
    x = np.linspace(-half, half, n + 1)  # along the ground from the corner
    k = slope / (4.0 * half)  # h = top - k (x + half)^2: slope 0 at -half, -tan(dive) at +half
    h = top_m - k * (x + half) ** 2
    return [(dive_m + float(xi), float(hi)) for xi, hi in zip(x, h, strict=True)]


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
