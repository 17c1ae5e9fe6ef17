"""Engagement planning: predicted intercept points and launch windows.

In: target states (position, velocity, acceleration in scenario ENU), launcher positions and
interceptor classes. Out: time of flight, intercept point, earliest and latest launch times.

* :func:`intercept_time_s`: an interceptor at one mean speed s against a constant-velocity
  target, closed form: with d = p - L, (v.v - s^2) t^2 + 2 (d.v) t + d.d = 0.
* :func:`intercept_boost_coast`: an interceptor with a speed *profile* (boost at constant
  acceleration, then a coast in which speed decays exponentially) against a constant-velocity
  (acceleration 0) or ballistic (acceleration g) target: the smallest t with
  ``reach_m(t) = |p + v t + a t^2 / 2 - L|``, found by a scan then bisection, all pairs at once.
* :class:`FlyoutProfile`: the same search against the point-mass fly-out envelope table
  (``engagement.flyout``): the first t at which a round launched now arrives together with the
  target, t = tof(point(t)), read at the point's ground range and height above the earth (a
  sign change of t - tof between reachable samples; this is what the command uses).
* :func:`launch_window`: earliest and latest launch times whose intercept lies inside the
  class envelope (range, height above the earth, fly-out reach, minimum time of flight).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.engagement.flyout import EnvelopeTable
from iadsim.engagement.geometry import from_surface, ground_range_height, to_surface
from iadsim.world.frames import Origin


def intercept_time_s(
    target_position_m: NDArray[np.float64],
    target_velocity_mps: NDArray[np.float64],
    launcher_position_m: NDArray[np.float64],
    interceptor_speed_mps: NDArray[np.float64] | float,
) -> NDArray[np.float64]:
    """Time of flight to a constant-velocity target, (n,); +inf where it cannot be caught.

    All position/velocity arguments broadcast to (n, 3).
    """
    d = np.asarray(target_position_m, float) - np.asarray(launcher_position_m, float)
    v = np.asarray(target_velocity_mps, float)
    s = np.asarray(interceptor_speed_mps, float)
    a = np.einsum("...i,...i->...", v, v) - s**2
    b = 2.0 * np.einsum("...i,...i->...", d, v)
    c = np.einsum("...i,...i->...", d, d)
    disc = b**2 - 4.0 * a * c
    with np.errstate(divide="ignore", invalid="ignore"):
        sqrt_disc = np.sqrt(np.where(disc >= 0.0, disc, np.nan))
        r1 = (-b - sqrt_disc) / (2.0 * a)
        r2 = (-b + sqrt_disc) / (2.0 * a)
        linear = np.where(b < 0.0, -c / b, np.inf)  # a == 0: target as fast as the interceptor
    roots = np.stack([r1, r2], axis=-1)
    roots = np.where(np.isfinite(roots) & (roots > 0.0), roots, np.inf)
    t = np.min(roots, axis=-1)
    t = np.where(np.abs(a) < 1e-9, np.where(linear > 0, linear, np.inf), t)
    return np.where(c == 0.0, 0.0, t)


def intercept_point_m(
    target_position_m: NDArray[np.float64],
    target_velocity_mps: NDArray[np.float64],
    time_s: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Constant-velocity prediction p + v t, (n, 3); NaN rows where ``time_s`` is infinite."""
    t = np.where(np.isfinite(time_s), time_s, np.nan)
    return (
        np.asarray(target_position_m, float) + np.asarray(target_velocity_mps, float) * t[..., None]
    )


