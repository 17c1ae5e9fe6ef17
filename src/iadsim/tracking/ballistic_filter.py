"""Tracking stage: an extended Kalman filter for re-entering targets that estimates their drag.

The tracker's own ballistic model (``tracking.filters``) is constant velocity plus flat-earth
gravity; the truth (``world.ballistic``) has J2 gravity on a rotating earth, USSA76 drag and a
ballistic coefficient the radar does not know. This filter does not assume the truth either:
its state ``x`` ``(n, 7)`` is scenario-ENU position and velocity plus ``kappa = 1000 / beta``
(m2 per tonne, so that a 5 t/m2 re-entry vehicle has kappa 0.2), its dynamics flat-earth
gravity plus drag ``-rho(h) |v| v kappa / 2000`` in the USSA76 density at the height above the
spherical earth, and kappa a random walk. Prediction integrates the state by the midpoint rule
and the covariance by the Jacobian, in sub-steps of at most ``MAX_SUBSTEP_S``; the update is the
linear converted-measurement one of ``tracking.filters`` (``H = [I3 0]``) in Joseph form. All
functions take the whole stack of tracks, at n = 0 too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.world.atmosphere import density_kg_m3
from iadsim.world.frames import GRAVITY_MPS2, Origin, approx_altitude_m

Array = NDArray[np.float64]
MAX_SUBSTEP_S = 0.25
LOG_2PI = float(np.log(2.0 * np.pi))
_DH_M = 50.0


@dataclass(frozen=True, slots=True)
class DragFilterParams:
    """Process noise and the prior on the ballistic coefficient."""

    accel_noise_mps2: float = 3.0  # white acceleration spectral density^(1/2)
    kappa_noise: float = 0.01  # random walk of kappa, per sqrt(s)
    prior_beta_kg_m2: float = 2_000.0
    prior_kappa_sigma: float = 3.0  # wide enough for debris (beta 100: kappa 10 within 3.3 sigma)


def _accel(x: Array, origin: Origin, *, slope: bool = True) -> tuple[Array, Array, Array]:
    """Acceleration (n, 3), density (n,) and its height derivative (n,; zeros unless
    ``slope``) at states ``x``."""
    h = approx_altitude_m(x[:, :3], origin)
    rho = density_kg_m3(h)
    drho = ((density_kg_m3(h + _DH_M) - density_kg_m3(h - _DH_M)) / (2.0 * _DH_M) if slope
            else np.zeros_like(rho))
    v = x[:, 3:6]
    speed = np.linalg.norm(v, axis=1)
    a = -(0.5e-3 * rho * speed * x[:, 6])[:, None] * v
    a[:, 2] -= GRAVITY_MPS2
    return a, rho, drho


def _jacobian(x: Array, origin: Origin) -> Array:
    """d(dx/dt)/dx, (n, 7, 7), with the height taken as the up coordinate's derivative."""
    n = x.shape[0]
    _a, rho, drho = _accel(x, origin)
    v = x[:, 3:6]
    speed = np.maximum(np.linalg.norm(v, axis=1), 1e-9)
    k = 0.5e-3 * x[:, 6]
    jac = np.zeros((n, 7, 7))
    jac[:, 0:3, 3:6] = np.eye(3)
    vv = np.einsum("ni,nj->nij", v, v) / speed[:, None, None]
    jac[:, 3:6, 3:6] = -(k * rho)[:, None, None] * (speed[:, None, None] * np.eye(3) + vv)
    jac[:, 3:6, 6] = -(0.5e-3 * rho * speed)[:, None] * v
    jac[:, 3:6, 2] = -(k * drho * speed)[:, None] * v
    return jac


