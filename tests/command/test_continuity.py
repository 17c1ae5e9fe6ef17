"""Track continuity: engagement state follows the threat across re-formed tracks (track-to-track
association on track states only)."""

from __future__ import annotations

import numpy as np
import pytest
from command_fakes import centre, fire, make_tracks
from scipy.stats import chi2

from iadsim.command.continuity import TrackContinuity, predict_cv, state_distance2
from iadsim.engagement.interceptors import InterceptorFlights
from iadsim.tracking.batch import TrackBatch


def test_distance_matches_a_brute_force_mahalanobis() -> None:
    rng = np.random.default_rng(3)
    a = make_tracks(rng.normal(0, 100, (3, 3)), rng.normal(0, 10, (3, 3)), sigma_m=30.0)
    b = make_tracks(rng.normal(0, 100, (4, 3)), rng.normal(0, 10, (4, 3)), sigma_m=50.0)
    xa, pa = predict_cv(a, 0.0)
    xb, pb = predict_cv(b, 0.0)
    got = state_distance2(xa, pa, xb, pb)
    for i in range(3):
        for j in range(4):
            d = xa[i] - xb[j]
            assert got[i, j] == pytest.approx(d @ np.linalg.inv(pa[i] + pb[j]) @ d, rel=1e-9)


def test_prediction_is_constant_velocity_with_growing_covariance() -> None:
    t = make_tracks([[0.0, 0, 1000]], [[200.0, 0, 0]], time_s=5.0)
    x, p = predict_cv(t, 15.0)
    assert np.allclose(x[0], [2000.0, 0, 1000, 200, 0, 0])
    assert p[0, 0, 0] > t.covariance[0, 0, 0] + 10.0**2 * 10.0**2  # velocity sigma x dt


@pytest.mark.parametrize("n", [0, 1, 12])
def test_re_formed_tracks_inherit_their_key_and_others_do_not(n: int) -> None:
    rng = np.random.default_rng(n)
    pos = np.column_stack([rng.uniform(-1e5, 1e5, n), rng.uniform(-1e5, 1e5, n),
                           np.full(n, 3000.0)])
    vel = np.tile([-250.0, 0, 0], (n, 1))
    tc = TrackContinuity()
    keys = tc.keys(make_tracks(pos, vel, 0.0, sigma_m=80.0), 0.0)
    assert keys.tolist() == list(range(n))
    # at 10 s every track is lost and re-formed with new ids, slightly off; one newcomer far off
    t = 10.0
    noise = rng.normal(0, 50, (n, 3))
    again = make_tracks(np.vstack([pos + vel * t + noise, [[5e5, 5e5, 9000.0]]]),
                        np.vstack([vel, [[100.0, 0, 0]]]), t,
                        track_id=np.arange(100, 101 + n), sigma_m=80.0)
    keys = tc.keys(again, t)
    assert keys.tolist() == [*range(n), 100 + n]
    # 60 s later with no track at all, the lost tracks are forgotten
    assert tc.keys(TrackBatch.empty(), 20.0).size == 0
    late = make_tracks(pos + vel * 80.0, vel, 80.0, track_id=np.arange(200, 200 + n))
    assert tc.keys(late, 80.0).tolist() == list(range(200, 200 + n))


def test_tentative_tracks_keep_their_own_id() -> None:
    tc = TrackContinuity()
    tc.keys(make_tracks([[0.0, 0, 1000]], [[200.0, 0, 0]]), 0.0)
    t = make_tracks([[2000.0, 0, 1000]], [[200.0, 0, 0]], 10.0, track_id=[7])
    tent = TrackBatch(**{**{f: getattr(t, f) for f in TrackBatch.__dataclass_fields__},
                         "confirmed": np.zeros(1, bool)})
    assert tc.keys(tent, 10.0).tolist() == [7]
    assert tc.keys(t, 11.0).tolist() == [0]  # confirmed now: continues track 0


def test_gate_is_the_chi_square_quantile() -> None:
    """Two states whose distance sits just inside / outside the 0.999 gate (df 6)."""
    gate = chi2.ppf(0.999, df=6)
    sigma = 100.0  # each track; the difference has variance 2 sigma^2 per axis (position)
    for scale, same in [(0.99, True), (1.01, False)]:
        tc = TrackContinuity()
        tc.keys(make_tracks([[0.0, 0, 0]], [[0.0, 0, 0]], sigma_m=sigma,
                            velocity_sigma_mps=1e-3), 0.0)
        dx = np.sqrt(scale * gate * 2 * sigma**2)
        new = make_tracks([[dx, 0, 0]], [[0.0, 0, 0]], 0.0, track_id=[1], sigma_m=sigma,
                          velocity_sigma_mps=1e-3)
        assert (tc.keys(new, 0.0)[0] == 0) == same


def test_a_re_formed_track_on_a_threat_under_fire_draws_no_second_round(default_scenario):
    cc, launchers, _ = centre(default_scenario, reaction_time_s=5.0)
    lau0 = launchers.position_enu_m.mean(axis=0)
    cc.asset_position_enu_m = lau0[None, :] * np.array([[1, 1, 0]])
    pos, vel = np.array([[lau0[0] + 60_000, lau0[1], 6_000]]), np.array([[-250.0, 0, 0]])
    flights = InterceptorFlights()
    fired = []
    for t in np.arange(0.0, 30.0, 1.0):
        tid = 0 if t < 12 else 1  # the tracker loses track 0 at 12 s and starts track 1
        tracks = make_tracks(pos + vel * t, vel, float(t), track_id=[tid])
        orders = cc.cycle(float(t), tracks, launchers, flights)
        fire(orders, launchers, flights, float(t))
        fired += [(float(t), o.track_id) for o in orders]
    # one round, after the reaction time; the new track continues the threat under fire
    assert fired == [(6.0, 0)]


def test_the_reaction_clock_follows_the_threat(default_scenario):
    cc, launchers, _ = centre(default_scenario, reaction_time_s=8.0)
    lau0 = launchers.position_enu_m.mean(axis=0)
    cc.asset_position_enu_m = lau0[None, :] * np.array([[1, 1, 0]])
    pos, vel = np.array([[lau0[0] + 80_000, lau0[1], 6_000]]), np.array([[-250.0, 0, 0]])
    flights = InterceptorFlights()
    first = None
    for t in np.arange(0.0, 20.0, 1.0):
        tid = 0 if t < 5 else 1  # re-formed at 5 s: the clock started at 0 s still runs
        orders = cc.cycle(float(t), make_tracks(pos + vel * t, vel, float(t), track_id=[tid]),
                          launchers, flights)
        if orders:
            first = float(t)
            break
    assert first == 8.0


def test_a_kill_report_retires_the_tracks_that_duplicate_the_threat() -> None:
    """Two tracks on one threat (and one on another 20 km away): a kill reported on one retires
    its twin too, so the twin cannot draw a round at the dead threat; the other stays."""
    tc = TrackContinuity()
    pos = np.array([[0.0, 0, 1000], [40.0, 0, 1000], [20_000.0, 0, 1000]])
    tc.keys(make_tracks(pos, np.tile([50.0, 0, 0], (3, 1)), sigma_m=50.0), 0.0)
    assert tc.retire(np.array([0])).tolist() == [0, 1]
    assert tc.retired(np.array([0, 1, 2])).tolist() == [True, True, False]
