"""Interceptors in flight: launch, midcourse on command guidance from the track, end game.

Each interceptor flies to its predicted intercept point, which the multifunction radar keeps
updating from the track; the midcourse is integrated every pipeline step on the curved earth
(ground position and height move together toward the current aim point at the pace of the plan),
so trajectories are continuous and never below the ground. At ``handover_time_s`` before the
planned intercept its seeker takes over and it flies proportional navigation against the true
engaged threat (``iadsim.engagement.endgame``); the miss distance and closing speed then give
the kill probability (``iadsim.engagement.lethality``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.intercept import predicted_position_m
from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import GRAVITY_MPS2, Origin


ARM_DIVE_TAN = float(np.tan(np.radians(10.0)))
"""A track reported as an ARM descending steeper than this (the classification's default
``arm_min_dive_deg``) is in its straight terminal dive: guidance predicts it straight."""


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
    threat_id: NDArray[np.int64]  # the engaged threat (truth of the track fired at), -1: none
    miss_distance_m: NDArray[np.float64]  # closest approach; NaN where undefined
    in_basket: NDArray[np.bool_]  # the seeker acquired the engaged threat at handover
    killed: NDArray[np.bool_]
    pk: NDArray[np.float64] | None = None  # the lethality function's Pk of each
    closing_speed_mps: NDArray[np.float64] | None = None


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
        self.target_threat_id = np.empty(0, np.int64)  # engaged threat, -1: a ghost track
        self.aim_accel_mps2 = np.empty((0, 3))  # acceleration the aim-point prediction assumes
        self.at_arm = np.empty(0, bool)  # fired at a track the command reported as an ARM
        self.aim_velocity_mps = np.empty((0, 3))  # the track's velocity there (NaN: no update)
        self.position_m = np.empty((0, 3))  # state at ``state_time_s``
        self.velocity_mps = np.empty((0, 3))
        self.accel_mps2 = np.empty((0, 3))  # achieved lateral acceleration (end game)
        self.seeker_filter_rad = np.empty((0, 3))  # lagged seeker angle noise (end game)
        self.seeker_angle_rad = np.empty((0, 3))  # seeker angle noise sample being held
        self.seeker_sample_s = np.empty(0)  # time of the seeker's next noise sample
        self.state_time_s = np.empty(0)
        self.end_speed_mps = np.empty(0)  # planned speed at the intercept (fly-out table)
        self.handover_s = np.empty(0)  # NaN until the seeker takes over
        self.acquired = np.empty(0, bool)
        self.detonation_time_s = np.empty(0)  # closest approach (NaN: none)
        self.detonation_m = np.empty((0, 3))
        self.closing_speed_mps = np.empty(0)  # at the closest approach
        self.pk = np.empty(0)  # the lethality function's Pk of the end game

    def __len__(self) -> int:
        return int(self.launcher.shape[0])

    def credit_kills(self, interceptor_id: NDArray[np.int64], killed: NDArray[np.bool_]) -> None:
        """Mark the interceptors whose end game destroyed their threat (``killed`` (k,): from
        ``WorldState.destroy_threats`` for the rows ``interceptor_id`` (k,))."""
        self.killed[np.asarray(interceptor_id, np.int64)[np.asarray(killed, bool)]] = True

    def launch(
        self,
        orders: list[EngagementOrder],
        launcher_position_m: NDArray[np.float64],
        launcher_class: NDArray[np.intp],
        time_s: float,
        target_threat_id: NDArray[np.int64] | None = None,
        end_speed_mps: NDArray[np.float64] | None = None,
    ) -> NDArray[np.int64]:
        """Add one interceptor per order; returns their ids.

        ``target_threat_id`` (k,) is the true threat each order's track follows (-1 for
        none: default), ``end_speed_mps`` (k,) the planned speed at the intercept (default:
        the mean speed of the plan).
        """
        if not orders:
            return np.empty(0, np.int64)
        k = len(orders)
        lau = np.array([o.launcher for o in orders], np.int64)
        first = len(self)
        site = launcher_position_m[lau]
        aims = np.array([o.aim_point_enu_m for o in orders], dtype=float).reshape(-1, 3)
        tof = np.array([o.intercept_time_s for o in orders], float) - time_s
        mean = np.linalg.norm(aims - site, axis=1) / np.maximum(tof, 1e-9)
        end = mean if end_speed_mps is None else np.where(
            np.isfinite(end_speed_mps), end_speed_mps, mean)
        target = np.full(k, -1, np.int64) if target_threat_id is None else target_threat_id
        ballistic = np.array([o.reported_type == "ballistic_missile" for o in orders], bool)
        accel = np.zeros((k, 3))
        accel[ballistic, 2] = -GRAVITY_MPS2  # the command planned these with gravity
        self.aim_accel_mps2 = np.vstack([self.aim_accel_mps2, accel])
        self.at_arm = np.concatenate([self.at_arm, [o.reported_type == "anti_radiation_missile"
                                                    for o in orders]]).astype(bool)
        self.aim_velocity_mps = np.vstack([self.aim_velocity_mps, np.full((k, 3), np.nan)])
        self.target_threat_id = np.concatenate([self.target_threat_id, target])
        self.position_m = np.vstack([self.position_m, site])
        self.velocity_mps = np.vstack([self.velocity_mps, np.zeros((k, 3))])
        self.accel_mps2 = np.vstack([self.accel_mps2, np.zeros((k, 3))])
        self.seeker_filter_rad = np.vstack([self.seeker_filter_rad, np.zeros((k, 3))])
        self.seeker_angle_rad = np.vstack([self.seeker_angle_rad, np.zeros((k, 3))])
        self.seeker_sample_s = np.concatenate([self.seeker_sample_s, np.full(k, -np.inf)])
        self.state_time_s = np.concatenate([self.state_time_s, np.full(k, time_s)])
        self.end_speed_mps = np.concatenate([self.end_speed_mps, end])
        self.handover_s = np.concatenate([self.handover_s, np.full(k, np.nan)])
        self.acquired = np.concatenate([self.acquired, np.zeros(k, bool)])
        self.detonation_time_s = np.concatenate([self.detonation_time_s, np.full(k, np.nan)])
        self.detonation_m = np.vstack([self.detonation_m, np.full((k, 3), np.nan)])
        self.closing_speed_mps = np.concatenate([self.closing_speed_mps, np.full(k, np.nan)])
        self.pk = np.concatenate([self.pk, np.full(k, np.nan)])
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
        """Launched and not yet resolved (midcourse or end game)."""
        return (~self.resolved) & (self.launch_time_s <= time_s)

    def guide(self, tracks: TrackBatch, origin: Origin | None = None) -> None:
        """Move aim points to each live track's prediction at the planned intercept time
        (midcourse rounds only: after handover the seeker guides), as it was planned: a track
        the command classed as a ballistic missile with gravity, any other (given the
        ``origin``) holding its height above the earth (``predicted_position_m``)."""
        flying = np.flatnonzero(~self.resolved & np.isnan(self.handover_s))
        if flying.size == 0 or len(tracks) == 0:
            return
        order = np.argsort(tracks.track_id)
        pos = np.searchsorted(tracks.track_id, self.track_id[flying], sorter=order)
        pos = np.minimum(pos, len(tracks) - 1)
        row = order[pos]
        found = tracks.track_id[row] == self.track_id[flying]
        idx, row = flying[found], row[found]
        lead_s = self.intercept_time_s[idx] - tracks.time_s[row]
        p, v, a = tracks.position_enu_m[row], tracks.velocity_enu_mps[row], self.aim_accel_mps2[idx]
        hold = ~self.aim_accel_mps2[idx].any(axis=1)  # not planned as ballistic
        # an ARM's track in its terminal dive is predicted straight, as the command plans it
        # (held at its height, the aim point would stay kilometres above the diving ARM)
        hold &= ~(self.at_arm[idx] & (-v[:, 2] >= ARM_DIVE_TAN * np.hypot(v[:, 0], v[:, 1])))
        ahead = predicted_position_m(p[None], v[None], a[None],
                                     lead_s[None] + np.array([0.0, -0.5, 0.5])[:, None],
                                     hold_height=hold, origin=origin)  # (3, n, 3)
        self.aim_point_m[idx] = ahead[0]
        self.aim_velocity_mps[idx] = ahead[2] - ahead[1]

    def positions(self, time_s: float) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Ids and positions (n, 3) of those in flight (the state the last step left)."""
        idx = np.flatnonzero(self.in_flight(time_s))
        return idx, self.position_m[idx]

    def velocities(self, time_s: float) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Ids and velocities (n, 3) of those in flight."""
        idx = np.flatnonzero(self.in_flight(time_s))
        return idx, self.velocity_mps[idx]
