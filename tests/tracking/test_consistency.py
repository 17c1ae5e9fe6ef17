"""Tracker consistency: does the covariance a track reports match its actual error?

The normalised estimation error squared of a confirmed track's position, ``NEES = e^T P^-1 e``
with ``e`` the error against truth and ``P`` the track's own 3x3 position covariance, is
chi-square with 3 degrees of freedom when the filter is consistent (Bar-Shalom, Li and
Kirubarajan, *Estimation with Applications to Tracking and Navigation*, 2001, sec. 5.4). The
average of ``N`` independent NEES (ANEES) then lies in ``chi2.ppf([0.005, 0.995], 3 N) / N``
with probability 0.99. The samples here are independent: one per target at one scan time, the
targets far apart (no shared detections) and their noise independent. The normalised
innovation squared ``NIS = nu^T (P + R)^-1 nu`` of the track's prediction against the next
detection is chi-square(3) in the same way.

Scenario: one radar at the origin, 20 m range and 1 mrad angle noise (the ``tracking_fakes``
radar), Pd 1, no clutter, a scan every 2 s; 12 targets on a 40 km circle, 21 km apart at the
start and never closer than 12.4 km, at 250 m/s, over 10 seeded runs, so N = 120 per scan
time. Tracks are matched to targets by their ``truth_id`` (scoring only).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2
from tracking_fakes import scan, single_radar

from iadsim.scenario.tracking_spec import TrackingSpec
from iadsim.tracking.filters import convert_measurements, covariance_at
from iadsim.tracking.tracker import Tracker

SCAN_S = 2.0
N_SCANS = 60
N_TARGETS = 12
N_RUNS = 10
SPEED_MPS = 250.0
PROCESS_NOISE_MPS2 = 3.0  # the tracker's default NCV process noise
TURN_START_S = 60.0
TURN_ACCEL_MPS2 = 30.0  # the IMM's turn models' lateral acceleration (the default)
TURN_RAD = np.pi / 2.0


def _start() -> tuple[np.ndarray, np.ndarray]:
    """Positions and velocities ``(n, 3)`` of the targets at t = 0: a 40 km ring at 6 km."""
    bearing = np.linspace(0.0, 2.0 * np.pi, N_TARGETS, endpoint=False)
    pos = np.column_stack([40e3 * np.sin(bearing), 40e3 * np.cos(bearing),
                           np.full(N_TARGETS, 6e3)])
    heading = bearing + 2.5  # inbound, 37 degrees off the radial
    vel = SPEED_MPS * np.column_stack([np.sin(heading), np.cos(heading), np.zeros(N_TARGETS)])
    return pos, vel


def _white_noise_paths(rng: np.random.Generator) -> np.ndarray:
    """Truth ``(N_SCANS, n, 3)`` from the filter's own model: continuous white acceleration of
    spectral density ``PROCESS_NOISE_MPS2**2``, sampled exactly over each scan interval."""
    t = SCAN_S
    q_axis = PROCESS_NOISE_MPS2**2 * np.array([[t**3 / 3.0, t**2 / 2.0], [t**2 / 2.0, t]])
    chol = np.linalg.cholesky(q_axis)
    pos, vel = _start()
    out = np.empty((N_SCANS, N_TARGETS, 3))
    for k in range(N_SCANS):
        pos = pos + vel * t
        w = np.einsum("ij,naj->nai", chol, rng.standard_normal((N_TARGETS, 3, 2)))
        pos, vel = pos + w[..., 0], vel + w[..., 1]
        out[k] = pos
    return out


def _straight_paths() -> np.ndarray:
    pos, vel = _start()
    t = SCAN_S * np.arange(1, N_SCANS + 1)
    return pos[None] + vel[None] * t[:, None, None]


def _turning_paths() -> np.ndarray:
    """Straight, then a level left turn of 90 degrees at 30 m/s^2, then straight (closed form
    on the circle of radius ``v^2 / a``)."""
    pos0, vel0 = _start()
    t = SCAN_S * np.arange(1, N_SCANS + 1)
    omega = TURN_ACCEL_MPS2 / SPEED_MPS
    turn_s = TURN_RAD / omega
    heading0 = np.arctan2(vel0[:, 0], vel0[:, 1])  # clockwise from north
    out = np.empty((N_SCANS, N_TARGETS, 3))
    for k, tk in enumerate(t):
        before = min(tk, TURN_START_S)
        during = float(np.clip(tk - TURN_START_S, 0.0, turn_s))
        after = max(tk - TURN_START_S - turn_s, 0.0)
        p = pos0 + vel0 * before
        # a left turn decreases the clockwise heading: h(s) = h0 - omega s
        h = heading0 - omega * during
        p = p + (SPEED_MPS / omega) * np.column_stack(
            [np.cos(h) - np.cos(heading0), np.sin(heading0) - np.sin(h), np.zeros(N_TARGETS)]
        )
        v = SPEED_MPS * np.column_stack([np.sin(h), np.cos(h), np.zeros(N_TARGETS)])
        out[k] = p + v * after
    return out


def _nees_nis(spec: TrackingSpec, paths: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position NEES and NIS ``(N_SCANS, N_RUNS * N_TARGETS)`` of each target's confirmed track
    after (NEES) and before (NIS) each scan, NaN where the target has no confirmed track; and
    the id of that track after each scan (-1: none)."""
    geometry = single_radar()
    nees = np.full((N_SCANS, N_RUNS, N_TARGETS), np.nan)
    nis = np.full((N_SCANS, N_RUNS, N_TARGETS), np.nan)
    ids = np.full((N_SCANS, N_RUNS, N_TARGETS), -1, dtype=np.int64)
    for run in range(N_RUNS):
        rng = np.random.default_rng([20261201, run])
        if paths == "white":
            truth = _white_noise_paths(rng)
        else:
            truth = _straight_paths() if paths == "straight" else _turning_paths()
        tracker = Tracker(spec, geometry)
        for k in range(N_SCANS):
            time_s = SCAN_S * (k + 1)
            det = scan(truth[k], time_s, geometry, rng=rng)
            before = tracker.picture(time_s)
            before = before.take(before.confirmed & (before.truth_id >= 0))
            d = det.take(before.truth_id)  # Pd 1, no clutter: detection i is target i
            z, _ = convert_measurements(d, geometry, debias=spec.debias_measurements)
            # the R the tracker updates with (covariance_at_prediction, the default)
            s = before.covariance[:, :3, :3] + covariance_at(before.position_enu_m, d, geometry)
            nu = z - before.position_enu_m
            nis[k, run, before.truth_id] = _normalised(nu, s)
            after = tracker.step(det, time_s).tracks
            after = after.take(after.confirmed & (after.truth_id >= 0))
            e = truth[k][after.truth_id] - after.position_enu_m
            p = after.covariance[:, :3, :3]
            nees[k, run, after.truth_id] = _normalised(e, p)
            ids[k, run, after.truth_id] = after.track_id
    return nees.reshape(N_SCANS, -1), nis.reshape(N_SCANS, -1), ids.reshape(N_SCANS, -1)


