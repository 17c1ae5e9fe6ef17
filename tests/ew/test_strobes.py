"""Strobes: two radars' bearings on a stationary jammer triangulate it within the error that
the bearing sigmas predict (the linearised covariance, computed here at the true position)."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.ew.strobes import (
    StrobeBatch,
    associate_pairs,
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


def _strobes_of(jammers: np.ndarray, rng: np.random.Generator, sigma_el: float
                ) -> tuple[np.ndarray, ...]:
    """Noisy bearings and elevations of 3-D jammers (k, 3) from both radars (antennas at 0 m),
    radar A's rows first; heights on the 4/3 earth."""
    rows = []
    for r in RADARS:
        d = jammers[:, :2] - r
        ground = np.linalg.norm(d, axis=1)
        el = np.arctan2(jammers[:, 2] - ground**2 / (2 * 4 / 3 * 6_371_000.0), ground)
        az = np.arctan2(d[:, 0], d[:, 1]) + np.radians(0.3) * rng.standard_normal(len(d))
        rows.append((np.repeat(r[None], len(d), 0), np.stack([np.sin(az), np.cos(az)], 1),
                     el + sigma_el * rng.standard_normal(len(d))))
    origin = np.vstack([rows[0][0], rows[1][0]])
    direction = np.vstack([rows[0][1], rows[1][1]])
    el = np.concatenate([rows[0][2], rows[1][2]])
    from_a = np.arange(2 * len(jammers)) < len(jammers)
    return origin, direction, el, from_a


def test_two_jammers_strobed_by_two_radars_pair_up_without_ghosts() -> None:
    # two crossings are ghosts: A's line to one jammer meets B's line to the other; heights
    # from the two elevations disagree there by kilometres
    jammers = np.array([[-20_000.0, 100_000.0, 9_000.0], [30_000.0, 120_000.0, 1_000.0]])
    rng = np.random.default_rng(3)
    right = 0
    for _ in range(200):
        origin, direction, el, from_a = _strobes_of(jammers, rng, np.radians(0.1))
        pairs = associate_pairs(origin, direction, el, np.full(4, np.radians(0.1)),
                                np.zeros(4), from_a)
        right += sorted(pairs) == [(0, 2), (1, 3)]
    assert right >= 190


def test_without_elevations_every_crossing_ahead_is_a_candidate() -> None:
    jammers = np.array([[-20_000.0, 100_000.0, 9_000.0], [30_000.0, 120_000.0, 1_000.0]])
    origin, direction, _, from_a = _strobes_of(jammers, np.random.default_rng(4), 0.0)
    pairs = associate_pairs(origin, direction, np.full(4, np.nan), np.full(4, np.inf),
                            np.zeros(4), from_a)
    assert len(pairs) == 2  # one-to-one, but a fan beam cannot tell the ghosts apart
    assert associate_pairs(origin[:2], direction[:2], np.zeros(2), np.ones(2), np.zeros(2),
                           from_a[:2]) == []


def test_erp_consistency_rejects_the_ghost_crossing_of_two_jammers_lines() -> None:
    """Two fan-beam radars (no elevation, so no height gate), a strong jammer and a weak one
    whose lines cross ahead of both radars where neither is. Without the ERP gate the first
    candidate, the ghost, is taken; with it (the J/N less the calibration, plus 20 log10 of
    the range at the crossing, agreeing within 6 dB) only the two true pairs are."""
    radars = np.array([[0.0, 0.0], [10_000.0, 0.0]])
    jammers = np.array([[30_000.0, 100_000.0], [-20_000.0, 80_000.0]])
    erp_db = np.array([40.0, 10.0])  # ERP densities 30 dB apart
    # rows: A sees jammers 0, 1; B sees jammers 1, 0 (so the ghost A0-B1 comes first)
    sensor, jammer = np.array([0, 0, 1, 1]), np.array([0, 1, 1, 0])
    to = jammers[jammer] - radars[sensor]
    rng_m = np.linalg.norm(to, axis=1)
    direction = to / rng_m[:, None]
    strobe_db = erp_db[jammer] - 20.0 * np.log10(rng_m)  # J/N less the calibration
    args = (radars[sensor], direction, np.full(4, np.nan), np.full(4, np.inf), np.zeros(4),
            sensor == 0)
    assert associate_pairs(*args) == [(0, 2)]  # the ghost: A's line to 0, B's line to 1
    assert sorted(associate_pairs(*args, strobe_db)) == [(0, 3), (1, 2)]
