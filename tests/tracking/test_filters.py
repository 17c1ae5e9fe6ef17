"""Kalman steps, motion models, measurement conversion and the IMM."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.sensors.batch import DetectionBatch, SensorGeometry
from iadsim.tracking.filters import (
    MotionModels,
    convert_measurements,
    ct_transition,
    cv_transition,
    gravity_input,
    imm_combine,
    imm_mix,
    imm_probabilities,
    inv3_sym,
    kf_predict,
    kf_update,
    white_accel_noise,
)
from iadsim.world.frames import (
    GRAVITY_MPS2,
    Origin,
    enu_to_aer,
    geodetic_to_enu,
    rotation_enu_to_local,
)


def test_kalman_step_against_hand_computation():
    # per axis: position var 100, velocity var 25, predicted over 1 s with no process noise
    # -> P = [[125, 25], [25, 25]]; R = 100 per axis, innovation 15 m on east only.
    x = np.array([[0.0, 0.0, 0.0, 10.0, 0.0, 0.0]])
    p = np.diag([100.0, 100.0, 100.0, 25.0, 25.0, 25.0])[None]
    x, p = kf_predict(x, p, cv_transition(1.0), np.zeros((6, 6)))
    np.testing.assert_allclose(x[0, :3], [10.0, 0.0, 0.0])
    assert p[0, 0, 0] == pytest.approx(125.0) and p[0, 0, 3] == pytest.approx(25.0)
    z = np.array([[25.0, 0.0, 0.0]])
    r = (np.eye(3) * 100.0)[None]
    xu, pu, ll = kf_update(x, p, z, r)
    # S = 225, K = [125/225, 25/225]
    assert xu[0, 0] == pytest.approx(10.0 + 15.0 * 125.0 / 225.0)
    assert xu[0, 3] == pytest.approx(10.0 + 15.0 * 25.0 / 225.0)
    assert xu[0, 1] == pytest.approx(0.0) and xu[0, 4] == pytest.approx(0.0)
    assert pu[0, 0, 0] == pytest.approx(100.0 / 225.0 * 125.0)
    assert pu[0, 0, 3] == pytest.approx(100.0 / 225.0 * 25.0)
    assert pu[0, 3, 3] == pytest.approx(25.0 - 25.0 * 25.0 / 225.0)
    ref_ll = -0.5 * (15.0**2 / 225.0 + np.log(225.0 * 225.0**2) + 3 * np.log(2 * np.pi))
    assert ll[0] == pytest.approx(ref_ll)


def test_update_stays_symmetric_positive_definite(rng):
    n = 200
    x = rng.normal(0, 100, (n, 6))
    a = rng.normal(0, 1, (n, 6, 6))
    p = a @ np.swapaxes(a, 1, 2) + np.eye(6) * 1e-3
    f, q = cv_transition(2.0), white_accel_noise(2.0, 5.0)
    for _ in range(30):
        x, p = kf_predict(x, p, f, q)
        b = rng.normal(0, 1, (n, 3, 3))
        r = b @ np.swapaxes(b, 1, 2) * 1e4 + np.eye(3) * 1e-2
        x, p, _ = kf_update(x, p, x[:, :3] + rng.normal(0, 50, (n, 3)), r)
    np.testing.assert_array_equal(p, np.swapaxes(p, 1, 2))
    assert np.linalg.eigvalsh(p).min() > 0


@pytest.mark.parametrize("n", [0, 1, 5])
def test_predict_and_update_any_count(n, rng):
    x = rng.normal(0, 1, (n, 6))
    p = np.broadcast_to(np.eye(6), (n, 6, 6)).copy()
    x1, p1 = kf_predict(x, p, cv_transition(1.0), white_accel_noise(1.0, 1.0))
    x2, p2, ll = kf_update(x1, p1, x1[:, :3], np.broadcast_to(np.eye(3), (n, 3, 3)).copy())
    assert x2.shape == (n, 6) and p2.shape == (n, 6, 6) and ll.shape == (n,)


def test_white_accel_noise_closed_form():
    q = white_accel_noise(3.0, 2.0)
    assert q[0, 0] == pytest.approx(4.0 * 27.0 / 3.0)
    assert q[0, 3] == pytest.approx(4.0 * 9.0 / 2.0)
    assert q[3, 3] == pytest.approx(4.0 * 3.0)
    assert q[0, 1] == 0.0


def test_coordinated_turn_moves_on_a_circle():
    # 200 m/s east, turning left at 0.1 rad/s: after a quarter turn (15.7 s) heading north.
    speed, w = 200.0, 0.1
    t = np.pi / 2 / w
    f = ct_transition(np.array([w]), t)[0]
    x = f @ np.array([0.0, 0.0, 1000.0, speed, 0.0, 0.0])
    radius = speed / w
    np.testing.assert_allclose(x[:3], [radius, radius, 1000.0], atol=1e-9)
    np.testing.assert_allclose(x[3:], [0.0, speed, 0.0], atol=1e-9)
    np.testing.assert_allclose(ct_transition(np.array([0.0]), 2.0)[0], cv_transition(2.0))


def test_ballistic_model_is_exact_under_gravity():
    x0 = np.array([0.0, 0.0, 100_000.0, 1000.0, 500.0, 2000.0])
    t = 37.0
    x = cv_transition(t) @ x0 + gravity_input(t)
    expect_up = 100_000.0 + 2000.0 * t - 0.5 * GRAVITY_MPS2 * t**2
    assert x[2] == pytest.approx(expect_up)
    assert x[5] == pytest.approx(2000.0 - GRAVITY_MPS2 * t)
    models = MotionModels(("ballistic",), (1e-9,))
    xs, _ = models.predict(x0[None, None], np.eye(6)[None, None], t)
    np.testing.assert_allclose(xs[0, 0], x, rtol=1e-12)


def test_inv3_sym_matches_numpy(rng):
    a = rng.normal(0, 1, (50, 3, 3))
    s = a @ np.swapaxes(a, 1, 2) + np.eye(3)
    inv, det = inv3_sym(s)
    np.testing.assert_allclose(inv, np.linalg.inv(s), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(det, np.linalg.det(s), rtol=1e-9)


def _detections(r, a, e, sid, sr, sa, se):
    n = len(r)
    return DetectionBatch(
        time_s=np.zeros(n), sensor_id=np.asarray(sid, np.int32), range_m=np.asarray(r, float),
        azimuth_rad=np.asarray(a, float), elevation_rad=np.asarray(e, float),
        range_sigma_m=np.full(n, sr), azimuth_sigma_rad=np.full(n, sa),
        elevation_sigma_rad=np.full(n, se), snr_db=np.full(n, np.nan),
        truth_id=np.zeros(n, np.int64),
    )


def test_conversion_uses_each_radars_position_and_rotation(rng):
    origin = Origin(52.0, 5.0, 0.0)
    sites = [(52.0, 5.0, 10.0), (52.8, 6.3, 30.0)]
    pos = np.array([geodetic_to_enu(la, lo, al, origin) for la, lo, al in sites])
    rot = np.array([rotation_enu_to_local(origin, la, lo) for la, lo, _ in sites])
    geometry = SensorGeometry(pos, rot)
    target = geodetic_to_enu(52.4, 5.9, 9000.0, origin)
    rows = []
    for s in range(2):
        rows.append(enu_to_aer((rot[s] @ (target - pos[s]))[None]))
    r, a, e = (np.array([rows[0][i][0], rows[1][i][0]]) for i in range(3))
    det = _detections(r, a, e, [0, 1], 30.0, 1e-3, 1e-3)
    z, cov = convert_measurements(det, geometry, debias=False)
    np.testing.assert_allclose(z, np.array([target, target]), atol=1e-6)
    np.testing.assert_allclose(z, geometry.detections_to_enu(det), atol=1e-9)
    # covariance: Monte Carlo through the exact conversion, radar 1 (rotated, far away)
    m = 200_000
    draws = _detections(
        r[1] + rng.normal(0, 30.0, m), a[1] + rng.normal(0, 1e-3, m),
        e[1] + rng.normal(0, 1e-3, m), np.ones(m, int), 30.0, 1e-3, 1e-3,
    )
    sample = np.cov(geometry.detections_to_enu(draws).T)
    np.testing.assert_allclose(cov[1], sample, rtol=0.03, atol=0.03 * np.abs(sample).max())


def test_debiased_conversion_removes_the_mean_bias(rng):
    geometry = SensorGeometry(np.zeros((1, 3)), np.eye(3)[None].copy())
    m, r, sa = 400_000, 100_000.0, 0.05
    det = _detections(np.full(m, r), 0.3 + rng.normal(0, sa, m), 0.2 + rng.normal(0, sa, m),
                      np.zeros(m, int), 1.0, sa, sa)
    true = geometry.detections_to_enu(_detections([r], [0.3], [0.2], [0], 1.0, sa, sa))[0]
    biased = convert_measurements(det, geometry, debias=False)[0].mean(axis=0) - true
    unbiased = convert_measurements(det, geometry, debias=True)[0].mean(axis=0) - true
    # the bias is about r * sa**2 = 250 m; the standard error of the mean about 8 m
    assert np.linalg.norm(biased) > 150.0
    assert np.linalg.norm(unbiased) < 40.0


def test_imm_mix_and_combine_preserve_moments(rng):
    m, n = 3, 4
    x = rng.normal(0, 10, (m, n, 6))
    a = rng.normal(0, 1, (m, n, 6, 6))
    p = a @ np.swapaxes(a, -1, -2) + np.eye(6)
    mu = rng.dirichlet(np.ones(m), n)
    pi = MotionModels(("cv", "ct_left", "ct_right"), (1, 1, 1)).transition_probabilities(2.0)
    np.testing.assert_allclose(pi.sum(axis=1), 1.0)
    x0, p0, c = imm_mix(x, p, mu, pi)
    np.testing.assert_allclose(c.sum(axis=1), 1.0)
    # brute-force mixing of track 2 into model 1
    i, j = 2, 1
    w = mu[i] * pi[:, j] / c[i, j]
    ref_x = sum(w[k] * x[k, i] for k in range(m))
    ref_p = sum(w[k] * (p[k, i] + np.outer(x[k, i] - ref_x, x[k, i] - ref_x)) for k in range(m))
    np.testing.assert_allclose(x0[j, i], ref_x)
    np.testing.assert_allclose(p0[j, i], ref_p)
    # mixing then combining with c keeps the overall mean and covariance
    np.testing.assert_allclose(imm_combine(x0, p0, c)[0], imm_combine(x, p, mu)[0], atol=1e-9)
    np.testing.assert_allclose(imm_combine(x0, p0, c)[1], imm_combine(x, p, mu)[1], atol=1e-8)
    post = imm_probabilities(c, np.log(np.array([[1.0, 2.0, 3.0]] * n)))
    np.testing.assert_allclose(post, c * [1, 2, 3] / (c * [1, 2, 3]).sum(axis=1, keepdims=True))


def test_imm_probabilities_switch_on_a_turn(rng):
    """NCV + CT IMM on a straight leg, a 3 g left turn, then straight: CT-left wins the turn."""
    from iadsim.scenario.tracking_spec import TrackingSpec
    from iadsim.tracking.tracker import motion_models

    spec = TrackingSpec(motion_model="imm", imm_ballistic=False, turn_accel_mps2=30.0)
    models = motion_models(spec)
    assert models.kinds == ("cv", "ct_left", "ct_right")
    speed, accel, dt = 250.0, 30.0, 1.0
    w = accel / speed
    pos, vel = np.array([0.0, 0.0, 5000.0]), np.array([speed, 0.0, 0.0])
    truth = []
    for k in range(90):
        turning = 30 <= k < 30 + int(np.pi / w)  # a half turn
        if turning:
            f = ct_transition(np.array([w]), dt)[0]
            s = f @ np.concatenate([pos, vel])
            pos, vel = s[:3], s[3:]
        else:
            pos = pos + vel * dt
        truth.append((pos.copy(), turning))
    x = np.broadcast_to(np.concatenate([[0, 0, 5000.0], [speed, 0, 0]]), (3, 1, 6)).copy()
    p = np.broadcast_to(np.diag([1e4, 1e4, 1e4, 100, 100, 100.0]), (3, 1, 6, 6)).copy()
    mu = np.full((1, 3), 1 / 3)
    r = (np.eye(3) * 30.0**2)[None]
    probs = []
    for pos, turning in truth:
        x, p, c = imm_mix(x, p, mu, models.transition_probabilities(dt))
        x, p = models.predict(x, p, dt)
        z = (pos + rng.normal(0, 30.0, 3))[None]
        ll = np.empty((1, 3))
        for m in range(3):
            x[m], p[m], ll[:, m] = kf_update(x[m], p[m], z, r)
        mu = imm_probabilities(c, ll)
        probs.append((mu[0].copy(), turning))
    straight = np.array([mu for mu, t in probs[10:30]])
    turn = np.array([mu for mu, t in probs if t][4:])
    assert straight[:, 0].mean() > 0.6
    assert turn[:, 1].mean() > 0.6
    assert turn[:, 1].mean() > 5 * turn[:, 2].mean()


def test_kalman_filter_matches_stone_soup(rng):
    """Predict/update sequence against Stone Soup's KalmanPredictor and KalmanUpdater."""
    pytest.importorskip("stonesoup")
    from datetime import datetime, timedelta

    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        ConstantVelocity,
    )
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.types.detection import Detection
    from stonesoup.types.hypothesis import SingleHypothesis
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import KalmanUpdater

    perm = [0, 3, 1, 4, 2, 5]  # ours (x, y, z, vx, vy, vz) -> Stone Soup (x, vx, y, vy, z, vz)
    accel = 4.0
    predictor = KalmanPredictor(CombinedLinearGaussianTransitionModel([ConstantVelocity(accel**2)]
                                                                      * 3))
    x = np.array([[1000.0, -2000.0, 3000.0, 50.0, 20.0, -5.0]])
    p = np.diag([400.0, 400.0, 900.0, 100.0, 100.0, 100.0])[None]
    t0 = datetime(2026, 1, 1)
    state = GaussianState(x[0, perm].reshape(6, 1), p[0][np.ix_(perm, perm)], timestamp=t0)
    t = 0.0
    for _ in range(15):
        dt = float(rng.uniform(0.5, 3.0))
        t += dt
        x, p = kf_predict(x, p, cv_transition(dt), white_accel_noise(dt, accel))
        a = rng.normal(0, 1, (3, 3))
        r = a @ a.T * 400.0 + np.eye(3) * 100.0
        z = x[0, :3] + rng.normal(0, 30.0, 3)
        x, p, _ = kf_update(x, p, z[None], r[None])
        model = LinearGaussian(ndim_state=6, mapping=(0, 2, 4), noise_covar=r)
        pred = predictor.predict(state, timestamp=t0 + timedelta(seconds=t))
        det = Detection(z.reshape(3, 1), timestamp=pred.timestamp, measurement_model=model)
        state = KalmanUpdater(model).update(SingleHypothesis(pred, det))
        np.testing.assert_allclose(x[0, perm], np.asarray(state.state_vector).ravel(),
                                   rtol=1e-6, atol=1e-4)
        np.testing.assert_allclose(p[0][np.ix_(perm, perm)], np.asarray(state.covar),
                                   rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("m", [1, 4])
def test_imm_position_parts_match_the_full_combination(rng, m):
    from iadsim.tracking.filters import imm_position, imm_position_sigma

    n = 7
    x = rng.normal(0, 1e4, (m, n, 6))
    a = rng.normal(0, 10, (m, n, 6, 6))
    p = a @ np.swapaxes(a, -1, -2)
    mu = rng.dirichlet(np.ones(m), n)
    xc, pc = imm_combine(x, p, mu)
    xp, pp = imm_position(x, p, mu)
    np.testing.assert_allclose(xp, xc[:, :3])
    np.testing.assert_allclose(pp, pc[:, :3, :3], rtol=1e-9)
    sigma = np.sqrt(np.trace(pc[:, :3, :3], axis1=1, axis2=2) / 3.0)
    np.testing.assert_allclose(imm_position_sigma(x, p, mu), sigma, rtol=1e-9)


def test_inv3_sym_of_a_numerically_singular_covariance_stays_finite() -> None:
    # Regression: a 1e12 m range sigma against metre cross-range sigmas gave det <= 0, NaN
    # likelihoods and "matrix contains invalid numeric entries" in the assignment.
    from iadsim.tracking.filters import inv3_sym

    rng = np.random.default_rng(4)
    q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    bad = q @ np.diag([1e24, 1.0, 1.0]) @ q.T
    good = q @ np.diag([9.0, 4.0, 1.0]) @ q.T
    inv, det = inv3_sym(np.stack([bad, good]))
    assert np.all(np.isfinite(inv)) and np.all(det > 0)
    np.testing.assert_allclose(inv[1], np.linalg.inv(good), rtol=1e-12)
    assert det[1] == pytest.approx(36.0, rel=1e-12)
    # the ill-conditioned one gets 1e-6 of its mean eigenvalue on the diagonal
    ridge = 1e-6 * (1e24 + 2.0) / 3.0
    lam = np.array([1e24, 1.0, 1.0]) + ridge
    np.testing.assert_allclose(inv[0], q @ np.diag(1.0 / lam) @ q.T, rtol=1e-3, atol=0)
    assert det[0] == pytest.approx(np.prod(lam), rel=1e-3)
