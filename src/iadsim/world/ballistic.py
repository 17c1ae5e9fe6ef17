"""World stage: ballistic missiles on a round, rotating earth (boost, free flight, re-entry).

In: launch and aim points (geodetic), each group's motor, ballistic coefficients and shape
(apogee or flight time). Out: every ballistic object's flight (re-entry vehicle, spent booster,
debris) as a :class:`~iadsim.world.ballistic_tables.BallisticTables` of ENU states on a time grid.

The model, stated once:

* **Frame.** Each missile is integrated in an inertial frame (ECI) that coincides with WGS-84
  ECEF at its launch; the earth turns under it at ``OMEGA_EARTH_RAD_S``, so the ECEF position at
  flight time t is ``Rz(-omega t) r_eci``. It starts at rest on the ground (``omega x r`` in ECI).
* **Gravity.** WGS-84 ``GM`` with the J2 zonal term (Vallado, *Fundamentals of Astrodynamics*,
  eq. 8-28).
* **Boost.** Constant thrust ``thrust_to_weight x m0 g0`` for the burn, mass falling linearly to
  ``m0 / mass_ratio`` at ``burn_time_s``: a vertical rise for ``vertical_rise_s``, then a pitch
  programme in the vertical plane of a launch azimuth, the thrust elevation falling linearly to
  the burnout pitch at thrust cut-off ``t_c <= burn_time_s`` (energy management).
  "Up", "north" and "east" of the programme are geocentric at the vehicle.
* **Drag.** ``-rho |v_air| v_air / (2 beta)``, ``v_air = v - omega x r``, in the US Standard
  Atmosphere 1976 (``world.atmosphere``) below 86 km and an exponential tail above it; ``beta``
  is the launch value (scaled by the mass left) in boost and the re-entry vehicle's (or booster's,
  or debris') own after cut-off, where the booster separates.
* **Manoeuvring re-entry.** Optionally a terminal weave below a height: a sinusoidal
  horizontal acceleration across the air velocity (``Weave``), so the descent is no longer the
  ballistic arc a tracker's model assumes.
* **Solve.** Given the aim point and the apogee (or the flight time), Newton's method with a
  finite-difference Jacobian finds the launch azimuth, the burnout pitch and the cut-off time
  that put the impact (height 0 over the ellipsoid) on the aim point and the highest point at the
  apogee. Trajectories are integrated with ``scipy.integrate.solve_ivp`` (DOP853, segment by
  segment so that the thrust's jumps fall on segment ends). No randomness: precomputed once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pymap3d
from numpy.typing import NDArray
from scipy.integrate import OdeSolution, solve_ivp

from iadsim.world.atmosphere import density_kg_m3

GM_M3_S2 = 3.986004418e14
WGS84_A_M = 6_378_137.0
WGS84_B_M = WGS84_A_M * (1.0 - 1.0 / 298.257223563)
J2 = 1.08262668e-3
OMEGA_EARTH_RAD_S = 7.292115e-5
G0_MPS2 = 9.80665
TAIL_SCALE_HEIGHT_M = 6_000.0
"""Density above 86 km: the USSA76 value at 86 km decaying with this scale height."""
_RHO_86 = float(density_kg_m3(86_000.0))
_RTOL, _ATOL = 1e-10, 1e-6
_MAX_FLIGHT_S = 7_200.0
_TABLE_DH_M = 25.0
_LOG_RHO = np.log(density_kg_m3(np.arange(0.0, 86_000.0 + _TABLE_DH_M, _TABLE_DH_M))).tolist()


def air_density(height_m: float) -> float:
    """USSA76 density (kg/m3) at geometric height, 0-86 km, an exponential tail above.

    Interpolated in log density on a 25 m table of ``world.atmosphere`` (relative error under
    1e-5: the equations of motion call it some 10^4 times per trajectory). Below 0 m: the sea
    level value.
    """
    if height_m >= 86_000.0:
        return _RHO_86 * math.exp(-(height_m - 86_000.0) / TAIL_SCALE_HEIGHT_M)
    x = max(height_m, 0.0) / _TABLE_DH_M
    k = int(x)
    lo = _LOG_RHO[k]
    return math.exp(lo + (x - k) * (_LOG_RHO[k + 1] - lo))


@dataclass(frozen=True, slots=True)
class Physics:
    """Which forces act: J2 on or off, the earth's spin, the density (None: vacuum)."""

    j2: bool = True
    omega_rad_s: float = OMEGA_EARTH_RAD_S
    density: Callable[[float], float] | None = air_density
    gravity: bool = True