@dataclass(frozen=True, slots=True)
class SpeedProfile:
    """Interceptor fly-out per class (rows): boost, then coast; straight line to the intercept.

    Speed is ``v0 + a t`` during the boost (0 <= t <= ``boost_s``), then
    ``v_b exp(-(t - boost_s) / coast_decay_s)`` with burnout speed v_b; ``coast_decay_s`` may be
    ``inf`` (no decay). Flight ends at ``max_flight_s``.
    """

    initial_speed_mps: NDArray[np.float64]  # (c,)
    boost_accel_mps2: NDArray[np.float64]  # (c,)
    boost_s: NDArray[np.float64]  # (c,)
    coast_decay_s: NDArray[np.float64]  # (c,), inf for none
    max_flight_s: NDArray[np.float64]  # (c,)

    @classmethod
    def constant(cls, speed_mps: ArrayLike, max_flight_s: ArrayLike) -> SpeedProfile:
        """One constant speed per class (the mean-speed model)."""
        v = np.atleast_1d(np.asarray(speed_mps, dtype=float))
        t = np.broadcast_to(np.asarray(max_flight_s, dtype=float), v.shape).copy()
        z = np.zeros_like(v)
        return cls(v, z, z.copy(), np.full_like(v, np.inf), t)

    def speed_mps(self, cls: NDArray[np.intp], t_s: NDArray[np.float64]) -> NDArray[np.float64]:
        """Speed of class ``cls`` interceptors ``t_s`` after launch (broadcast shapes)."""
        v0, a, tb, tau = self._rows(cls, np.ndim(t_s))
        vb = v0 + a * tb
        tc = np.maximum(t_s - tb, 0.0)
        coast = vb * np.exp(-tc / tau)
        return np.where(t_s <= tb, v0 + a * np.maximum(t_s, 0.0), coast)

    def reach_m(self, cls: NDArray[np.intp], t_s: NDArray[np.float64]) -> NDArray[np.float64]:
        """Distance flown ``t_s`` after launch (the integral of the speed)."""
        v0, a, tb, tau = self._rows(cls, np.ndim(t_s))
        t = np.maximum(t_s, 0.0)
        tbo = np.minimum(t, tb)
        boost = v0 * tbo + 0.5 * a * tbo**2
        vb = v0 + a * tb
        tc = np.maximum(t - tb, 0.0)
        finite = np.isfinite(tau)
        coast = np.where(finite, vb * np.where(finite, tau, 1.0) * -np.expm1(-tc / tau), vb * tc)
        return boost + coast

    def _rows(self, cls: NDArray[np.intp], ndim: int) -> tuple[NDArray[np.float64], ...]:
        c = np.asarray(cls)
        extra = (None,) * max(ndim - c.ndim, 0)
        return tuple(
            getattr(self, f)[c][(..., *extra)]
            for f in ("initial_speed_mps", "boost_accel_mps2", "boost_s", "coast_decay_s")
        )


