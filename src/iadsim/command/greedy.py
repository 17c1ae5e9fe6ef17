"""Weapon assignment: greedy, one interceptor per eligible track per cycle, by threat rank.

Each eligible track, highest score first, gets the available launcher whose interceptor reaches
it soonest inside its class envelope (the fly-out envelope table's reach at the predicted
intercept point's ground range and height above the earth, range and altitude limits, minimum
time of flight) and whose class's track-accuracy requirement the track meets; each launcher
fires at most once per command cycle.

The baseline the weapon-target assignment (``command.assignment: greedy``) is compared with.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.command.threat_evaluation import ThreatAssessment
from iadsim.engagement.intercept import inside_envelope, intercept_boost_coast
from iadsim.engagement.interceptors import EngagementOrder
from iadsim.engagement.launchers import InterceptorClasses
from iadsim.tracking.batch import TrackBatch


def assign_greedy(
    tracks: TrackBatch,
    assessment: ThreatAssessment,
    eligible: NDArray[np.bool_],
    available: NDArray[np.bool_],
    launcher_position_enu_m: NDArray[np.float64],
    launcher_class: NDArray[np.intp],
    classes: InterceptorClasses,
    time_s: float,
    max_track_sigma_m: NDArray[np.float64] | None = None,
    hold_height: NDArray[np.bool_] | None = None,
) -> list[EngagementOrder]:
    """One order per eligible track (by rank) while launchers that can reach it remain.

    ``max_track_sigma_m`` (classes,): the RMS position sigma each class needs (None: any);
    ``hold_height`` (n,): tracks predicted at their height above the earth (air-breathers), as
    the weapon-target assignment predicts them.
    Intercepts are planned as the weapon-target assignment plans them: time of flight from the
    classes' fly-out (``InterceptorClasses.profile``: the envelope table when built), inside
    ``InterceptorClasses.envelope`` (range, height above the earth, minimum time of flight,
    the table's reach at the intercept's range and height).
    """
    profile, envelope = classes.profile(), classes.envelope()
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
    rows = np.flatnonzero(eligible)  # every (eligible track, launcher) pair planned at once
    ri, li = np.repeat(rows, n_l), np.tile(np.arange(n_l), rows.size)
    site = launcher_position_enu_m[li]
    tof, point = intercept_boost_coast(
        pos_now[ri], tracks.velocity_enu_mps[ri], site, profile, launcher_class[li],
        hold_height=None if hold_height is None else hold_height[ri])
    reach = (inside_envelope(tof, point, site, envelope, launcher_class[li])
             & (sigma_m[ri] <= need_m[li])).reshape(rows.size, n_l)
    tof, point = tof.reshape(rows.size, n_l), point.reshape(rows.size, n_l, 3)
    where = np.full(len(tracks), -1)
    where[rows] = np.arange(rows.size)
    for row in assessment.rank.tolist():
        if not eligible[row] or not free.any():
            continue
        k = int(where[row])
        ok = free & reach[k]
        if not ok.any():
            continue
        best = int(np.argmin(np.where(ok, tof[k], np.inf)))
        free[best] = False
        orders.append(
            EngagementOrder(
                launcher=best,
                track_id=int(tracks.track_id[row]),
                intercept_time_s=float(time_s + tof[k, best]),
                aim_point_enu_m=point[k, best].copy(),
            )
        )
    return orders
