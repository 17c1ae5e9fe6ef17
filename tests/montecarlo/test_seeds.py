"""Tests of iadsim.montecarlo.seeds."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.montecarlo.seeds import replication_seed, seed_fingerprint


@pytest.mark.parametrize(("n_points", "n_runs"), [(3, 5), (7, 200)])
def test_equals_spawned_children_whatever_the_sizes(n_points: int, n_runs: int) -> None:
    root = np.random.SeedSequence(1234)
    for p in range(3):
        children = root.spawn(n_points)[p].spawn(n_runs)
        root = np.random.SeedSequence(1234)
        for k in (0, 4):
            a = np.random.default_rng(children[k]).random(4)
            b = np.random.default_rng(replication_seed(1234, p, k)).random(4)
            np.testing.assert_array_equal(a, b)


def test_streams_differ_between_points_and_replications() -> None:
    draws = {(p, k): np.random.default_rng(replication_seed(7, p, k)).integers(0, 2**62)
             for p in range(4) for k in range(50)}
    assert len(set(draws.values())) == len(draws)
    assert seed_fingerprint(7, 0, 1) != seed_fingerprint(7, 1, 0)
    assert seed_fingerprint(7, 2, 3) == seed_fingerprint(7, 2, 3)
    assert 0 <= seed_fingerprint(7, 2, 3) < 2**63


def test_negative_index_refused() -> None:
    with pytest.raises(ValueError, match="replication"):
        replication_seed(1, 0, -1)
