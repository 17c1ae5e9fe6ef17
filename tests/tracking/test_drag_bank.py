"""The tracker's drag filter (``tracking.ballistic_filter.DragBank``) on a re-entry whose truth
is integrated here by scipy's ``solve_ivp``: a spherical earth's inverse-square gravity towards
its centre and USSA76 drag at a ballistic coefficient the filter does not know (no flat-earth
gravity, no shared integrator)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from iadsim.scenario.tracking_spec import TrackingSpec
from iadsim.tracking.ballistic_filter import DragBank, kappa_estimates
from iadsim.tracking.tracker import Tracker
from iadsim.world.atmosphere import density_kg_m3
from iadsim.world.frames import Origin
from tests.tracking.tracking_fakes import scan, single_radar

ORIGIN = Origin(0.0, 0.0, 0.0)  # on the equator: the osculating sphere is near 6 378 km
R_M = 6_371_000.0
MU_M3_S2 = 3.986004418e14
BETA_KG_M2 = 5_000.0  # kappa 0.2 m2/t


def _truth(beta: float, times_s: np.ndarray) -> np.ndarray:
    """ENU positions (k, 3) of a re-entry from 80 km, 3 km/s, 35 deg down, 60 km north."""
    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        c = y[:3] + np.array([0.0, 0.0, R_M])  # from the earth's centre
        r = np.linalg.norm(c)
        rho = float(density_kg_m3(np.array([max(r - R_M, 0.0)]))[0])
        v = y[3:]
        a = -MU_M3_S2 * c / r**3 - 0.5 * rho * np.linalg.norm(v) * v / beta
        return np.concatenate([v, a])
    g = np.radians(35.0)
    y0 = np.array([0.0, 60_000.0, 80_000.0, 0.0, -3_000.0 * np.cos(g), -3_000.0 * np.sin(g)])
    sol = solve_ivp(rhs, (0.0, times_s[-1]), y0, t_eval=times_s, rtol=1e-10, atol=1e-6)
    return np.column_stack([sol.y[:3].T, sol.y[3:].T])


def _fly(seed: int) -> tuple[list[float], list[float], list[float], float]:
    """NEES of the picture while the drag filter stands for the track, the kappa estimates
    and sigmas over the flight, and the truth's final height."""
    times = np.arange(0.0, 42.0, 1.0)
    truth = _truth(BETA_KG_M2, times)
    geo = single_radar((50_000.0, 0.0, 0.0))  # never overhead
    tracker = Tracker(TrackingSpec(), geo, origin=ORIGIN)
    rng = np.random.default_rng(seed)
    nees, kappa, sigma = [], [], []
    for t, state in zip(times, truth, strict=True):
        det = scan(state[None, :3], float(t) + 1.0, geo, rng=rng, range_sigma_m=20.0,
                   angle_sigma_rad=1e-3, max_range_m=200_000.0)
        pic = tracker.step(det, float(t) + 1.0).tracks
        bank: DragBank = tracker._drag
        if len(pic) != 1 or not pic.confirmed[0] or len(bank) == 0:
            continue
        k, s = kappa_estimates(bank, pic.track_id)
        kappa.append(float(k[0]))
        sigma.append(float(s[0]))
        if bank.trusted()[0]:
            e = np.concatenate([pic.position_enu_m[0], pic.velocity_enu_mps[0]]) - state
            nees.append(float(e @ np.linalg.solve(pic.covariance[0], e)))
    return nees, kappa, sigma, float(truth[-1, 2])


def test_drag_filter_in_the_tracker_learns_kappa_and_is_consistent() -> None:
    runs = [_fly(seed) for seed in range(6)]
    assert runs[0][3] < 15_000.0  # the truth has come down into the dense air
    for nees, kappa, sigma, _h in runs:
        assert len(kappa) > 15 and len(nees) > 10  # started on re-entry, trusted most of it
        assert kappa[-1] == pytest.approx(1_000.0 / BETA_KG_M2, rel=0.25)  # prior was 0.5
        assert abs(kappa[-1] - 0.2) < 3.0 * sigma[-1] + 0.01
        assert sigma[-1] < 0.2 * sigma[0]  # the drag was measured
    # NEES of the 6-state picture, pooled over every trusted step of all runs: not above the
    # 99% upper bound of the mean of that many chi2(6) draws (overconfidence), and not far
    # below it (a filter so cautious that its covariance means nothing); measured 3.3
    pooled = np.concatenate([r[0] for r in runs])
    assert 1.5 < pooled.mean() < 6.0 * (1.0 + 2.58 * np.sqrt(2.0 / 6.0 / len(pooled)))


def _final_error_m(origin: Origin | None, seed: int) -> float:
    times = np.arange(0.0, 42.0, 1.0)
    truth = _truth(BETA_KG_M2, times)
    geo = single_radar((50_000.0, 0.0, 0.0))
    tracker = Tracker(TrackingSpec(), geo, origin=origin)
    rng = np.random.default_rng(seed)
    for t, state in zip(times, truth, strict=True):
        det = scan(state[None, :3], float(t) + 1.0, geo, rng=rng, max_range_m=200_000.0)
        pic = tracker.step(det, float(t) + 1.0).tracks
    first = pic.take(pic.track_id == pic.track_id.min())  # the track held since the start
    return float(np.linalg.norm(first.position_enu_m[0] - truth[-1, :3]))


def test_without_the_drag_filter_the_dive_is_lost() -> None:
    # the IMM alone (no drag) stops gating the re-entry at about 18 km and coasts away
    assert _final_error_m(ORIGIN, seed=0) < 200.0
    assert _final_error_m(None, seed=0) > 1_000.0
