"""Tracking stage on its own: a table of radar detections from anywhere in, tracks out.

``track_detections(frame)`` runs the iadsim tracker on detections made elsewhere (recorded
data, another simulator) and returns the tracks as a DataFrame. The input is one row per
detection, in stream order:

=====================  ========  ============================================================
column                 required  meaning
=====================  ========  ============================================================
``time_s``             yes       detection time; rows of one scan share it; never decreasing
``radar_east_m``       yes       radar position in your local ENU frame (metres) ...
``radar_north_m``      yes       ... one distinct position per radar
``radar_up_m``         yes
``range_m``            yes       slant range from the radar
``azimuth_rad``        yes       clockwise from north (your frame's north)
``elevation_rad``      yes       up from your frame's horizontal plane
``range_sigma_m``      no        measurement sigmas; default ``sigmas`` argument
``azimuth_sigma_rad``  no
``elevation_sigma_rad`` no
``radar``              no        integer radar id; default: one id per distinct position
``truth_id``           no        the true object (for scoring only, never used to track)
=====================  ========  ============================================================

The output has one row per live track after each scan time: ``time_s``, ``track_id``,
``confirmed``, ``east_m``, ``north_m``, ``up_m``, ``vel_east_mps``, ``vel_north_mps``,
``vel_up_mps``, ``position_sigma_m``, ``quality``, ``truth_id``.

Bad rows (NaN or infinite values, non-positive range or sigma, a time earlier than a row
before it) raise ``InputDataError`` naming each row (``.rows`` holds their positions); with
``on_bad_rows="drop"`` they are left out, listed in ``result.attrs["rejected_rows"]``, and
every other row is tracked.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.errors import InputDataError
from iadsim.scenario.tracking_spec import TrackingSpec
from iadsim.sensors.batch import DetectionBatch, SensorGeometry
from iadsim.tracking.batch import TrackBatch
from iadsim.tracking.tracker import Tracker

REQUIRED = (
    "time_s", "radar_east_m", "radar_north_m", "radar_up_m", "range_m", "azimuth_rad",
    "elevation_rad",
)
SIGMAS = ("range_sigma_m", "azimuth_sigma_rad", "elevation_sigma_rad")
TRACK_COLUMNS = (
    "time_s", "track_id", "confirmed", "east_m", "north_m", "up_m", "vel_east_mps",
    "vel_north_mps", "vel_up_mps", "position_sigma_m", "quality", "truth_id",
)


def detections_from_frame(
    frame: pd.DataFrame,
    *,
    sigmas: tuple[float, float, float] = (30.0, 2e-3, 2e-3),
    on_bad_rows: Literal["raise", "drop"] = "raise",
) -> tuple[DetectionBatch, SensorGeometry, list[int]]:
    """A detection table (see the module docstring) as a batch, its radars, and rejected rows.

    Radars measure in the frame of the table (no rotation). Rejected rows are positions
    (0-based) in ``frame``.
    """
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputDataError(f"detections: missing column(s) {', '.join(missing)}")
    n = len(frame)
    cols = {c: frame[c].to_numpy(dtype=float) for c in REQUIRED}
    for name, default in zip(SIGMAS, sigmas, strict=True):
        cols[name] = (
            frame[name].to_numpy(dtype=float) if name in frame.columns else np.full(n, default)
        )
    problems, bad = _problems(cols, frame.index)
    if problems and on_bad_rows == "raise":
        rows = np.flatnonzero(bad)
        more = "" if len(problems) <= 20 else f"\n... ({len(rows)} bad rows in all)"
        raise InputDataError("\n".join(problems[:20]) + more, rows=rows.tolist())
    keep = ~bad
    radar_pos = np.column_stack([cols["radar_east_m"], cols["radar_north_m"], cols["radar_up_m"]])
    if "radar" in frame.columns:
        sensor = frame["radar"].to_numpy(dtype=np.int64)
        uniq, sensor = np.unique(sensor, return_inverse=True)
        positions = np.zeros((len(uniq), 3))
        positions[sensor[keep]] = radar_pos[keep]
    else:
        positions, sensor = np.unique(radar_pos[keep], axis=0, return_inverse=True)
        full = np.zeros(n, dtype=np.int64)
        full[keep] = sensor.ravel()
        sensor = full
    truth = (
        frame["truth_id"].to_numpy(dtype=np.int64)
        if "truth_id" in frame.columns else np.full(n, -1, dtype=np.int64)
    )
    batch = DetectionBatch(
        time_s=cols["time_s"][keep],
        sensor_id=sensor[keep].astype(np.int32),
        range_m=cols["range_m"][keep],
        azimuth_rad=cols["azimuth_rad"][keep],
        elevation_rad=cols["elevation_rad"][keep],
        range_sigma_m=cols["range_sigma_m"][keep],
        azimuth_sigma_rad=cols["azimuth_sigma_rad"][keep],
        elevation_sigma_rad=cols["elevation_sigma_rad"][keep],
        snr_db=np.full(int(keep.sum()), np.nan),
        truth_id=truth[keep],
    )
    m = max(len(positions), 1)
    geometry = SensorGeometry(
        np.asarray(positions, dtype=float).reshape(-1, 3) if len(positions) else np.zeros((1, 3)),
        np.broadcast_to(np.eye(3), (m, 3, 3)).copy(),
    )
    return batch, geometry, np.flatnonzero(bad).tolist()


def _problems(
    cols: dict[str, NDArray[np.float64]], index: pd.Index
) -> tuple[list[str], NDArray[np.bool_]]:
    n = len(cols["time_s"])
    bad = np.zeros(n, dtype=bool)
    problems: list[tuple[int, str]] = []

    def flag(rows: NDArray[np.intp], rule: str, name: str) -> None:
        for i in rows:
            problems.append(
                (int(i), f"detections row {i} (index {index[i]!r}): {name} {rule} "
                         f"(got {cols[name][i]})")
            )
        bad[rows] = True

    for name, values in cols.items():
        flag(np.flatnonzero(~np.isfinite(values)), "must be finite", name)
    for name in ("range_m", *SIGMAS):
        values = cols[name]
        flag(np.flatnonzero(np.isfinite(values) & (values <= 0.0)), "must be > 0", name)
    t = cols["time_s"]
    finite_t = np.where(np.isfinite(t), t, -np.inf)
    before = np.maximum.accumulate(np.concatenate([[-np.inf], finite_t[:-1]])) if n else finite_t
    flag(np.flatnonzero(np.isfinite(t) & (t < before)),
         "goes backwards (earlier than a row before it)", "time_s")
    return [msg for _, msg in sorted(problems, key=lambda p: p[0])], bad


def track_detections(
    frame: pd.DataFrame,
    spec: TrackingSpec | None = None,
    *,
    sigmas: tuple[float, float, float] = (30.0, 2e-3, 2e-3),
    on_bad_rows: Literal["raise", "drop"] = "raise",
    confirmed_only: bool = False,
) -> pd.DataFrame:
    """Track a table of detections (see the module docstring); the tracks as a DataFrame.

    Parameters
    ----------
    frame
        One row per detection, in stream (time) order.
    spec
        Tracker settings; default ``TrackingSpec()``.
    sigmas
        (range_m, azimuth_rad, elevation_rad) sigmas for rows that do not give their own.
    on_bad_rows
        ``"raise"``: raise ``InputDataError`` naming every bad row; ``"drop"``: skip them.
    confirmed_only
        Keep only confirmed tracks in the output.

    Returns
    -------
    pandas.DataFrame
        One row per live track after each scan time (columns in ``TRACK_COLUMNS``).
    """
    batch, geometry, rejected = detections_from_frame(frame, sigmas=sigmas,
                                                      on_bad_rows=on_bad_rows)
    tracker = Tracker(spec if spec is not None else TrackingSpec(), geometry)
    parts: list[pd.DataFrame] = []
    if len(batch):
        times, starts = np.unique(batch.time_s, return_index=True)
        ends = np.append(starts[1:], len(batch))
        order = np.argsort(batch.time_s, kind="stable")
        for t, a, b in zip(times, starts, ends, strict=True):
            step = tracker.step(batch.take(order[a:b]), float(t))
            tracks = step.tracks
            if confirmed_only:
                tracks = tracks.take(tracks.confirmed)
            parts.append(tracks_frame(tracks))
    out = pd.concat(parts, ignore_index=True) if parts else tracks_frame(TrackBatch.empty())
    out.attrs["rejected_rows"] = rejected
    return out


def tracks_frame(tracks: TrackBatch) -> pd.DataFrame:
    """A track picture as DataFrame rows (columns in ``TRACK_COLUMNS``)."""
    return pd.DataFrame(
        {
            "time_s": tracks.time_s,
            "track_id": tracks.track_id,
            "confirmed": tracks.confirmed,
            "east_m": tracks.position_enu_m[:, 0],
            "north_m": tracks.position_enu_m[:, 1],
            "up_m": tracks.position_enu_m[:, 2],
            "vel_east_mps": tracks.velocity_enu_mps[:, 0],
            "vel_north_mps": tracks.velocity_enu_mps[:, 1],
            "vel_up_mps": tracks.velocity_enu_mps[:, 2],
            "position_sigma_m": tracks.position_sigma_m(),
            "quality": tracks.quality,
            "truth_id": tracks.truth_id,
        },
        columns=list(TRACK_COLUMNS),
    )