@dataclass(frozen=True, slots=True)
class Motor:
    """A single-stage motor: burn time, lift-off thrust-to-weight, launch/burnout mass ratio."""

    burn_time_s: float
    thrust_to_weight: float
    mass_ratio: float
    vertical_rise_s: float = 5.0
    launch_ballistic_coefficient_kg_m2: float = 20_000.0

    def mass_fraction(self, t_s: float) -> float:
        """m(t) / m0 while burning."""
        return 1.0 - (1.0 - 1.0 / self.mass_ratio) * min(t_s, self.burn_time_s) / self.burn_time_s

    def exhaust_speed_mps(self) -> float:
        """Effective exhaust speed Isp g0 = thrust / mass flow."""
        return self.thrust_to_weight * G0_MPS2 * self.burn_time_s / (1.0 - 1.0 / self.mass_ratio)

    def ideal_delta_v_mps(self, t_s: float | None = None) -> float:
        """Rocket equation delta-v after ``t_s`` of burn (the whole burn by default)."""
        t = self.burn_time_s if t_s is None else t_s
        return -self.exhaust_speed_mps() * math.log(self.mass_fraction(t))


def height_m(r: NDArray[np.float64]) -> float:
    """Height of a point (3,) above the WGS-84 ellipsoid along its geocentric radius."""
    x, y, z = float(r[0]), float(r[1]), float(r[2])
    rn = math.sqrt(x * x + y * y + z * z)
    s = z / rn
    c2 = 1.0 - s * s
    return rn - WGS84_A_M * WGS84_B_M / math.sqrt(WGS84_B_M**2 * c2 + WGS84_A_M**2 * s * s)


def gravity_mps2(r: NDArray[np.float64], j2: bool = True) -> NDArray[np.float64]:
    """Point-mass plus J2 gravitational acceleration at ``r`` (3,), m/s2 (Vallado eq. 8-28)."""
    x, y, z = float(r[0]), float(r[1]), float(r[2])
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    k = -GM_M3_S2 / (r2 * rn)
    if not j2:
        return np.array([k * x, k * y, k * z])
    q = 1.5 * J2 * WGS84_A_M**2 / r2
    z2 = z * z / r2
    fxy = 1.0 + q * (1.0 - 5.0 * z2)
    return np.array([k * x * fxy, k * y * fxy, k * z * (1.0 + q * (3.0 - 5.0 * z2))])


