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
state is the covariance intersection of the group's members (Julier and Uhlmann, 1997; the
weight minimising the trace): the units' errors are correlated through the target's common
process noise and their cross-covariance is not known at the command, so the information sum
(the "simple convex combination") would claim 1.2-1.7 times too little error; the
intersection is consistent for any correlation (``docs/validation.md``: fused NEES).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from iadsim.network.datalink import concat_tracks
from iadsim.tracking.association import chi2_ppf
from iadsim.tracking.batch import TrackBatch

SYSTEM_ID_BASE = 900_000_000
"""System track numbers are ``SYSTEM_ID_BASE + k`` (units' own tracks are below it)."""

_JITTER = 1e-6
CI_ITERATIONS = 6
"""Safeguarded Newton steps of the covariance-intersection weight."""


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
    """Covariance-intersection state (g, 6) and covariance (g, 6, 6) of each group's members.

    The members of a group are folded in one at a time (in row order), each fold the
    trace-optimal covariance intersection of the running estimate and the member
    (``covariance_intersection``): consistent whatever the unknown cross-covariance of the
    units' errors (their common process noise), and never wider than the tighter of the two.
    """
    d = x.shape[1]
    xf, pf = np.zeros((n_groups, d)), np.zeros((n_groups, d, d))
    if len(group) == 0:
        return xf, pf
    order = np.argsort(group, kind="stable")
    g = group[order]
    first = np.r_[True, g[1:] != g[:-1]]
    rank = np.arange(g.size) - np.maximum.accumulate(np.where(first, np.arange(g.size), 0))
    xf[g[first]], pf[g[first]] = x[order[first]], p[order[first]]
    for r in range(1, int(rank.max()) + 1):
        at = rank == r
        gg, m = g[at], order[at]
        xf[gg], pf[gg] = covariance_intersection(xf[gg], pf[gg], x[m], p[m])
    return xf, pf