def drag_predict(x: Array, p: Array, dt_s: float, origin: Origin,
                 params: DragFilterParams = DragFilterParams()) -> tuple[Array, Array]:
    """Predict states (n, 7) and covariances (n, 7, 7) ``dt_s`` ahead."""
    if x.shape[0] == 0 or dt_s <= 0.0:
        return x.copy(), p.copy()
    steps = int(np.ceil(dt_s / MAX_SUBSTEP_S))
    h = dt_s / steps
    q = np.zeros((7, 7))
    qa = params.accel_noise_mps2**2
    for i in range(3):
        q[i, i], q[i, i + 3] = qa * h**3 / 3.0, qa * h**2 / 2.0
        q[i + 3, i], q[i + 3, i + 3] = qa * h**2 / 2.0, qa * h
    q[6, 6] = params.kappa_noise**2 * h
    x, p = x.copy(), p.copy()
    for _ in range(steps):
        f = np.broadcast_to(np.eye(7), p.shape) + h * _jacobian(x, origin)
        a0 = _accel(x, origin, slope=False)[0]
        mid = x.copy()
        mid[:, :3] += 0.5 * h * x[:, 3:6]
        mid[:, 3:6] += 0.5 * h * a0
        mid[:, 6] = np.maximum(mid[:, 6], 0.0)
        a_mid = _accel(mid, origin, slope=False)[0]
        x[:, :3] += h * mid[:, 3:6]
        x[:, 3:6] += h * a_mid
        p = np.matmul(np.matmul(f, p), np.swapaxes(f, 1, 2)) + q
    x[:, 6] = np.maximum(x[:, 6], 0.0)  # drag never pushes
    return x, 0.5 * (p + np.swapaxes(p, 1, 2))


def drag_update(x: Array, p: Array, z: Array, r: Array) -> tuple[Array, Array, Array]:
    """Joseph-form update by position measurements ``z`` (n, 3) with covariances ``r``
    (n, 3, 3); returns state, covariance and each innovation's log-likelihood (n,)."""
    nu = z - x[:, :3]
    s = p[:, :3, :3] + r
    s_inv = np.linalg.inv(s)
    k = np.matmul(p[:, :, :3], s_inv)
    x_new = x + np.einsum("nij,nj->ni", k, nu)
    x_new[:, 6] = np.maximum(x_new[:, 6], 0.0)
    a = np.broadcast_to(np.eye(7), p.shape).copy()
    a[:, :, :3] -= k
    p_new = (np.matmul(np.matmul(a, p), np.swapaxes(a, 1, 2))
             + np.matmul(np.matmul(k, r), np.swapaxes(k, 1, 2)))
    m2 = np.einsum("ni,ni->n", nu, np.einsum("nij,nj->ni", s_inv, nu))
    loglik = -0.5 * (m2 + np.log(np.linalg.det(s)) + 3.0 * LOG_2PI)
    return x_new, 0.5 * (p_new + np.swapaxes(p_new, 1, 2)), loglik


def drag_initiate(position_m: Array, velocity_mps: Array, position_cov: Array,
                  velocity_cov: Array, params: DragFilterParams = DragFilterParams()
                  ) -> tuple[Array, Array]:
    """States and covariances from position/velocity estimates (n, 3) and their covariances
    (n, 3, 3), with the prior ballistic coefficient."""
    n = position_m.shape[0]
    x = np.zeros((n, 7))
    x[:, :3], x[:, 3:6] = position_m, velocity_mps
    x[:, 6] = 1_000.0 / params.prior_beta_kg_m2
    p = np.zeros((n, 7, 7))
    p[:, :3, :3], p[:, 3:6, 3:6] = position_cov, velocity_cov
    p[:, 6, 6] = params.prior_kappa_sigma**2
    return x, p


def ballistic_coefficient_kg_m2(x: Array) -> Array:
    """The estimated ballistic coefficient (n,) of each state (inf: no drag seen)."""
    kappa = x[:, 6]
    return np.where(kappa > 0.0, 1_000.0 / np.maximum(kappa, 1e-12), np.inf)


# ---------------------------------------------------------------------------------------------
# the bank the tracker runs beside its IMM for re-entering tracks
# ---------------------------------------------------------------------------------------------

START_MIN_SPEED_MPS = 1_250.0  # faster than any air-breathing or guided type of the class
# table (ARMs dive at up to 1,200 m/s: a drag-only filter standing for a guided ARM missed it)
START_MAX_CLIMB_MPS = -50.0  # descending: past apogee, re-entering or diving
NIS_MEMORY = 0.8  # weight of the past in the running mean of the innovation's chi2 (3 dof)
NIS_TRUSTED = 9.0  # the running mean below which the picture takes this filter's state
MIN_UPDATES = 3


