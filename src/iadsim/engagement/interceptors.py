"""Interceptors in flight: launch, command guidance from the track, and the end game.

Each interceptor flies its class's boost/coast speed profile to the predicted intercept point; the
multifunction radar keeps updating its aim point from the track until the planned intercept
time. At that time the interceptor kills the nearest true threat with the class's Pk against the
threat's true type, but only if that threat is within the kill radius of the aim point: a track
that is off by more than the kill radius makes the interceptor miss outright.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.launchers import InterceptorClasses
from iadsim.tracking.batch import TrackBatch


@dataclass(frozen=True, slots=True)
class EngagementOrder:
    """Fire one round from ``launcher`` at ``track_id``, planned to meet it at the given point."""

    launcher: int
    track_id: int
    intercept_time_s: float
    aim_point_enu_m: NDArray[np.float64]  # (3,)
    reported_type: str = ""  # the command stage's classification of the track
    value: float = float("nan")  # the threat value the assignment used
    salvo_round: int = 1  # 1 for the first round of a salvo, 2 for the next, ...
    salvo_size: int = 1


@dataclass(frozen=True, slots=True)
class InterceptResults:
    """End game of the interceptors due in one step, one row per interceptor."""

    interceptor_id: NDArray[np.int64]
    time_s: NDArray[np.float64]
    threat_id: NDArray[np.int64]  # nearest true threat, -1 if none in the air
    miss_distance_m: NDArray[np.float64]
    in_basket: NDArray[np.bool_]  # nearest threat within the kill radius
    killed: NDArray[np.bool_]


class InterceptorFlights:
    """All interceptors of a run (columns grow by one row per launch)."""

    def __init__(self) -> None:
        self.launcher = np.empty(0, np.int64)
        self.class_index = np.empty(0, np.int64)
        self.track_id = np.empty(0, np.int64)
        self.launch_time_s = np.empty(0)
        self.intercept_time_s = np.empty(0)
        self.launch_position_m = np.empty((0, 3))
        self.aim_point_m = np.empty((0, 3))
        self.planned_aim_m = np.empty((0, 3))
        self.resolved = np.empty(0, bool)
        self.miss_distance_m = np.empty(0)
        self.killed = np.empty(0, bool)

    def __len__(self) -> int:
        return int(self.launcher.shape[0])

    def launch(
        self,
        orders: list[EngagementOrder],
        launcher_position_m: NDArray[np.float64],
        launcher_class: NDArray[np.intp],
        time_s: float,
    ) -> NDArray[np.int64]:
        """Add one interceptor per order; returns their ids."""
        if not orders:
            return np.empty(0, np.int64)
        lau = np.array([o.launcher for o in orders], np.int64)
        first = len(self)
        self.launcher = np.concatenate([self.launcher, lau])
        self.class_index = np.concatenate([self.class_index, launcher_class[lau]])
        self.track_id = np.concatenate([self.track_id, [o.track_id for o in orders]])
        self.launch_time_s = np.concatenate([self.launch_time_s, np.full(len(orders), time_s)])
        self.intercept_time_s = np.concatenate(
            [self.intercept_time_s, [o.intercept_time_s for o in orders]]
        )
        self.launch_position_m = np.vstack([self.launch_position_m, launcher_position_m[lau]])
        aims = np.array([o.aim_point_enu_m for o in orders], dtype=float).reshape(-1, 3)
        self.aim_point_m = np.vstack([self.aim_point_m, aims])
        self.planned_aim_m = np.vstack([self.planned_aim_m, aims])
        self.resolved = np.concatenate([self.resolved, np.zeros(len(orders), bool)])
        self.miss_distance_m = np.concatenate([self.miss_distance_m, np.full(len(orders), np.nan)])
        self.killed = np.concatenate([self.killed, np.zeros(len(orders), bool)])
        return np.arange(first, len(self), dtype=np.int64)

    def in_flight(self, time_s: float) -> NDArray[np.bool_]:
        """Launched, not yet at the intercept time."""
        return (~self.resolved) & (self.launch_time_s <= time_s)

    def guide(self, tracks: TrackBatch) -> None:
        """Move aim points to each live track's prediction at the planned intercept time."""
        flying = np.flatnonzero(~self.resolved)
        if flying.size == 0 or len(tracks) == 0:
            return
        order = np.argsort(tracks.track_id)
        pos = np.searchsorted(tracks.track_id, self.track_id[flying], sorter=order)
        pos = np.minimum(pos, len(tracks) - 1)
        row = order[pos]
        found = tracks.track_id[row] == self.track_id[flying]
        idx, row = flying[found], row[found]
        lead_s = self.intercept_time_s[idx] - tracks.time_s[row]
        self.aim_point_m[idx] = (
            tracks.position_enu_m[row] + tracks.velocity_enu_mps[row] * lead_s[:, None]
        )

    def due(self, time_s: float) -> NDArray[np.intp]:
        """Unresolved interceptors whose intercept time has come."""
        return np.flatnonzero((~self.resolved) & (self.intercept_time_s <= time_s))

    def positions(self, time_s: float) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Ids and positions (straight line launcher -> aim point) of those in flight."""
        idx = np.flatnonzero(self.in_flight(time_s))
        span = np.maximum(self.intercept_time_s[idx] - self.launch_time_s[idx], 1e-9)
        frac = np.clip((time_s - self.launch_time_s[idx]) / span, 0.0, 1.0)[:, None]
        p = self.launch_position_m[idx] + frac * (
            self.aim_point_m[idx] - self.launch_position_m[idx]
        )
        return idx, p


def resolve_intercepts(
    flights: InterceptorFlights,
    due: NDArray[np.intp],
    threat_position_at: NDArray[np.float64],
    threat_present: NDArray[np.bool_],
    threat_type: NDArray[np.int8],
    classes: InterceptorClasses,
    *,
    rng: np.random.Generator,
) -> InterceptResults:
    """End game of interceptors ``due``.

    ``threat_position_at`` is (len(due), n_threats, 3): every threat's true position at each
    interceptor's intercept time; ``threat_present`` (len(due), n_threats) masks threats in the
    air and not yet killed at that time.
    """
    aim = flights.aim_point_m[due]
    dist = np.linalg.norm(threat_position_at - aim[:, None, :], axis=2)
    dist = np.where(threat_present, dist, np.inf)
    nearest = np.argmin(dist, axis=1) if dist.shape[1] else np.zeros(len(due), np.intp)
    miss = dist[np.arange(len(due)), nearest] if dist.shape[1] else np.full(len(due), np.inf)
    cls = flights.class_index[due]
    in_basket = miss <= classes.kill_radius_m[cls]
    pk = np.where(in_basket, classes.pk[cls, threat_type[nearest]] if dist.shape[1] else 0.0, 0.0)
    killed = rng.random(len(due)) < pk
    flights.resolved[due] = True
    flights.miss_distance_m[due] = miss
    return InterceptResults(
        interceptor_id=due.astype(np.int64),
        time_s=flights.intercept_time_s[due],
        threat_id=np.where(np.isfinite(miss), nearest, -1).astype(np.int64),
        miss_distance_m=miss,
        in_basket=in_basket,
        killed=killed,
    )
