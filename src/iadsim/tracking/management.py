"""Tracking stage, track management: the live track table, initiation, confirmation, deletion.

In: which tracks each radar scan hit, and when. Out: which tracks are born, confirmed, deleted.

Misses are counted in time, not in detection groups: a radar sends its detections as they are
made (a rotating or multifunction radar stamps each with its own beam time), so a group of
detections says nothing about the tracks the beam was not pointing at. Each radar's revisit
interval ``T`` is learned from the data (the 75th percentile of the intervals between
consecutive detections of the same track by that radar, over its recent detections), and a track
last seen by a radar ``dt`` ago has missed ``floor(dt / T - 1/4)`` of its scans: a scan is missed
once it is a quarter revisit overdue, never before it can have been made (counting it a quarter
revisit early, as before, deleted the tentative track of a ballistic missile seen by a 10 s
radar 2.5 s before the scan that would have confirmed it). Deletion waits for missed scans;
confirmation counts a scan due within a quarter revisit as made (``floor(dt / T + 1/4)``), so
in doubt a scan counts against a track being confirmed and not for it being deleted.

* Initiation: every detection left over after association (and outside every confirmed track's
  gate) starts a tentative track at its measured position with zero velocity and a velocity
  sigma of ``max_speed_mps / 2`` per axis (or ``initiation_velocity_sigma_horizontal_mps`` and
  ``..._vertical_mps`` when set); its second detection must pass a hard velocity gate and come
  before ``initiation_max_misses`` scans are missed (two-point initiation).
* Confirmation: ``confirm_m`` detections within the first ``confirm_n`` scans of the radar
  that started it (M-of-N).
* Deletion: a tentative track that can no longer reach M of N (its growing covariance is left
  to that rule); a confirmed track once every
  radar that has held it has missed ``max_misses`` scans running, once the radars holding it
  have missed ``delete_after_total_misses`` scans between them, when set (``score_misses``: a
  drop of the track score, so a track held by a 1 s and a 10 s radar need not coast 30 s on
  the slow radar's count after its target is gone), once it has coasted
  ``max_coast_s``, once its RMS position sigma passes ``max_position_sigma_m``, or once its
  speed passes ``max_speed_mps`` (a track no real target could be).
* Quality: a hit ratio in [0, 1], exponentially weighted over about ``quality_memory_scans``.
* Ids: integers in order of creation.

A radar that has never detected a track does not count its scans as misses, so a track held by a
long-range radar is not deleted because a short-range radar cannot see it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from iadsim.scenario.tracking_spec import TrackingSpec

Array = NDArray[np.float64]
NEVER = -np.inf
MISS_TOLERANCE = 0.25
"""Timing slack of a scan, in revisits (module doc: misses are counted late, scans early)."""


@dataclass(frozen=True, slots=True)
class TrackTable:
    """Every live track's filter state and bookkeeping (internal struct of arrays).

    ``x`` ``(M, n, 6)`` and ``p`` ``(M, n, 6, 6)`` hold one state per motion model, ``mu``
    ``(n, M)`` the model probabilities; ``last_hit_by`` ``(n, S)`` the last time each radar
    detected the track (``-inf``: never).
    """

    track_id: NDArray[np.int64]
    x: Array
    p: Array
    mu: Array
    confirmed: NDArray[np.bool_]
    hits: NDArray[np.int64]  # associated detections so far
    born_s: Array
    born_sensor: NDArray[np.int64]
    last_hit_by: Array  # (n, S)
    hit_quality: Array  # quality right after the last hit
    vote_id: NDArray[np.int64]  # majority vote of associated truth ids (scoring only)
    vote_count: NDArray[np.int64]
    recent_id: NDArray[np.int64]  # truth of the latest associated true detection (booking only)
    duplicate_steps: NDArray[np.int64]  # consecutive steps found duplicating an older track

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    @property
    def last_hit_s(self) -> Array:
        """Last time any radar detected each track ``(n,)``."""
        return self.last_hit_by.max(axis=1)

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
            born_s=np.empty(0),
            born_sensor=np.empty(0, dtype=np.int64),
            last_hit_by=np.empty((0, n_sensors)),
            hit_quality=np.empty(0),
            vote_id=np.empty(0, dtype=np.int64),
            vote_count=np.empty(0, dtype=np.int64),
            recent_id=np.empty(0, dtype=np.int64),
            duplicate_steps=np.empty(0, dtype=np.int64),
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


class RevisitEstimator:
    """Each radar's revisit interval, learned from its detections of the same tracks.

    Keeps the last ``size`` intervals per radar; the estimate is their 75th percentile, or
    ``default_s`` before any interval is seen. A radar whose revisit is ``known_s`` (a rotating
    radar's scan period, finite entries) keeps it: the intervals of a radar whose Pd is low
    are mostly two or three scan periods, and their 75th percentile (20 s for the default's
    10 s surveillance radar) would book a miss only every second scan.
    """

    def __init__(self, n_sensors: int, default_s: float, size: int = 512,
                 known_s: Array | None = None) -> None:
        self._buffer = np.full((n_sensors, size), np.nan)
        self._count = np.zeros(n_sensors, dtype=np.int64)
        self.revisit_s = np.full(n_sensors, float(default_s))
        self._known = np.zeros(n_sensors, dtype=bool)
        if known_s is not None:
            self._known = np.isfinite(known_s) & (np.asarray(known_s) > 0.0)
            self.revisit_s[self._known] = np.asarray(known_s, dtype=float)[self._known]

    def add(self, sensor_id: int, intervals_s: Array) -> None:
        """Record intervals ``(k,)`` between consecutive detections by radar ``sensor_id``."""
        iv = intervals_s[intervals_s > 0.0]
        if len(iv) == 0 or self._known[sensor_id]:
            return
        size = self._buffer.shape[1]
        iv = iv[-size:]
        slots = (self._count[sensor_id] + np.arange(len(iv))) % size
        self._buffer[sensor_id, slots] = iv
        self._count[sensor_id] += len(iv)
        filled = self._buffer[sensor_id, : min(int(self._count[sensor_id]), size)]
        k = (3 * (len(filled) - 1)) // 4  # the 75th percentile (lower order statistic)
        self.revisit_s[sensor_id] = float(np.partition(filled, k)[k])


def missed_scans(table: TrackTable, time_s: float, revisit_s: Array) -> Array:
    """Scans of each radar missed since its last detection of each track ``(n, S)`` (inf: never)."""
    elapsed = time_s - table.last_hit_by  # inf where never seen
    return np.maximum(np.floor(elapsed / revisit_s[None, :] - MISS_TOLERANCE), 0.0)


def score_misses(table: TrackTable, time_s: float, revisit_s: Array,
                 spec: TrackingSpec) -> Array:
    """Scans missed ``(n,)`` by the radars holding each track, summed over those radars.

    A radar holds a track if it detected it within ``max_misses`` of its revisits before the
    track's latest detection by any radar (a radar that lost it long before, e.g. out of its
    coverage, does not count). With one assumed Pd per scan, each miss lowers the track's
    log-likelihood-ratio score by ``-ln(1 - Pd)`` (Blackman and Popoli, *Design and Analysis
    of Modern Tracking Systems*, 1999, sec. 6.2), so a threshold on this sum is a threshold
    on the score's drop since the last detection: the same evidence whichever radars missed.
    """
    held = table.last_hit_by >= table.last_hit_s[:, None] - spec.max_misses * revisit_s[None, :]
    out: Array = np.where(held, missed_scans(table, time_s, revisit_s), 0.0).sum(axis=1)
    return out


def quality(table: TrackTable, time_s: float, revisit_s: Array, spec: TrackingSpec) -> Array:
    """Track quality ``(n,)``: the hit-ratio score decayed by the scans missed since."""
    misses = missed_scans(table, time_s, revisit_s).min(axis=1)
    return table.hit_quality * (1.0 - 1.0 / spec.quality_memory_scans) ** misses


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
    horizontal = spec.initiation_velocity_sigma_horizontal_mps or sigma_v
    vertical = spec.initiation_velocity_sigma_vertical_mps or sigma_v
    p[:, 3, 3] = p[:, 4, 4] = horizontal**2
    p[:, 5, 5] = vertical**2
    last = np.full((k, n_sensors), NEVER)
    last[:, sensor_id] = time_s
    return TrackTable(
        track_id=np.arange(first_id, first_id + k, dtype=np.int64),
        x=np.broadcast_to(x, (n_models, k, 6)).copy(),
        p=np.broadcast_to(p, (n_models, k, 6, 6)).copy(),
        mu=np.full((k, n_models), 1.0 / n_models),
        confirmed=np.zeros(k, dtype=bool),
        hits=np.ones(k, dtype=np.int64),
        born_s=np.full(k, time_s),
        born_sensor=np.full(k, sensor_id, dtype=np.int64),
        last_hit_by=last,
        hit_quality=np.full(k, 1.0 / spec.quality_memory_scans),
        vote_id=truth_id.astype(np.int64),
        vote_count=np.ones(k, dtype=np.int64),
        recent_id=truth_id.astype(np.int64),
        duplicate_steps=np.zeros(k, dtype=np.int64),
    )


def record_hits(
    table: TrackTable,
    hit: NDArray[np.bool_],
    truth_id: NDArray[np.int64],
    *,
    sensor_id: int,
    time_s: float,
    revisit_s: Array,
    spec: TrackingSpec,
) -> tuple[TrackTable, Array]:
    """Book the detections of one radar group: ``hit`` ``(n,)`` says which tracks got one.

    ``truth_id`` ``(n,)`` is the truth of each hit's detection (ignored where not hit).
    Returns the new table and the intervals since the radar's previous detection of each hit
    track (for the revisit estimate).
    """
    previous = table.last_hit_by[hit, sensor_id]
    intervals = time_s - previous[np.isfinite(previous)]
    alpha = 1.0 / spec.quality_memory_scans
    gap = np.floor((time_s - table.last_hit_s) / revisit_s[sensor_id] + MISS_TOLERANCE) - 1.0
    q_now = table.hit_quality * (1.0 - alpha) ** np.maximum(gap, 0.0)
    last = table.last_hit_by.copy()
    last[hit, sensor_id] = time_s
    same = table.vote_id == truth_id
    vote_count = np.where(hit, np.where(same, table.vote_count + 1, table.vote_count - 1),
                          table.vote_count)
    swap_vote = hit & (vote_count < 0)
    out = replace(
        table,
        hits=table.hits + hit,
        last_hit_by=last,
        hit_quality=np.where(hit, q_now + alpha * (1.0 - q_now), table.hit_quality),
        vote_id=np.where(swap_vote, truth_id, table.vote_id),
        vote_count=np.where(swap_vote, 1, vote_count),
        recent_id=np.where(hit & (truth_id >= 0), truth_id, table.recent_id),
    )
    return out, intervals


def confirm_and_delete(
    table: TrackTable,
    position_sigma_m: Array,
    *,
    time_s: float,
    revisit_s: Array,
    spec: TrackingSpec,
    implausible: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Masks ``(n,)`` of tracks to confirm now and tracks to delete now; ``implausible``
    tracks (``iadsim.tracking.plausibility``) are never confirmed and a confirmed one is
    deleted."""
    misses = missed_scans(table, time_s, revisit_s).min(axis=1)
    age = (time_s - table.born_s) / revisit_s[table.born_sensor]  # in revisits of its radar
    scans_due = 1.0 + np.maximum(np.floor(age + MISS_TOLERANCE), 0.0)  # counted early
    scans_missed = 1.0 + np.maximum(np.floor(age - MISS_TOLERANCE), 0.0)  # counted late
    tentative = ~table.confirmed
    newly = tentative & (table.hits >= spec.confirm_m) & (scans_due <= spec.confirm_n)
    if implausible is not None:
        newly &= ~implausible
    hopeless = tentative & ~newly & (
        (scans_missed - table.hits > spec.confirm_n - spec.confirm_m)
        | (scans_missed >= spec.confirm_n)
        | ((table.hits == 1) & (misses >= spec.initiation_max_misses))
    )
    velocity = np.einsum("nm,mni->ni", table.mu, table.x[:, :, 3:6])  # model mixture
    lost = table.confirmed & (
        (misses >= spec.max_misses)
        | (time_s - table.last_hit_s > spec.max_coast_s)
        | (position_sigma_m > spec.max_position_sigma_m)
        | (np.linalg.norm(velocity, axis=1) > spec.max_speed_mps)  # no target flies that fast
    )
    if spec.delete_after_total_misses is not None:
        total = score_misses(table, time_s, revisit_s, spec)
        lost |= table.confirmed & (total >= spec.delete_after_total_misses)
    if implausible is not None:
        lost |= table.confirmed & implausible
    return newly, hopeless | lost


