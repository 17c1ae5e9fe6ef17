"""Tracking stage on its own: a table of radar detections from anywhere in, tracks out.

``track_detections(frame, angle_unit=..., azimuth_from=..., sigmas=...)`` runs the iadsim
tracker on detections made elsewhere (recorded data, another simulator) and returns the tracks as
a DataFrame. The angle unit and the azimuth convention have no defaults: the caller says what
the file holds. The input is one row per detection, in stream order (``<u>`` is the angle unit,
``rad`` or ``deg``):

=======================  ========  ==========================================================
column                   required  meaning
=======================  ========  ==========================================================
``time_s``               one of    seconds (numbers, or datetime64 / timedelta64 values);
``time_ms``              these     milliseconds; or ``time``: datetime64 (any resolution,
``time``                 three     time zones to UTC). Rows of one scan share it; never
                                   decreasing. Datetimes count from the earliest one.
``radar_east_m``         yes       radar position in your local ENU frame (metres) ...
``radar_north_m``        yes       ... one position per radar
``radar_up_m``           yes
``range_m``              yes       slant range from the radar
``azimuth_<u>``          yes       ``azimuth_from="north_clockwise"``: clockwise from north
                                   (compass); ``"east_counterclockwise"``: from east towards
                                   north (mathematical)
``elevation_<u>``        yes       up from your frame's horizontal plane
``range_sigma_m``        (yes)     measurement sigmas, per row; a column left out takes its
``azimuth_sigma_<u>``    (yes)     value from the ``sigmas`` argument, which is then required
``elevation_sigma_<u>``  (yes)
``radar``                no        integer radar id; default: one id per distinct position
``truth_id``             no        the true object (for scoring only, never used to track);
                                   missing (NaN/None) or -1: a false alarm or unknown
=======================  ========  ==========================================================

Implausible values for the stated units are rejected, not tracked: angles outside +-2 pi
(+-360 deg) or elevations outside +-pi/2, angle sigmas above 5 degrees, range sigmas above
10 km, scans more than a day apart, and a radar whose scans come further apart than
``spec.max_coast_s`` (see ``iadsim.tracking.detection_table``); a degree table whose every
angle lies within radian bounds warns (``ImplausibleInputWarning``).

The output has one row per track after each report time: ``time_s``, ``track_id``,
``confirmed``, ``east_m``, ``north_m``, ``up_m``, ``vel_east_mps``, ``vel_north_mps``,
``vel_up_mps``, ``position_sigma_m``, ``quality``, ``truth_id`` (and ``time`` when the input
times were datetimes; ``attrs["time_origin"]`` is then the ISO time of ``time_s == 0``). The
report times are every time of the input (a scan whose rows were all dropped as bad still
reports the tracks held) and any ``report_times_s`` given, e.g. the scans that detected
nothing.

Bad rows (not numbers, NaN or infinite values, non-positive range or sigma, implausible values,
a time earlier than a row before it) raise ``InputDataError`` naming each row (``.rows`` holds
their positions); with ``on_bad_rows="drop"`` they are left out, listed in
``result.attrs["rejected_rows"]``, and every other row is tracked.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from iadsim.errors import InputDataError
from iadsim.scenario.tracking_spec import TrackingSpec
from iadsim.sensors.batch import DetectionBatch, SensorGeometry
from iadsim.tracking.batch import TrackBatch
from iadsim.tracking.detection_table import AngleUnit, AzimuthFrom, read_detections
from iadsim.tracking.tracker import Tracker

TRACK_COLUMNS = (
    "time_s", "track_id", "confirmed", "east_m", "north_m", "up_m", "vel_east_mps",
    "vel_north_mps", "vel_up_mps", "position_sigma_m", "quality", "truth_id",
)


def detections_from_frame(
    frame: pd.DataFrame,
    *,
    angle_unit: AngleUnit,
    azimuth_from: AzimuthFrom,
    sigmas: tuple[float, float, float] | None = None,
    on_bad_rows: Literal["raise", "drop"] = "raise",
    max_coast_s: float = TrackingSpec().max_coast_s,
) -> tuple[DetectionBatch, SensorGeometry, list[int]]:
    """A detection table (see the module docstring) as a batch, its radars, and rejected rows.

    The batch is in iadsim's convention (radians, azimuth clockwise from north, seconds);
    radars measure in the frame of the table (no rotation). Rejected rows are positions
    (0-based) in ``frame``.
    """
    table = read_detections(frame, angle_unit=angle_unit, azimuth_from=azimuth_from,
                            sigmas=sigmas, max_coast_s=max_coast_s, on_bad_rows=on_bad_rows)
    return table.batch, table.geometry, table.rejected_rows


def track_detections(
    frame: pd.DataFrame,
    spec: TrackingSpec | None = None,
    *,
    angle_unit: AngleUnit,
    azimuth_from: AzimuthFrom,
    sigmas: tuple[float, float, float] | None = None,
    initiation_velocity_sigma_mps: tuple[float, float] | None = None,
    process_noise_psd_m2ps3: float | None = None,
    report_times_s: ArrayLike | None = None,
    on_bad_rows: Literal["raise", "drop"] = "raise",
    confirmed_only: bool = True,
) -> pd.DataFrame:
    """Track a table of detections (see the module docstring); the tracks as a DataFrame.

    Parameters
    ----------
    frame
        One row per detection, in stream (time) order.
    spec
        Tracker settings; default ``TrackingSpec()``.
    angle_unit
        ``"rad"`` or ``"deg"``: the unit of the angle and angle-sigma columns (and of
        ``sigmas``), whose names end in it (``azimuth_deg``). Required.
    azimuth_from
        ``"north_clockwise"`` (compass bearing) or ``"east_counterclockwise"`` (mathematical
        angle). Required.
    sigmas
        (range_m, azimuth, elevation) sigmas, angles in ``angle_unit``, for the sigma columns
        the table leaves out; required when it leaves any out.
    initiation_velocity_sigma_mps
        (horizontal, vertical) prior sigma of a new track's velocity; default the spec's
        (``max_speed_mps / 2`` on every axis unless set). For aircraft a vertical prior much
        tighter than the horizontal one (e.g. ``(300, 30)``) is the usual choice.
    process_noise_psd_m2ps3
        Power spectral density ``q`` (m^2/s^3) of the white acceleration of the
        nearly-constant-velocity model (alone, or the IMM's); default the spec's
        (``q = process_noise_accel_mps2**2``). The velocity variance grows by ``q`` per second.
    report_times_s
        Extra times (seconds on the table's time base) at which to report the tracks held,
        e.g. scans that detected nothing.
    on_bad_rows
        ``"raise"``: raise ``InputDataError`` naming every bad row; ``"drop"``: skip them.
    confirmed_only
        Keep only confirmed tracks in the output (default); ``False`` adds the tentative ones.

    Returns
    -------
    pandas.DataFrame
        One row per track after each report time (columns in ``TRACK_COLUMNS``).
    """
    spec = _spec(spec if spec is not None else TrackingSpec(), initiation_velocity_sigma_mps,
                 process_noise_psd_m2ps3)
    table = read_detections(frame, angle_unit=angle_unit, azimuth_from=azimuth_from,
                            sigmas=sigmas, max_coast_s=spec.max_coast_s, on_bad_rows=on_bad_rows)
    times = np.union1d(table.report_times_s, _report_times(report_times_s))
    batch = table.batch
    tracker = Tracker(spec, table.geometry)
    parts: list[pd.DataFrame] = []
    at = np.searchsorted(batch.time_s, times, side="right")  # batch times never decrease
    start = 0
    for t, stop in zip(times.tolist(), at.tolist(), strict=True):
        tracks = tracker.step(batch.take(np.arange(start, stop)), float(t)).tracks
        start = stop
        if confirmed_only:
            tracks = tracks.take(tracks.confirmed)
        parts.append(tracks_frame(tracks))
    out = pd.concat(parts, ignore_index=True) if parts else tracks_frame(TrackBatch.empty())
    if table.time_origin is not None:
        out["time"] = table.time_origin + pd.to_timedelta(out["time_s"], unit="s")
    out.attrs["rejected_rows"] = table.rejected_rows
    # ISO text, so that the frame still writes to parquet (attrs go there as JSON)
    out.attrs["time_origin"] = None if table.time_origin is None else \
        table.time_origin.isoformat()
    return out


def _spec(spec: TrackingSpec, velocity: tuple[float, float] | None,
          psd: float | None) -> TrackingSpec:
    """``spec`` with the API's explicit overrides (validated as the spec's own fields)."""
    update: dict[str, float] = {}
    if velocity is not None:
        if len(velocity) != 2:
            raise InputDataError("initiation_velocity_sigma_mps must be (horizontal, vertical) "
                                 f"(got {velocity!r})")
        update["initiation_velocity_sigma_horizontal_mps"] = float(velocity[0])
        update["initiation_velocity_sigma_vertical_mps"] = float(velocity[1])
    if psd is not None:
        if not np.isfinite(psd) or psd <= 0.0:
            raise InputDataError(f"process_noise_psd_m2ps3 must be > 0 (got {psd!r})")
        update["process_noise_accel_mps2"] = update["imm_cv_process_noise_accel_mps2"] = \
            float(np.sqrt(psd))
    if not update:
        return spec
    try:
        return TrackingSpec.model_validate({**spec.model_dump(), **update})
    except ValueError as err:
        raise InputDataError(f"tracker settings: {err}") from None


def _report_times(times: ArrayLike | None) -> np.ndarray:
    if times is None:
        return np.empty(0)
    try:
        t = np.asarray(times, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputDataError("report_times_s must be numbers (seconds)") from None
    if not np.all(np.isfinite(t)):
        raise InputDataError(f"report_times_s must be finite (got {t[~np.isfinite(t)][:3]})")
    return t


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
