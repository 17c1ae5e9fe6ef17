"""Tracking stage, filters: Kalman prediction and update vectorised over all tracks.

State ``x`` is ``(n, 6)`` (east, north, up, v_east, v_north, v_up) in scenario ENU, covariance
``P`` is ``(n, 6, 6)``; every function takes the whole stack and makes one numpy call per
operation, never a loop per track. Measurements are radar (range, azimuth, elevation)
converted to scenario ENU positions with their own covariance (an unbiased converted-measurement
Kalman filter), so the update is linear with ``H = [I3 0]`` and per-detection ``R``.

Motion models: nearly constant velocity (NCV), coordinated turn at a known lateral acceleration
(CT, turn rate ``a / speed`` per track), and ballistic (constant velocity plus gravity). The IMM
(interacting multiple model) functions mix, predict and combine a ``(M, n, ...)`` stack of them.
Updates are in Joseph form and covariances are re-symmetrised, so they stay positive definite.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.sensors.batch import DetectionBatch, SensorGeometry
from iadsim.world.frames import GRAVITY_MPS2, aer_to_enu

Array = NDArray[np.float64]
LOG_2PI = float(np.log(2.0 * np.pi))


# ---------------------------------------------------------------------------------------------
# measurements
# ---------------------------------------------------------------------------------------------


def convert_measurements(
    detections: DetectionBatch, geometry: SensorGeometry, *, debias: bool = True
) -> tuple[Array, Array]:
    """Detections to scenario-ENU positions ``(k, 3)`` and their covariances ``(k, 3, 3)``.

    Each detection is converted with its own radar's position and rotation and its own sigmas.
    With ``debias`` the multiplicative correction of the unbiased converted measurement is
    applied (horizontal components divided by ``exp(-(sa**2 + se**2) / 2)``, vertical by
    ``exp(-se**2 / 2)``); the covariance is the first-order ``J diag(sigma**2) J^T`` at the
    measured point.
    """
    r, az, el = detections.range_m, detections.azimuth_rad, detections.elevation_rad
    local = aer_to_enu(r, az, el)
    if debias:
        sa2, se2 = detections.azimuth_sigma_rad**2, detections.elevation_sigma_rad**2
        local[:, :2] *= np.exp((sa2 + se2) / 2.0)[:, None]
        local[:, 2] *= np.exp(se2 / 2.0)
    sid = detections.sensor_id
    rot = geometry.rotation_to_local[sid]  # scenario -> local; local -> scenario is rot^T
    pos = geometry.position_enu_m[sid] + np.einsum("nji,nj->ni", rot, local)
    return pos, _polar_covariance(r, az, el, detections, rot)


def covariance_at(
    position_enu_m: Array, detections: DetectionBatch, geometry: SensorGeometry
) -> Array:
    """Converted-measurement covariances ``(k, 3, 3)`` evaluated at given positions ``(k, 3)``.

    Row i uses detection i's radar and sigmas but the Jacobian at ``position_enu_m[i]`` (a
    track's prediction): the update then weighs the measurement as an EKF in (range, azimuth,
    elevation) would, without the correlation between a measured point and its own covariance.
    """
    sid = detections.sensor_id
    rot = geometry.rotation_to_local[sid]
    local = np.einsum("nij,nj->ni", rot, position_enu_m - geometry.position_enu_m[sid])
    horizontal = np.hypot(local[:, 0], local[:, 1])
    r = np.maximum(np.hypot(horizontal, local[:, 2]), 1.0)
    az = np.arctan2(local[:, 0], local[:, 1])
    el = np.arctan2(local[:, 2], horizontal)
    return _polar_covariance(r, az, el, detections, rot)


def _polar_covariance(
    r: Array, az: Array, el: Array, detections: DetectionBatch, rot: Array
) -> Array:
    sa, ca, se, ce = np.sin(az), np.cos(az), np.sin(el), np.cos(el)
    jac = np.empty((len(r), 3, 3))
    jac[:, 0, 0], jac[:, 0, 1], jac[:, 0, 2] = ce * sa, r * ce * ca, -r * se * sa
    jac[:, 1, 0], jac[:, 1, 1], jac[:, 1, 2] = ce * ca, -r * ce * sa, -r * se * ca
    jac[:, 2, 0], jac[:, 2, 1], jac[:, 2, 2] = se, 0.0, r * ce
    jac_enu = np.matmul(np.swapaxes(rot, 1, 2), jac)
    sig2 = np.stack(
        [detections.range_sigma_m**2, detections.azimuth_sigma_rad**2,
         detections.elevation_sigma_rad**2], axis=1,
    )
    cov = np.matmul(jac_enu * sig2[:, None, :], np.swapaxes(jac_enu, 1, 2))
    return symmetrise(cov)


# ---------------------------------------------------------------------------------------------
# small linear algebra on stacks
# ---------------------------------------------------------------------------------------------


def symmetrise(m: Array) -> Array:
    """``(m + m^T) / 2`` over the last two axes."""
    return 0.5 * (m + np.swapaxes(m, -1, -2))


def inv3_sym(s: Array) -> tuple[Array, Array]:
    """Inverse and determinant of a stack of symmetric 3x3 matrices ``(..., 3, 3)``.

    Closed-form cofactors: an order of magnitude faster than ``np.linalg.inv`` on many small
    matrices. A matrix too ill-conditioned for them (determinant below ``1e-13`` of the cube
    of its mean eigenvalue: a range sigma a million times the cross-range one) is inverted
    with ``1e-6`` of its mean eigenvalue added to the diagonal, which keeps the inverse and
    the determinant finite and positive; well-conditioned matrices are untouched.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        inv, det = _inv3_sym_cofactors(s)
    scale = (s[..., 0, 0] + s[..., 1, 1] + s[..., 2, 2]) / 3.0
    bad = ~(det > 1e-13 * scale**3)
    if bad.any():
        ridge = s[bad] + (1e-6 * np.abs(scale[bad]))[:, None, None] * np.eye(3)
        inv[bad], det[bad] = _inv3_sym_cofactors(ridge)
    return inv, det


