"""World stage: a notional hypersonic glide vehicle (boost, pull-up, equilibrium glide, dive).

In: launch and aim points (geodetic), the booster (``world.ballistic.Motor``) and the glider
(lift-to-drag ratio, ballistic coefficient, boost and dive settings). Out: a
:class:`~iadsim.world.ballistic.Flight` in the same ECI frame as a ballistic missile's (ECEF at
launch, the earth turning under it), so ``world.ballistic_tables`` samples it like any other.

The model, stated once (notional, textbook point-mass; Vinh, Busemann & Culp, *Hypersonic and
Planetary Entry Flight Mechanics*, 1980, ch. 2 and 7):

* **Forces.** WGS-84 gravity with J2, drag ``rho |v_air|^2 / (2 beta)`` against the air velocity
  ``v_air = v - omega x r`` in USSA76 (``world.ballistic.air_density``), and a lift acceleration
  perpendicular to ``v_air`` of magnitude at most ``L/D x drag`` (the vehicle trims for up to its
  lift-to-drag ratio; the drag is the same whatever lift it uses: a conservative simplification).
* **Boost.** The ballistic missile's full burn (vertical rise, pitch programme to
  ``burnout_pitch_deg``) on the great-circle azimuth to the aim; the glider then coasts.
* **Pull-up and glide.** One feedback law on the flight-path angle ``gamma`` flies both: the
  vertical lift is ``(g - V_h^2 / r) cos gamma - V (gamma - gamma_ref) / TAU_GAMMA_S`` with
  ``gamma_ref = -(h - h_eq(V)) / (V TAU_HEIGHT_S)``, where ``h_eq(V)`` is the equilibrium-glide
  height at which full lift balances gravity less the centrifugal relief:
  ``rho(h_eq) V^2 (L/D) / (2 beta) = g - V^2 / r``. High up the lift available is nil and the
  vehicle falls ballistically; as the air thickens the law pulls it up onto ``h_eq(V)`` and holds
  it there, so the glide descends slowly as it slows (30-60 km for the notional defaults). The
  lift left over (the lift is capped at ``L/D x drag``) banks the vehicle towards the aim
  (heading rate ``-(psi - psi_aim) / TAU_HEADING_S``), so the earth's turning is flown out.
* **Terminal dive.** When the aim is ``dive_angle_deg`` below the horizon (ground range to go
  ``<= h / tan(dive_angle)``) the vehicle dives onto it by proportional navigation (gain
  ``NAV_GAIN``, gravity compensated), lift-limited as before; the impact is height 0.
* **Reach.** A glide that slows below ``min_glide_speed_mps`` (or meets the ground) before its
  dive cannot reach the aim: :class:`~iadsim.world.ballistic.Unreachable`, with the reach of that
  flight (ground range flown plus the dive's) as the limit.

Equilibrium glide range (the closed-form check, docs/validation.md): with ``gamma ~ 0``,
``dV/ds = -(g - V^2/r) / ((L/D) V)``, so ``s = (L/D) (r/2) ln((g r - V2^2) / (g r - V1^2))``.
Deterministic (no rng): flown once before the run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pymap3d
from numpy.typing import NDArray
from scipy.integrate import solve_ivp

from iadsim.world.ballistic import (
    _LOG_RHO,
    _MAX_FLIGHT_S,
    _RHO_86,
    _TABLE_DH_M,
    GM_M3_S2,
    TAIL_SCALE_HEIGHT_M,
    Flight,
    Motor,
    Physics,
    Shot,
    Unreachable,
    _local_axes,
    _rhs,
    boost,
    height_m,
)

TAU_GAMMA_S = 4.0
TAU_HEIGHT_S = 25.0
TAU_HEADING_S = 30.0
NAV_GAIN = 4.0
DIVE_CEILING_M = 70_000.0
MEAN_EARTH_RADIUS_M = 6_371_000.0
_RTOL, _ATOL = 1e-9, 1e-4
_LOG_RHO_UP = np.array(_LOG_RHO[::-1])  # increasing, for np.interp
_H_UP = (np.arange(len(_LOG_RHO)) * _TABLE_DH_M)[::-1].copy()

Accel = Callable[[float, NDArray[np.float64]], NDArray[np.float64]]


@dataclass(frozen=True, slots=True)
class Glider:
    """The glide vehicle: lift-to-drag ratio, ballistic coefficient, boost and dive settings."""

    lift_to_drag: float
    beta_kg_m2: float
    burnout_pitch_rad: float = math.radians(-20.0)
    dive_angle_rad: float = math.radians(20.0)
    min_glide_speed_mps: float = 1_000.0


def equilibrium_height_m(speed_mps: float, radius_m: float, glider: Glider) -> float:
    """Height at which full lift holds a level glide at ``speed_mps``: solves
    ``rho(h) V^2 (L/D) / (2 beta) = GM / r^2 - V^2 / r`` in the tabled USSA76 density."""
    need = GM_M3_S2 / radius_m**2 - speed_mps**2 / radius_m
    if need <= 0.0:
        return 200_000.0  # faster than circular: no level glide, stay high
    rho = 2.0 * glider.beta_kg_m2 * need / (glider.lift_to_drag * speed_mps**2)
    log_rho = math.log(rho)
    if rho < _RHO_86:
        return 86_000.0 - TAIL_SCALE_HEIGHT_M * (log_rho - math.log(_RHO_86))
    return float(np.interp(log_rho, _LOG_RHO_UP, _H_UP))


def _air(y: NDArray[np.float64], w: float) -> NDArray[np.float64]:
    return np.array([y[3] + w * y[1], y[4] - w * y[0], y[5]])


def _aim_eci(aim_ecef_m: NDArray[np.float64], t: float, w: float) -> NDArray[np.float64]:
    c, s = math.cos(w * t), math.sin(w * t)
    x, y, z = aim_ecef_m
    return np.array([c * x - s * y, s * x + c * y, z])


def _angle_between(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    return math.atan2(float(np.linalg.norm(np.cross(a, b))), float(a @ b))


def _max_lift(y: NDArray[np.float64], speed: float, glider: Glider, physics: Physics) -> float:
    rho = physics.density(height_m(y[:3])) if physics.density is not None else 0.0
    return glider.lift_to_drag * 0.5 * rho * speed * speed / glider.beta_kg_m2


def glide_lift(glider: Glider, aim_ecef_m: NDArray[np.float64], physics: Physics) -> Accel:
    """The pull-up and glide lift law (module doc) as an acceleration of (t, ECI state)."""
    w = physics.omega_rad_s

    def f(t: float, y: NDArray[np.float64]) -> NDArray[np.float64]:
        r = y[:3]
        va = _air(y, w)
        speed = float(np.linalg.norm(va))
        lift_max = _max_lift(y, speed, glider, physics)
        if lift_max <= 0.0 or speed < 1.0:
            return np.zeros(3)
        up, _e, _n = _local_axes(r)
        rn = float(np.linalg.norm(r))
        v_hat = va / speed
        sin_g = float(v_hat @ up)
        gamma = math.asin(max(-1.0, min(1.0, sin_g)))
        v_h = speed * math.cos(gamma)
        h = height_m(r)
        gamma_ref = -(h - equilibrium_height_m(speed, rn, glider)) / (speed * TAU_HEIGHT_S)
        gamma_ref = max(-0.5, min(0.5, gamma_ref))
        a_up = ((GM_M3_S2 / rn**2 - v_h**2 / rn) * math.cos(gamma)
                - speed * (gamma - gamma_ref) / TAU_GAMMA_S)
        a_up = max(-lift_max, min(lift_max, a_up))
        n_up = up - sin_g * v_hat
        n_up /= max(float(np.linalg.norm(n_up)), 1e-12)
        n_right = np.cross(v_hat, n_up)
        to_aim = _aim_eci(aim_ecef_m, t, w) - r
        to_aim_h = to_aim - (to_aim @ up) * up
        horiz = va - (va @ up) * up
        # heading error: signed angle from the horizontal velocity to the aim, about up
        err = math.atan2(float(np.cross(horiz, to_aim_h) @ up), float(horiz @ to_aim_h))
        a_right = -v_h * err / TAU_HEADING_S  # err > 0: aim to the left, turn left
        side = math.sqrt(max(lift_max**2 - a_up**2, 0.0))
        a_right = max(-side, min(side, a_right))
        return a_up * n_up + a_right * n_right

    return f


def dive_lift(glider: Glider, aim_ecef_m: NDArray[np.float64], physics: Physics) -> Accel:
    """The terminal dive: proportional navigation onto the aim, gravity compensated,
    lift-limited (module doc)."""
    w = physics.omega_rad_s
    spin = np.array([0.0, 0.0, w])

    def f(t: float, y: NDArray[np.float64]) -> NDArray[np.float64]:
        r, v = y[:3], y[3:]
        va = _air(y, w)
        speed = float(np.linalg.norm(va))
        lift_max = _max_lift(y, speed, glider, physics)
        if lift_max <= 0.0 or speed < 1.0:
            return np.zeros(3)
        v_hat = va / speed
        aim = _aim_eci(aim_ecef_m, t, w)
        d = aim - r
        d_dot = np.cross(spin, aim) - v
        dist2 = max(float(d @ d), 1.0)
        los_rate = np.cross(d, d_dot) / dist2
        closing = -float(d_dot @ d) / math.sqrt(dist2)
        a = NAV_GAIN * closing * np.cross(los_rate, d / math.sqrt(dist2))
        grav = -GM_M3_S2 * r / float(np.linalg.norm(r)) ** 3
        a = a - grav
        a = a - (a @ v_hat) * v_hat
        mag = float(np.linalg.norm(a))
        return a if mag <= lift_max else a * (lift_max / mag)

    return f


@dataclass(frozen=True, slots=True)
class GlideFlight:
    """A glide vehicle's flight, the times its phases begin (s after launch), and how it ended:
    ``dived`` (False: it slowed below its minimum speed or met the ground first; the flight then
    ends there) and the impact's distance from the aim."""

    flight: Flight
    cutoff_s: float
    dive_s: float
    dived: bool
    miss_m: float


