"""Tracking stage, track management: the live track table, initiation, confirmation, deletion.

In: per-scan hit/miss outcomes. Out: which tracks are born, confirmed and deleted.

* Initiation: every detection left over after association (and outside every confirmed track's
  gate) starts a tentative track at its measured position with zero velocity and a velocity
  sigma of ``max_speed_mps / 2``; its second detection must pass a hard velocity gate and come
  within ``initiation_max_misses`` missed scans (two-point initiation).
* Confirmation: M hits out of the first N scans that could have seen the track (M-of-N).
* Deletion: a tentative track that can no longer reach M of N; a confirmed track once every
  radar that has held it has missed it ``max_misses`` times running, once it has coasted
  ``max_coast_s``, or once its RMS position sigma passes ``max_position_sigma_m``.
* Quality: an exponentially weighted hit ratio in [0, 1] over about ``quality_memory_scans``.
* Ids: integers in order of creation.

A radar that has never detected a track does not count its scans as misses, so a track held by a
long-range radar is not deleted because a short-range radar cannot see it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.tracking_spec import TrackingSpec

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TrackTable:
    """Every live track's filter state and bookkeeping (internal struct of arrays).

    ``x`` ``(M, n, 6)`` and ``p`` ``(M, n, 6, 6)`` hold one state per motion model, ``mu``
    ``(n, M)`` the model probabilities; ``seen`` and ``misses`` are ``(n, S)`` per radar.
    """

    track_id: NDArray[np.int64]
    x: Array
    p: Array
    mu: Array
    confirmed: NDArray[np.bool_]
    hits: NDArray[np.int64]  # associated detections so far
    chances: NDArray[np.int64]  # scans that could have seen it (first N only matter)
    seen: NDArray[np.bool_]  # (n, S) radar has detected this track
    misses: NDArray[np.int64]  # (n, S) consecutive misses per radar
    last_hit_s: Array
    quality: Array
    vote_id: NDArray[np.int64]  # majority vote of associated truth ids (scoring only)
    vote_count: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    @classmethod
    def empty(cls, n_models: int, n_sensors: int) -> TrackTable:
        """A table with no tracks."""
        return cls(
            track_id=np.empty(0, dtype=np.int64),
            x=np.empty((n_models, 0, 6)),
            p=np.empty((n_models, 0, 6, 6)),
            mu=np.empty((0, n_models)),
            confirmed=np.empty(0, dtype=bool),
            hits=np.empty(0, dtype=np.int64),
            chances=np.empty(0, dtype=np.int64),
            seen=np.empty((0, n_sensors), dtype=bool),
            misses=np.empty((0, n_sensors), dtype=np.int64),
            last_hit_s=np.empty(0),
            quality=np.empty(0),
            vote_id=np.empty(0, dtype=np.int64),
            vote_count=np.empty(0, dtype=np.int64),
        )

    def take(self, index: NDArray[np.intp] | NDArray[np.bool_]) -> TrackTable:
        """Tracks selected by index or mask (model axis kept)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = v[:, index] if f.name in ("x", "p") else v[index]
        return TrackTable(**out)

    @staticmethod
    def concatenate(a: TrackTable, b: TrackTable) -> TrackTable:
        """Rows of ``a`` then ``b``."""
        out = {}
        for f in fields(a):
            axis = 1 if f.name in ("x", "p") else 0
            out[f.name] = np.concatenate([getattr(a, f.name), getattr(b, f.name)], axis=axis)
        return TrackTable(**out)


def initiate(
    z_m: Array,
    r_m2: Array,
    truth_id: NDArray[np.int64],
    *,
    sensor_id: int,
    n_sensors: int,
    time_s: float,
    first_id: int,
    n_models: int,
    spec: TrackingSpec,
) -> TrackTable:
    """Tentative tracks, one per detection ``z_m`` ``(k, 3)`` with covariance ``r_m2``."""
    k = len(z_m)
    x = np.zeros((k, 6))
    x[:, :3] = z_m
    p = np.zeros((k, 6, 6))
    p[:, :3, :3] = r_m2
    sigma_v = spec.max_speed_mps / 2.0
    p[:, 3, 3] = p[:, 4, 4] = p[:, 5, 5] = sigma_v**2
    seen = np.zeros((k, n_sensors), dtype=bool)
    seen[:, sensor_id] = True
    return TrackTable(
        track_id=np.arange(first_id, first_id + k, dtype=np.int64),
        x=np.broadcast_to(x, (n_models, k, 6)).copy(),
        p=np.broadcast_to(p, (n_models, k, 6, 6)).copy(),
        mu=np.full((k, n_models), 1.0 / n_models),
        confirmed=np.zeros(k, dtype=bool),
        hits=np.ones(k, dtype=np.int64),
        chances=np.ones(k, dtype=np.int64),
        seen=seen,
        misses=np.zeros((k, n_sensors), dtype=np.int64),
        last_hit_s=np.full(k, time_s),
        quality=np.full(k, 1.0 / spec.quality_memory_scans),
        vote_id=truth_id.astype(np.int64),
        vote_count=np.ones(k, dtype=np.int64),
    )


def record_scan(
    table: TrackTable,
    hit: NDArray[np.bool_],
    truth_id: NDArray[np.int64],
    *,
    sensor_id: int,
    time_s: float,
    spec: TrackingSpec,
) -> TrackTable:
    """Book one radar scan: ``hit`` ``(n,)`` says which tracks got a detection.

    ``truth_id`` ``(n,)`` is the truth of each hit's detection (ignored where not hit).
    """
    chance = hit | table.seen[:, sensor_id]
    seen = table.seen.copy()
    seen[:, sensor_id] |= hit
    misses = table.misses.copy()
    misses[:, sensor_id] = np.where(hit, 0, misses[:, sensor_id] + chance)
    alpha = 1.0 / spec.quality_memory_scans
    quality = np.where(chance, table.quality + alpha * (hit - table.quality), table.quality)
    same = table.vote_id == truth_id
    vote_count = np.where(hit, np.where(same, table.vote_count + 1, table.vote_count - 1),
                          table.vote_count)
    replace_vote = hit & (vote_count < 0)
    vote_id = np.where(replace_vote, truth_id, table.vote_id)
    vote_count = np.where(replace_vote, 1, vote_count)
    return replace(
        table,
        hits=table.hits + hit,
        chances=table.chances + chance,
        seen=seen,
        misses=misses,
        last_hit_s=np.where(hit, time_s, table.last_hit_s),
        quality=quality,
        vote_id=vote_id,
        vote_count=vote_count,
    )


def confirm_and_delete(
    table: TrackTable, position_sigma_m: Array, *, time_s: float, spec: TrackingSpec
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Masks ``(n,)`` of tracks to confirm now and tracks to delete now."""
    tentative = ~table.confirmed
    newly = tentative & (table.hits >= spec.confirm_m) & (table.chances <= spec.confirm_n)
    hopeless = tentative & ~newly & (
        (table.chances - table.hits > spec.confirm_n - spec.confirm_m)
        | (table.chances >= spec.confirm_n)
        | ((table.hits == 1) & (table.chances - 1 >= spec.initiation_max_misses))
    )
    held = np.where(table.seen, table.misses, np.iinfo(np.int64).max)
    all_missed = held.min(axis=1) >= spec.max_misses if table.seen.shape[1] else np.zeros(
        len(table), dtype=bool
    )
    lost = (table.confirmed & all_missed) | (time_s - table.last_hit_s > spec.max_coast_s) | (
        position_sigma_m > spec.max_position_sigma_m
    )
    return newly, hopeless | lost