def _inv3_sym_cofactors(s: Array) -> tuple[Array, Array]:
    a, b, c = s[..., 0, 0], s[..., 0, 1], s[..., 0, 2]
    d, e, f = s[..., 1, 1], s[..., 1, 2], s[..., 2, 2]
    c00 = d * f - e * e
    c01 = c * e - b * f
    c02 = b * e - c * d
    det = a * c00 + b * c01 + c * c02
    inv = np.empty_like(s)
    inv[..., 0, 0] = c00
    inv[..., 0, 1] = inv[..., 1, 0] = c01
    inv[..., 0, 2] = inv[..., 2, 0] = c02
    inv[..., 1, 1] = a * f - c * c
    inv[..., 1, 2] = inv[..., 2, 1] = b * c - a * e
    inv[..., 2, 2] = a * d - b * b
    inv /= det[..., None, None]
    return inv, det


def mahalanobis2(nu: Array, s_inv: Array) -> Array:
    """Squared Mahalanobis distances ``nu^T S^-1 nu`` of ``(..., 3)`` innovations."""
    return np.einsum("...i,...i->...", nu, np.matmul(s_inv, nu[..., None])[..., 0])


# ---------------------------------------------------------------------------------------------
# motion models
# ---------------------------------------------------------------------------------------------


def cv_transition(dt_s: float) -> Array:
    """Nearly-constant-velocity transition matrix ``(6, 6)``."""
    f = np.eye(6)
    f[0, 3] = f[1, 4] = f[2, 5] = dt_s
    return f


def white_accel_noise(dt_s: float, accel_mps2: float) -> Array:
    """Continuous white-acceleration process noise ``(6, 6)``, spectral density ``accel**2``.

    ``q [[dt^3/3, dt^2/2], [dt^2/2, dt]]`` per axis (Stone Soup's ``ConstantVelocity``).
    """
    q = accel_mps2**2
    return q * (dt_s**3 / 3.0 * _Q_POS + dt_s**2 / 2.0 * _Q_CROSS + dt_s * _Q_VEL)