def _ground_to_go_m(t: float, y: NDArray[np.float64], aim_ecef_m: NDArray[np.float64],
                    w: float) -> float:
    return MEAN_EARTH_RADIUS_M * _angle_between(y[:3], _aim_eci(aim_ecef_m, t, w))


def fly_glide(launch_ecef_m: NDArray[np.float64], aim_ecef_m: NDArray[np.float64],
              azimuth_rad: float, motor: Motor, glider: Glider, physics: Physics,
              *, dive: bool = True) -> GlideFlight:
    """Boost, pull-up, glide and (``dive``) dive onto ``aim_ecef_m`` (module doc)."""
    w = physics.omega_rad_s
    segments, bounds, y = boost(launch_ecef_m, azimuth_rad, glider.burnout_pitch_rad,
                                motor.burn_time_s, motor, physics)
    cutoff_s, cutoff_state = bounds[-1], y.copy()
    tan_dive = math.tan(glider.dive_angle_rad)

    def start_dive(t: float, yy: NDArray[np.float64]) -> float:
        h = height_m(yy[:3])
        return max(_ground_to_go_m(t, yy, aim_ecef_m, w) * tan_dive - h, h - DIVE_CEILING_M)

    def slow(_t: float, yy: NDArray[np.float64]) -> float:
        return float(np.linalg.norm(_air(yy, w))) - glider.min_glide_speed_mps

    def ground(_t: float, yy: NDArray[np.float64]) -> float:
        return height_m(yy[:3])

    events: list[Callable[[float, NDArray[np.float64]], float]] = [ground, slow]
    if dive:
        events.append(start_dive)
    for e in events:
        e.terminal, e.direction = True, -1.0  # type: ignore[attr-defined]
    beta = glider.beta_kg_m2
    t0 = bounds[-1]
    sol = solve_ivp(_rhs(physics, lambda _t: beta, glide_lift(glider, aim_ecef_m, physics)),
                    (t0, t0 + _MAX_FLIGHT_S), y, method="DOP853", rtol=_RTOL, atol=_ATOL,
                    events=events, dense_output=True)
    segments.append(sol.sol)
    t1, y1 = float(sol.t[-1]), sol.y[:, -1]
    dived = dive and sol.t_events[2].size > 0
    if dived:
        bounds.append(t1)
        sol = solve_ivp(_rhs(physics, lambda _t: beta, dive_lift(glider, aim_ecef_m, physics)),
                        (t1, t1 + _MAX_FLIGHT_S), y1, method="DOP853", rtol=_RTOL, atol=_ATOL,
                        events=(ground,), dense_output=True)
        segments.append(sol.sol)
    t_end, y_end = float(sol.t[-1]), sol.y[:, -1]
    miss = float(np.linalg.norm(y_end[:3] - _aim_eci(aim_ecef_m, t_end, w)))
    times = np.concatenate([np.linspace(b0, b1, 64) for b0, b1 in
                            zip(bounds, [*bounds[1:], t_end], strict=True)])
    fl = Flight(tuple(segments), (*bounds, t_end), t_end, 0.0, y_end[:3], cutoff_state)
    apogee = max(height_m(s[:3]) for s in fl.state_eci(times))
    fl = Flight(fl.segments, fl.bounds_s, t_end, float(apogee), y_end[:3], cutoff_state)
    return GlideFlight(fl, cutoff_s, t1 if dived else math.nan, bool(dived), miss)


