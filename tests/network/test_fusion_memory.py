"""An engaged system track keeps its number when its only unit stops reporting it (issue 17:
the double engagement after a scoot)."""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from iadsim.network.fusion import SYSTEM_ID_BASE, TrackFusion
from iadsim.tracking.batch import TrackBatch

X0 = np.array([0.0, 0.0, 8000.0])
V = np.array([0.0, 260.0, 0.0])


def _report(track_id: int, time_s: float, sigma_m: float, offset_m: float = 0.0,
            noise_m: float = 0.0) -> TrackBatch:
    cov = np.zeros((1, 6, 6))
    cov[0, :3, :3] = np.eye(3) * sigma_m**2
    cov[0, 3:, 3:] = np.eye(3) * 10.0**2
    pos = X0 + V * time_s + np.array([offset_m + noise_m, noise_m, 0.0])
    return TrackBatch(
        time_s=np.array([time_s]), track_id=np.array([track_id], np.int64),
        position_enu_m=pos[None], velocity_enu_mps=V[None].copy(), covariance=cov,
        confirmed=np.ones(1, bool), quality=np.ones(1), truth_id=np.zeros(1, np.int64))


def _scoot(remember_while_lost: bool, later: TrackBatch) -> tuple[int, int, int]:
    """Unit 1 reports the threat (system number S) and is engaging it; its track goes (the unit
    tears down); 22 s later unit 0 reports ``later``. (S, len of the picture while no unit
    reports it, the number ``later`` gets)."""
    fusion = TrackFusion(0.999)
    first = fusion.fuse(_report(20, 0.0, 50.0), np.array([1]), 0.0)
    s = int(first.tracks.track_id[0])
    keep = np.array([s]) if remember_while_lost else None
    gap = fusion.fuse(TrackBatch.empty(), np.empty(0, np.int64), 2.0, keep)
    got = fusion.fuse(later, np.array([0]), 22.0, keep)
    return s, len(gap.tracks), int(got.report_system_id[0])


def test_the_remembered_number_goes_to_the_next_report_in_its_gate() -> None:
    # independent check that the new report is inside the gate of the coasted track: the
    # constant-velocity prediction over 22 s by hand (F P F' + Q, white acceleration 5 m/s^2)
    dt, q = 22.0, 25.0
    f = np.eye(6)
    f[:3, 3:] = np.eye(3) * dt
    p0 = np.diag([50.0**2] * 3 + [10.0**2] * 3)
    qm = np.block([[np.eye(3) * q * dt**3 / 3, np.eye(3) * q * dt**2 / 2],
                   [np.eye(3) * q * dt**2 / 2, np.eye(3) * q * dt]])
    later = _report(10, 22.0, 150.0, noise_m=120.0)
    diff = np.r_[later.position_enu_m[0] - (X0 + V * dt), np.zeros(3)]
    d2 = diff @ np.linalg.inv(f @ p0 @ f.T + qm + later.covariance[0]) @ diff
    assert d2 < chi2.ppf(0.999, 6)
    s, n_gap, number = _scoot(True, later)
    assert s == SYSTEM_ID_BASE
    assert n_gap == 0  # not in the picture while nobody reports it (not allocated, not scored)
    assert number == s
    # without the engagement (nothing to remember) the threat is a new system track: the
    # engagement record of the first unit's round no longer names it (the defect)
    assert _scoot(False, later)[2] == s + 1


def test_a_report_outside_the_gate_gets_a_new_number() -> None:
    far = _report(10, 22.0, 150.0, offset_m=20_000.0)
    s, _, number = _scoot(True, far)
    assert number == s + 1


def test_memory_ends_with_the_engagement() -> None:
    fusion = TrackFusion(0.999)
    s = int(fusion.fuse(_report(20, 0.0, 50.0), np.array([1]), 0.0).tracks.track_id[0])
    fusion.fuse(TrackBatch.empty(), np.empty(0, np.int64), 2.0, np.array([s]))
    assert fusion.memory.track_id.tolist() == [s]
    fusion.fuse(TrackBatch.empty(), np.empty(0, np.int64), 4.0, np.empty(0, np.int64))
    assert len(fusion.memory) == 0  # round resolved and assessed: forgotten
    got = fusion.fuse(_report(10, 22.0, 150.0), np.array([0]), 22.0, np.array([s]))
    assert int(got.report_system_id[0]) == s + 1
