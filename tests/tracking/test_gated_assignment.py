"""The cutoff-gated sparse assignment gives the dense solution's pairs and scores.

References: ``scipy.optimize.linear_sum_assignment`` on the full truths x tracks matrix, brute
force over every partial assignment of tiny sets, and Stone Soup's GOSPA.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from iadsim.tracking import gated_assignment
from iadsim.tracking.gated_assignment import close_pairs, gate, gated_matching
from iadsim.tracking.metrics import gospa, ospa, tracking_metrics


def _raid(rng: np.random.Generator, m: int, n: int, spread_m: float) -> tuple[np.ndarray, ...]:
    """Truths in clusters, tracks near most of them plus false ones: many small components."""
    centres = rng.uniform(0.0, 200_000.0, (max(m // 6, 1), 3))
    truth = centres[rng.integers(0, len(centres), m)] + rng.normal(0.0, spread_m, (m, 3))
    near = truth[rng.integers(0, m, n)] + rng.normal(0.0, spread_m / 3, (n, 3))
    false = rng.uniform(0.0, 200_000.0, (n, 3))
    tracks = np.where((rng.uniform(size=n) < 0.8)[:, None], near, false)
    return truth, tracks


def _force_sparse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every non-empty set by the sparse route, however small or clustered."""
    monkeypatch.setattr(gated_assignment, "DENSE_MAX_CELLS", 0)
    monkeypatch.setattr(gated_assignment, "DENSE_PAIR_SHARE", float("inf"))


def _dense_pairs(truth: np.ndarray, tracks: np.ndarray, c: float, p: float):
    d = cdist(truth, tracks)
    r, k = linear_sum_assignment(np.minimum(d, c) ** p)
    keep = d[r, k] < c
    return r[keep], k[keep], d


@pytest.mark.parametrize("seed", range(12))
def test_gated_matching_is_the_dense_assignment(seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(20, 300)), int(rng.integers(20, 300))
    truth, tracks = _raid(rng, m, n, spread_m=float(rng.choice([500.0, 3_000.0, 8_000.0])))
    for c, p in ((5_000.0, 2.0), (2_000.0, 1.0)):
        rows, cols = gated_matching(close_pairs(truth, tracks, c), c, p)
        ref_rows, ref_cols, _ = _dense_pairs(truth, tracks, c, p)
        assert np.array_equal(rows, ref_rows) and np.array_equal(cols, ref_cols)