_Q_POS = np.diag([1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
_Q_VEL = np.diag([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
_Q_CROSS = np.eye(6, k=3) + np.eye(6, k=-3)


def ct_transition(omega_rad_s: Array, dt_s: float) -> Array:
    """Coordinated-turn transition matrices ``(n, 6, 6)`` at known turn rates ``(n,)``.

    Horizontal velocity turns at ``omega`` (positive: counter-clockwise seen from above, a left
    turn); the vertical channel is constant velocity.
    """
    w = np.asarray(omega_rad_s, dtype=float)
    wt = w * dt_s
    small = np.abs(wt) < 1e-9
    w_safe = np.where(small, 1.0, w)
    s, c = np.sin(wt), np.cos(wt)
    s_w = np.where(small, dt_s, s / w_safe)
    c_w = np.where(small, 0.0, (1.0 - c) / w_safe)
    f = np.broadcast_to(cv_transition(dt_s), (len(w), 6, 6)).copy()
    f[:, 0, 3], f[:, 0, 4] = s_w, -c_w
    f[:, 1, 3], f[:, 1, 4] = c_w, s_w
    f[:, 3, 3], f[:, 3, 4] = c, -s
    f[:, 4, 3], f[:, 4, 4] = s, c
    return f


def gravity_input(dt_s: float) -> Array:
    """State increment ``(6,)`` of constant gravity over ``dt_s`` (flat-earth ENU)."""
    u = np.zeros(6)
    u[2] = -0.5 * GRAVITY_MPS2 * dt_s**2
    u[5] = -GRAVITY_MPS2 * dt_s
    return u


# ---------------------------------------------------------------------------------------------
# Kalman steps
# ---------------------------------------------------------------------------------------------


def cv_predict(
    x: Array, p: Array, dt_s: float, q: Array, u: Array | None = None
) -> tuple[Array, Array]:
    """``kf_predict`` with the shared constant-velocity ``F``, by block arithmetic (3x faster).

    ``F P F^T`` adds ``dt`` times the velocity rows to the position rows, then the same on
    the columns (symmetric up to rounding; the update re-symmetrises).
    """
    x_new = x.copy()
    x_new[:, :3] += dt_s * x[:, 3:]
    p_new = p.copy()
    p_new[:, :3, :] += dt_s * p[:, 3:, :]
    p_new[:, :, :3] += dt_s * p_new[:, :, 3:]
    p_new += q
    if u is not None:
        x_new += u
    return x_new, p_new


def kf_predict(
    x: Array, p: Array, f: Array, q: Array, u: Array | None = None
) -> tuple[Array, Array]:
    """Kalman prediction of a stack: ``x' = F x + u``, ``P' = F P F^T + Q``.

    ``f`` and ``q`` are ``(6, 6)`` (shared) or ``(n, 6, 6)`` (per track).
    """
    if f.ndim == 2:
        x_new = x @ f.T
        p_new = f @ p @ f.T + q
    else:
        x_new = np.einsum("nij,nj->ni", f, x)
        p_new = np.matmul(np.matmul(f, p), np.swapaxes(f, 1, 2)) + q
    if u is not None:
        x_new = x_new + u
    return x_new, symmetrise(p_new)


def kf_update(x: Array, p: Array, z: Array, r: Array) -> tuple[Array, Array, Array]:
    """Joseph-form update of a stack by position measurements ``z`` ``(n, 3)``, ``r`` ``(n, 3, 3)``.

    Returns the updated state, covariance, and the log-likelihood of each innovation ``(n,)``.
    """
    nu = z - x[:, :3]
    s = p[:, :3, :3] + r
    s_inv, det = inv3_sym(s)
    k = np.matmul(p[:, :, :3], s_inv)  # (n, 6, 3)
    x_new = x + np.einsum("nij,nj->ni", k, nu)
    a = np.broadcast_to(np.eye(6), p.shape).copy()
    a[:, :, :3] -= k
    p_new = np.matmul(np.matmul(a, p), np.swapaxes(a, 1, 2)) + np.matmul(
        np.matmul(k, r), np.swapaxes(k, 1, 2)
    )
    loglik = -0.5 * (mahalanobis2(nu, s_inv) + np.log(det) + 3.0 * LOG_2PI)
    return x_new, symmetrise(p_new), loglik


# ---------------------------------------------------------------------------------------------
# motion model sets and the IMM
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MotionModels:
    """The model set of a filter: names and their process-noise levels.

    ``kinds`` entries are ``"cv"``, ``"ct_left"``, ``"ct_right"`` or ``"ballistic"``; a single
    entry is a plain Kalman filter, several an IMM.
    """

    kinds: tuple[str, ...]
    accel_mps2: tuple[float, ...]
    turn_accel_mps2: float = 30.0
    switch_rate_per_s: float = 0.05
    min_turn_speed_mps: float = 30.0

    @property
    def count(self) -> int:
        """Number of models ``M``."""
        return len(self.kinds)

    def transition_probabilities(self, dt_s: float) -> Array:
        """Model-switch matrix ``(M, M)`` over ``dt_s`` (continuous-time chain, uniform exits)."""
        m = self.count
        if m == 1:
            return np.ones((1, 1))
        stay = np.exp(-self.switch_rate_per_s * dt_s * m / (m - 1))
        pi = np.full((m, m), (1.0 - stay) / m)
        pi[np.diag_indices(m)] = 1.0 / m + (1.0 - 1.0 / m) * stay
        return pi

    def predict(self, x: Array, p: Array, dt_s: float) -> tuple[Array, Array]:
        """Predict a model stack ``x`` ``(M, n, 6)``, ``P`` ``(M, n, 6, 6)`` by ``dt_s``."""
        if dt_s == 0.0:
            return x, p
        xs, ps = np.empty_like(x), np.empty_like(p)
        for m, (kind, accel) in enumerate(zip(self.kinds, self.accel_mps2, strict=True)):
            q = white_accel_noise(dt_s, accel)
            if kind == "cv":
                xs[m], ps[m] = cv_predict(x[m], p[m], dt_s, q)
            elif kind == "ballistic":
                xs[m], ps[m] = cv_predict(x[m], p[m], dt_s, q, gravity_input(dt_s))
            else:
                speed = np.maximum(np.hypot(x[m, :, 3], x[m, :, 4]), self.min_turn_speed_mps)
                sign = 1.0 if kind == "ct_left" else -1.0
                f = ct_transition(sign * self.turn_accel_mps2 / speed, dt_s)
                xs[m], ps[m] = kf_predict(x[m], p[m], f, q)
        return xs, ps


def imm_mix(x: Array, p: Array, mu: Array, pi: Array) -> tuple[Array, Array, Array]:
    """IMM interaction: mixed initial conditions per model and the predicted model probabilities.

    ``x`` ``(M, n, 6)``, ``p`` ``(M, n, 6, 6)``, ``mu`` ``(n, M)``, ``pi`` ``(M, M)`` with
    ``pi[i, j] = P(model j next | model i now)``. Returns mixed ``x``, ``P`` and ``c`` ``(n, M)``.
    """
    c = mu @ pi  # (n, M)
    w = mu[:, :, None] * pi[None, :, :] / np.maximum(c, 1e-300)[:, None, :]  # (n, i, j)
    wt = np.swapaxes(w, 1, 2)  # (n, j, i)
    m, n = x.shape[0], x.shape[1]
    x0 = np.matmul(wt, np.swapaxes(x, 0, 1)).swapaxes(0, 1)  # (j, n, 6)
    # spread of the means about a common centre (exact, and no (M, M, n, 6, 6) temporary):
    # sum_i w_ij (x_i - x0_j)(x_i - x0_j)^T = sum_i w_ij d_i d_i^T - e_j e_j^T,
    # with d_i = x_i - centre and e_j = x0_j - centre
    centre = x.mean(axis=0)
    d = x - centre
    e = x0 - centre
    second = (p + d[..., :, None] * d[..., None, :]).reshape(m, n, 36).swapaxes(0, 1)
    p0 = np.matmul(wt, second).swapaxes(0, 1).reshape(m, n, 6, 6)
    p0 -= e[..., :, None] * e[..., None, :]
    return x0, symmetrise(p0), c


def imm_combine(x: Array, p: Array, mu: Array) -> tuple[Array, Array]:
    """Moment-matched combination ``(n, 6)``, ``(n, 6, 6)`` of a model stack weighted by ``mu``."""
    if x.shape[0] == 1:
        return x[0], p[0]
    m, n = x.shape[0], x.shape[1]
    xc = np.matmul(mu[:, None, :], np.swapaxes(x, 0, 1))[:, 0, :]
    dx = x - xc[None]
    second = (p + dx[..., :, None] * dx[..., None, :]).reshape(m, n, 36).swapaxes(0, 1)
    pc = np.matmul(mu[:, None, :], second)[:, 0, :].reshape(n, 6, 6)
    return xc, symmetrise(pc)


def imm_position(x: Array, p: Array, mu: Array) -> tuple[Array, Array]:
    """``imm_combine`` of the position block only: ``(n, 3)`` and ``(n, 3, 3)`` (4x cheaper)."""
    if x.shape[0] == 1:
        return x[0, :, :3], p[0, :, :3, :3]
    m, n = x.shape[0], x.shape[1]
    xs = x[:, :, :3]
    xc = np.matmul(mu[:, None, :], np.swapaxes(xs, 0, 1))[:, 0, :]
    dx = xs - xc[None]
    second = (p[:, :, :3, :3] + dx[..., :, None] * dx[..., None, :]).reshape(m, n, 9)
    pc = np.matmul(mu[:, None, :], second.swapaxes(0, 1))[:, 0, :].reshape(n, 3, 3)
    return xc, symmetrise(pc)


def imm_position_sigma(x: Array, p: Array, mu: Array) -> Array:
    """RMS position sigma ``(n,)`` of the IMM mixture, ``sqrt(trace(P_pos) / 3)``."""
    tr = np.trace(p[:, :, :3, :3], axis1=2, axis2=3)  # (M, n)
    if x.shape[0] == 1:
        return np.sqrt(tr[0] / 3.0)
    xs = x[:, :, :3]
    xc = np.einsum("nm,mnk->nk", mu, xs)
    spread = np.sum((xs - xc[None]) ** 2, axis=2)  # (M, n)
    return np.sqrt(np.einsum("nm,mn->n", mu, tr + spread) / 3.0)


def imm_probabilities(c: Array, loglik: Array) -> Array:
    """Posterior model probabilities ``(n, M)`` from predicted ``c`` and log-likelihoods."""
    ll = loglik - loglik.max(axis=1, keepdims=True)
    w = c * np.exp(ll)
    return w / w.sum(axis=1, keepdims=True)
