"""Interceptor fly-out: a point-mass model and the engagement-envelope table built from it.

Engagement stage, built once per scenario. In: per-class fly-out parameters. Out: for an
intercept point at ground range r and height h from the launcher, the time of flight, end speed
and whether the round gets there (:class:`EnvelopeTable`).

The model, in the vertical plane of the shot over a flat earth (x downrange, z height; the
curvature drop over 150 km changes heights by ~1.7 km but is absorbed by flying to the height
above the ellipsoid of the aim point), state (x, z, vx, vz):

* thrust for ``boost_s`` from the rocket equation: mass m(t) = m0 (1 - (1 - 1/MR) t / t_b),
  exhaust speed c = dv / ln MR (``dv``: the motor's ideal delta-v, ``burnout_speed_mps``), thrust
  acceleration c mdot / m;
* drag 0.5 rho(z) v^2 / beta(t) in the US Standard Atmosphere 1976, beta = m / (Cd A) scaling
  with the mass from its burnout value (Mach-independent Cd: notional);
* gravity g;
* guidance: pursuit of the aim point raised by its gravity drop g t_go^2 / 2 (t_go = distance /
  max(speed, half the peak speed): a ballistic lead, so gravity is not fought with lift; the
  floor keeps the slow first instants from aiming straight up), lateral command
  v (lambda - gamma) / tau + g cos(gamma) (lambda: that line-of-sight angle, gamma: the
  flight-path angle, tau = ``PURSUIT_TIME_S``; the gravity term lets a round hold a low, flat
  path to a low aim point instead of sinking into the ground), limited to ``max_load_factor g``
  in the boost (thrust vectoring) and to min(that, L/D x drag) after it.

The round leaves a canted launcher at ``LAUNCH_SPEED_MPS`` along the line of sight, but at
least ``MIN_LAUNCH_ELEVATION_RAD`` high (notional), so a low shot does not start at the ground.
The round reaches the point if it passes it within ``REACH_TOLERANCE_M`` still flying (speed at
least ``min_speed_mps``, above the ground, within ``max_flight_s``). The table integrates every
cell with one fixed-step RK4, vectorised over all classes and cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from iadsim.engagement.atmosphere import density_kg_m3
from iadsim.world.frames import GRAVITY_MPS2

if TYPE_CHECKING:
    from iadsim.scenario.model import Scenario

PURSUIT_TIME_S = 1.0
"""Time constant of the pursuit guidance turning the velocity onto the line of sight."""
LAUNCH_SPEED_MPS = 30.0
"""Rail-exit speed of a boosted round (the model starts there, along the line of sight)."""
MIN_LAUNCH_ELEVATION_RAD = np.deg2rad(15.0)
"""Elevation of a canted launcher: a round leaves along the line of sight, at least this high."""
REACH_TOLERANCE_M = 50.0
"""A round passing its aim point farther than this (plus 0.1 % of the range) did not reach it."""


@dataclass(frozen=True, slots=True)
class FlyoutParams:
    """Point-mass fly-out parameters, one row per interceptor class (SI units)."""

    initial_speed_mps: NDArray[np.float64]  # speed at launch (LAUNCH_SPEED_MPS if boosted)
    boost_s: NDArray[np.float64]  # 0: no motor
    delta_v_mps: NDArray[np.float64]  # ideal motor delta-v
    mass_ratio: NDArray[np.float64]  # launch / burnout mass
    beta_kg_m2: NDArray[np.float64]  # burnout ballistic coefficient; inf: no drag
    max_accel_mps2: NDArray[np.float64]  # structural lateral limit
    lift_to_drag: NDArray[np.float64]  # aerodynamic lateral limit / drag
    min_speed_mps: NDArray[np.float64]
    max_flight_s: NDArray[np.float64]
    lead_speed_mps: NDArray[np.float64]  # floor of the speed in the gravity lead's t_go

    def __len__(self) -> int:
        return int(self.boost_s.shape[0])


@dataclass(frozen=True, slots=True)
class FlyoutResult:
    """Fly-out to one aim point per row."""

    tof_s: NDArray[np.float64]  # time the aim point is passed (NaN: never)
    end_speed_mps: NDArray[np.float64]
    miss_m: NDArray[np.float64]  # distance when passing the point
    reached: NDArray[np.bool_]


def _accel(
    p: FlyoutParams, c: NDArray[np.intp], t: NDArray[np.float64], boosting: NDArray[np.bool_],
    x: NDArray[np.float64], aim: NDArray[np.float64],
) -> NDArray[np.float64]:
    """d(state)/dt for states x (n, 4) = (x, z, vx, vz) aiming at ``aim`` (n, 2)."""
    vx, vz = x[:, 2], x[:, 3]
    v = np.maximum(np.hypot(vx, vz), 1e-6)
    cg, sg = vx / v, vz / v
    tb = p.boost_s[c]
    mr = p.mass_ratio[c]
    burnt = 1.0 - 1.0 / mr
    frac_t = np.where(tb > 0.0, np.minimum(t, tb) / np.where(tb > 0.0, tb, 1.0), 1.0)
    m_frac = 1.0 - burnt * frac_t  # m / m0
    exhaust = p.delta_v_mps[c] / np.log(mr)
    thrust = np.where(boosting, exhaust * burnt / np.where(tb > 0.0, tb, 1.0) / m_frac, 0.0)
    beta = p.beta_kg_m2[c] * mr * m_frac
    drag = 0.5 * density_kg_m3(x[:, 1]) * v * v / beta
    a_max = p.max_accel_mps2[c]
    aero = np.where(np.isfinite(beta), p.lift_to_drag[c] * drag, np.inf)
    a_max = np.where(boosting, a_max, np.minimum(a_max, aero))
    dx, dz = aim[:, 0] - x[:, 0], aim[:, 1] - x[:, 1]
    t_go = np.hypot(dx, dz) / np.maximum(v, p.lead_speed_mps[c])
    los = np.arctan2(dz + 0.5 * GRAVITY_MPS2 * t_go**2, dx)  # lead the gravity drop
    err = np.angle(np.exp(1j * (los - np.arctan2(vz, vx))))
    a_n = np.clip(v * err / PURSUIT_TIME_S + GRAVITY_MPS2 * cg, -a_max, a_max)
    along = thrust - drag
    return np.stack(
        [vx, vz, along * cg - a_n * sg, along * sg + a_n * cg - GRAVITY_MPS2], axis=1
    )


def fly_to(
    params: FlyoutParams,
    cls: ArrayLike,
    ground_range_m: ArrayLike,
    height_m: ArrayLike,
    *,
    dt_boost_s: float = 0.1,
    dt_coast_s: float = 0.5,
) -> FlyoutResult:
    """Fly one round per row (class ``cls``) at the point (ground range, height); RK4.

    The step is ``dt_boost_s`` (rounded to divide the boost exactly) in the boost and
    ``dt_coast_s`` after it; the pass of the aim point is interpolated inside the last step.
    """
    c = np.atleast_1d(np.asarray(cls, dtype=np.intp))
    aim = np.stack(np.broadcast_arrays(np.asarray(ground_range_m, float),
                                       np.asarray(height_m, float)), axis=-1).reshape(-1, 2)
    c = np.broadcast_to(c, aim.shape[:1]).copy()
    n = aim.shape[0]
    tof, end_v, miss = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    reached = np.zeros(n, bool)
    dist0 = np.hypot(aim[:, 0], aim[:, 1])
    v0 = params.initial_speed_mps[c]
    gamma0 = np.maximum(np.arctan2(aim[:, 1], aim[:, 0]), MIN_LAUNCH_ELEVATION_RAD)
    state = np.zeros((n, 4))
    state[:, 2], state[:, 3] = v0 * np.cos(gamma0), v0 * np.sin(gamma0)
    at_launch = dist0 < 1.0
    tof[at_launch], end_v[at_launch], miss[at_launch] = 0.0, v0[at_launch], dist0[at_launch]
    reached[at_launch] = True
    tb = params.boost_s[c]
    n_boost = np.ceil(tb / dt_boost_s - 1e-9)
    dtb = np.where(n_boost > 0, tb / np.maximum(n_boost, 1.0), dt_coast_s)
    t = np.zeros(n)
    idx = np.flatnonzero(~at_launch)
    s_prev = np.einsum("ij,ij->i", aim[idx] - state[idx, :2], state[idx, 2:])
    while idx.size:
        ci, ti, xi, ai = c[idx], t[idx], state[idx], aim[idx]
        boosting = ti < tb[idx] - 1e-9
        h = np.where(boosting, dtb[idx], dt_coast_s)
        hh = h[:, None]
        k1 = _accel(params, ci, ti, boosting, xi, ai)
        k2 = _accel(params, ci, ti + h / 2, boosting, xi + hh / 2 * k1, ai)
        k3 = _accel(params, ci, ti + h / 2, boosting, xi + hh / 2 * k2, ai)
        k4 = _accel(params, ci, ti + h, boosting, xi + hh * k3, ai)
        xn = xi + hh / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        tn = ti + h
        d = ai - xn[:, :2]
        s_now = np.einsum("ij,ij->i", d, xn[:, 2:])
        passed = s_now <= 0.0
        speed = np.hypot(xn[:, 2], xn[:, 3])
        w = np.where(passed, s_prev / np.where(passed, s_prev - s_now, 1.0), 0.0)[:, None]
        w = np.clip(w, 0.0, 1.0)
        x_pass = xi + w * (xn - xi)
        t_pass = ti + w[:, 0] * h
        v_pass = np.hypot(x_pass[:, 2], x_pass[:, 3])
        m_pass = np.hypot(*(ai - x_pass[:, :2]).T)
        rows = idx[passed]
        rng_m = np.hypot(ai[passed, 0], ai[passed, 1])
        ok = (m_pass[passed] <= REACH_TOLERANCE_M + 1e-3 * rng_m) & (
            t_pass[passed] <= params.max_flight_s[ci[passed]]
        )
        ok &= v_pass[passed] >= params.min_speed_mps[ci[passed]]
        tof[rows], end_v[rows], miss[rows], reached[rows] = (
            t_pass[passed], v_pass[passed], m_pass[passed], ok)
        dead = (
            (tn > params.max_flight_s[ci])
            | (xn[:, 1] < -1.0)
            | ((speed < params.min_speed_mps[ci]) & ~boosting)
        )
        keep = ~passed & ~dead
        state[idx], t[idx] = xn, tn
        idx, s_prev = idx[keep], s_now[keep]
    return FlyoutResult(tof, end_v, miss, reached)


@dataclass(frozen=True, slots=True)
class EnvelopeTable:
    """Time of flight and end speed over ground range x height, per class (NaN: unreachable).

    Class ``c``'s cells are at ground ranges ``u_i * range_top_m[c]`` and heights
    ``w_j * height_top_m[c]`` with ``u``, ``w`` uniform on [0, 1]. Lookups are bilinear; a
    point with an unreachable corner is unreachable (conservative by at most one cell).
    """

    range_top_m: NDArray[np.float64]  # (c,)
    height_top_m: NDArray[np.float64]  # (c,)
    tof_s: NDArray[np.float64]  # (c, nr, nh)
    end_speed_mps: NDArray[np.float64]  # (c, nr, nh)

    @classmethod
    def build(
        cls, params: FlyoutParams, range_top_m: ArrayLike, height_top_m: ArrayLike,
        *, n_range: int = 41, n_height: int = 21,
    ) -> EnvelopeTable:
        """Fly every cell of every class once (one vectorised RK4 run)."""
        r_top = np.asarray(range_top_m, dtype=float)
        h_top = np.asarray(height_top_m, dtype=float)
        u, w = np.linspace(0.0, 1.0, n_range), np.linspace(0.0, 1.0, n_height)
        c = np.repeat(np.arange(len(params)), n_range * n_height)
        r = (r_top[:, None, None] * u[None, :, None] + 0.0 * w).ravel()
        h = (h_top[:, None, None] * w[None, None, :] + 0.0 * u[:, None]).ravel()
        res = fly_to(params, c, r, h)
        shape = (len(params), n_range, n_height)
        tof = np.where(res.reached, res.tof_s, np.nan).reshape(shape)
        end = np.where(res.reached, res.end_speed_mps, np.nan).reshape(shape)
        return cls(r_top, h_top, tof, end)

    def lookup(
        self, cls: ArrayLike, ground_range_m: ArrayLike, height_m: ArrayLike,
        *, end_speed: bool = True,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        """Bilinear time of flight and end speed (broadcast shapes; end speed None unless
        ``end_speed``); NaN where unreachable or outside the table."""
        c = np.asarray(cls, dtype=np.intp)
        _, nr, nh = self.tof_s.shape
        fr = np.asarray(ground_range_m, float) * ((nr - 1) / self.range_top_m[c])
        fh = np.asarray(height_m, float) * ((nh - 1) / self.height_top_m[c])
        inside = (fr >= 0.0) & (fr <= nr - 1) & (fh >= 0.0) & (fh <= nh - 1)
        fr = np.clip(np.where(inside, fr, 0.0), 0.0, nr - 1.0)
        fh = np.clip(np.where(inside, fh, 0.0), 0.0, nh - 1.0)
        i = np.minimum(fr.astype(np.intp), nr - 2)
        j = np.minimum(fh.astype(np.intp), nh - 2)
        a, b = fr - i, fh - j
        out: list[NDArray[np.float64] | None] = []
        for tab in (self.tof_s, self.end_speed_mps if end_speed else None):
            if tab is None:
                out.append(None)
                continue
            flat = tab.reshape(-1)
            k = (c * nr + i) * nh + j
            v = ((1 - a) * ((1 - b) * flat[k] + b * flat[k + 1])
                 + a * ((1 - b) * flat[k + nh] + b * flat[k + nh + 1]))
            out.append(np.where(inside, v, np.nan))
        return out[0], out[1]  # type: ignore[return-value]

    def max_ground_range_m(self, cls: int) -> tuple[float, float]:
        """Longest reachable ground range of class ``cls`` on the grid and the height there."""
        ok = np.isfinite(self.tof_s[cls])
        if not ok.any():
            return 0.0, float("nan")
        _, nr, nh = self.tof_s.shape
        i, j = np.nonzero(ok)
        k = int(np.argmax(i))
        return (float(i[k] / (nr - 1) * self.range_top_m[cls]),
                float(j[k] / (nh - 1) * self.height_top_m[cls]))


def flyout_problems(s: Scenario) -> Iterable[str]:
    """A class whose fly-out cannot reach its own ``max_range_m`` at any altitude in its
    envelope is an error naming the field and the reach it has."""
    from iadsim.engagement.launchers import flyout_params

    params = flyout_params(s)
    specs = list(s.interceptors.items())
    w = np.linspace(0.0, 1.0, 9)
    top_r = np.array([x.max_range_m for _, x in specs])
    lo_h = np.array([max(x.min_altitude_m, 0.0) for _, x in specs])
    hi_h = np.array([x.max_altitude_m for _, x in specs])
    # quick pass first (validation runs on every load): the max range alone, coarse coast steps;
    # only a class it finds short is flown again finely, over the whole grid, for the message
    c = np.repeat(np.arange(len(specs)), w.size)
    quick = fly_to(params, c, np.repeat(top_r, w.size),
                   (lo_h[:, None] + (hi_h - lo_h)[:, None] * w[None, :]).ravel(),
                   dt_coast_s=2.0).reached.reshape(len(specs), w.size)
    if quick.any(axis=1).all():
        return
    frac = np.linspace(0.3, 1.0, 15)
    c = np.repeat(np.arange(len(specs)), frac.size * w.size)
    r = (top_r[:, None, None] * frac[None, :, None] + 0.0 * w).ravel()
    h = (lo_h[:, None, None] + (hi_h - lo_h)[:, None, None] * w[None, None, :]
         + 0.0 * frac[:, None]).ravel()
    ok = fly_to(params, c, r, h).reached.reshape(len(specs), frac.size, w.size)
    for k, (name, spec) in enumerate(specs):
        if ok[k, -1].any():
            continue
        i, j = np.nonzero(ok[k])
        if i.size:
            best = int(np.argmax(i))
            reach = f"at most {r.reshape(ok.shape)[k, i[best], j[best]]:.0f} m " \
                    f"(at {h.reshape(ok.shape)[k, i[best], j[best]]:.0f} m altitude)"
        else:
            reach = f"less than {frac[0] * spec.max_range_m:.0f} m"
        yield (
            f"interceptors.{name}.max_range_m cannot be reached by the fly-out at any altitude "
            f"from {lo_h[k]:g} to {hi_h[k]:g} m: it reaches {reach} (got {spec.max_range_m!r}); "
            "raise burnout_speed_mps, ballistic_coefficient_kg_m2 or max_flight_time_s, or "
            "lower max_range_m"
        )
