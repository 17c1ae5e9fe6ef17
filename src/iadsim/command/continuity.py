"""Track continuity for the command stage: one engagement key per threat, across re-formed tracks.

The tracker may lose a track and start a new one on the same threat, or hold two tracks on it
for a while. Engagement state (the reaction clock, "under fire", the salvo in progress, a kill
report) must follow the threat, not the track id. ``TrackContinuity`` gives each track a *key*:
a new track inherits the key of a track that was lost (or is still held) when their states
agree (track-to-track association: chi-square gate on the 6-d state difference with both
covariances, the lost track predicted at constant velocity with white-acceleration noise, one
to one by ``scipy.optimize.linear_sum_assignment``). It reads track states only, never truth.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from iadsim.tracking.association import chi2_ppf
from iadsim.tracking.batch import TrackBatch

GATE_PROBABILITY = 0.999
"""Probability that two tracks of one threat pass the association gate."""
ACCEL_NOISE_MPS2 = 30.0
"""White-acceleration level that widens a lost track's prediction (manoeuvres)."""
MAX_GAP_S = 30.0
"""A track lost longer than this is forgotten."""


def predict_cv(
    tracks: TrackBatch, time_s: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """States (n, 6) and covariances (n, 6, 6) at ``time_s``, constant velocity plus noise."""
    dt = np.maximum(time_s - tracks.time_s, 0.0)
    n = len(tracks)
    f = np.tile(np.eye(6), (n, 1, 1))
    f[:, 0:3, 3:6] = np.eye(3)[None] * dt[:, None, None]
    x = np.concatenate([tracks.position_enu_m, tracks.velocity_enu_mps], axis=1)
    x = np.einsum("nij,nj->ni", f, x)
    q = ACCEL_NOISE_MPS2**2
    block = np.array([[dt**4 / 4, dt**3 / 2], [dt**3 / 2, dt**2]]).transpose(2, 0, 1) * q
    noise = np.zeros((n, 6, 6))
    for a in range(2):
        for b in range(2):
            noise[:, 3 * a:3 * a + 3, 3 * b:3 * b + 3] = block[:, a, b][:, None, None] * np.eye(3)
    p = np.einsum("nij,njk,nlk->nil", f, tracks.covariance, f) + noise
    return x, p


def state_distance2(
    x_a: NDArray[np.float64], p_a: NDArray[np.float64],
    x_b: NDArray[np.float64], p_b: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Squared Mahalanobis distance (a, b) between every pair of states, covariance P_a + P_b."""
    d = x_a[:, None, :] - x_b[None, :, :]
    s = p_a[:, None] + p_b[None, :]
    sol = np.linalg.solve(s.reshape(-1, 6, 6), d.reshape(-1, 6, 1)).reshape(d.shape)
    return np.einsum("abi,abi->ab", d, sol)


class TrackContinuity:
    """Engagement key of every track, kept across track loss and re-formation."""

    def __init__(self) -> None:
        self._key: dict[int, int] = {}
        self._last = TrackBatch.empty()
        self._lost = TrackBatch.empty()
        self._retired: set[int] = set()
        self._gate = chi2_ppf(GATE_PROBABILITY, df=6)  # chi2.ppf without scipy.stats

    def retire(self, keys: NDArray[np.int64]) -> NDArray[np.int64]:
        """Keys reported killed, and the keys of held tracks that duplicate theirs (inside the
        association gate of one of their tracks): no later track inherits them. Returns every
        key retired."""
        keys = np.unique(np.asarray(keys, np.int64))
        last = self._last
        if keys.size and len(last):
            mine = np.isin(self.key_of(last.track_id), keys)
            if mine.any() and (~mine).any():
                x, p = predict_cv(last, float(last.time_s.max()))
                d2 = state_distance2(x[mine], p[mine], x[~mine], p[~mine])
                twins = (d2 <= self._gate).any(axis=0)
                keys = np.union1d(keys, self.key_of(last.track_id[~mine][twins]))
        self._retired.update(int(k) for k in keys.tolist())
        return keys

    def keys(self, tracks: TrackBatch, time_s: float) -> NDArray[np.int64]:
        """Key per track of ``tracks``, the picture at ``time_s`` (once per step, in time order).

        A track seen confirmed for the first time takes the key of the lost or held confirmed
        track it associates with, else its own id; tentative tracks are their own key.
        """
        everything = tracks
        tracks = tracks.take(tracks.confirmed)
        now = float(time_s)
        gone = ~np.isin(self._last.track_id, tracks.track_id)
        lost = _concat(self._lost, self._last.take(gone))
        lost = lost.take((now - lost.time_s <= MAX_GAP_S)
                         & ~np.isin(lost.track_id, tracks.track_id))
        seen = np.array([int(t) in self._key for t in tracks.track_id.tolist()], bool)
        new = np.flatnonzero(~seen)
        lost = lost.take(~np.isin(self.key_of(lost.track_id), self._retired_keys()))
        held = tracks.take(seen & ~np.isin(self.key_of(tracks.track_id), self._retired_keys()))
        cand = _concat(lost, held)
        inherited = np.full(new.size, -1, np.int64)
        matched_lost = np.zeros(len(lost), bool)
        if new.size and len(cand):
            x_new, p_new = predict_cv(tracks.take(new), now)
            x_old, p_old = predict_cv(cand, now)
            d2 = state_distance2(x_new, p_new, x_old, p_old)
            cost = np.where(d2 <= self._gate, d2, 1e12)
            rows, cols = linear_sum_assignment(cost)
            ok = cost[rows, cols] <= self._gate
            inherited[rows[ok]] = self.key_of(cand.track_id[cols[ok]])
            matched_lost[cols[ok][cols[ok] < len(lost)]] = True
        for row, key in zip(new.tolist(), inherited.tolist(), strict=True):
            tid = int(tracks.track_id[row])
            self._key[tid] = tid if key < 0 else key
        self._lost = lost.take(~matched_lost)
        self._last = tracks
        return self.key_of(everything.track_id)

    def retired(self, keys: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Which ``keys`` were reported killed."""
        return np.isin(keys, self._retired_keys())

    def _retired_keys(self) -> NDArray[np.int64]:
        return np.array(sorted(self._retired), np.int64)

    def tracks_of(self, keys: NDArray[np.int64]) -> NDArray[np.int64]:
        """Every track id seen with one of ``keys``, in id order."""
        ids = np.fromiter(self._key.keys(), np.int64, len(self._key))
        of = np.fromiter(self._key.values(), np.int64, len(self._key))
        return np.sort(ids[np.isin(of, np.asarray(keys, np.int64))])

    def key_of(self, track_id: NDArray[np.int64]) -> NDArray[np.int64]:
        """Keys of track ids seen before (an unseen id is its own key)."""
        return np.array([self._key.get(int(t), int(t)) for t in np.asarray(track_id).tolist()],
                        np.int64)


def _concat(a: TrackBatch, b: TrackBatch) -> TrackBatch:
    if len(a) == 0:
        return b
    if len(b) == 0:
        return a
    return TrackBatch(**{
        f: None if getattr(a, f) is None or getattr(b, f) is None
        else np.concatenate([getattr(a, f), getattr(b, f)])
        for f in TrackBatch.__dataclass_fields__
    })
