"""Decoy discrimination: the recognised fraction over many seeded decoys follows the set law
p(age) = p_max (1 - exp(-age / tau)), grows with track time and never forgets a decoy."""

from __future__ import annotations

import numpy as np
import pytest

from iadsim.ew.decoys import DecoyDiscriminator
from iadsim.tracking.batch import TrackBatch


def _tracks(n: int, confirmed: bool = True) -> TrackBatch:
    return TrackBatch(
        time_s=np.zeros(n), track_id=np.arange(n, dtype=np.int64),
        position_enu_m=np.zeros((n, 3)), velocity_enu_mps=np.zeros((n, 3)),
        covariance=np.zeros((n, 6, 6)), confirmed=np.full(n, confirmed),
        quality=np.ones(n), truth_id=np.arange(n, dtype=np.int64))


def test_discrimination_rate_over_many_seeded_draws_follows_the_set_law() -> None:
    n, p_max, tau = 40_000, 0.8, 30.0
    decoy = np.arange(n) % 2 == 0  # every other threat is a decoy
    d = DecoyDiscriminator(decoy, np.where(decoy, p_max, 0.0), np.full(n, tau),
                           rng=np.random.default_rng(11))
    tracks = _tracks(n)
    assert len(d.screen(tracks, 100.0)) == n  # just confirmed: age 0, nothing recognised
    kept_before = None
    for age in (10.0, 30.0, 90.0, 400.0):
        kept = d.screen(tracks, 100.0 + age)
        gone = np.setdiff1d(tracks.truth_id, kept.truth_id)
        assert not (~decoy[gone]).any()  # only decoys are dropped
        p = p_max * (1 - np.exp(-age / tau))
        rate = gone.size / decoy.sum()
        assert rate == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / decoy.sum()))
        if kept_before is not None:  # recognised once, recognised for good
            assert np.isin(kept.truth_id, kept_before.truth_id).all()
        kept_before = kept
    assert np.isfinite(d.recognised_s[decoy]).mean() == pytest.approx(
        p_max * (1 - np.exp(-400 / tau)), abs=0.01)


def test_unconfirmed_tracks_and_empty_pictures_pass_through() -> None:
    d = DecoyDiscriminator(np.ones(3, bool), np.ones(3), np.full(3, 1e-3),
                           rng=np.random.default_rng(0))
    t = _tracks(3, confirmed=False)
    assert d.screen(t, 5.0) is t
    empty = _tracks(0)
    assert d.screen(empty, 5.0) is empty