def _local_axes(r: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
    """Geocentric up, east, north unit vectors at ``r`` (3,)."""
    x, y, z = float(r[0]), float(r[1]), float(r[2])
    rn = math.sqrt(x * x + y * y + z * z)
    ux, uy, uz = x / rn, y / rn, z / rn
    en = math.hypot(ux, uy)
    ex, ey = (-uy / en, ux / en) if en > 1e-12 else (0.0, 1.0)
    return (np.array([ux, uy, uz]), np.array([ex, ey, 0.0]),
            np.array([-uz * ey, uz * ex, ux * ey - uy * ex]))


Thrust = Callable[[float, NDArray[np.float64]], NDArray[np.float64]]


def _rhs(physics: Physics, beta_kg_m2: Callable[[float], float], thrust: Thrust | None
         ) -> Callable[[float, NDArray[np.float64]], NDArray[np.float64]]:
    """The equations of motion d(r, v)/dt in ECI for one object."""
    w = physics.omega_rad_s

    def f(t: float, y: NDArray[np.float64]) -> NDArray[np.float64]:
        r = y[:3]
        a = gravity_mps2(r, physics.j2) if physics.gravity else np.zeros(3)
        if physics.density is not None:
            rho = physics.density(height_m(r))
            if rho > 0.0:
                vx, vy, vz = float(y[3] + w * y[1]), float(y[4] - w * y[0]), float(y[5])
                k = 0.5 * rho * math.sqrt(vx * vx + vy * vy + vz * vz) / beta_kg_m2(t)
                a[0] -= k * vx
                a[1] -= k * vy
                a[2] -= k * vz
        if thrust is not None:
            a = a + thrust(t, y)
        out = np.empty(6)
        out[:3] = y[3:]
        out[3:] = a
        return out

    return f


@dataclass(frozen=True, slots=True)
class Flight:
    """One integrated flight: pieces of dense output over [0, impact], in ECI."""

    segments: tuple[OdeSolution, ...]
    bounds_s: tuple[float, ...]  # segment k covers [bounds_s[k], bounds_s[k + 1]]
    impact_s: float
    apogee_m: float
    impact_eci_m: NDArray[np.float64]
    cutoff_state: NDArray[np.float64]  # (6,) ECI state at thrust cut-off

    def state_eci(self, t_s: NDArray[np.float64]) -> NDArray[np.float64]:
        """ECI states (m, 6) at flight times ``t_s`` (m,), clipped to [0, impact]."""
        t = np.clip(np.asarray(t_s, float), self.bounds_s[0], self.impact_s)
        out = np.empty((t.shape[0], 6))
        for k, sol in enumerate(self.segments):
            last = k == len(self.segments) - 1
            m = (t >= self.bounds_s[k]) & ((t <= self.bounds_s[k + 1]) if last
                                            else (t < self.bounds_s[k + 1]))
            if m.any():
                out[m] = sol(t[m]).T
        return out


@dataclass(frozen=True, slots=True)
class Weave:
    """A manoeuvring re-entry vehicle's terminal weave: below ``below_m`` on the way down, a
    horizontal acceleration ``accel_mps2 sin(2 pi t / period_s)`` across its air velocity."""

    accel_mps2: float
    below_m: float
    period_s: float

    def thrust(self, t0_s: float, omega_rad_s: float) -> Thrust:
        """The weave's acceleration as a function of (t, state), starting at ``t0_s``."""
        w = omega_rad_s

        def f(t: float, y: NDArray[np.float64]) -> NDArray[np.float64]:
            up, _east, _north = _local_axes(y[:3])
            va = np.array([y[3] + w * y[1], y[4] - w * y[0], y[5]])
            side = np.cross(up, va)
            norm = float(np.linalg.norm(side))
            if norm < 1e-9:
                return np.zeros(3)
            phase = 2.0 * math.pi * (t - t0_s) / self.period_s
            return (self.accel_mps2 * math.sin(phase) / norm) * side

        return f


def coast(state0: NDArray[np.float64], t0_s: float, beta_kg_m2: float, physics: Physics,
          *, stop_height_m: float = 0.0, weave: Weave | None = None) -> Flight:
    """Unpowered flight from ``state0`` (6,) ECI at ``t0_s`` down to ``stop_height_m`` (with a
    terminal ``weave`` below its height, if given)."""
    f = _rhs(physics, lambda _t: beta_kg_m2, None)

    def ground(_t: float, y: NDArray[np.float64]) -> float:
        return height_m(y[:3]) - stop_height_m

    def top(_t: float, y: NDArray[np.float64]) -> float:
        return float(y[:3] @ y[3:])

    def below(_t: float, y: NDArray[np.float64]) -> float:
        return height_m(y[:3]) - (weave.below_m if weave is not None else -1e9)

    ground.terminal, ground.direction = True, -1.0  # type: ignore[attr-defined]
    top.direction = -1.0  # type: ignore[attr-defined]
    below.terminal, below.direction = True, -1.0  # type: ignore[attr-defined]
    y0 = np.asarray(state0, float)
    sol = solve_ivp(f, (t0_s, t0_s + _MAX_FLIGHT_S), y0, method="DOP853",
                    rtol=_RTOL, atol=_ATOL, events=(ground, top, below), dense_output=True)
    apex = sol.y_events[1][:, :3] if sol.t_events[1].size else y0[None, :3]
    apogee = max(height_m(p) for p in np.vstack([apex, y0[None, :3]]))
    segments, bounds = [sol.sol], [t0_s]
    if weave is not None and sol.t_events[2].size and not sol.t_events[0].size:
        t1, y1 = float(sol.t_events[2][0]), sol.y_events[2][0]
        g = _rhs(physics, lambda _t: beta_kg_m2, weave.thrust(t1, physics.omega_rad_s))
        sol = solve_ivp(g, (t1, t1 + _MAX_FLIGHT_S), y1, method="DOP853", rtol=_RTOL,
                        atol=_ATOL, events=(ground,), dense_output=True)
        segments.append(sol.sol)
        bounds.append(t1)
    if sol.t_events[0].size == 0:
        raise ValueError("the object does not come down within "
                         f"{_MAX_FLIGHT_S:.0f} s (an orbit or an escape)")
    t_imp = float(sol.t_events[0][0])
    return Flight(tuple(segments), (*bounds, t_imp), t_imp, float(apogee),
                  sol.y_events[0][0][:3], y0)


def launch_state(launch_ecef_m: NDArray[np.float64], physics: Physics) -> NDArray[np.float64]:
    """ECI state (6,) of a point at rest on the turning earth (ECI = ECEF at launch)."""
    r = np.asarray(launch_ecef_m, float)
    w = physics.omega_rad_s
    return np.concatenate([r, [-w * r[1], w * r[0], 0.0]])


def boost(launch_ecef_m: NDArray[np.float64], azimuth_rad: float, burnout_pitch_rad: float,
          cutoff_s: float, motor: Motor, physics: Physics
          ) -> tuple[list[OdeSolution], list[float], NDArray[np.float64]]:
    """The powered flight alone: a vertical rise, then the pitch programme to
    ``burnout_pitch_rad`` at ``cutoff_s``. Returns its dense pieces, their bounds (s) and the
    ECI state (6,) at cut-off."""
    accel0 = motor.thrust_to_weight * G0_MPS2
    t_rise = min(motor.vertical_rise_s, cutoff_s)
    sa, ca = math.sin(azimuth_rad), math.cos(azimuth_rad)

    def beta(t: float) -> float:
        return motor.launch_ballistic_coefficient_kg_m2 * motor.mass_fraction(t)

    def rise(t: float, y: NDArray[np.float64]) -> NDArray[np.float64]:
        return (accel0 / motor.mass_fraction(t)) * (y[:3] / np.linalg.norm(y[:3]))

    def pitch(t: float, y: NDArray[np.float64]) -> NDArray[np.float64]:
        r = y[:3]
        frac = (t - t_rise) / max(cutoff_s - t_rise, 1e-9)
        th = 0.5 * math.pi - (0.5 * math.pi - burnout_pitch_rad) * min(max(frac, 0.0), 1.0)
        up, east, north = _local_axes(r)
        d = math.cos(th) * (ca * north + sa * east) + math.sin(th) * up
        return (accel0 / motor.mass_fraction(t)) * d

    y = launch_state(launch_ecef_m, physics)
    segments, bounds = [], [0.0]
    for thrust, t1 in ((rise, t_rise), (pitch, cutoff_s)):
        if t1 <= bounds[-1]:
            continue
        sol = solve_ivp(_rhs(physics, beta, thrust), (bounds[-1], t1), y, method="DOP853",
                        rtol=_RTOL, atol=_ATOL, dense_output=True)
        segments.append(sol.sol)
        bounds.append(t1)
        y = sol.y[:, -1]
    return segments, bounds, y


def fly(launch_ecef_m: NDArray[np.float64], azimuth_rad: float, burnout_pitch_rad: float,
        cutoff_s: float, motor: Motor, beta_kg_m2: float, physics: Physics,
        weave: Weave | None = None) -> Flight:
    """Boost (vertical rise, pitch programme to ``burnout_pitch_rad`` at ``cutoff_s``), then
    coast with ``beta_kg_m2`` to the ground."""
    segments, bounds, y = boost(launch_ecef_m, azimuth_rad, burnout_pitch_rad, cutoff_s, motor,
                                physics)
    tail = coast(y, bounds[-1], beta_kg_m2, physics, weave=weave)
    return Flight((*segments, *tail.segments), (*bounds, *tail.bounds_s[1:]), tail.impact_s,
                  tail.apogee_m, tail.impact_eci_m, y)


def eci_to_ecef(t_s: NDArray[np.float64], state_eci: NDArray[np.float64],
                omega_rad_s: float = OMEGA_EARTH_RAD_S) -> NDArray[np.float64]:
    """ECI states (m, 6) at flight times (m,) to ECEF position and velocity (m, 6)."""
    t = np.asarray(t_s, float)
    c, s = np.cos(omega_rad_s * t), np.sin(omega_rad_s * t)
    r, v = state_eci[:, :3], state_eci[:, 3:]
    v_rel = v - omega_rad_s * np.stack([-r[:, 1], r[:, 0], np.zeros_like(t)], axis=1)

    def rot(x: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.stack([c * x[:, 0] + s * x[:, 1], -s * x[:, 0] + c * x[:, 1], x[:, 2]], axis=1)

    return np.hstack([rot(r), rot(v_rel)])


@dataclass(frozen=True, slots=True)
class Shot:
    """What to solve for: launch and aim (geodetic degrees), and the apogee or the flight time."""

    launch_lat_deg: float
    launch_lon_deg: float
    launch_alt_m: float
    aim_lat_deg: float
    aim_lon_deg: float
    apogee_m: float | None
    flight_time_s: float | None


class Unreachable(ValueError):
    """The motor cannot fly the shot; ``best`` is the closest it came (apogee or time)."""

    def __init__(self, message: str, best: float) -> None:
        super().__init__(message)
        self.best = best


def _miss(flight: Flight, shot: Shot, physics: Physics) -> NDArray[np.float64]:
    """East/north miss (2,) of the impact from the aim point, metres, in the aim's ENU frame."""
    ecef = eci_to_ecef(np.array([flight.impact_s]), np.hstack([flight.impact_eci_m, np.zeros(3)]
                                                                )[None, :], physics.omega_rad_s)
    e, n, _u = pymap3d.ecef2enu(*ecef[0, :3], shot.aim_lat_deg, shot.aim_lon_deg, 0.0)
    return np.array([float(e), float(n)])


def _first_guess(shot: Shot, motor: Motor) -> NDArray[np.float64]:
    """Azimuth, burnout pitch and cut-off from the flat vacuum parabola of the same shape."""
    p1, p2 = math.radians(shot.launch_lat_deg), math.radians(shot.aim_lat_deg)
    dl = math.radians(shot.aim_lon_deg - shot.launch_lon_deg)
    az = math.atan2(math.sin(dl) * math.cos(p2),
                    math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl))
    ground = 6_371_000.0 * math.acos(min(1.0, math.sin(p1) * math.sin(p2)
                                         + math.cos(p1) * math.cos(p2) * math.cos(dl)))
    h = shot.apogee_m if shot.apogee_m is not None else G0_MPS2 * shot.flight_time_s**2 / 8.0
    pitch = math.atan2(4.0 * h, max(ground, 1.0))
    v_need = math.sqrt(2.0 * G0_MPS2 * h) / math.sin(pitch)
    lo, hi = motor.vertical_rise_s + 1.0, motor.burn_time_s
    for _ in range(50):  # bisect: delta-v less a gravity loss reaches the needed speed
        mid = 0.5 * (lo + hi)
        net = motor.ideal_delta_v_mps(mid) - G0_MPS2 * mid * 0.5 * (1.0 + math.sin(pitch))
        lo, hi = (mid, hi) if net < v_need else (lo, mid)
    return np.array([az, pitch, hi])


def solve_shot(shot: Shot, motor: Motor, beta_kg_m2: float, physics: Physics = Physics(), *,
               weave: Weave | None = None, tol_m: float = 1.0, max_iter: int = 25
               ) -> tuple[Flight, NDArray[np.float64]]:
    """The flight that hits the aim point with the asked apogee (or flight time).

    A ``weave`` (manoeuvring re-entry vehicle) is flown inside the solve, so the weaving vehicle
    still lands on the aim. Returns the flight and the controls (azimuth_rad, burnout_pitch_rad,
    cutoff_s). Raises
    :class:`Unreachable` if Newton's method cannot meet the shape within the motor's burn.
    """
    launch = np.array(pymap3d.geodetic2ecef(shot.launch_lat_deg, shot.launch_lon_deg,
                                            shot.launch_alt_m), float)
    lo = np.array([-np.inf, math.radians(1.0), min(motor.vertical_rise_s + 1.0, motor.burn_time_s)])
    hi = np.array([np.inf, math.radians(89.5), motor.burn_time_s])
    want_apogee = shot.apogee_m is not None

    def residual(x: NDArray[np.float64]) -> tuple[NDArray[np.float64], Flight]:
        fl = fly(launch, float(x[0]), float(x[1]), float(x[2]), motor, beta_kg_m2, physics,
                 weave)
        shape = (fl.apogee_m - shot.apogee_m if want_apogee
                 else 100.0 * (fl.impact_s - float(shot.flight_time_s or 0.0)))
        return np.append(_miss(fl, shot, physics), shape), fl

    x = np.clip(_first_guess(shot, motor), lo, hi)
    step = np.array([1e-5, 1e-5, 1e-3])
    limit = np.array([0.05, 0.15, 0.2 * motor.burn_time_s])
    f, fl = residual(x)
    for _ in range(max_iter):
        if np.all(np.abs(f) < tol_m):
            return fl, x
        jac = np.empty((3, 3))
        for k in range(3):
            dx = np.zeros(3)
            dx[k] = step[k] if x[k] + step[k] <= hi[k] else -step[k]
            jac[:, k] = (residual(x + dx)[0] - f) / dx[k]
        try:
            delta = -np.linalg.solve(jac, f)
        except np.linalg.LinAlgError:
            break
        delta = np.clip(delta, -limit, limit)
        for _halve in range(8):  # damped: accept a step that shrinks the residual
            x_new = np.clip(x + delta, lo, hi)
            f_new, fl_new = residual(x_new)
            if np.linalg.norm(f_new) < np.linalg.norm(f):
                break
            delta = delta / 2.0
        else:
            break
        x, f, fl = x_new, f_new, fl_new
    if np.all(np.abs(f) < tol_m):
        return fl, x
    best = fl.apogee_m if want_apogee else fl.impact_s
    raise Unreachable(f"the boost cannot fly this shot (closest: miss {np.hypot(*f[:2]):.0f} m, "
                      f"{'apogee' if want_apogee else 'flight time'} {best:.0f})", best)
