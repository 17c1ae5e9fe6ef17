"""Which tracks guide the rounds in flight of a networked defence (issue 17).

A round in midcourse follows the track it was fired on (``InterceptorFlights.guide`` matches
by track id). A unit that is not operational (tearing down, moving, setting up) guides
nothing: its radars are off, so the rounds fired on its tracks fly on to their last aim point.
With engage-on-remote another unit may take over: an operational unit under the top command
(every link of its path up) holding a track of the same system track (the command's fusion)
guides them, its tightest such track (smallest position sigma) standing in under the round's
track id.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from iadsim.network.datalink import concat_tracks
from iadsim.network.units import NetworkPlan
from iadsim.tracking.batch import TrackBatch


def lookup(keys: NDArray[np.int64], values: NDArray[np.int64],
           query: NDArray[np.int64]) -> NDArray[np.int64]:
    """``values`` at the rows of ``keys`` (unique) equal to each ``query`` (all present)."""
    order = np.argsort(keys, kind="stable")
    return values[order[np.searchsorted(keys, query, sorter=order)]]


def guidance_tracks(tracks: TrackBatch, plan: NetworkPlan, operational: NDArray[np.bool_],
                    linked: NDArray[np.bool_], report_id: NDArray[np.int64],
                    report_system_id: NDArray[np.int64], engage_on_remote: bool
                    ) -> TrackBatch:
    """The guiding picture: ``tracks`` (network ids) without those of units not
    ``operational`` (u,), plus, with ``engage_on_remote``, a take-over row for each of those
    whose system track (``report_id`` -> ``report_system_id``, the command's store) a
    ``linked`` operational unit holds (module docstring)."""
    if len(tracks) == 0:
        return tracks
    owner = plan.unit_of_track(tracks.track_id)
    down = (owner >= 0) & ~operational[np.maximum(owner, 0)]
    if not down.any():
        return tracks
    keep = tracks.take(~down)
    lost = tracks.track_id[down]
    if not engage_on_remote or len(keep) == 0:
        return keep
    sys_lost = np.full(lost.size, -1, np.int64)
    at = np.isin(lost, report_id)
    sys_lost[at] = lookup(report_id, report_system_id, lost[at])
    k_owner = plan.unit_of_track(keep.track_id)
    k_sys = np.full(len(keep), -2, np.int64)
    held = np.isin(keep.track_id, report_id) & (k_owner >= 0)
    k_sys[held] = lookup(report_id, report_system_id, keep.track_id[held])
    k_sys[held & ~linked[np.maximum(k_owner, 0)]] = -2
    sigma = keep.position_sigma_m()
    rows, ids = [], []
    for i in np.flatnonzero(sys_lost >= 0).tolist():  # the few rounds' tracks of a unit down
        cand = np.flatnonzero(k_sys == sys_lost[i])
        if cand.size:
            rows.append(int(cand[np.argmin(sigma[cand])]))
            ids.append(int(lost[i]))
    if not rows:
        return keep
    alias = keep.take(np.array(rows, np.intp))
    return concat_tracks([keep, replace(alias, track_id=np.array(ids, np.int64))])
