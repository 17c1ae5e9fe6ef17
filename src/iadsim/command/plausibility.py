"""Command stage, fire-control gate: is a track's motion physically possible for its class?

In: track positions and velocities (ENU), the reported threat type per track, the
``command.fire_control`` requirements and the scenario origin. Out: a mask (n,) of tracks whose
speed is credible for their type at their height, so a ghost (a track no real target of that
type could make) draws no round. Heights are above the earth at the track
(``world.frames.approx_altitude_m``) and the vertical is the local one there, never the ENU up
axis (which tilts by a degree per 111 km from the origin).

The rules, per reported type (notional limits, scenario settings):

* every type: speed <= ``max_speed_mps`` (its top speed anywhere);
* air-breathing types (aircraft, reconnaissance aircraft, cruise missile, UAV): dynamic
  pressure 0.5 rho(h) v^2 <= ``max_dynamic_pressure_pa``, rho from USSA76: a fast jet's
  800 m/s at altitude is 460 m/s at sea level;
* ballistic missile: specific energy v^2 + 2 g h <= (sea-level ``max_speed_mps``)^2 (it
  cannot gain energy after burnout), and, below ``ballistic_steep_below_m``, a flight-path
  angle (climb or dive) of at least ``ballistic_min_path_angle_deg``: with no lift a ballistic
  body low in the atmosphere is boosting or re-entering on a steep path, not flying level (the
  1.3 km/s "ballistic" ghost at a few km height flies level). A vacuum-energy floor on the
  vertical speed (sqrt(2 g (apogee - h))) is not used: re-entry drag takes that speed away
  (the default's re-entry vehicle dives at about 50 degrees, 0.4-0.6 km/s, below 20 km).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.atmosphere import density_kg_m3
from iadsim.scenario.command_spec import FireControlSpec
from iadsim.scenario.model import THREAT_TYPES
from iadsim.world.frames import GRAVITY_MPS2, Origin, approx_altitude_m, section_radius_m

BALLISTIC = THREAT_TYPES.index("ballistic_missile")


def local_up(position_enu_m: NDArray[np.float64], origin: Origin) -> NDArray[np.float64]:
    """Unit local vertical (n, 3) at scenario-ENU points, on the osculating sphere of
    ``approx_altitude_m``."""
    p = np.asarray(position_enu_m, float).reshape(-1, 3)
    radius_m = section_radius_m(origin, np.arctan2(p[:, 0], p[:, 1]))
    centre = p + np.stack([np.zeros(len(p)), np.zeros(len(p)), radius_m + origin.alt_m], axis=1)
    return centre / np.linalg.norm(centre, axis=1, keepdims=True)


def credible_motion(
    position_enu_m: NDArray[np.float64], velocity_enu_mps: NDArray[np.float64],
    kind: NDArray[np.int64], spec: FireControlSpec, origin: Origin,
) -> NDArray[np.bool_]:
    """Tracks (n,) whose speed the reported type ``kind`` (index into ``THREAT_TYPES``) can
    fly at the track's height above the earth (the rules of the module docstring)."""
    p = np.asarray(position_enu_m, float).reshape(-1, 3)
    v = np.asarray(velocity_enu_mps, float).reshape(-1, 3)
    kind = np.asarray(kind, np.int64).reshape(-1)
    if len(p) == 0:
        return np.zeros(0, bool)
    top = np.array([spec.speed_limit_mps(t) for t in THREAT_TYPES])[kind]
    q_max = np.array([spec.dynamic_pressure_limit_pa(t) for t in THREAT_TYPES])[kind]
    height = approx_altitude_m(p, origin)
    speed2 = np.sum(v**2, axis=1)
    ok = speed2 <= top**2
    ok &= 0.5 * density_kg_m3(height) * speed2 <= q_max  # inf for ballistic: no test
    ballistic = kind == BALLISTIC
    climb = np.sum(v * local_up(p, origin), axis=1)
    energy_ok = speed2 + 2.0 * GRAVITY_MPS2 * np.maximum(height, 0.0) <= top**2
    steep = np.abs(climb) >= np.sin(np.radians(spec.ballistic_min_path_angle_deg)) * np.sqrt(
        speed2)
    steep_ok = (height >= spec.ballistic_steep_below_m) | steep
    return ok & np.where(ballistic, energy_ok & steep_ok, True)
