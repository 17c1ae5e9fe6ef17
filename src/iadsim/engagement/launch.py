"""Engagement stage: the command's orders become rounds in the air.

In: this cycle's ``EngagementOrder`` list, the launchers, the interceptors in flight and the
track picture the orders were made on. Out: ``Launches`` (one row per round: its order, new
interceptor id and the true threat behind its track, which the end game guides on); the
launchers spend their rounds and the flights gain the new interceptors. Outcomes record it.

The round's threat is the one behind the track's returns now (this stage sees truth; the
command does not): of the track's long-run label (``TrackBatch.truth_id``, a vote over all its
returns) and the threat of its latest true return (``recent_truth_id``), those alive and near
the track, the nearer to the track's position. A track carried from a destroyed threat onto a
neighbour is a round at the neighbour; a track whose returns since its threat died are clutter
alone is a round at no threat (-1), as at a ghost, never a round at the dead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.interceptors import EngagementOrder, InterceptorFlights
from iadsim.engagement.launchers import Launchers
from iadsim.tracking.batch import TrackBatch
from iadsim.world.state import DESTROYED, WorldState

BOOKING_GATE_SIGMA = 5.0
BOOKING_GATE_MIN_M = 2_000.0
"""A threat more than this far from the track (and 5 of its position sigmas) is not behind it."""


@dataclass(frozen=True, slots=True)
class Launches:
    """Rounds launched in one step, one row per order (in the orders' order)."""

    orders: tuple[EngagementOrder, ...]
    interceptor_id: NDArray[np.int64]  # (k,)
    target_threat_id: NDArray[np.int64]  # (k,) truth behind each order's track, -1 for none
    on_dead_track: NDArray[np.bool_] | None = None
    """(k,) a round at no threat whose track's label or latest return is a threat already
    destroyed: a round on the track of a dead threat (issue 11 counts these; None: none)."""

    def __len__(self) -> int:
        return len(self.orders)


def launch_orders(orders: list[EngagementOrder], launchers: Launchers,
                  flights: InterceptorFlights, tracks: TrackBatch, time_s: float,
                  world: WorldState | None = None) -> Launches:
    """Fire every order's launcher at ``time_s`` and put its interceptor in flight.

    Each round's true target is the threat behind its track in ``tracks`` now
    (``booked_threats``; without a ``world``, the track's label ``truth_id``); -1 for a false
    track, or a track not in the picture.
    """
    for o in orders:
        launchers.fire(o.launcher, time_s)
    row_of = {t: i for i, t in enumerate(tracks.track_id.tolist())}
    rows = np.array([row_of.get(o.track_id, -1) for o in orders], np.int64)
    targets = np.full(len(orders), -1, np.int64)
    on_dead = np.zeros(len(orders), bool)
    if (found := rows >= 0).any():
        held = tracks.take(rows[found])
        targets[found] = held.truth_id if world is None else booked_threats(held, world, time_s)
        if world is not None:
            on_dead[found] = (targets[found] < 0) & _follows_destroyed(held, world)
    ids = flights.launch(orders, launchers.position_enu_m, launchers.class_index, time_s,
                         target_threat_id=targets)
    return Launches(tuple(orders), ids.astype(np.int64), targets, on_dead)


def _follows_destroyed(tracks: TrackBatch, world: WorldState) -> NDArray[np.bool_]:
    """Whether each track's label or latest true return is a threat already destroyed."""
    gone = world.threat_status == DESTROYED
    out = np.zeros(len(tracks), bool)
    for ids in (tracks.truth_id, tracks.recent_truth_id):
        if ids is not None and len(gone):
            ids = np.asarray(ids, np.int64)
            real = (ids >= 0) & (ids < len(gone))
            out[real] |= gone[ids[real]]
    return out


def booked_threats(tracks: TrackBatch, world: WorldState, time_s: float) -> NDArray[np.int64]:
    """The live threat behind each track's returns now ``(n,)`` (-1: none).

    Candidates are the track's label ``truth_id`` and the threat of its latest true return
    ``recent_truth_id`` (when known); of those alive and within ``BOOKING_GATE_SIGMA`` position
    sigmas (at least ``BOOKING_GATE_MIN_M``) of the track's position at ``time_s``, the nearer.
    """
    label = np.asarray(tracks.truth_id, np.int64)
    recent = label if tracks.recent_truth_id is None else np.asarray(tracks.recent_truth_id,
                                                                      np.int64)
    n = len(label)
    alive = np.asarray(world.threat_alive, bool)
    cand = np.stack([recent, label], axis=1)  # (n, 2): the recent one first wins ties
    ok = (cand >= 0) & (cand < len(alive))
    ok &= alive[np.where(ok, cand, 0)] if len(alive) else False
    out = np.full(n, -1, np.int64)
    rows = np.flatnonzero(ok.any(axis=1))
    if rows.size == 0:
        return out
    where = world.threats.positions(time_s)
    ids = np.where(ok[rows], cand[rows], 0)
    dist = np.linalg.norm(where[ids] - tracks.position_enu_m[rows, None, :], axis=2)
    gate = np.maximum(BOOKING_GATE_SIGMA * tracks.take(rows).position_sigma_m(),
                      BOOKING_GATE_MIN_M)
    dist = np.where(ok[rows] & (dist <= gate[:, None]), dist, np.inf)
    best = np.argmin(dist, axis=1)
    found = np.isfinite(dist[np.arange(rows.size), best])
    out[rows[found]] = ids[np.arange(rows.size), best][found]
    return out