def _azimuth_rad(shot: Shot) -> float:
    p1, p2 = math.radians(shot.launch_lat_deg), math.radians(shot.aim_lat_deg)
    dl = math.radians(shot.aim_lon_deg - shot.launch_lon_deg)
    return math.atan2(math.sin(dl) * math.cos(p2),
                      math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl))


def ground_range_m(shot: Shot) -> float:
    """Great-circle distance from launch to aim on the mean sphere, m."""
    p1, p2 = math.radians(shot.launch_lat_deg), math.radians(shot.aim_lat_deg)
    dl = math.radians(shot.aim_lon_deg - shot.launch_lon_deg)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return MEAN_EARTH_RADIUS_M * math.acos(max(-1.0, min(1.0, c)))


MISS_TOLERANCE_M = 50.0
"""A dive that ends further than this from the aim is a shot the glider cannot fly."""


def solve_glide(shot: Shot, motor: Motor, glider: Glider, physics: Physics = Physics()
                ) -> GlideFlight:
    """The glide vehicle's flight from ``shot``'s launch point onto its aim point.

    Raises :class:`Unreachable` (``best``: the reach in metres) if the glide slows below its
    minimum speed, or meets the ground, before the aim is below the dive angle, or the dive
    misses by more than ``MISS_TOLERANCE_M``."""
    launch = np.array(pymap3d.geodetic2ecef(shot.launch_lat_deg, shot.launch_lon_deg,
                                            shot.launch_alt_m), float)
    aim = np.array(pymap3d.geodetic2ecef(shot.aim_lat_deg, shot.aim_lon_deg, 0.0), float)
    out = fly_glide(launch, aim, _azimuth_rad(shot), motor, glider, physics)
    if out.dived and out.miss_m <= MISS_TOLERANCE_M:
        return out
    if out.dived:
        raise Unreachable(f"the dive misses the aim by {out.miss_m:.0f} m", ground_range_m(shot))
    fl = out.flight
    flown = MEAN_EARTH_RADIUS_M * _angle_between(launch, _rotate_back(fl.impact_eci_m,
                                                                      fl.impact_s, physics))
    reach = flown + height_m(fl.impact_eci_m) / math.tan(glider.dive_angle_rad)
    raise Unreachable(f"the glide slows to {glider.min_glide_speed_mps:.0f} m/s "
                      f"{reach / 1e3:.0f} km out", reach)


def _rotate_back(r: NDArray[np.float64], t: float, physics: Physics) -> NDArray[np.float64]:
    """ECEF position (3,) of an ECI position (3,) at flight time ``t``."""
    w = physics.omega_rad_s
    c, s = math.cos(w * t), math.sin(w * t)
    return np.array([c * r[0] + s * r[1], -s * r[0] + c * r[1], r[2]])
