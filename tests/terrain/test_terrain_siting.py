"""tests/terrain: ``iadsim.terrain.siting``: greedy picks against the brute-force optimum."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from iadsim.scenario.load import EXAMPLES_DIR, load_scenario
from iadsim.terrain.siting import corridor_points_deg, coverage_matrix, greedy_sites


@pytest.mark.parametrize("seed", range(6))
def test_greedy_is_within_its_bound_of_the_brute_force_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    covered = rng.random((9, 60)) < rng.uniform(0.1, 0.4, (9, 1))
    weights = rng.uniform(0.5, 2.0, 60)
    for k in (1, 2, 3):
        res = greedy_sites(covered, k, weights)
        w = weights / weights.sum()
        best = max(float(w[np.any(covered[list(c)], axis=0)].sum())
                   for c in combinations(range(9), k))
        assert res.covered == pytest.approx(float(w[np.any(covered[list(res.picked)],
                                                         axis=0)].sum()))
        assert sum(res.gain) == pytest.approx(res.covered)
        assert res.covered >= (1 - 1 / np.e) * best - 1e-12
        assert res.upper_bound >= best - 1e-12
        if k == 1:
            assert res.covered == pytest.approx(best)  # one pick: greedy is optimal


def test_siting_on_the_terrain_example_prefers_the_hill_top_facing_the_sea() -> None:
    scenario = load_scenario(EXAMPLES_DIR / "terrain.yaml")
    points = corridor_points_deg(scenario, step_m=5_000.0)
    # a hill top facing the sea (the example's multifunction site) and a spot inland, low
    candidates = np.array([[44.459, 8.843], [44.62, 8.70]])
    covered = coverage_matrix(scenario, candidates, points, sensor_index=1, height_m=30.0)
    res = greedy_sites(covered, 1)
    assert res.picked == (0,)
    assert covered[0].mean() > covered[1].mean()


def test_a_candidate_off_the_terrain_is_an_error_naming_it() -> None:
    from iadsim.errors import ScenarioError

    scenario = load_scenario(EXAMPLES_DIR / "terrain.yaml")
    points = corridor_points_deg(scenario, step_m=50_000.0)
    with pytest.raises(ScenarioError, match=r"candidate site\(s\) 1 lie off the terrain"):
        coverage_matrix(scenario, np.array([[44.459, 8.843], [10.0, 10.0]]), points)
