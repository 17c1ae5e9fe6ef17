"""Weapon assignment: greedy, one interceptor per eligible track per cycle, by threat rank.

Each eligible track, highest score first, gets the available launcher whose interceptor reaches
it soonest inside its class envelope (range, and height above the earth of the predicted
intercept point) and whose class's track-accuracy requirement the track meets; each launcher
fires at most once per command cycle.

The baseline the weapon-target assignment (``command.assignment: greedy``) is compared with.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.command.threat_evaluation import ThreatAssessment
from iadsim.engagement.intercept import intercept_point_m, intercept_time_s
from iadsim.engagement.interceptors import EngagementOrder
from iadsim.engagement.launchers import InterceptorClasses
from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import Origin, approx_altitude_m


def assign_greedy(
    tracks: TrackBatch,
    assessment: ThreatAssessment,
    eligible: NDArray[np.bool_],
    available: NDArray[np.bool_],
    launcher_position_enu_m: NDArray[np.float64],
    launcher_class: NDArray[np.intp],
    classes: InterceptorClasses,
    time_s: float,
    origin: Origin,
    max_track_sigma_m: NDArray[np.float64] | None = None,
) -> list[EngagementOrder]:
    """One order per eligible track (by rank) while launchers that can reach it remain.

    ``max_track_sigma_m`` (classes,): the RMS position sigma each class needs (None: any).
    """
    n_l = launcher_position_enu_m.shape[0]
    if len(tracks) == 0 or n_l == 0:
        return []
    free = available.copy()
    orders: list[EngagementOrder] = []
    lead_s = time_s - tracks.time_s  # bring the track state to now
    pos_now = tracks.position_enu_m + tracks.velocity_enu_mps * lead_s[:, None]
    sigma_m = tracks.position_sigma_m()
    need_m = (np.full(len(classes.name), np.inf) if max_track_sigma_m is None
              else max_track_sigma_m)[launcher_class]
    for row in assessment.rank.tolist():
        if not eligible[row] or not free.any():
            continue
        cls = launcher_class
        tof = intercept_time_s(
            np.broadcast_to(pos_now[row], (n_l, 3)),
            np.broadcast_to(tracks.velocity_enu_mps[row], (n_l, 3)),
            launcher_position_enu_m,
            classes.speed_mps[cls],
        )
        point = intercept_point_m(
            np.broadcast_to(pos_now[row], (n_l, 3)),
            np.broadcast_to(tracks.velocity_enu_mps[row], (n_l, 3)),
            tof,
        )
        rng_m = np.linalg.norm(np.nan_to_num(point) - launcher_position_enu_m, axis=1)
        alt_m = approx_altitude_m(np.nan_to_num(point), origin)
        ok = (
            free
            & (sigma_m[row] <= need_m)
            & np.isfinite(tof)
            & (rng_m >= classes.min_range_m[cls])
            & (rng_m <= classes.max_range_m[cls])
            & (alt_m >= classes.min_altitude_m[cls])
            & (alt_m <= classes.max_altitude_m[cls])
        )
        if not ok.any():
            continue
        best = int(np.argmin(np.where(ok, tof, np.inf)))
        free[best] = False
        orders.append(
            EngagementOrder(
                launcher=best,
                track_id=int(tracks.track_id[row]),
                intercept_time_s=float(time_s + tof[best]),
                aim_point_enu_m=point[best].copy(),
            )
        )
    return orders