def duplicates(
    table: TrackTable, x: Array, p: Array, *, threshold: float, max_distance_m: float
) -> NDArray[np.bool_]:
    """Confirmed tracks that duplicate another confirmed track now (mask ``(n,)``).

    Two tracks are one target when their state difference is within the chi-square
    ``threshold`` of ``P1 + P2`` (6 degrees of freedom) and their positions within
    ``max_distance_m``; the track with fewer detections (then the younger) is the duplicate.
    The caller deletes a duplicate only once it has been one for a few steps running, so
    tracks of crossing targets, briefly alike, both survive.
    """
    out = np.zeros(len(table), dtype=bool)
    conf = np.flatnonzero(table.confirmed)
    if len(conf) < 2:
        return out
    pairs = cKDTree(x[conf, :3]).query_pairs(max_distance_m, output_type="ndarray")
    if len(pairs) == 0:
        return out
    a, b = conf[pairs[:, 0]], conf[pairs[:, 1]]
    d = x[a] - x[b]
    d2 = np.einsum("ni,ni->n", d, np.linalg.solve(p[a] + p[b], d[:, :, None])[:, :, 0])
    same = d2 < threshold
    a, b = a[same], b[same]
    # keep the track with more hits, then the older (smaller id)
    a_wins = (table.hits[a] > table.hits[b]) | (
        (table.hits[a] == table.hits[b]) & (table.track_id[a] < table.track_id[b])
    )
    out[np.where(a_wins, b, a)] = True
    return out
