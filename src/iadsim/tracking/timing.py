"""Tracking stage, timing: first detection, first track and track delay, defined once.

In: per threat, the time of its first detection and of its first confirmed track (as a run books
them). Out: the per-threat timing columns and their summary, used unchanged by the run summary,
the per-threat table (``threats.parquet``), the per-type tracking table and the report.

Definitions (the only ones in iadsim):

* ``first_detection_s``: the time stamp of the earliest detection of the threat (a detection
  whose truth id is the threat; false alarms never count) by any radar: its own beam time, not
  the step time. A threat that appears in a confirmed track without a booked detection (a track
  received over a network from a radar the run does not book) counts as first detected at its
  first track, so a delay is never negative.
* ``first_track_s``: the first tracker step time at which a confirmed track is labelled with the
  threat (the track's label is the truth id most of its associated detections came from): the
  first time the picture the command reads holds the threat.
* ``track_delay_s = first_track_s - first_detection_s``: NaN when the threat was never tracked.
* ``time_to_track_s = first_track_s - launch_time_s``: from the threat's launch (or appearance).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TIMING_COLUMNS = ("first_detection_s", "first_track_s", "track_delay_s", "time_to_track_s")


def with_track_timing(threats: pd.DataFrame) -> pd.DataFrame:
    """``threats`` with the timing columns (see the module docstring) set from the first two.

    ``threats`` needs ``first_detection_s`` and ``first_track_s`` (NaN where none), and
    ``launch_time_s`` for ``time_to_track_s``.
    """
    track = threats["first_track_s"].to_numpy(float)
    detect = threats["first_detection_s"].to_numpy(float)
    detect = np.where(np.isfinite(track) & ~(detect <= track), track, detect)  # NaN or later
    out = threats.assign(first_detection_s=detect, track_delay_s=track - detect)
    if "launch_time_s" in threats.columns:
        out["time_to_track_s"] = track - threats["launch_time_s"].to_numpy(float)
    return out


def timing_summary(threats: pd.DataFrame) -> dict[str, float | int]:
    """Counts and mean/median/max delays of a table with the timing columns."""
    delay = threats["track_delay_s"].to_numpy(float)
    tracked = np.isfinite(delay)
    out: dict[str, float | int] = {
        "threats_detected": int(np.isfinite(threats["first_detection_s"].to_numpy(float)).sum()),
        "threats_tracked": int(tracked.sum()),
        "track_delay_s_mean": float(delay[tracked].mean()) if tracked.any() else float("nan"),
        "track_delay_s_median": float(np.median(delay[tracked])) if tracked.any()
        else float("nan"),
        "track_delay_s_max": float(delay[tracked].max()) if tracked.any() else float("nan"),
    }
    if "time_to_track_s" in threats.columns:
        ttt = threats["time_to_track_s"].to_numpy(float)
        ok = np.isfinite(ttt)
        out["time_to_track_s_mean"] = float(ttt[ok].mean()) if ok.any() else float("nan")
    return out