def _normalised(e: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """``e^T cov^-1 e`` ``(n,)`` of errors ``(n, 3)`` and covariances ``(n, 3, 3)``."""
    return np.einsum("ni,ni->n", e, np.linalg.solve(cov, e[..., None])[..., 0])


def _interval(n: int) -> tuple[float, float]:
    """The two-sided 99% interval of the mean of ``n`` independent chi-square(3) samples."""
    lo, hi = chi2.ppf([0.005, 0.995], 3 * n) / n
    return float(lo), float(hi)


# Three scan times 40 s apart, after 30 s for the two-point initiation to settle: a track's
# NEES 10 s apart is already uncorrelated (lag-5-scan correlation measured below 0.01).
CHECKED_SCANS = np.array([14, 34, 54])
TURN_S = TURN_RAD / (TURN_ACCEL_MPS2 / SPEED_MPS)  # 13.1 s


def test_ncv_is_consistent_on_targets_that_follow_its_model():
    """The truth draws the filter's own white acceleration: NEES and NIS are chi-square(3).

    Measured (these seeds): ANEES 2.86, 2.81, 3.03 and ANIS 2.71, 3.08, 2.87 at 30, 70 and
    110 s, against the 99% interval [2.46, 3.61] for N = 120.
    """
    spec = TrackingSpec(motion_model="ncv", process_noise_accel_mps2=PROCESS_NOISE_MPS2)
    nees, nis, _ = _nees_nis(spec, "white")
    assert not np.isnan(nees[10:]).any() and not np.isnan(nis[11:]).any()  # every target held
    lo, hi = _interval(nees.shape[1])
    anees = nees[CHECKED_SCANS].mean(axis=1)
    anis = nis[CHECKED_SCANS].mean(axis=1)
    assert np.all((lo < anees) & (anees < hi)), (anees, lo, hi)
    assert np.all((lo < anis) & (anis < hi)), (anis, lo, hi)


@pytest.mark.parametrize(
    "model",
    [
        # measured: ANEES 2.45, 2.57, 2.32; ANIS 2.37, 2.56, 2.33
        "ncv",
        # measured: ANEES 2.36, 2.52, 2.25; ANIS 1.94, 2.10, 1.88 (turn and ballistic models
        # widen the mixture's covariance)
        "imm",
    ],
)
def test_filters_are_conservative_on_straight_flyers(model):
    """No true acceleration while the filter allows 3 m/s^2: only the chi-square upper bound,
    3.61, applies. For the NCV filter this is provable (with the same gains, the error
    covariance grows with the actual process noise, here 0, so the filter's P over-bounds it
    and the mean NEES is below 3); the IMM's mixture covariance adds the spread of its models,
    and is measured conservative too. The lower bound, 1.5, is a floor that a grossly
    pessimistic filter (P twice the error) fails.
    """
    nees, nis, _ = _nees_nis(TrackingSpec(motion_model=model), "straight")
    assert not np.isnan(nees[10:]).any() and not np.isnan(nis[11:]).any()
    _, hi = _interval(nees.shape[1])
    for stat in (nees[CHECKED_SCANS].mean(axis=1), nis[CHECKED_SCANS].mean(axis=1)):
        assert np.all((1.5 < stat) & (stat < hi)), (stat, hi)


@pytest.fixture(scope="module")
def turning() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """NEES, NIS and track ids of the default IMM on the turning targets, and the scans from
    the turn's start to 20 s after its end."""
    nees, nis, ids = _nees_nis(TrackingSpec(), "turning")
    t = SCAN_S * np.arange(1, N_SCANS + 1)
    return nees, nis, ids, (t >= TURN_START_S) & (t <= TURN_START_S + TURN_S + 20.0)


@pytest.mark.xfail(
    strict=True,
    reason="the default IMM is over-confident in a 30 m/s^2 turn (the acceleration of its own "
    "turn models): ANEES 5.99 and 6.18 at 4 and 6 s into the turn, ANIS 7.77 at 4 s, above "
    "the chi-square(3) 99% bound 3.61 for N = 120 (measured 2026-12-01)",
)
def test_imm_is_not_over_confident_through_a_turn(turning):
    """Every scan from the turn's start to 20 s after its end: ANEES and ANIS (over the targets
    that hold a confirmed track) under the upper bound."""
    nees, nis, _, during = turning
    _, hi = _interval(nees.shape[1])
    assert np.all(np.nanmean(nees[during], axis=1) < hi)
    assert np.all(np.nanmean(nis[during], axis=1) < hi)


@pytest.mark.xfail(
    strict=True,
    reason="the default IMM drops the track of 19 of the 120 turning targets in the turn "
    "(a new track takes over, mostly in the same scan; e.g. run 9, target 7: 454 m off 6 s "
    "into the turn, no confirmed track for 4 s) (measured 2026-12-01)",
)
def test_imm_holds_every_turning_target(turning):
    """A 3 g turn that the IMM's turn models match exactly: every target keeps the one track
    it had before the turn, from 12 s to the end."""
    _, _, ids, _ = turning
    held = ids[5:]
    assert np.all(held == held[:1])
