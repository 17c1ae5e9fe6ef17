"""Track-to-track fusion at the higher command: correlation, common track numbers, fused state.

In: the latest report of every unit track the command holds (``TrackBatch`` rows, each with
its source unit), all predicted to the fusion time with a constant-velocity model. Out: the
fused picture, one row per system track with its common track number, and the system number
of every report.

Correlation (Bar-Shalom, Willett and Tian, *Tracking and Data Fusion*, 2011, ch. 9) tests the
difference of two track estimates, d^2 = (x_a - x_b)' (P_a + P_b)^-1 (x_a - x_b), against the
chi-square gate with 6 degrees of freedom, the cross-covariance P_ab of the two estimation
errors ignored (the usual approximation when the common process noise is not known: the gate
is then slightly too wide for tracks with a common history). Each unit's new reports are
assigned to the system tracks that hold no report of that unit yet, as one linear assignment
(a unit's two tracks are two targets), unit by unit in a fixed order; a report kept its system
number from earlier fusions unless it left the gate of its group's first member. The fused
state is the information-weighted combination (the "simple convex combination", optimal when
the errors are uncorrelated: the fused covariance is then optimistic).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from iadsim.tracking.association import chi2_ppf
from iadsim.tracking.batch import TrackBatch

SYSTEM_ID_BASE = 900_000_000
"""System track numbers are ``SYSTEM_ID_BASE + k`` (units' own tracks are below it)."""

_JITTER = 1e-6


def state_of(tracks: TrackBatch) -> NDArray[np.float64]:
    """(n, 6) state vectors (position, velocity)."""
    return np.concatenate([tracks.position_enu_m, tracks.velocity_enu_mps], axis=1)


def predict_to(tracks: TrackBatch, time_s: float, accel_mps2: float = 5.0) -> TrackBatch:
    """Tracks brought to ``time_s`` with a constant-velocity model (white-acceleration noise of
    spectral density ``accel_mps2**2`` per axis)."""
    n = len(tracks)
    if n == 0:
        return tracks
    dt = (time_s - tracks.time_s)[:, None, None]
    f = np.broadcast_to(np.eye(6), (n, 6, 6)).copy()
    f[:, :3, 3:] = np.eye(3) * dt
    q = np.zeros((n, 6, 6))
    q2 = accel_mps2**2
    eye = np.eye(3)
    q[:, :3, :3] = eye * dt**3 / 3 * q2
    q[:, :3, 3:] = q[:, 3:, :3] = eye * dt**2 / 2 * q2
    q[:, 3:, 3:] = eye * dt * q2
    x = np.einsum("nij,nj->ni", f, state_of(tracks))
    p = f @ tracks.covariance @ np.transpose(f, (0, 2, 1)) + q
    return TrackBatch(
        time_s=np.full(n, float(time_s)), track_id=tracks.track_id, position_enu_m=x[:, :3],
        velocity_enu_mps=x[:, 3:], covariance=p, confirmed=tracks.confirmed,
        quality=tracks.quality, truth_id=tracks.truth_id, last_hit_s=tracks.last_hit_s)


def t2t_distance2(xa: NDArray[np.float64], pa: NDArray[np.float64], xb: NDArray[np.float64],
                  pb: NDArray[np.float64]) -> NDArray[np.float64]:
    """Squared Mahalanobis distance of every (a, b) pair of track estimates, (na, nb).

    ``xa`` (na, d), ``pa`` (na, d, d); the cross-covariance is ignored (S = P_a + P_b).
    """
    if len(xa) == 0 or len(xb) == 0:
        return np.empty((len(xa), len(xb)))
    diff = xa[:, None, :] - xb[None, :, :]
    s = pa[:, None] + pb[None, :] + _JITTER * np.eye(xa.shape[1])
    sol = np.linalg.solve(s, diff[..., None])[..., 0]
    return np.einsum("abi,abi->ab", diff, sol)


def correlate(
    d2: NDArray[np.float64], gate: float, allowed: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Pairs (rows, cols) minimising the summed distance, each inside the ``gate``.

    A row or column left out costs ``gate`` (so a pair is taken only when it beats leaving both
    out); ``allowed`` masks pairs that may not be joined.
    """
    na, nb = d2.shape
    if na == 0 or nb == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    ok = d2 <= gate
    if allowed is not None:
        ok &= allowed
    # augmented problem: row i may take the dummy column nb + i at cost gate / 2 (and so may
    # each column's dummy row), so a real pair costs at most the two dummies it replaces
    big = 1e12
    cost = np.full((na + nb, nb + na), big)
    cost[:na, :nb] = np.where(ok, d2, big)
    cost[np.arange(na), nb + np.arange(na)] = gate / 2.0
    cost[na + np.arange(nb), np.arange(nb)] = gate / 2.0
    cost[na:, nb:] = 0.0
    r, c = linear_sum_assignment(cost)
    real = (r < na) & (c < nb)
    r, c = r[real], c[real]
    keep = ok[r, c]
    return r[keep].astype(np.intp), c[keep].astype(np.intp)


def fuse_groups(group: NDArray[np.int64], x: NDArray[np.float64], p: NDArray[np.float64],
                n_groups: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Information-weighted state (g, 6) and covariance (g, 6, 6) of each group's members."""
    info = np.linalg.inv(p + _JITTER * np.eye(p.shape[1]))
    y = np.zeros((n_groups, x.shape[1], x.shape[1]))
    v = np.zeros((n_groups, x.shape[1]))
    np.add.at(y, group, info)
    np.add.at(v, group, np.einsum("nij,nj->ni", info, x))
    pf = np.linalg.inv(y)
    return np.einsum("gij,gj->gi", pf, v), pf


@dataclass(frozen=True, slots=True)
class FusedPicture:
    """The higher command's picture: system tracks and the system number of every report."""

    tracks: TrackBatch  # one row per system track (track_id = SYSTEM_ID_BASE + number)
    report_system_id: NDArray[np.int64]  # (n_reports,) system track id of each report


class TrackFusion:
    """Common track numbers that persist from one fusion to the next."""

    def __init__(self, gate_probability: float = 0.999) -> None:
        self.gate = float(chi2_ppf(gate_probability, df=6))
        self._number: dict[int, int] = {}  # report track id -> system number
        self._next = 0

    def fuse(self, reports: TrackBatch, source: NDArray[np.int64], time_s: float) -> FusedPicture:
        """Correlate and fuse the reports (one per unit track), predicted to ``time_s``."""
        n = len(reports)
        if n == 0:
            return FusedPicture(TrackBatch.empty(), np.empty(0, np.int64))
        rep = predict_to(reports, time_s)
        x, p = state_of(rep), rep.covariance
        num = np.array([self._number.get(k, -1) for k in rep.track_id.tolist()], np.int64)
        self._split_inconsistent(num, x, p)
        for s in np.unique(source).tolist():
            new = np.flatnonzero((source == s) & (num < 0))
            if new.size == 0:
                continue
            held = np.unique(num[num >= 0])
            free = held[~np.isin(held, num[source == s])]
            if free.size:
                slot = np.searchsorted(free, num)
                inside = (num >= 0) & np.isin(num, free)
                xs, ps = fuse_groups(slot[inside], x[inside], p[inside], free.size)
                r, c = correlate(t2t_distance2(x[new], p[new], xs, ps), self.gate)
                num[new[r]] = free[c]
            for i in new[num[new] < 0].tolist():
                num[i] = self._next
                self._next += 1
        for k, v in zip(rep.track_id.tolist(), num.tolist(), strict=True):
            self._number[k] = v
        numbers, group = np.unique(num, return_inverse=True)
        xf, pf = fuse_groups(group, x, p, numbers.size)
        best = np.full(numbers.size, -1, np.intp)  # the member with the smallest position sigma
        sig = rep.position_sigma_m()
        for i in np.argsort(-sig, kind="stable").tolist():
            best[group[i]] = i
        hits = None
        if rep.last_hit_s is not None:
            hits = np.full((numbers.size, rep.last_hit_s.shape[1]), -np.inf)
            np.maximum.at(hits, group, rep.last_hit_s)
        quality = np.zeros(numbers.size)
        np.maximum.at(quality, group, rep.quality)
        fused = TrackBatch(
            time_s=np.full(numbers.size, float(time_s)),
            track_id=(SYSTEM_ID_BASE + numbers).astype(np.int64),
            position_enu_m=xf[:, :3], velocity_enu_mps=xf[:, 3:], covariance=pf,
            confirmed=np.ones(numbers.size, bool), quality=quality,
            truth_id=rep.truth_id[best], last_hit_s=hits)
        return FusedPicture(fused, (SYSTEM_ID_BASE + num).astype(np.int64))

    def _split_inconsistent(self, num: NDArray[np.int64], x: NDArray[np.float64],
                            p: NDArray[np.float64]) -> None:
        """Un-number the members that left the gate of their group's first member (in place)."""
        rows = np.flatnonzero(num >= 0)
        if rows.size < 2:
            return
        _, first = np.unique(num[rows], return_index=True)
        anchor_of = dict(zip(num[rows[first]].tolist(), rows[first].tolist(), strict=True))
        anchor = np.array([anchor_of[v] for v in num[rows].tolist()], np.intp)
        other = rows != anchor
        a, b = rows[other], anchor[other]
        if a.size == 0:
            return
        diff = x[a] - x[b]
        s = p[a] + p[b] + _JITTER * np.eye(x.shape[1])
        d2 = np.einsum("ni,ni->n", diff, np.linalg.solve(s, diff[..., None])[..., 0])
        num[a[d2 > self.gate]] = -1