def covariance_intersection(xa: NDArray[np.float64], pa: NDArray[np.float64],
                            xb: NDArray[np.float64], pb: NDArray[np.float64], *,
                            iterations: int = CI_ITERATIONS,
                            ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Covariance intersection of pairs of estimates (Julier and Uhlmann, 1997), (n, d) each.

    P^-1 = w Pa^-1 + (1 - w) Pb^-1, x = P (w Pa^-1 xa + (1 - w) Pb^-1 xb), with w in [0, 1]
    minimising trace(P), a convex function of w: safeguarded Newton steps on its derivative
    -trace(P D P), D = Pa^-1 - Pb^-1 (second derivative 2 trace(P D P D P)), a step that
    leaves the bracket the derivative's sign keeps is a bisection; vectorised over the pairs.
    A member is the answer where the trace still falls at its end (w = 1, the member a, where
    the slope there is <= 0; w = 0 where the slope there is >= 0); a flat trace (equal
    covariances) keeps the even weight, the plain mean.
    """
    eye = _JITTER * np.eye(xa.shape[1])
    ia, ib = np.linalg.inv(pa + eye), np.linalg.inv(pb + eye)
    d = ia - ib
    n = len(xa)

    def at(w: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.linalg.inv(ib + w[:, None, None] * d)

    def slope(p: NDArray[np.float64]) -> NDArray[np.float64]:
        return -np.einsum("nij,njk,nki->n", p, d, p)

    # the ends are the members themselves: the minimum is there where the slope says so
    at_a, at_b = slope(pa + eye) <= 0.0, slope(pb + eye) >= 0.0
    scale = np.trace(pa, axis1=1, axis2=2) + np.trace(pb, axis1=1, axis2=2)
    lo, hi, w = np.zeros(n), np.ones(n), np.full(n, 0.5)
    for _ in range(iterations):
        p = at(w)
        pd = p @ d
        ppd = pd @ p  # P D P
        g = -np.trace(ppd, axis1=1, axis2=2)
        h = 2.0 * np.einsum("nij,nji->n", ppd, pd)
        flat = np.abs(g) <= 1e-12 * scale
        hi = np.where(g > 0, w, hi)
        lo = np.where(g < 0, w, lo)
        step = w - g / np.where(h > 0, h, np.inf)
        inside = (step > lo) & (step < hi) & (h > 0)
        w = np.where(flat, w, np.where(inside, step, 0.5 * (lo + hi)))
    w = np.where(at_a & ~at_b, 1.0, np.where(at_b & ~at_a, 0.0, w))
    pf = at(w)
    v = w[:, None] * np.einsum("nij,nj->ni", ia, xa) + (1.0 - w)[:, None] * np.einsum(
        "nij,nj->ni", ib, xb)
    return np.einsum("nij,nj->ni", pf, v), 0.5 * (pf + np.transpose(pf, (0, 2, 1)))


class _GroupStates:
    """The covariance-intersection state of groups of reports (by number), kept from one ask
    to the next within a fusion and recomputed only for the groups that gained members."""

    def __init__(self, x: NDArray[np.float64], p: NDArray[np.float64]) -> None:
        self.x, self.p = x, p
        self._numbers = np.empty(0, np.int64)  # sorted numbers with a kept state
        self._xs, self._ps = np.empty((0, x.shape[1])), np.empty((0,) + p.shape[1:])
        self._stale: set[int] = set()

    def changed(self, numbers: NDArray[np.int64]) -> None:
        self._stale.update(int(v) for v in numbers.tolist())

    def states(self, num: NDArray[np.int64], wanted: NDArray[np.int64]
               ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """States (k, d) and covariances (k, d, d) of the groups ``wanted`` (sorted numbers)
        whose members are the rows with that ``num``."""
        kept = np.isin(wanted, self._numbers) & ~np.isin(wanted, list(self._stale))
        need = wanted[~kept]
        if need.size:
            inside = np.isin(num, need)
            xs, ps = fuse_groups(np.searchsorted(need, num[inside]), self.x[inside],
                                 self.p[inside], need.size)
            old = ~np.isin(self._numbers, need)
            self._numbers = np.concatenate([self._numbers[old], need])
            order = np.argsort(self._numbers, kind="stable")
            self._numbers = self._numbers[order]
            self._xs = np.concatenate([self._xs[old], xs])[order]
            self._ps = np.concatenate([self._ps[old], ps])[order]
            self._stale -= {int(v) for v in need.tolist()}
        at = np.searchsorted(self._numbers, wanted)
        return self._xs[at], self._ps[at]


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
        self._last = TrackBatch.empty()  # the previous fusion's system tracks
        self.memory = TrackBatch.empty()  # engaged system tracks that lost every report

    def _remembered(self, remember: NDArray[np.int64] | None) -> TrackBatch:
        """The system tracks to keep without reports: those in ``remember`` (system ids) among
        the last fusion's tracks and the memory (at the time of their last fused state)."""
        if remember is None or (len(self._last) == 0 and len(self.memory) == 0):
            return TrackBatch.empty()
        pool = concat_tracks([self.memory, self._last])
        return pool.take(np.isin(pool.track_id, remember))

    def fuse(self, reports: TrackBatch, source: NDArray[np.int64], time_s: float,
             remember: NDArray[np.int64] | None = None) -> FusedPicture:
        """Correlate and fuse the reports (one per unit track), predicted to ``time_s``.

        ``remember``: system track ids under engagement (a round in flight or its outcome not
        assessed). Such a system track that loses its last report (the only unit holding it
        tore down, its track was deleted) is kept in ``memory``, coasted with the
        constant-velocity model, and a later report of any unit that falls in its gate takes
        its number: the engagement stays bound to the threat when another radar picks it up.
        """
        memory = self._remembered(remember)
        n = len(reports)
        if n == 0:
            self._last, self.memory = TrackBatch.empty(), memory
            return FusedPicture(TrackBatch.empty(), np.empty(0, np.int64))
        rep = predict_to(reports, time_s)
        x, p = state_of(rep), rep.covariance
        num = np.array([self._number.get(k, -1) for k in rep.track_id.tolist()], np.int64)
        self._split_inconsistent(num, x, p)
        groups = _GroupStates(x, p)  # each group's fused state, recomputed where it changed
        memory = memory.take(~np.isin(memory.track_id - SYSTEM_ID_BASE, num))
        mem = predict_to(memory, time_s)  # the remembered tracks, coasted to now
        mem_x, mem_num = state_of(mem), mem.track_id - SYSTEM_ID_BASE
        for s in np.unique(source).tolist():
            new = np.flatnonzero((source == s) & (num < 0))
            if new.size == 0:
                continue
            held = np.unique(num[num >= 0])
            free = held[~np.isin(held, num[source == s])]
            left = ~np.isin(mem_num, held)  # remembered numbers no report has taken yet
            if free.size or left.any():
                xs, ps = groups.states(num, free)
                if left.any():
                    xs = np.concatenate([xs, mem_x[left]])
                    ps = np.concatenate([ps, mem.covariance[left]])
                cand = np.concatenate([free, mem_num[left]])
                r, c = correlate(t2t_distance2(x[new], p[new], xs, ps), self.gate)
                num[new[r]] = cand[c]
                groups.changed(cand[c])
            for i in new[num[new] < 0].tolist():
                num[i] = self._next
                self._next += 1
        for k, v in zip(rep.track_id.tolist(), num.tolist(), strict=True):
            self._number[k] = v
        numbers, group = np.unique(num, return_inverse=True)
        xf, pf = groups.states(num, numbers)
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
        kappa, kappa_sigma = _best_drag_estimates(reports, group, numbers.size)
        fused = TrackBatch(
            time_s=np.full(numbers.size, float(time_s)),
            track_id=(SYSTEM_ID_BASE + numbers).astype(np.int64),
            position_enu_m=xf[:, :3], velocity_enu_mps=xf[:, 3:], covariance=pf,
            confirmed=np.ones(numbers.size, bool), quality=quality,
            truth_id=rep.truth_id[best], last_hit_s=hits, kappa_m2_per_t=kappa,
            kappa_sigma_m2_per_t=kappa_sigma)
        self._last = fused
        self.memory = memory.take(~np.isin(memory.track_id, fused.track_id))
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


def _best_drag_estimates(reports: TrackBatch, group: NDArray[np.intp], n: int
                         ) -> tuple[NDArray[np.float64] | None, NDArray[np.float64] | None]:
    """Each system track's drag estimate ``(kappa, sigma)``, ``(n,)`` each: that of its member
    with the smallest sigma (NaN where no member's drag filter runs; None without the columns).
    The decoy discrimination of the command reads it (``command.discrimination``)."""
    if reports.kappa_m2_per_t is None or reports.kappa_sigma_m2_per_t is None:
        return None, None
    kappa, sigma = np.full(n, np.nan), np.full(n, np.nan)
    sig = reports.kappa_sigma_m2_per_t
    rows = np.flatnonzero(np.isfinite(sig))
    for i in rows[np.argsort(-sig[rows], kind="stable")].tolist():  # the smallest sigma last
        kappa[group[i]], sigma[group[i]] = reports.kappa_m2_per_t[i], sig[i]
    return kappa, sigma
