"""Tests of iadsim.montecarlo.stats against hand-computed values and scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from iadsim.montecarlo.stats import (
    bootstrap_interval,
    crossing_point,
    t_interval,
    wilson_interval,
)


def test_wilson_hand_computed() -> None:
    # 8 successes in 10 trials, 95%: z = 1.95996398, z^2 = 3.84145882
    # centre = (0.8 + z^2/20) / (1 + z^2/10) = 0.99207294 / 1.38414588 = 0.71674016
    # half = z / 1.38414588 * sqrt(0.8*0.2/10 + z^2/400) = 1.41600969 * 0.16001140 = 0.22657769
    low, high = wilson_interval(8, 10)
    assert float(low) == pytest.approx(0.71674016 - 0.22657769, abs=2e-8)
    assert float(high) == pytest.approx(0.71674016 + 0.22657769, abs=2e-8)


def test_wilson_edges_and_vectorised() -> None:
    low, high = wilson_interval([0, 10, 0], [10, 10, 0])
    # 0 of n: low is 0, high is z^2 / (n + z^2) = 3.841459 / 13.841459
    assert low[0] == 0.0
    assert high[0] == pytest.approx(3.841459 / 13.841459, rel=1e-6)
    assert high[1] == pytest.approx(1.0)
    assert low[1] == pytest.approx(1.0 - 3.841459 / 13.841459, rel=1e-6)
    assert math.isnan(low[2]) and math.isnan(high[2])
    assert wilson_interval(np.zeros(0), np.zeros(0))[0].shape == (0,)
    with pytest.raises(ValueError, match="within"):
        wilson_interval(3, 2)


def test_wilson_matches_the_score_test_inversion() -> None:
    # the Wilson bounds are where the score statistic equals z (brute force on a fine grid)
    x, n = 13, 40
    grid = np.linspace(1e-6, 1 - 1e-6, 2_000_001)
    score = np.abs(x / n - grid) / np.sqrt(grid * (1 - grid) / n)
    inside = grid[score <= sps.norm.ppf(0.975)]
    low, high = wilson_interval(x, n)
    assert float(low) == pytest.approx(inside[0], abs=1e-6)
    assert float(high) == pytest.approx(inside[-1], abs=1e-6)


def test_t_interval_against_scipy() -> None:
    v = np.random.default_rng(3).normal(5.0, 2.0, size=30)
    mean, low, high = t_interval(v)
    ref = sps.t.interval(0.95, len(v) - 1, loc=v.mean(), scale=sps.sem(v))
    assert mean == pytest.approx(v.mean())
    assert (low, high) == pytest.approx(ref)
    assert t_interval([4.0, 4.0, 4.0]) == (4.0, 4.0, 4.0)
    m1, lo1, hi1 = t_interval([2.0])
    assert m1 == 2.0 and math.isnan(lo1) and math.isnan(hi1)
    assert all(math.isnan(x) for x in t_interval([]))


def test_bootstrap_close_to_t_for_a_large_sample() -> None:
    v = np.random.default_rng(4).normal(0.0, 1.0, size=400)
    mean, low, high = bootstrap_interval(v, rng=np.random.default_rng(5))
    _, tlow, thigh = t_interval(v)
    assert low == pytest.approx(tlow, abs=0.02)
    assert high == pytest.approx(thigh, abs=0.02)
    again = bootstrap_interval(v, rng=np.random.default_rng(5))
    assert again == (mean, low, high)


def test_crossing_point() -> None:
    x = [10, 20, 40, 80]
    assert crossing_point(x, [0.0, 0.2, 0.6, 1.0], 0.5) == pytest.approx(35.0)
    assert crossing_point(x[::-1], [1.0, 0.6, 0.2, 0.0], 0.5) == pytest.approx(35.0)
    assert crossing_point(x, [0.6, 0.7, 0.8, 0.9], 0.5) == 10.0
    assert math.isnan(crossing_point(x, [0.0, 0.1, 0.2, 0.3], 0.5))
    # the first crossing counts, even if the curve dips again
    assert crossing_point(x, [0.0, 0.5, 0.4, 0.9], 0.5) == 20.0
    assert math.isnan(crossing_point([], [], 0.5))


def test_summary_gives_wilson_proportions_for_leakers_and_annihilation() -> None:
    import pandas as pd

    from iadsim.montecarlo.summary import summarise

    reps = pd.DataFrame({
        "point": [0] * 10, "replication": range(10), "seed": [1] * 10,
        "seed_fingerprint": ["x"] * 10, "wall_time_s": [0.1] * 10,
        "any_leaker": [True] * 3 + [False] * 7,
        "raid_annihilated": [False] * 3 + [True] * 7,
        "kills": [5.0] * 10,
    })
    row = summarise(reps, params=[]).iloc[0]
    for name, hits in (("p_any_leaker", 3), ("p_raid_annihilation", 7)):
        low, high = wilson_interval(hits, 10, 0.95)  # 0-d arrays: compare as plain floats
        got = [float(row[name]), float(row[f"{name}_low"]), float(row[f"{name}_high"])]
        assert got == pytest.approx([hits / 10, float(low), float(high)], rel=1e-12), name
    assert "raid_annihilated_mean" not in row.index  # a proportion, not a t-interval metric
