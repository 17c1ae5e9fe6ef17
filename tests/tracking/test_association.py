"""Gating, clustering, GNN and JPDA against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from iadsim.tracking.association import (
    GatedPairs,
    clusters,
    gate,
    gnn,
    jpda_probabilities,
    jpda_probabilities_exact,
    jpda_probabilities_lbp,
)


def _random_problem(rng: np.random.Generator, n: int, k: int, spread_m: float):
    pos = rng.uniform(-spread_m, spread_m, (n, 3))
    a = rng.normal(0, 1, (n, 3, 3))
    pcov = a @ np.swapaxes(a, 1, 2) * 100.0 + np.eye(3) * 50.0
    z = rng.uniform(-spread_m, spread_m, (k, 3))
    b = rng.normal(0, 1, (k, 3, 3))
    r = b @ np.swapaxes(b, 1, 2) * 50.0 + np.eye(3) * 20.0
    return pos, pcov, z, r


@pytest.mark.parametrize("n,k", [(0, 0), (0, 3), (3, 0), (1, 1), (7, 9), (40, 60), (120, 150)])
def test_gate_matches_all_pairs_brute_force(rng, n, k):
    pos, pcov, z, r = _random_problem(rng, n, k, 300.0)
    pairs = gate(pos, pcov, z, r, threshold=11.34)
    expected = []
    for i in range(n):
        for j in range(k):
            nu = z[j] - pos[i]
            d2 = nu @ np.linalg.solve(pcov[i] + r[j], nu)
            if d2 < 11.34:
                expected.append((i, j, d2))
    got = sorted(zip(pairs.track.tolist(), pairs.detection.tolist(), pairs.distance2.tolist(),
                     strict=True))
    assert [(i, j) for i, j, _ in got] == [(i, j) for i, j, _ in sorted(expected)]
    np.testing.assert_allclose([d for *_, d in got], [d for *_, d in sorted(expected)], rtol=1e-9)
    for i, j, ll in zip(pairs.track, pairs.detection, pairs.loglik, strict=True):
        s = pcov[i] + r[j]
        nu = z[j] - pos[i]
        d2 = nu @ np.linalg.solve(s, nu)
        ref = -0.5 * (d2 + np.log(np.linalg.det(s)) + 3 * np.log(2 * np.pi))
        assert ll == pytest.approx(ref, rel=1e-9)


def test_gate_track_mask_restricts_tracks(rng):
    pos, pcov, z, r = _random_problem(rng, 10, 10, 100.0)
    mask = np.zeros(10, dtype=bool)
    mask[[2, 5]] = True
    pairs = gate(pos, pcov, z, r, threshold=30.0, track_mask=mask)
    assert set(pairs.track.tolist()) <= {2, 5}
    full = gate(pos, pcov, z, r, threshold=30.0)
    assert len(pairs) == int(np.isin(full.track, [2, 5]).sum())


def _brute_force_gnn(pairs: GatedPairs, n_tracks: int, miss_cost: float) -> float:
    """Best total cost over every partial matching of the gated pairs."""
    options = [[-1] for _ in range(n_tracks)]
    for k in range(len(pairs)):
        options[int(pairs.track[k])].append(k)
    best = np.inf
    for choice in itertools.product(*options):
        dets = [int(pairs.detection[k]) for k in choice if k >= 0]
        if len(dets) != len(set(dets)):
            continue
        cost = sum(pairs.distance2[k] if k >= 0 else miss_cost for k in choice)
        best = min(best, cost)
    return float(best)


@pytest.mark.parametrize("seed", range(25))
def test_clustered_gnn_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 7)), int(rng.integers(1, 8))
    pos, pcov, z, r = _random_problem(rng, n, k, 60.0)
    pairs = gate(pos, pcov, z, r, threshold=9.0)
    won = gnn(pairs, n, k, miss_cost=9.0)
    # a valid assignment: each track and detection at most once, only gated pairs
    assert len(set(won.track.tolist())) == len(won)
    assert len(set(won.detection.tolist())) == len(won)
    gated = set(zip(pairs.track.tolist(), pairs.detection.tolist(), strict=True))
    assert set(zip(won.track.tolist(), won.detection.tolist(), strict=True)) <= gated
    cost = won.distance2.sum() + 9.0 * (n - len(won))
    assert cost == pytest.approx(_brute_force_gnn(pairs, n, 9.0), abs=1e-9)


def test_gnn_handles_trivial_and_hard_clusters_together():
    # cluster A: one track, two detections; cluster B: two tracks both wanting detection 2;
    # cluster C: two tracks, two detections with a crossing choice.
    t = np.array([0, 0, 1, 2, 3, 3, 4, 4])
    d = np.array([0, 1, 2, 2, 3, 4, 3, 4])
    c = np.array([5.0, 1.0, 2.0, 3.0, 1.0, 2.0, 1.5, 5.0])
    pairs = GatedPairs(t.astype(np.intp), d.astype(np.intp), c, -c)
    n_clusters, _ = clusters(pairs, 5, 5)
    assert n_clusters == 3
    won = gnn(pairs, 5, 5, miss_cost=9.0)
    got = dict(zip(won.track.tolist(), won.detection.tolist(), strict=True))
    assert got == {0: 1, 1: 2, 3: 4, 4: 3}


def test_gnn_no_pairs():
    e = np.empty(0, dtype=np.intp)
    pairs = GatedPairs(e, e, np.empty(0), np.empty(0))
    assert len(gnn(pairs, 3, 4, miss_cost=9.0)) == 0


@pytest.mark.parametrize("seed", range(30))
def test_jpda_equals_exact_enumeration(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 5)), int(rng.integers(1, 6))
    t, d = np.nonzero(rng.random((n, k)) < 0.6)
    pairs = GatedPairs(t.astype(np.intp), d.astype(np.intp), np.zeros(len(t)),
                       rng.normal(-20.0, 2.0, len(t)))
    kw = {"detection_probability": 0.9, "gate_probability": 0.99, "clutter_density_per_m3": 1e-9}
    beta, miss = jpda_probabilities(pairs, n, k, **kw)
    ref_beta, ref_miss = jpda_probabilities_exact(pairs, n, **kw)
    np.testing.assert_allclose(beta, ref_beta, atol=1e-12)
    np.testing.assert_allclose(miss, ref_miss, atol=1e-12)
    total = miss + np.bincount(pairs.track, weights=beta, minlength=n)
    np.testing.assert_allclose(total, 1.0)


@pytest.mark.parametrize("clutter", [1e-30, 1e-300])
def test_jpda_with_a_tiny_clutter_density_stays_finite_and_exact(clutter):
    # Regression: exp(loglik - log(clutter)) overflowed to inf, then 1 + mu - mu gave 0 and
    # "divide by zero" in loopy belief propagation (warnings are errors: it crashed).
    rng = np.random.default_rng(8)
    t = np.array([0, 0, 1, 1, 2, 3], np.intp)  # a chain 0-1-2 and a separate pair, no cycle
    d = np.array([0, 1, 1, 2, 2, 3], np.intp)
    pairs = GatedPairs(t, d, np.zeros(6), rng.normal(-20.0, 2.0, 6))
    kw = {"detection_probability": 0.9, "gate_probability": 0.99,
          "clutter_density_per_m3": clutter}
    beta, miss = jpda_probabilities_lbp(pairs, 4, 4, **kw)
    ref_beta, ref_miss = jpda_probabilities_exact(pairs, 4, **kw)
    assert np.all(np.isfinite(beta)) and np.all(np.isfinite(miss))
    np.testing.assert_allclose(beta, ref_beta, atol=1e-9)
    np.testing.assert_allclose(miss, ref_miss, atol=1e-9)


def test_jpda_single_track_is_pda_closed_form():
    ll = np.array([-18.0, -21.0, -19.5])
    pairs = GatedPairs(np.zeros(3, np.intp), np.arange(3, dtype=np.intp), np.zeros(3), ll)
    pd_, pg, lam = 0.9, 0.99, 1e-9
    beta, miss = jpda_probabilities_lbp(pairs, 1, 3, detection_probability=pd_,
                                        gate_probability=pg, clutter_density_per_m3=lam)
    w = pd_ * np.exp(ll) / lam
    denom = 1 - pd_ * pg + w.sum()
    np.testing.assert_allclose(beta, w / denom)
    np.testing.assert_allclose(miss, (1 - pd_ * pg) / denom)
