"""Tracking stage, analysis side: ghost tracks, the tracker's picture against the truth.

In: the run's truth table (threat positions per step) and track table (track positions, RMS
position sigma per axis, confirmed flag, per step), both in scenario ENU. Out: how many
confirmed tracks are *ghosts*: no threat lies within the 3-sigma ellipsoid of their position
at most of their confirmed samples. "Within 3 sigma" is a squared distance below
``chi2.ppf(0.9973, 3)`` (14.16) times the per-axis variance, the 3-D equivalent of the 1-D
three-sigma rule, with the track's RMS sigma standing for its covariance. Used in the run
summary (``summary["tracking"]["ghost_track_rate"]``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from iadsim.tracking.association import chi2_ppf

GHOST_CHI2 = float(chi2_ppf(0.9973, df=3))
"""Squared distance, in per-axis variances, inside which a threat explains a track."""
_XYZ = ["east_m", "north_m", "up_m"]


def ghost_flags(truth: pd.DataFrame, tracks: pd.DataFrame) -> pd.DataFrame:
    """Per confirmed track sample: ``time_s``, ``track_id`` and ``ghost`` (no threat within
    3 sigma of it at that time). A loop over the run's time steps, vectorised within one."""
    conf = tracks[tracks["confirmed"].to_numpy(bool)]
    if conf.empty:
        return pd.DataFrame({"time_s": [], "track_id": [], "ghost": []})
    truth_t = truth["time_s"].to_numpy(float)
    by_t = np.argsort(truth_t, kind="stable")  # truth rows of one time: a slice of by_t
    truth_t, truth_xyz = truth_t[by_t], truth[_XYZ].to_numpy(float)[by_t]
    ghost = np.ones(len(conf), bool)
    times = conf["time_s"].to_numpy(float)
    pos = conf[_XYZ].to_numpy(float)
    var = np.maximum(conf["position_sigma_m"].to_numpy(float), 1e-3) ** 2
    order = np.argsort(times, kind="stable")
    bounds = np.flatnonzero(np.diff(times[order])) + 1
    starts = times[order[np.r_[0, bounds]]]
    lo, hi = np.searchsorted(truth_t, starts, "left"), np.searchsorted(truth_t, starts, "right")
    for rows, a, b in zip(np.split(order, bounds), lo.tolist(), hi.tolist(), strict=True):
        if b == a:
            continue
        threats = truth_xyz[a:b]
        d2 = ((pos[rows, None, :] - threats[None, :, :]) ** 2).sum(axis=2).min(axis=1)
        ghost[rows] = d2 > GHOST_CHI2 * var[rows]
    return pd.DataFrame({"time_s": times, "track_id": conf["track_id"].to_numpy(np.int64),
                         "ghost": ghost})


def ghost_summary(truth: pd.DataFrame, tracks: pd.DataFrame) -> dict[str, float | int]:
    """Confirmed tracks, ghost tracks (ghosts at more than half their confirmed samples) and
    their rate, and the rate over all confirmed samples."""
    flags = ghost_flags(truth, tracks)
    if flags.empty:
        return {"confirmed_tracks": 0, "ghost_tracks": 0, "ghost_track_rate": 0.0,
                "ghost_sample_rate": 0.0}
    per_track = flags.groupby("track_id")["ghost"].mean() > 0.5
    return {
        "confirmed_tracks": int(per_track.size),
        "ghost_tracks": int(per_track.sum()),
        "ghost_track_rate": float(per_track.mean()),
        "ghost_sample_rate": float(flags["ghost"].mean()),
    }