@dataclass(frozen=True, slots=True)
class DragBank:
    """One drag-filter state per re-entering track, keyed by track id (rows in id order).

    ``nis`` is a running mean of each update's normalised innovation squared (3 degrees of
    freedom, mean 3 when the filter is consistent); the tracker shows this filter's state in
    its picture only once ``updates >= MIN_UPDATES`` and ``nis < NIS_TRUSTED`` (a lifting or
    manoeuvring target the drag model cannot follow stays on the IMM's state).
    """

    track_id: NDArray[np.int64]
    x: Array
    p: Array
    nis: Array
    updates: NDArray[np.int64]

    @classmethod
    def empty(cls) -> DragBank:
        return cls(np.empty(0, np.int64), np.empty((0, 7)), np.empty((0, 7, 7)), np.empty(0),
                   np.empty(0, np.int64))

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    def take(self, index: NDArray[np.intp] | NDArray[np.bool_]) -> DragBank:
        return DragBank(self.track_id[index], self.x[index], self.p[index], self.nis[index],
                        self.updates[index])

    def keep(self, live_ids: NDArray[np.int64]) -> DragBank:
        """Only the rows of tracks still alive."""
        return self.take(np.isin(self.track_id, live_ids))

    def predicted(self, dt_s: float, origin: Origin,
                  params: DragFilterParams = DragFilterParams()) -> DragBank:
        if len(self) == 0 or dt_s <= 0.0:
            return self
        x, p = drag_predict(self.x, self.p, dt_s, origin, params)
        return DragBank(self.track_id, x, p, self.nis, self.updates)

    def trusted(self) -> NDArray[np.bool_]:
        return (self.updates >= MIN_UPDATES) & (self.nis < NIS_TRUSTED)

    def updated(self, track_id: NDArray[np.int64], z: Array, r: Array, x6: Array, p6: Array,
                params: DragFilterParams = DragFilterParams()) -> DragBank:
        """Update the rows of ``track_id`` (m,) by measurements ``z`` (m, 3), ``r`` (m, 3, 3);
        a track without a row that is fast and descending in its IMM state ``x6`` (m, 6)
        (after this update, covariance ``p6``) starts one with the prior kappa."""
        bank = self
        pos = np.searchsorted(bank.track_id, track_id)
        has = (pos < len(bank)) & (bank.track_id[np.minimum(pos, len(bank) - 1)] == track_id
                                   if len(bank) else np.zeros(len(track_id), bool))
        if has.any():
            rows = pos[has]
            xs, ps = bank.x[rows], bank.p[rows]
            nu = z[has] - xs[:, :3]
            s_inv = np.linalg.inv(ps[:, :3, :3] + r[has])
            nis = np.einsum("ni,nij,nj->n", nu, s_inv, nu)
            xu, pu, _ll = drag_update(xs, ps, z[has], r[has])
            x, p = bank.x.copy(), bank.p.copy()
            x[rows], p[rows] = xu, pu
            mean = bank.nis.copy()
            first = bank.updates[rows] == 0
            mean[rows] = np.where(first, nis, NIS_MEMORY * mean[rows] + (1 - NIS_MEMORY) * nis)
            ups = bank.updates.copy()
            ups[rows] += 1
            bank = DragBank(bank.track_id, x, p, mean, ups)
        speed = np.linalg.norm(x6[:, 3:6], axis=1)
        start = ~has & (speed >= START_MIN_SPEED_MPS) & (x6[:, 5] <= START_MAX_CLIMB_MPS)
        if start.any():
            xn, pn = drag_initiate(x6[start, :3], x6[start, 3:6], p6[start, :3, :3],
                                   p6[start, 3:6, 3:6], params)
            pn[:, :3, 3:6] = p6[start, :3, 3:6]
            pn[:, 3:6, :3] = p6[start, 3:6, :3]
            m = int(start.sum())
            ids = np.concatenate([bank.track_id, track_id[start]])
            order = np.argsort(ids, kind="stable")
            bank = DragBank(ids, np.concatenate([bank.x, xn]), np.concatenate([bank.p, pn]),
                            np.concatenate([bank.nis, np.zeros(m)]),
                            np.concatenate([bank.updates, np.zeros(m, np.int64)])).take(order)
        return bank


def kappa_estimates(bank: DragBank, track_id: NDArray[np.int64]) -> tuple[Array, Array]:
    """Estimated kappa = 1000 / beta (m2/t) and its sigma (n,) for tracks ``track_id``; NaN
    for a track the bank does not run."""
    kappa = np.full(len(track_id), np.nan)
    sigma = np.full(len(track_id), np.nan)
    if len(bank) == 0 or len(track_id) == 0:
        return kappa, sigma
    pos = np.minimum(np.searchsorted(bank.track_id, track_id), len(bank) - 1)
    has = bank.track_id[pos] == track_id
    kappa[has] = bank.x[pos[has], 6]
    sigma[has] = np.sqrt(np.maximum(bank.p[pos[has], 6, 6], 0.0))
    return kappa, sigma