@pytest.mark.parametrize("seed", range(6))
def test_sparse_gospa_and_ospa_equal_the_dense_ones(seed: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(100 + seed)
    truth, tracks = _raid(rng, 150, int(rng.integers(50, 250)), 4_000.0)
    dense_g, dense_o = gospa(truth, tracks, cutoff_m=5_000.0), ospa(truth, tracks,
                                                                    cutoff_m=5_000.0)
    _force_sparse(monkeypatch)
    g, o = gospa(truth, tracks, cutoff_m=5_000.0), ospa(truth, tracks, cutoff_m=5_000.0)
    for field in ("gospa_m", "localisation_m", "missed_m", "false_m", "n_missed", "n_false"):
        assert getattr(g, field) == getattr(dense_g, field), field  # bit for bit
    assert np.array_equal(g.truth_index, dense_g.truth_index)
    assert np.array_equal(g.track_index, dense_g.track_index)
    assert o == pytest.approx(dense_o, rel=1e-13)


def _brute_gospa(truth: np.ndarray, tracks: np.ndarray, c: float, p: float) -> float:
    """Minimum over every partial one-to-one assignment (the definition, alpha = 2)."""
    d = cdist(truth, tracks) if len(truth) and len(tracks) else np.zeros((len(truth), len(tracks)))
    m, n = d.shape
    best = np.inf
    for k in range(min(m, n) + 1):
        for rows in itertools.combinations(range(m), k):
            for cols in itertools.permutations(range(n), k):
                pair = d[list(rows), list(cols)]
                if np.all(pair < c):
                    best = min(best, float(np.sum(pair**p)) + c**p / 2 * (m + n - 2 * k))
    return best ** (1 / p)


@pytest.mark.parametrize("seed", range(20))
def test_sparse_gospa_equals_brute_force(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(200 + seed)
    truth = rng.uniform(0.0, 1_000.0, (int(rng.integers(0, 6)), 3))
    tracks = rng.uniform(0.0, 1_000.0, (int(rng.integers(0, 6)), 3))
    _force_sparse(monkeypatch)
    assert gospa(truth, tracks, cutoff_m=400.0).gospa_m == pytest.approx(
        _brute_gospa(truth, tracks, 400.0, 2.0), rel=1e-12)


def test_sparse_gospa_matches_stone_soup(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("stonesoup")
    from datetime import datetime

    from stonesoup.measures import Euclidean
    from stonesoup.metricgenerator.ospametric import GOSPAMetric
    from stonesoup.types.state import State

    now = datetime(2026, 1, 1)
    metric = GOSPAMetric(c=5_000.0, p=2, measure=Euclidean(mapping=(0, 1, 2)))
    _force_sparse(monkeypatch)
    rng = np.random.default_rng(7)
    for _ in range(3):
        truth, tracks = _raid(rng, 60, 70, 3_000.0)
        ours = gospa(truth, tracks, cutoff_m=5_000.0)
        ref, _ = metric.compute_gospa_metric(
            [State(t.reshape(3, 1), timestamp=now) for t in tracks],
            [State(t.reshape(3, 1), timestamp=now) for t in truth],
        )
        assert ours.gospa_m == pytest.approx(ref.value["distance"], rel=1e-9)
        assert ours.localisation_m**2 == pytest.approx(ref.value["localisation"], rel=1e-9)


def _frames(rng: np.random.Generator, steps: int, m: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Threats flying straight; tracks on most of them (noisy, some swapped, some dropped)."""
    start = rng.uniform(0.0, 100_000.0, (m, 3))
    vel = rng.normal(0.0, 200.0, (m, 3))
    truth_rows, track_rows = [], []
    for k in range(steps):
        t = float(k)
        pos = start + vel * t
        for i in range(m):
            truth_rows.append((t, i, *pos[i]))
            if rng.uniform() < 0.85:
                tid = i if rng.uniform() < 0.97 else int(rng.integers(0, m))
                track_rows.append((t, tid + 1000 * (k // 7), True,
                                   *(pos[i] + rng.normal(0.0, 1_500.0, 3))))
        for _ in range(int(rng.integers(0, 5))):
            track_rows.append((t, 9_000 + int(rng.integers(0, 50)), True,
                               *rng.uniform(0.0, 100_000.0, 3)))
    truth = pd.DataFrame(truth_rows, columns=["time_s", "threat_id", "east_m", "north_m", "up_m"])
    tracks = pd.DataFrame(track_rows, columns=["time_s", "track_id", "confirmed", "east_m",
                                               "north_m", "up_m"])
    return truth, tracks.drop_duplicates(["time_s", "track_id"])


def test_sparse_tracking_metrics_equal_the_dense_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    truth, tracks = _frames(np.random.default_rng(3), steps=25, m=80)
    dense = tracking_metrics(truth, tracks)
    _force_sparse(monkeypatch)
    sparse = tracking_metrics(truth, tracks)
    exact = ["time_s", "gospa_m", "localisation_m", "missed_m", "false_m", "n_truth",
             "n_tracks", "n_missed", "n_false"]
    pd.testing.assert_frame_equal(sparse.per_step[exact], dense.per_step[exact],
                                  check_exact=True)
    np.testing.assert_allclose(sparse.per_step["ospa_m"], dense.per_step["ospa_m"], rtol=1e-13)
    pd.testing.assert_frame_equal(sparse.per_threat, dense.per_threat, check_exact=True)
    assert dense.summary["swaps"] > 0 and dense.summary["track_breaks"] > 0  # not trivial


def test_a_tightly_clustered_raid_is_scored_dense_and_equals_the_sparse_score(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Count first: a raid inside 3 km (every pair close under a 5 km cutoff) goes to the dense
    matrix, a spread one to the sparse route; the scores are the same either way."""
    rng = np.random.default_rng(11)
    m = 160
    start = rng.uniform(0.0, 3_000.0, (m, 3))
    truth, tracks = start + rng.normal(0.0, 10.0, (m, 3)), start + rng.normal(0.0, 400.0, (m, 3))
    assert m * m > gated_assignment.DENSE_MAX_CELLS  # large enough for the sparse route ...
    assert gate(truth, tracks, 5_000.0) is None  # ... but clustered: dense
    spread = truth * 100.0
    pairs = gate(spread, spread + rng.normal(0.0, 400.0, (m, 3)), 5_000.0)
    assert pairs is not None and len(pairs.i) < gated_assignment.DENSE_PAIR_SHARE * m * m
    frames = []
    for k in range(4):  # the clustered raid drifting, tracks on 90% of it, 5% false
        pos = truth + 50.0 * k
        seen = rng.uniform(size=m) < 0.9
        est = np.vstack([tracks[seen] + 50.0 * k, rng.uniform(0.0, 3_000.0, (8, 3))])
        ids = np.concatenate([np.flatnonzero(seen), 1_000 + np.arange(8)])
        frames.append((pd.DataFrame({"time_s": float(k), "threat_id": np.arange(m),
                                     "east_m": pos[:, 0], "north_m": pos[:, 1],
                                     "up_m": pos[:, 2]}),
                       pd.DataFrame({"time_s": float(k), "track_id": ids, "confirmed": True,
                                     "east_m": est[:, 0], "north_m": est[:, 1],
                                     "up_m": est[:, 2]})))
    truth_f = pd.concat([f[0] for f in frames], ignore_index=True)
    tracks_f = pd.concat([f[1] for f in frames], ignore_index=True)
    auto = tracking_metrics(truth_f, tracks_f)
    _force_sparse(monkeypatch)
    sparse = tracking_metrics(truth_f, tracks_f)
    exact = ["time_s", "gospa_m", "localisation_m", "missed_m", "false_m", "n_missed", "n_false"]
    pd.testing.assert_frame_equal(auto.per_step[exact], sparse.per_step[exact], check_exact=True)
    np.testing.assert_allclose(auto.per_step["ospa_m"], sparse.per_step["ospa_m"], rtol=1e-13)
    pd.testing.assert_frame_equal(auto.per_threat, sparse.per_threat, check_exact=True)
    assert (auto.per_step["n_missed"] < m).all()  # tracks were matched: not a vacuous score
