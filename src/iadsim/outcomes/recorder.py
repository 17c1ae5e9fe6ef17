"""Trajectory recorder: truth, tracks and interceptors sampled every step, as DataFrames."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import Origin, enu_to_geodetic


class TrajectoryRecorder:
    """Collects per-step arrays and builds the three trajectory tables once, at the end."""

    def __init__(self) -> None:
        self._truth: list[tuple[NDArray[Any], ...]] = []
        self._tracks: list[tuple[NDArray[Any], ...]] = []
        self._interceptors: list[tuple[NDArray[Any], ...]] = []

    def truth(self, time_s: float, threat_id: NDArray[np.int64],
              position_enu_m: NDArray[np.float64], velocity_enu_mps: NDArray[np.float64]) -> None:
        """Record the true state of the threats in the air."""
        self._truth.append((np.full(len(threat_id), time_s), threat_id, position_enu_m,
                            velocity_enu_mps))

    def tracks(self, time_s: float, tracks: TrackBatch) -> None:
        """Record the track picture."""
        self._tracks.append((np.full(len(tracks), time_s), tracks.track_id, tracks.truth_id,
                             tracks.confirmed, tracks.position_enu_m, tracks.velocity_enu_mps,
                             tracks.position_sigma_m()))

    def interceptors(self, time_s: float, interceptor_id: NDArray[np.int64],
                     position_enu_m: NDArray[np.float64],
                     velocity_enu_mps: NDArray[np.float64]) -> None:
        """Record the interceptors in flight."""
        self._interceptors.append((np.full(len(interceptor_id), time_s), interceptor_id,
                                   position_enu_m, velocity_enu_mps))

    def truth_frame(self, origin: Origin) -> pd.DataFrame:
        """``truth.parquet`` table."""
        t, tid, pos, vel = _stack(self._truth, 4)
        return _with_states(pd.DataFrame({"time_s": t, "threat_id": tid.astype(np.int64)}),
                            pos, vel, origin)

    def tracks_frame(self, origin: Origin) -> pd.DataFrame:
        """``tracks.parquet`` table."""
        t, tid, truth, conf, pos, vel, sig = _stack(self._tracks, 7)
        df = pd.DataFrame({"time_s": t, "track_id": tid.astype(np.int64),
                           "truth_id": truth.astype(np.int64), "confirmed": conf.astype(bool)})
        df = _with_states(df, pos, vel, origin)
        df["position_sigma_m"] = sig
        return df

    def interceptors_frame(self, origin: Origin) -> pd.DataFrame:
        """Interceptor samples (launcher/class/target columns are joined by the caller)."""
        t, iid, pos, vel = _stack(self._interceptors, 4)
        return _with_states(pd.DataFrame({"time_s": t, "interceptor_id": iid.astype(np.int64)}),
                            pos, vel, origin)


def _stack(parts: list[tuple[NDArray[Any], ...]], width: int) -> list[NDArray[Any]]:
    if not parts:
        return [np.empty(0) for _ in range(width)]
    return [np.concatenate([p[k] for p in parts]) for k in range(width)]


def _with_states(df: pd.DataFrame, pos: NDArray[np.float64], vel: NDArray[np.float64],
                 origin: Origin) -> pd.DataFrame:
    pos = pos.reshape(-1, 3)
    vel = vel.reshape(-1, 3)
    lat, lon, alt = enu_to_geodetic(pos, origin)
    df["east_m"], df["north_m"], df["up_m"] = pos[:, 0], pos[:, 1], pos[:, 2]
    df["lat_deg"], df["lon_deg"], df["alt_m"] = lat, lon, alt
    df["vel_east_mps"], df["vel_north_mps"], df["vel_up_mps"] = vel[:, 0], vel[:, 1], vel[:, 2]
    return df