@dataclass(frozen=True, slots=True)
class FlyoutProfile:
    """Interceptor fly-out per class read from the point-mass envelope table.

    ``arrival_s`` is when a round launched now arrives at a point (NaN: it cannot), from the
    table at the point's ground range from the launcher and height above the earth.
    """

    table: EnvelopeTable
    origin: Origin
    max_flight_s: NDArray[np.float64]  # (c,)

    def arrival_s(
        self, cls: NDArray[np.intp], point_m: NDArray[np.float64], launcher_m: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Time of flight to ``point_m`` (..., 3) from ``launcher_m`` (broadcast), (...)."""
        ground, height = ground_range_height(point_m, launcher_m, self.origin)
        return self.table.lookup(cls, ground, height, end_speed=False)[0]

    def end_speed_mps(
        self, cls: NDArray[np.intp], point_m: NDArray[np.float64], launcher_m: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Speed on arrival at ``point_m`` (NaN where it cannot arrive)."""
        ground, height = ground_range_height(point_m, launcher_m, self.origin)
        end = self.table.lookup(cls, ground, height)[1]
        assert end is not None
        return end


def predicted_position_m(
    position_m: NDArray[np.float64], velocity_mps: NDArray[np.float64],
    accel_mps2: NDArray[np.float64], t_s: NDArray[np.float64], *,
    hold_height: NDArray[np.bool_] | None = None, origin: Origin | None = None,
) -> NDArray[np.float64]:
    """Target positions ``t_s`` seconds ahead, (..., 3) (all inputs broadcast, ``t_s`` (...)).

    Constant acceleration in ENU, except rows with ``hold_height`` (an air-breather): these
    keep their height above the earth and move over it at their ground velocity (the
    surface-frame motion of one second of the ENU-horizontal part of ``velocity_mps``: a
    relative ground-speed error 1 - cos(d / R), 1.5e-4 at d = 110 km), the vertical ignored,
    so a noisy track's climb or sink rate is not extrapolated over a long flight. Needs
    ``origin`` when any row holds its height.
    """
    t = np.asarray(t_s, float)[..., None]
    out = position_m + velocity_mps * t + 0.5 * accel_mps2 * t**2
    if hold_height is None or origin is None:
        return out
    hold = np.broadcast_to(np.asarray(hold_height, bool), out.shape[:-1])
    if not hold.any():
        return out
    s0 = to_surface(position_m, origin)
    level = velocity_mps * np.array([1.0, 1.0, 0.0])  # the noisy ENU up rate dropped
    ground_v = to_surface(position_m + level, origin) - s0
    ground_v[..., 2] = 0.0
    held = from_surface(s0 + ground_v * t, origin)
    return np.where(hold[..., None], held, out)


def intercept_boost_coast(
    target_position_m: ArrayLike,
    target_velocity_mps: ArrayLike,
    launcher_position_m: ArrayLike,
    profile: SpeedProfile | FlyoutProfile,
    cls: ArrayLike,
    *,
    target_accel_mps2: ArrayLike | None = None,
    hold_height: ArrayLike | None = None,
    n_scan: int = 48,
    n_bisect: int = 32,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Time of flight and intercept point of a profiled interceptor, one row per pair.

    Parameters
    ----------
    target_position_m, target_velocity_mps : (n, 3) target state at launch.
    launcher_position_m : (n, 3).
    profile, cls : interceptor profiles and each pair's class (n,).
    target_accel_mps2 : (n, 3) or (3,) constant target acceleration (0 for constant velocity,
        ``(0, 0, -g)`` for a ballistic target in the flat-earth approximation); default 0.
    hold_height : (n,) rows predicted at constant height above the earth, moving over it
        (air-breathers; see :func:`predicted_position_m`); against a ``FlyoutProfile`` only
        (it has the origin). Default none.
    n_scan : time samples over (0, max flight] to bracket the first crossing; a crossing that
        starts and ends between two samples (a graze) can be missed. ``n_bisect`` halvings
        refine it (against a ``FlyoutProfile``: 14, then one secant step on the bracket).

    Returns
    -------
    tof_s : (n,) +inf where no intercept before ``max_flight_s``.
    point_m : (n, 3) NaN rows where none.
    """
    p = np.atleast_2d(np.asarray(target_position_m, dtype=float))
    v = np.broadcast_to(np.asarray(target_velocity_mps, dtype=float), p.shape)
    acc = np.zeros(3) if target_accel_mps2 is None else np.asarray(target_accel_mps2, float)
    acc = np.broadcast_to(acc, p.shape)
    launch = np.broadcast_to(np.asarray(launcher_position_m, dtype=float), p.shape)
    c = np.broadcast_to(np.asarray(cls, dtype=np.intp), p.shape[:1])
    n = p.shape[0]
    if n == 0:
        return np.empty(0), np.empty((0, 3))

    table = isinstance(profile, FlyoutProfile)
    origin = profile.origin if isinstance(profile, FlyoutProfile) else None
    hold = None if hold_height is None else np.broadcast_to(np.asarray(hold_height, bool), (n,))

    def predict(t: NDArray[np.float64]) -> NDArray[np.float64]:
        """Target positions (n, k, 3) at times (n, k)."""
        return predicted_position_m(p[:, None, :], v[:, None, :], acc[:, None, :], t,
                                    hold_height=None if hold is None else hold[:, None],
                                    origin=origin)

    def gap(t: NDArray[np.float64]) -> NDArray[np.float64]:
        """reach - distance to the target, (n, k) for times (n, k)."""
        pos = predict(t)
        if isinstance(profile, FlyoutProfile):  # the round arrives when the target does
            tof = profile.arrival_s(c[:, None], pos, launch[:, None, :])
            return np.where(np.isfinite(tof), t - tof, -np.inf)
        dist = np.linalg.norm(pos - launch[:, None, :], axis=2)
        return profile.reach_m(c[:, None], t) - dist

    t_max = profile.max_flight_s[c]
    grid = t_max[:, None] * np.linspace(0.0, 1.0, n_scan + 1)[None, :]  # (n, k + 1)
    g = gap(grid)
    # a root: the gap turns from negative to non-negative between two samples where it is
    # defined (the table's -inf marks unreachable points: entering the envelope with a round
    # that would arrive early is no intercept for a launch now)
    hit = np.zeros_like(g, dtype=bool)
    hit[:, 1:] = (g[:, 1:] >= 0.0) & np.isfinite(g[:, :-1]) & (g[:, :-1] < 0.0)
    hit[:, 0] = g[:, 0] >= 0.0  # already there (distance 0)
    found = hit.any(axis=1)
    k = np.argmax(hit, axis=1)
    hi = grid[np.arange(n), k]
    lo = np.where(k > 0, grid[np.arange(n), np.maximum(k - 1, 0)], 0.0)
    for _ in range(min(n_bisect, 14) if table else n_bisect):
        mid = 0.5 * (lo + hi)
        ok = gap(mid[:, None])[:, 0] >= 0.0
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    if table:  # the table's gap is piecewise smooth: a final secant step on the bracket
        g = gap(np.stack([lo, hi], axis=1))
        g = np.where(np.isfinite(g), g, np.nan)
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(g).all(axis=1) & (g[:, 1] > g[:, 0])
            w = np.where(ok, -g[:, 0] / np.where(ok, g[:, 1] - g[:, 0], 1.0), 1.0)
        hi = lo + np.clip(w, 0.0, 1.0) * (hi - lo)
    tof = np.where(found, hi, np.inf)
    t = np.where(found, hi, np.nan)
    point = predict(t[:, None])[:, 0]
    return tof, point


@dataclass(frozen=True, slots=True)
class Envelope:
    """Engagement envelope per class (rows)."""

    min_range_m: NDArray[np.float64]
    max_range_m: NDArray[np.float64]
    min_altitude_m: NDArray[np.float64]
    max_altitude_m: NDArray[np.float64]
    min_flight_s: NDArray[np.float64]
    table: EnvelopeTable | None = None  # fly-out reach: the point must be reachable
    origin: Origin | None = None  # altitude = height above the earth (else ENU up)
    sight: LineOfSight | None = None  # terrain: launcher -> intercept point in view


class LineOfSight(Protocol):
    """Launcher-to-intercept line of sight (``terrain.launcher_sight.LauncherSight``)."""

    def visible(self, launcher_position_m: ArrayLike, point_m: ArrayLike) -> NDArray[np.bool_]:
        """Whether each point (n, 3) is in view of its launcher (n, 3), scenario ENU."""
        ...


def inside_envelope(
    tof_s: NDArray[np.float64],
    point_m: NDArray[np.float64],
    launcher_position_m: NDArray[np.float64],
    envelope: Envelope,
    cls: NDArray[np.intp],
) -> NDArray[np.bool_]:
    """Intercepts (n,) inside their class envelope (slant range, altitude, time of flight)."""
    rng_m = np.linalg.norm(np.nan_to_num(point_m) - launcher_position_m, axis=-1)
    alt_m = np.nan_to_num(point_m[..., 2], nan=-np.inf)
    reachable = np.ones(np.shape(tof_s), bool)
    if envelope.origin is not None:
        ground, height = ground_range_height(np.nan_to_num(point_m), launcher_position_m,
                                             envelope.origin)
        alt_m = np.where(np.isnan(point_m[..., 2]), -np.inf, height)
        if envelope.table is not None:
            reachable = np.isfinite(
                envelope.table.lookup(cls, ground, height, end_speed=False)[0])
    ok = (
        np.isfinite(tof_s)
        & reachable
        & (tof_s >= envelope.min_flight_s[cls])
        & (rng_m >= envelope.min_range_m[cls])
        & (rng_m <= envelope.max_range_m[cls])
        & (alt_m >= envelope.min_altitude_m[cls])
        & (alt_m <= envelope.max_altitude_m[cls])
    )
    if envelope.sight is not None and ok.any():  # terrain: the launcher must see the point
        sites = np.broadcast_to(launcher_position_m, np.shape(point_m))
        ok[ok] = envelope.sight.visible(sites[ok], np.asarray(point_m)[ok])
    return ok


def launch_window(
    target_position_m: ArrayLike,
    target_velocity_mps: ArrayLike,
    launcher_position_m: ArrayLike,
    profile: SpeedProfile,
    envelope: Envelope,
    cls: ArrayLike,
    *,
    horizon_s: float,
    step_s: float = 0.5,
    target_accel_mps2: ArrayLike | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Earliest and latest launch delays in [0, horizon_s] whose intercept is in the envelope.

    The target state is given now (delay 0) and propagated with its constant acceleration;
    launch delays are sampled every ``step_s`` (the answer's resolution). NaN where no
    delay works. The feasible delays need not be one interval (a target that passes overhead
    can be engaged coming and going); the first and last are returned, as
    ``(earliest_s, latest_s)``, each (n,).
    """
    p = np.atleast_2d(np.asarray(target_position_m, dtype=float))
    n = p.shape[0]
    v = np.broadcast_to(np.asarray(target_velocity_mps, dtype=float), p.shape)
    acc = np.zeros(3) if target_accel_mps2 is None else np.asarray(target_accel_mps2, float)
    acc = np.broadcast_to(acc, p.shape)
    launch = np.broadcast_to(np.asarray(launcher_position_m, dtype=float), p.shape)
    c = np.broadcast_to(np.asarray(cls, dtype=np.intp), (n,))
    delays = np.arange(0.0, horizon_s + 1e-9, step_s)
    k = delays.size
    d = np.repeat(delays[None, :], n, axis=0).ravel()  # (n k,)
    rows = np.repeat(np.arange(n), k)
    p_d = p[rows] + v[rows] * d[:, None] + 0.5 * acc[rows] * d[:, None] ** 2
    v_d = v[rows] + acc[rows] * d[:, None]
    tof, point = intercept_boost_coast(
        p_d, v_d, launch[rows], profile, c[rows], target_accel_mps2=acc[rows]
    )
    ok = inside_envelope(tof, point, launch[rows], envelope, c[rows]).reshape(n, k)
    any_ok = ok.any(axis=1)
    first = np.argmax(ok, axis=1)
    last = k - 1 - np.argmax(ok[:, ::-1], axis=1)
    return np.where(any_ok, delays[first], np.nan), np.where(any_ok, delays[last], np.nan)
