"""Track-to-track correlation against brute force, and the fused picture of two units."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.stats import chi2

from iadsim.network.fusion import SYSTEM_ID_BASE, TrackFusion, correlate, t2t_distance2
from iadsim.tracking.batch import TrackBatch


def _brute_force(d2: np.ndarray, gate: float) -> float:
    """Least total cost over every partial matching (a pair costs d2, inside the gate; every
    row or column left out costs gate / 2)."""
    na, nb = d2.shape
    best = np.inf
    for k in range(min(na, nb) + 1):
        for rows in itertools.combinations(range(na), k):
            for cols in itertools.permutations(range(nb), k):
                d = [d2[r, c] for r, c in zip(rows, cols, strict=True)]
                if any(x > gate for x in d):
                    continue
                best = min(best, sum(d) + gate / 2 * (na + nb - 2 * k))
    return best


def test_correlation_matches_brute_force_assignment() -> None:
    rng = np.random.default_rng(3)
    gate = 12.0
    for _ in range(60):
        na, nb = rng.integers(0, 5, size=2)
        d2 = rng.uniform(0.0, 20.0, size=(na, nb))
        r, c = correlate(d2, gate)
        cost = d2[r, c].sum() + gate / 2 * (na + nb - 2 * len(r))
        assert np.isclose(cost, _brute_force(d2, gate))
        assert len(set(r.tolist())) == len(r) and len(set(c.tolist())) == len(c)


def test_t2t_distance_is_the_mahalanobis_distance_of_the_difference() -> None:
    rng = np.random.default_rng(4)
    xa, xb = rng.normal(size=(2, 6)), rng.normal(size=(3, 6))
    a = rng.normal(size=(2, 6, 6))
    b = rng.normal(size=(3, 6, 6))
    pa, pb = a @ a.transpose(0, 2, 1) + np.eye(6), b @ b.transpose(0, 2, 1) + np.eye(6)
    d2 = t2t_distance2(xa, pa, xb, pb)
    for i in range(2):
        for j in range(3):
            diff = xa[i] - xb[j]
            assert np.isclose(d2[i, j], diff @ np.linalg.inv(pa[i] + pb[j]) @ diff, rtol=1e-6)


def _reports(truth_pos: np.ndarray, truth_id: list[int], ids: list[int], sigma_m: float,
             rng: np.random.Generator) -> TrackBatch:
    n = len(ids)
    cov = np.zeros((n, 6, 6))
    cov[:, :3, :3] = np.eye(3) * sigma_m**2
    cov[:, 3:, 3:] = np.eye(3) * 5.0**2
    return TrackBatch(
        time_s=np.zeros(n), track_id=np.array(ids, np.int64),
        position_enu_m=truth_pos + rng.normal(0.0, sigma_m, size=(n, 3)),
        velocity_enu_mps=np.tile([200.0, 0.0, 0.0], (n, 1)) + rng.normal(0.0, 5.0, (n, 3)),
        covariance=cov, confirmed=np.ones(n, bool), quality=np.ones(n),
        truth_id=np.array(truth_id, np.int64))


def test_two_units_tracks_of_one_target_join_and_close_targets_stay_apart() -> None:
    rng = np.random.default_rng(7)
    truth = np.array([[0.0, 0.0, 3000.0], [0.0, 300.0, 3000.0], [50_000.0, 0.0, 100.0]])
    a = _reports(truth, [0, 1, 2], [10, 11, 12], 30.0, rng)  # unit 1
    b = _reports(truth[[1, 0]], [1, 0], [20, 21], 30.0, rng)  # unit 2, other order
    reports = TrackBatch(**{k: np.concatenate([getattr(a, k), getattr(b, k)])
                            for k in ("time_s", "track_id", "position_enu_m",
                                      "velocity_enu_mps", "covariance", "confirmed",
                                      "quality", "truth_id")})
    source = np.array([1, 1, 1, 2, 2])
    fusion = TrackFusion(0.999)
    pic = fusion.fuse(reports, source, 0.0)
    assert len(pic.tracks) == 3
    sys_of = dict(zip(reports.track_id.tolist(), pic.report_system_id.tolist(), strict=True))
    assert sys_of[10] == sys_of[21] and sys_of[11] == sys_of[20]
    assert len({sys_of[10], sys_of[11], sys_of[12]}) == 3
    # fused estimate of the joined pair: the covariance intersection; equal covariances
    # (every weight gives the same trace): the plain mean, and the covariance of either
    # report (no gain is claimed from errors that may be fully correlated)
    row = int(np.flatnonzero(pic.tracks.track_id == sys_of[10])[0])
    mean = (reports.position_enu_m[0] + reports.position_enu_m[4]) / 2
    assert np.allclose(pic.tracks.position_enu_m[row], mean, atol=1e-3)
    assert np.allclose(pic.tracks.covariance[row, :3, :3], np.eye(3) * 30.0**2, rtol=1e-6)
    # the numbers persist at the next fusion
    again = fusion.fuse(reports, source, 1.0)
    assert again.report_system_id.tolist() == pic.report_system_id.tolist()
    assert (pic.report_system_id >= SYSTEM_ID_BASE).all()


def test_gate_is_the_chi_square_quantile() -> None:
    assert np.isclose(TrackFusion(0.99).gate, chi2.ppf(0.99, df=6))


def test_no_reports() -> None:
    pic = TrackFusion().fuse(TrackBatch.empty(), np.empty(0, np.int64), 0.0)
    assert len(pic.tracks) == 0 and pic.report_system_id.size == 0


def test_fused_states_are_the_intersection_of_each_final_group() -> None:
    # three units' reports of 12 targets (some missing): the states kept between the
    # per-unit correlations are those of the final groups, computed from scratch
    from iadsim.network.fusion import fuse_groups, predict_to, state_of

    rng = np.random.default_rng(4)
    truth = np.c_[rng.uniform(-5e4, 5e4, (12, 2)), rng.uniform(100, 9000, 12)]
    parts, source = [], []
    for u in (1, 2, 3):
        held = np.flatnonzero(rng.random(12) < 0.8)
        parts.append(_reports(truth[held], held.tolist(), (u * 100 + held).tolist(),
                              20.0 * u, rng))
        source += [u] * held.size
    reports = TrackBatch(**{k: np.concatenate([getattr(a, k) for a in parts])
                            for k in ("time_s", "track_id", "position_enu_m",
                                      "velocity_enu_mps", "covariance", "confirmed",
                                      "quality", "truth_id")})
    pic = TrackFusion(0.999).fuse(reports, np.array(source), 2.0)
    rep = predict_to(reports, 2.0)
    numbers, group = np.unique(pic.report_system_id, return_inverse=True)
    xf, pf = fuse_groups(group, state_of(rep), rep.covariance, numbers.size)
    assert np.array_equal(pic.tracks.track_id, numbers)
    assert np.allclose(pic.tracks.position_enu_m, xf[:, :3], rtol=0, atol=1e-9)
    assert np.allclose(pic.tracks.covariance, pf, rtol=1e-12, atol=1e-9)
    # one system track per target (the gate joins the same target's reports only)
    assert len(pic.tracks) == len(np.unique(reports.truth_id))


def test_a_system_track_carries_its_best_members_drag_estimate() -> None:
    """Issue 19: the fused picture keeps the drag estimate (kappa, sigma) of the member with the
    smallest sigma, NaN where no member has one, so the command's decoy discrimination works on
    the network's picture as on one tracker's."""
    from dataclasses import replace

    rng = np.random.default_rng(3)
    truth = np.array([[0.0, 0.0, 30_000.0], [40_000.0, 0.0, 30_000.0]])
    a = _reports(truth, [0, 1], [10, 11], 30.0, rng)
    b = _reports(truth[:1], [0], [20], 30.0, rng)
    reports = TrackBatch(**{k: np.concatenate([getattr(a, k), getattr(b, k)])
                            for k in ("time_s", "track_id", "position_enu_m",
                                      "velocity_enu_mps", "covariance", "confirmed",
                                      "quality", "truth_id")})
    with_drag = replace(reports, kappa_m2_per_t=np.array([0.5, np.nan, 0.2]),
                        kappa_sigma_m2_per_t=np.array([0.3, np.nan, 0.05]))
    pic = TrackFusion(0.999).fuse(with_drag, np.array([1, 1, 2]), 0.0)
    sys_of = dict(zip(with_drag.track_id.tolist(), pic.report_system_id.tolist(), strict=True))
    assert sys_of[10] == sys_of[20] != sys_of[11]
    row = {t: i for i, t in enumerate(pic.tracks.track_id.tolist())}
    assert pic.tracks.kappa_m2_per_t[row[sys_of[10]]] == 0.2  # unit 2's, sigma 0.05 < 0.3
    assert pic.tracks.kappa_sigma_m2_per_t[row[sys_of[10]]] == 0.05
    assert np.isnan(pic.tracks.kappa_m2_per_t[row[sys_of[11]]])
    assert TrackFusion(0.999).fuse(reports, np.array([1, 1, 2]), 0.0).tracks.kappa_m2_per_t is None
