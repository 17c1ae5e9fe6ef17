"""Strobes: two radars' bearings on a stationary jammer triangulate it within the error that
the bearing sigmas predict (the linearised covariance, computed here at the true position)."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.ew.strobes import (
    StrobeBatch,
    bearing_directions_en,
    strobe_sigma_rad,
    triangulate_en,
)

RADARS = np.array([[0.0, 0.0], [40_000.0, 0.0]])
JAMMER = np.array([15_000.0, 90_000.0])
SIGMA = np.radians([0.3, 0.5])


def _expected_cov() -> np.ndarray:
    d = JAMMER - RADARS
    r = np.linalg.norm(d, axis=1)
    u = np.stack([-d[:, 1], d[:, 0]], 1) / r[:, None]
    return np.linalg.inv(np.einsum("k,ki,kj->ij", 1.0 / (SIGMA * r) ** 2, u, u))


def test_two_radars_triangulate_a_stationary_jammer_within_the_expected_error() -> None:
    rng = np.random.default_rng(16)
    true_az = np.arctan2(JAMMER[0] - RADARS[:, 0], JAMMER[1] - RADARS[:, 1])
    rot = np.repeat(np.eye(3)[None], 2, axis=0)
    fixes = []
    for _ in range(3000):
        az = true_az + SIGMA * rng.standard_normal(2)
        fix, _ = triangulate_en(RADARS, bearing_directions_en(az, rot), SIGMA)
        fixes.append(fix)
    fixes = np.array(fixes)
    cov = _expected_cov()
    err = fixes - JAMMER
    sd = np.sqrt(np.diag(cov))
    assert np.all(np.abs(err.mean(axis=0)) <= 4 * sd / np.sqrt(3000) + 0.02 * sd)
    np.testing.assert_allclose(np.cov(err.T), cov, rtol=0.08, atol=0.08 * np.sqrt(
        np.outer(np.diag(cov), np.diag(cov))).max())
    maha = np.einsum("ni,ij,nj->n", err, np.linalg.inv(cov), err)
    assert np.mean(maha <= 5.991) == pytest.approx(0.95, abs=0.015)  # chi-square, 2 dof


def test_the_fix_covariance_is_the_linearised_one() -> None:
    true_az = np.arctan2(JAMMER[0] - RADARS[:, 0], JAMMER[1] - RADARS[:, 1])
    fix, cov = triangulate_en(RADARS, bearing_directions_en(true_az, np.repeat(
        np.eye(3)[None], 2, axis=0)), SIGMA)
    np.testing.assert_allclose(fix, JAMMER, atol=1e-6)
    np.testing.assert_allclose(cov, _expected_cov(), rtol=1e-9)


def test_parallel_or_single_lines_give_no_fix() -> None:
    d = np.array([[0.0, 1.0], [0.0, 1.0]])
    fix, _ = triangulate_en(RADARS, d, SIGMA)
    assert np.isnan(fix).all()
    fix, _ = triangulate_en(RADARS[:1], d[:1], SIGMA[:1])
    assert np.isnan(fix).all()


def test_bearing_directions_turn_local_azimuths_into_the_scenario_frame() -> None:
    quarter = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])  # local = R enu
    d = bearing_directions_en(np.array([0.0]), quarter[None])
    # local north (0, 1, 0) is R^T (0, 1, 0) = (1, 0, 0): scenario east
    np.testing.assert_allclose(d, [[1.0, 0.0]], atol=1e-12)


def test_strobe_sigma_falls_to_the_floor_as_jnr_grows_and_batches_work_empty() -> None:
    s = strobe_sigma_rad(0.02, 0.001, 10, np.array([1.0, 1e8]))
    assert s[0] == pytest.approx(np.hypot(0.001, 0.02 / np.sqrt(20.0)))
    assert s[1] == pytest.approx(0.001, rel=1e-6)
    empty = StrobeBatch.concatenate([])
    assert len(empty) == 0 and len(StrobeBatch.concatenate([empty, empty])) == 0
