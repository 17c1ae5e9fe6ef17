"""Jammer tracks from strobes: angle-only tracks per radar, triangulated into a position track.

Independent expectations: a stationary jammer's bearing, filtered over N strobes by a
near-constant filter, has the end-point sigma of a straight-line regression,
sigma sqrt((4N - 2) / (N (N + 1))); two such lines cross with the error of the closed-form
two-line geometry; with the default filter the position error is consistent with the track's
own covariance (NEES about 2); a moving jammer's angle track follows its bearing and rate.
"""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.ew.strobes import EFFECTIVE_EARTH_RADIUS_M, StrobeBatch
from iadsim.tracking.jammer_tracks import JammerTracker, JammerTrackParams

RADARS_EN = np.array([[0.0, 0.0], [40_000.0, 0.0]])
ALT = np.array([20.0, 20.0, 20.0])
SIGMA = 0.003  # rad, each strobe


def _strobes(jammer_enu: np.ndarray, t: float, rng: np.random.Generator,
             radars: np.ndarray = RADARS_EN) -> StrobeBatch:
    d = jammer_enu[None, :2] - radars
    ground = np.linalg.norm(d, axis=1)
    az = np.mod(np.arctan2(d[:, 0], d[:, 1]), 2 * np.pi)
    el = np.arctan((jammer_enu[2] - ALT[: len(radars)] - ground**2 / (2 * EFFECTIVE_EARTH_RADIUS_M))
                   / ground)
    n = len(radars)
    noise = rng.standard_normal((2, n)) * SIGMA
    return StrobeBatch(np.full(n, t), np.arange(n, dtype=np.int32), np.zeros(n, np.int64),
                       np.mod(az + noise[0], 2 * np.pi), np.full(n, SIGMA), np.full(n, 30.0),
                       el + noise[1], np.full(n, SIGMA))


def _tracker(radars: np.ndarray = RADARS_EN, **kw: float) -> JammerTracker:
    return JammerTracker(radars, np.tile(np.eye(3), (len(radars), 1, 1)), ALT[: len(radars)],
                         JammerTrackParams(**kw))


def _two_line_cov(jammer_en: np.ndarray, sigma: float) -> np.ndarray:
    """Closed form: each line's perpendicular offset sigma x range, combined (info form)."""
    info = np.zeros((2, 2))
    for r in RADARS_EN:
        d = jammer_en - r
        u = np.array([-d[1], d[0]]) / np.linalg.norm(d)  # normal of the bearing line
        info += np.outer(u, u) / (sigma * np.linalg.norm(d)) ** 2
    return np.linalg.inv(info)


def test_a_stationary_jammer_is_triangulated_within_the_expected_error() -> None:
    jammer = np.array([20_000.0, 120_000.0, 9_000.0])
    n_steps, nees, errors2 = 40, [], []
    sigma_end = SIGMA * np.sqrt((4 * n_steps - 2) / (n_steps * (n_steps + 1)))
    expected = _two_line_cov(jammer[:2], sigma_end)  # closed form, computed here
    for seed in range(16):
        rng = np.random.default_rng(seed)
        tr = _tracker(angle_q_rad2_s3=1e-14)
        for k in range(n_steps):
            pic = tr.step(_strobes(jammer, float(k), rng), float(k))
        assert len(pic.position) == 1 and pic.position.updated[0]
        assert pic.position.n_radars[0] == 2 and pic.angle.confirmed.all()
        assert pic.position.height_m[0] == pytest.approx(jammer[2], abs=2_000.0)
        # the track's own covariance is the closed form at the regression's end-point sigma
        np.testing.assert_allclose(pic.position.covariance_en_m2[0], expected, rtol=0.05,
                                   atol=0.01 * expected.max())
        e = pic.position.position_en_m[0] - jammer[:2]
        nees.append(float(e @ np.linalg.solve(expected, e)))
        errors2.append(float(e @ e))
    # the errors against the closed form: E[NEES] = 2 (2 dof); the mean of 16 lies in the
    # chi-square(32) / 16 interval of 99.8 %: 0.76 .. 3.9 (measured 0.93 on these seeds; the
    # angle filter alone over 300 seeds: error variance 1.02 x the regression's)
    assert 0.76 < np.mean(nees) < 3.9
    single = np.trace(_two_line_cov(jammer[:2], SIGMA))
    assert np.mean(errors2) < single / 5  # tracks beat one fix by far (about 10x here)


def test_the_default_filter_is_consistent_with_its_own_covariance() -> None:
    jammer = np.array([-30_000.0, 100_000.0, 8_000.0])
    nees = []
    for seed in range(16):
        rng = np.random.default_rng(100 + seed)
        tr = _tracker()
        for k in range(30):
            pic = tr.step(_strobes(jammer, float(k), rng), float(k))
        e = pic.position.position_en_m[0] - jammer[:2]
        nees.append(float(e @ np.linalg.solve(pic.position.covariance_en_m2[0], e)))
    # a consistent 2-dof estimate has E[NEES] = 2; the mean of 16 draws: 0.76 .. 3.9 (99.8 %)
    assert 0.76 < np.mean(nees) < 3.9


