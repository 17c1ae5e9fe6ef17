"""Lethality: calibration to the design-point Pk, fall-off with miss and closing speed."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from iadsim.engagement.lethality import calibrated_pk0, kill_probability
from iadsim.errors import ScenarioError
from iadsim.scenario.load import scenario_from_dict


def test_design_point_pk_over_many_seeded_draws() -> None:
    """100,000 seeded draws at the design point reproduce the scenario Pk (binomial test)."""
    pk, miss_d, sigma, v_min = 0.75, 8.0, 20.0, 400.0
    pk0 = calibrated_pk0(pk, miss_d, sigma)
    n = 100_000
    p = kill_probability(np.full(n, miss_d), np.full(n, 1500.0), pk0, sigma, v_min)
    kills = int((np.random.default_rng(11).random(n) < p).sum())
    result = binomtest(kills, n, pk)
    assert result.pvalue > 0.01
    ci = result.proportion_ci(0.99)
    assert ci.low <= pk <= ci.high


def test_falls_with_miss_and_slow_closing() -> None:
    pk0 = calibrated_pk0(0.8, 0.0, 10.0)
    miss = np.array([0.0, 10.0, 20.0, 50.0])
    p = kill_probability(miss, 1000.0, pk0, 10.0, 300.0)
    np.testing.assert_allclose(p, 0.8 * np.exp(-(miss**2) / 200.0))
    slow = kill_probability(np.zeros(3), np.array([300.0, 150.0, 0.0]), pk0, 10.0, 300.0)
    np.testing.assert_allclose(slow, [0.8, 0.2, 0.0])
    assert kill_probability(np.array([np.nan]), 1000.0, pk0, 10.0, 300.0)[0] == 0.0
    assert kill_probability(np.empty(0), np.empty(0), pk0, 10.0, 300.0).shape == (0,)


def test_unreachable_design_pk_is_a_validation_error(scenario_data) -> None:
    long = scenario_data["interceptors"]["long"]
    long["design_miss_m"], long["lethal_sigma_m"] = 60.0, 40.0  # at most exp(-1.125) = 0.325
    with pytest.raises(ScenarioError, match=r"interceptors\.long\.pk\.aircraft .* at most 0\.3247"):
        scenario_from_dict(scenario_data, "t.yaml")
