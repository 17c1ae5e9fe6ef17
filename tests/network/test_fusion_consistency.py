"""The fused covariance is consistent: a Monte Carlo of two Kalman trackers of one target.

Independent of the project's trackers: two constant-velocity Kalman filters (written here,
per axis), fed by two radars' position measurements of one target that manoeuvres with white
acceleration noise (the common process noise that correlates the two estimation errors).
The exact fusion with the known cross-covariance (Bar-Shalom and Campo, 1986; the
cross-covariance by its recursion) is the reference; the naive information sum is shown
optimistic, the covariance intersection consistent.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.stats import chi2

from iadsim.network.fusion import covariance_intersection, fuse_groups

DT, Q, STEPS, RUNS = 1.0, 4.0**2, 40, 600  # step s, accel PSD (m/s^2)^2 s, steps, MC runs
SIGMA = (np.array([20.0, 80.0, 40.0]), np.array([80.0, 20.0, 40.0]))
"""The two radars' position noise per axis (east, north, up), m: each is accurate in range and
poor across it, and they look from bearings 90 degrees apart."""


def _model() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    f = np.array([[1.0, DT], [0.0, 1.0]])
    q = Q * np.array([[DT**3 / 3, DT**2 / 2], [DT**2 / 2, DT]])
    return f, q, np.array([[1.0, 0.0]])


def _monte_carlo(seed: int = 3) -> dict[str, np.ndarray]:
    """Per axis (2-state) filters; returns the states (RUNS, 3, 2) of the truth and both
    trackers, their covariances (3, 2, 2) and the cross-covariance (3, 2, 2) after STEPS
    updates."""
    rng = np.random.default_rng(seed)
    f, q, h = _model()
    lq = np.linalg.cholesky(q)
    truth = np.zeros((RUNS, 3, 2))
    truth[..., 1] = rng.normal(0.0, 200.0, (RUNS, 3))
    est = [truth + rng.normal(0.0, 1.0, (RUNS, 3, 2)) * np.stack(
        [s, np.full(3, 20.0)], axis=1) for s in SIGMA]
    cov = [np.stack([np.diag([v**2, 20.0**2]) for v in s]) for s in SIGMA]  # (3, 2, 2)
    cross = np.zeros((3, 2, 2))  # independent initialisations
    for _ in range(STEPS):
        truth = truth @ f.T + rng.normal(0.0, 1.0, (RUNS, 3, 2)) @ lq.T
        gains = []
        for k, s in enumerate(SIGMA):
            x = est[k] @ f.T
            p = f @ cov[k] @ f.T + q
            gain = p @ h.T / (h @ p @ h.T + (s**2)[:, None, None])  # (3, 2, 1)
            z = truth[..., :1] + rng.normal(0.0, 1.0, (RUNS, 3, 1)) * s[:, None]
            est[k] = x + np.einsum("aij,naj->nai", gain, z - x[..., :1])
            cov[k] = (np.eye(2) - gain @ h) @ p
            gains.append(gain)
        ia, ib = (np.eye(2) - g @ h for g in gains)
        cross = ia @ (f @ cross @ f.T + q) @ np.transpose(ib, (0, 2, 1))
    return {"pa": cov[0], "pb": cov[1], "pab": cross, "truth": truth, "xa": est[0],
            "xb": est[1]}


def _six(per_axis: np.ndarray) -> np.ndarray:
    """(3, 2, 2) per-axis matrices as the (6, 6) covariance of (position, velocity)."""
    out = np.zeros((6, 6))
    for a in range(3):
        out[np.ix_([a, 3 + a], [a, 3 + a])] = per_axis[a]
    return out


def _vec(a: np.ndarray) -> np.ndarray:
    """(RUNS, 3, 2) per-axis states as (RUNS, 6) (position, velocity)."""
    return np.concatenate([a[..., 0], a[..., 1]], axis=1)


def _nees(err: np.ndarray, p: np.ndarray) -> float:
    inv = np.linalg.inv(p)
    return float(np.mean(np.einsum("ni,nij,nj->n", err, inv, err)))


def test_fused_covariance_is_consistent_where_the_information_sum_is_optimistic() -> None:
    mc = _monte_carlo()
    pa, pb, pab = _six(mc["pa"]), _six(mc["pb"]), _six(mc["pab"])
    xa, xb, truth = _vec(mc["xa"]), _vec(mc["xb"]), _vec(mc["truth"])
    lo, hi = chi2.ppf([0.005, 0.995], 6 * RUNS) / RUNS  # 99 % band of the mean NEES
    # the single trackers and the exact (cross-covariance) fusion are consistent: the
    # Monte Carlo itself is right
    assert lo < _nees(xa - truth, np.broadcast_to(pa, (RUNS, 6, 6))) < hi
    assert lo < _nees(xb - truth, np.broadcast_to(pb, (RUNS, 6, 6))) < hi
    s = pa + pb - pab - pab.T
    gain = (pa - pab) @ np.linalg.inv(s)
    x_bc = xa + (xb - xa) @ gain.T
    p_bc = pa - gain @ (pa - pab.T)
    assert lo < _nees(x_bc - truth, np.broadcast_to(p_bc, (RUNS, 6, 6))) < hi
    # the naive information sum: too small a covariance (its NEES above the band)
    p_naive = np.linalg.inv(np.linalg.inv(pa) + np.linalg.inv(pb))
    x_naive = (xa @ np.linalg.inv(pa).T + xb @ np.linalg.inv(pb).T) @ p_naive.T
    naive = _nees(x_naive - truth, np.broadcast_to(p_naive, (RUNS, 6, 6)))
    assert naive > hi
    # covariance intersection: consistent (NEES at most the band's top), never wider than
    # the better tracker, and no better than the exact fusion
    group = np.repeat(np.arange(RUNS), 2)
    x2 = np.stack([xa, xb], axis=1).reshape(-1, 6)
    p2 = np.broadcast_to(np.stack([pa, pb]), (RUNS, 2, 6, 6)).reshape(-1, 6, 6)
    x_ci, p_ci = fuse_groups(group, x2, p2, RUNS)
    ci = _nees(x_ci - truth, p_ci)
    assert ci < hi
    assert np.trace(p_ci[0]) < 0.8 * min(np.trace(pa), np.trace(pb))
    assert np.trace(p_ci[0]) >= np.trace(p_bc) - 1e-6
    mse = [float(np.mean(np.sum((x - truth)[:, :3] ** 2, axis=1))) for x in (x_ci, xa, x_bc)]
    assert mse[0] < mse[1]  # better than the better tracker alone
    print(f"mean NEES (6 dof, band {lo:.2f}-{hi:.2f}): naive {naive:.2f}, CI {ci:.2f}; "
          f"position RMS m: CI {np.sqrt(mse[0]):.1f}, tracker a {np.sqrt(mse[1]):.1f}, "
          f"exact {np.sqrt(mse[2]):.1f}")


def test_covariance_intersection_weight_minimises_the_trace() -> None:
    rng = np.random.default_rng(11)
    for _ in range(5):
        a, b = rng.normal(size=(2, 6, 6))
        pa, pb = a @ a.T + np.eye(6), b @ b.T + 0.5 * np.eye(6)
        xa, xb = rng.normal(size=(2, 6))

        def tr(w: float) -> float:
            return float(np.trace(np.linalg.inv(w * np.linalg.inv(pa)
                                                 + (1 - w) * np.linalg.inv(pb))))

        best = minimize_scalar(tr, bounds=(0.0, 1.0), method="bounded",
                               options={"xatol": 1e-10})
        w = best.x if best.fun < min(tr(0.0), tr(1.0)) else (0.0 if tr(0.0) < tr(1.0) else 1.0)
        x, p = covariance_intersection(xa[None], pa[None], xb[None], pb[None])
        assert np.isclose(np.trace(p[0]), tr(w), rtol=1e-6)
        info = w * np.linalg.inv(pa) + (1 - w) * np.linalg.inv(pb)
        want = np.linalg.solve(info, w * np.linalg.solve(pa, xa) + (1 - w) * np.linalg.solve(
            pb, xb))
        assert np.allclose(x[0], want, rtol=1e-4, atol=1e-4)