def test_a_third_radar_joins_the_fix_and_tightens_it() -> None:
    radars = np.array([[0.0, 0.0], [40_000.0, 0.0], [80_000.0, 10_000.0]])
    jammer = np.array([30_000.0, 90_000.0, 9_000.0])
    rng = np.random.default_rng(5)
    two, three = _tracker(), _tracker(radars)
    for k in range(20):
        both = _strobes(jammer, float(k), rng, radars)
        p3 = three.step(both, float(k))
        p2 = two.step(both.take(np.flatnonzero(both.sensor_id < 2)), float(k))
    assert p3.position.n_radars.tolist() == [3] and len(p3.position) == 1
    assert np.trace(p3.position.covariance_en_m2[0]) < np.trace(p2.position.covariance_en_m2[0])


def test_the_angle_track_of_a_moving_jammer_follows_its_bearing() -> None:
    rng = np.random.default_rng(9)
    tr = _tracker(RADARS_EN[:1])
    start, vel = np.array([-20_000.0, 60_000.0, 8_000.0]), np.array([200.0, 0.0, 0.0])
    err, rate_err = [], []
    for k in range(120):
        t = float(k)
        pos = start + vel * t
        pic = tr.step(_strobes(pos, t, rng, RADARS_EN[:1]), t)
        if k >= 30:  # after the filter settles
            truth_az = np.arctan2(pos[0], pos[1])
            truth_rate = (pos[1] * vel[0] - pos[0] * vel[1]) / (pos[0] ** 2 + pos[1] ** 2)
            err.append(float(np.angle(np.exp(1j * (pic.angle.azimuth_rad[0] - truth_az)))))
            rate_err.append(pic.angle.azimuth_rate_rad_s[0] - truth_rate)
    assert len(pic.angle) == 1  # one track all along (no breaks)
    assert np.sqrt(np.mean(np.square(err))) < SIGMA / 2  # better than one strobe
    assert abs(np.mean(rate_err)) < 2e-4  # true rate about 3.3 mrad/s
    assert tr.step(StrobeBatch.concatenate([]), 200.0).angle.track_id.size == 0  # dropped


def _coast_nees(seeds: range, coast_s: float, **kw: float) -> list[float]:
    """A jammer crossing at 200 m/s 100 km out, strobed 30 s by two radars, then by the first
    only (the second fell silent: its angle track coasts, still fixing, and is dropped after
    ``drop_after_s``; then no fix, the position track coasts) until ``coast_s`` after the last
    fix: the NEES of the coasted position against its own covariance, per seed."""
    start, vel = np.array([-30_000.0, 100_000.0, 8_000.0]), np.array([200.0, 0.0, 0.0])
    out = []
    for seed in seeds:
        rng = np.random.default_rng(500 + seed)
        tr = _tracker(**kw)
        for k in range(30):
            tr.step(_strobes(start + vel * k, float(k), rng), float(k))
        k, last_fix = 30, 29.0
        while True:
            one = _strobes(start + vel * k, float(k), rng)
            pic = tr.step(one.take(np.flatnonzero(one.sensor_id == 0)), float(k))
            if pic.position.updated.any():
                last_fix = float(k)
            if not pic.position.updated.any() and k >= last_fix + coast_s:
                break
            k += 1
        t = float(k)
        assert len(pic.position) >= 1 and not pic.position.updated.any()
        for pos, cov in zip(pic.position.position_en_m, pic.position.covariance_en_m2,
                            strict=True):  # every track of the jammer (a re-pairing: two)
            e = pos - (start + vel * t)[:2]
            out.append(float(e @ np.linalg.solve(cov, e)))
    return out


def test_a_coasting_jammer_track_grows_its_covariance_honestly() -> None:
    """Seeded Monte Carlo, 60 seeds, a 9-s coast (drop_after_s is 10): the coast carries the
    velocity's error (from the bearing rates' filter sigmas) into the position. With an angle
    filter matched to this near-constant crossing (q = 1e-9) a consistent 2-dof estimate has
    E[NEES] = 2: the mean of 60 lies in the chi-square(120) / 60 interval of 99.8 %,
    1.48 .. 2.63 (measured 1.88; before, when the coast grew by the 2 m/s^2 manoeuvre term
    only, 2.96). With the default filter (q = 1e-7, made for manoeuvres) the estimate is
    conservative, never over-confident (measured 0.74; before 5.29)."""
    assert 1.48 < np.mean(_coast_nees(range(60), 9.0, angle_q_rad2_s3=1e-9)) < 2.63
    assert np.mean(_coast_nees(range(60), 9.0)) < 2.63
