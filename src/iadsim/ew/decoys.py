"""EW: decoy discrimination. The track picture -> the picture the command engages from.

In: which threats are decoys (the ``ew.decoys`` groups), each group's discrimination law, and
every step's track picture. Out: the picture without the tracks recognised as decoys, and which
decoys were recognised when. A decoy track is recognised with probability
``p(age) = p_discriminate (1 - exp(-age / discrimination_time_s))``, ``age`` the time since
the track was first confirmed; each decoy has one persistent uniform draw ``u`` (its own rng
stream), recognised once ``u < p(age)``, so the recognised set only grows with track time.

This is the abstract classifier of an engagement-level model: the probability is conditioned
on what the track truly follows (``truth_id``), as a classifier with a measured discrimination
rate would be scored; the code that decides anything sees only "recognised as a decoy".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.tracking.batch import TrackBatch


def p_recognised(age_s: NDArray[np.float64], p_max: NDArray[np.float64],
                 time_constant_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Probability that a decoy track of age ``age_s`` is recognised, each (n,)."""
    out: NDArray[np.float64] = p_max * -np.expm1(-np.maximum(age_s, 0.0) / time_constant_s)
    return out


class DecoyDiscriminator:
    """Persistent decoy draws and the first-confirmed time of every track."""

    def __init__(self, is_decoy: NDArray[np.bool_], p_max: NDArray[np.float64],
                 time_constant_s: NDArray[np.float64], *, rng: np.random.Generator) -> None:
        """``is_decoy``, ``p_max``, ``time_constant_s``: (n_threats,) (p_max 0 for threats)."""
        self.is_decoy = np.asarray(is_decoy, bool)
        self.p_max = np.asarray(p_max, float)
        self.time_constant_s = np.asarray(time_constant_s, float)
        self.draw = rng.random(self.is_decoy.shape[0])
        self.recognised_s = np.full(self.is_decoy.shape[0], np.nan)  # per threat
        self._confirmed_s = np.full(0, np.nan)  # per track id

    def screen(self, tracks: TrackBatch, time_s: float) -> TrackBatch:
        """The picture without the tracks recognised as decoys at ``time_s``."""
        if len(tracks) == 0 or not self.is_decoy.any():
            return tracks
        top = int(tracks.track_id.max()) + 1
        if top > self._confirmed_s.size:
            self._confirmed_s = np.concatenate([self._confirmed_s,
                                                np.full(top - self._confirmed_s.size, np.nan)])
        first = tracks.confirmed & np.isnan(self._confirmed_s[tracks.track_id])
        self._confirmed_s[tracks.track_id[first]] = time_s
        truth = tracks.truth_id
        decoy = (truth >= 0) & self.is_decoy[np.maximum(truth, 0)]
        rows = np.flatnonzero(decoy & tracks.confirmed)
        t = truth[rows]
        age = time_s - self._confirmed_s[tracks.track_id[rows]]
        hit = self.draw[t] < p_recognised(age, self.p_max[t], self.time_constant_s[t])
        new = t[hit & np.isnan(self.recognised_s[t])]
        self.recognised_s[new] = time_s
        drop = np.zeros(len(tracks), bool)
        drop[rows[hit]] = True
        return tracks if not drop.any() else tracks.take(~drop)
