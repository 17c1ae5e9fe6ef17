"""Tracking stage, input edge: a table of detections made elsewhere, checked and converted.

In: a pandas DataFrame, one row per detection (see ``iadsim.tracking.standalone``), with the
angle unit and azimuth convention the caller states. Out: a ``DetectionBatch`` in iadsim's own
convention (radians, azimuth clockwise from north, seconds), the radars' ``SensorGeometry``, the
report times, and the positions of the rows left out.

Everything that is wrong with the table raises ``InputDataError``, never a bare pandas or numpy
error: missing or conflicting columns, values that are not numbers, NaN or infinite values,
non-positive ranges or sigmas, times that go backwards, and values implausible for the stated
units -- angles outside a radian (or degree) range, angle sigmas above ``MAX_ANGLE_SIGMA_RAD``,
scans more than ``MAX_SCAN_GAP_S`` apart (what microseconds or nanoseconds read as seconds give),
and radars whose scans are further apart than the tracker can coast (milliseconds read as
seconds). Row problems name the row; ``InputDataError.rows`` lists them, so
``on_bad_rows="drop"`` can leave them out.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iadsim.errors import InputDataError
from iadsim.sensors.batch import DetectionBatch, SensorGeometry

Array = NDArray[np.float64]
AngleUnit = Literal["rad", "deg"]
AzimuthFrom = Literal["north_clockwise", "east_counterclockwise"]
Flag = Callable[[NDArray[np.intp], str, str, object], None]
"""``flag(rows, column, rule, values)``: note a problem with those rows."""

RADAR_COLUMNS = ("radar_east_m", "radar_north_m", "radar_up_m")
TIME_COLUMNS = ("time_s", "time_ms", "time")
MAX_ANGLE_SIGMA_RAD = float(np.deg2rad(5.0))
"""Widest angle sigma accepted: 5 degrees. A radar measuring worse than that is not a tracking
radar, and a larger figure is almost always a sigma in degrees read as radians."""
MAX_RANGE_SIGMA_M = 10_000.0
MAX_SCAN_GAP_S = 86_400.0
"""Longest gap between consecutive scan times accepted: one day (a datetime read as micro- or
nanoseconds puts scans 1e6-1e9 "seconds" apart)."""
_EPS = 1e-9
RADIAN_LOOKALIKE_ROWS = 20
"""A degree table with at least this many rows, every angle within radian bounds, warns."""


class ImplausibleInputWarning(UserWarning):
    """Input that is legal but looks like a unit mistake (degrees that look like radians)."""


@dataclass(frozen=True, slots=True)
class DetectionTable:
    """A checked detection table in iadsim's convention."""

    batch: DetectionBatch  # kept rows, azimuth clockwise from north in radians, time in s
    geometry: SensorGeometry  # one row per radar id (``batch.sensor_id``)
    radar_ids: NDArray[np.int64]  # the caller's radar id of each geometry row
    report_times_s: Array  # every distinct finite time of the table (rows dropped or not)
    rejected_rows: list[int]  # positions (0-based) of the rows left out
    time_origin: pd.Timestamp | None  # the instant of time_s == 0 for a datetime column


def angle_columns(angle_unit: AngleUnit) -> dict[str, str]:
    """Column names of the angles and their sigmas in ``angle_unit``."""
    u = _unit(angle_unit)
    return {k: f"{k}_{u}" for k in ("azimuth", "elevation", "azimuth_sigma", "elevation_sigma")}


def read_detections(
    frame: pd.DataFrame,
    *,
    angle_unit: AngleUnit,
    azimuth_from: AzimuthFrom,
    sigmas: tuple[float, float, float] | None,
    max_coast_s: float,
    on_bad_rows: Literal["raise", "drop"],
) -> DetectionTable:
    """Check and convert a detection table (see the module docstring)."""
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(f"detections must be a pandas DataFrame (got {type(frame).__name__})")
    if on_bad_rows not in ("raise", "drop"):
        raise InputDataError(f"on_bad_rows must be 'raise' or 'drop' (got {on_bad_rows!r})")
    if azimuth_from not in ("north_clockwise", "east_counterclockwise"):
        raise InputDataError("azimuth_from must be 'north_clockwise' or "
                             f"'east_counterclockwise' (got {azimuth_from!r})")
    names = angle_columns(angle_unit)
    _check_columns(frame, angle_unit, names, sigmas)
    time_name = next(c for c in TIME_COLUMNS if c in frame.columns)
    n = len(frame)
    problems: list[tuple[int, str]] = []
    bad = np.zeros(n, dtype=bool)

    def flag(rows: NDArray[np.intp], name: str, rule: str, values: object) -> None:
        for i in rows.tolist():
            got = values[i] if isinstance(values, np.ndarray) else frame[name].iloc[i]
            got = got.item() if isinstance(got, np.generic) else got
            problems.append((i, f"detections row {i} (index {frame.index[i]!r}): {name} {rule} "
                                f"(got {got!r})"))
        bad[rows] = True

    time_s, origin = _times(frame, time_name, flag)
    cols: dict[str, Array] = {"time": time_s}
    for c in ("range_m", *RADAR_COLUMNS, *names.values()):
        if c in frame.columns:
            cols[c] = _numbers(frame, c, flag)
    scale = 1.0 if angle_unit == "rad" else np.pi / 180.0
    defaults = dict(zip(("range_m", "azimuth", "elevation"), sigmas or (np.nan,) * 3,
                        strict=True))
    range_sigma = (_numbers(frame, "range_sigma_m", flag) if "range_sigma_m" in frame.columns
                   else np.full(n, float(defaults["range_m"])))
    az_sigma = cols.get(names["azimuth_sigma"], np.full(n, float(defaults["azimuth"])))
    el_sigma = cols.get(names["elevation_sigma"], np.full(n, float(defaults["elevation"])))
    checked = {"range_m": cols["range_m"], "range_sigma_m": range_sigma,
               names["azimuth"]: cols[names["azimuth"]],
               names["elevation"]: cols[names["elevation"]],
               names["azimuth_sigma"]: az_sigma, names["elevation_sigma"]: el_sigma,
               **{c: cols[c] for c in RADAR_COLUMNS}}
    flag(np.flatnonzero(~np.isfinite(time_s) & ~bad), time_name, "must be finite", time_s)
    for name, values in checked.items():
        flag(np.flatnonzero(~np.isfinite(values) & ~bad), name, "must be finite", values)
    for name in ("range_m", "range_sigma_m", names["azimuth_sigma"], names["elevation_sigma"]):
        v = checked[name]
        flag(np.flatnonzero(np.isfinite(v) & (v <= 0.0)), name, "must be > 0", v)
    _plausible(checked, names, scale, angle_unit, flag)
    if angle_unit == "deg":
        _radians_as_degrees(checked[names["azimuth"]], checked[names["elevation"]], names)
    _time_order(time_s, time_name, flag)
    radar_id, radar_pos = _radars(frame, cols, flag, bad)
    truth = (_integers(frame, "truth_id", flag, missing_ok=True)
             if "truth_id" in frame.columns else np.full(n, -1, dtype=np.int64))
    if problems and on_bad_rows == "raise":
        rows = np.flatnonzero(bad)
        text = [m for _, m in sorted(problems, key=lambda p: p[0])]
        more = "" if len(text) <= 20 else f"\n... ({len(rows)} bad rows in all)"
        raise InputDataError("\n".join(text[:20]) + more, rows=rows.tolist())
    keep = ~bad
    ids, sensor = np.unique(radar_id[keep], return_inverse=True)
    positions = np.zeros((max(len(ids), 1), 3))
    positions[sensor] = radar_pos[keep]
    azimuth = cols[names["azimuth"]][keep] * scale
    if azimuth_from == "east_counterclockwise":
        azimuth = np.pi / 2.0 - azimuth
    batch = DetectionBatch(
        time_s=time_s[keep], sensor_id=sensor.astype(np.int32).ravel(),
        range_m=cols["range_m"][keep], azimuth_rad=np.mod(azimuth, 2.0 * np.pi),
        elevation_rad=cols[names["elevation"]][keep] * scale,
        range_sigma_m=range_sigma[keep], azimuth_sigma_rad=az_sigma[keep] * scale,
        elevation_sigma_rad=el_sigma[keep] * scale,
        snr_db=np.full(int(keep.sum()), np.nan), truth_id=truth[keep],
    )
    _revisit_check(batch, ids, time_name, max_coast_s)
    m = len(positions)
    geometry = SensorGeometry(positions, np.broadcast_to(np.eye(3), (m, 3, 3)).copy())
    finite = time_s[np.isfinite(time_s)]
    return DetectionTable(batch, geometry, ids.astype(np.int64), np.unique(finite),
                          np.flatnonzero(bad).tolist(), origin)


def _unit(angle_unit: str) -> str:
    if angle_unit not in ("rad", "deg"):
        raise InputDataError(f"angle_unit must be 'rad' or 'deg' (got {angle_unit!r})")
    return angle_unit


def _check_columns(frame: pd.DataFrame, angle_unit: AngleUnit, names: dict[str, str],
                   sigmas: tuple[float, float, float] | None) -> None:
    dup = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if dup:
        raise InputDataError(f"detections: column(s) {', '.join(dup)} given more than once")
    times = [c for c in TIME_COLUMNS if c in frame.columns]
    if len(times) != 1:
        raise InputDataError(
            "detections: give exactly one time column, time_s (seconds, or datetime64), "
            f"time_ms (milliseconds) or time (datetime64) (got {times or 'none'})")
    other = "deg" if angle_unit == "rad" else "rad"
    wrong = [f"{k}_{other}" for k in names if f"{k}_{other}" in frame.columns]
    if wrong:
        raise InputDataError(
            f"detections: column(s) {', '.join(wrong)} do not match angle_unit={angle_unit!r} "
            f"(expected {', '.join(names[k.rsplit('_', 1)[0]] for k in wrong)})")
    required = ("range_m", *RADAR_COLUMNS, names["azimuth"], names["elevation"])
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputDataError(f"detections: missing column(s) {', '.join(missing)}")
    no_sigma = [c for c in ("range_sigma_m", names["azimuth_sigma"], names["elevation_sigma"])
                if c not in frame.columns]
    if no_sigma and sigmas is None:
        raise InputDataError(
            f"detections: no column(s) {', '.join(no_sigma)} and no sigmas argument: give the "
            f"measurement sigmas per row or pass sigmas=(range_m, azimuth, elevation) in "
            f"{angle_unit} (a tracker with the wrong sigmas is confidently wrong)")
    if sigmas is not None:
        values = np.asarray(sigmas, dtype=float) if len(sigmas) == 3 else np.full(1, np.nan)
        limit = MAX_ANGLE_SIGMA_RAD * (1.0 if angle_unit == "rad" else 180.0 / np.pi)
        if (not np.all(np.isfinite(values)) or np.any(values <= 0.0)
                or values[0] > MAX_RANGE_SIGMA_M or np.any(values[1:] > limit)):
            raise InputDataError(
                f"sigmas must be (range_m, azimuth, elevation), each > 0, the range one <= "
                f"{MAX_RANGE_SIGMA_M:g} m and the angles <= {limit:.4g} {angle_unit} "
                f"(5 degrees) (got {sigmas!r})")


def _numbers(frame: pd.DataFrame, name: str, flag: Flag) -> Array:
    """A column as floats; entries that are not numbers are flagged and become NaN."""
    raw = frame[name]
    if pd.api.types.is_bool_dtype(raw) or pd.api.types.is_datetime64_any_dtype(raw) \
            or isinstance(raw.dtype, pd.CategoricalDtype):
        values = np.full(len(raw), np.nan)
        flag(np.arange(len(raw)), name, "must be a number", None)
        return values
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    notnum = np.flatnonzero(np.isnan(values) & raw.notna().to_numpy())
    flag(notnum, name, "must be a number", None)
    return values


def _integers(frame: pd.DataFrame, name: str, flag: Flag,
              missing_ok: bool = False) -> NDArray[np.int64]:
    """A column as integers (-1 where missing, when ``missing_ok``)."""
    values = _numbers(frame, name, flag)
    missing = frame[name].isna().to_numpy() if missing_ok else np.zeros(len(values), bool)
    wrong = np.flatnonzero(~missing & (~np.isfinite(values) | (values != np.round(values))))
    flag(wrong, name, "must be an integer", values)
    return np.where(np.isfinite(values), np.round(values), -1).astype(np.int64)


def _times(frame: pd.DataFrame, name: str, flag: Flag) -> tuple[Array, pd.Timestamp | None]:
    """Times in seconds, and the instant of 0 s for a datetime column (its earliest time)."""
    raw = frame[name]
    if pd.api.types.is_datetime64_any_dtype(raw):
        if isinstance(raw.dtype, pd.DatetimeTZDtype):
            raw = raw.dt.tz_convert("UTC").dt.tz_localize(None)
        stamps = raw.astype("datetime64[ns]")
        ok = stamps.notna().to_numpy()
        values = np.full(len(raw), np.nan)
        flag(np.flatnonzero(~ok), name, "must be a time", None)
        if not ok.any():
            return values, None
        origin = stamps[ok].min()
        values[ok] = (stamps[ok] - origin).dt.total_seconds().to_numpy(float)
        return values, pd.Timestamp(origin)
    if pd.api.types.is_timedelta64_dtype(raw):
        values = raw.dt.total_seconds().to_numpy(dtype=float, na_value=np.nan)
        return values / (1e3 if name == "time_ms" else 1.0), None
    if name == "time":
        raise InputDataError("detections: column time must be datetime64 (numbers need their "
                             f"unit in the name: time_s or time_ms) (got {raw.dtype})")
    values = _numbers(frame, name, flag)
    return (values / 1e3 if name == "time_ms" else values), None


def _plausible(checked: dict[str, Array], names: dict[str, str], scale: float,
               angle_unit: str, flag: Flag) -> None:
    """Values a radar of the stated units cannot give."""
    full, quarter = 2.0 * np.pi / scale, 0.5 * np.pi / scale
    az, el = checked[names["azimuth"]], checked[names["elevation"]]
    hint = " (degrees? pass angle_unit='deg' and name the columns *_deg)" \
        if angle_unit == "rad" else ""
    flag(np.flatnonzero(np.isfinite(az) & (np.abs(az) > full * (1 + _EPS))), names["azimuth"],
         f"must be within +-{full:.6g} {angle_unit}{hint}", az)
    flag(np.flatnonzero(np.isfinite(el) & (np.abs(el) > quarter * (1 + _EPS))),
         names["elevation"], f"must be within +-{quarter:.6g} {angle_unit}{hint}",
         el)
    limit = MAX_ANGLE_SIGMA_RAD / scale
    for key in ("azimuth_sigma", "elevation_sigma"):
        v = checked[names[key]]
        flag(np.flatnonzero(np.isfinite(v) & (v > limit)), names[key],
             f"must be <= {limit:.4g} {angle_unit} (5 degrees; a sigma in degrees?)", v)
    rs = checked["range_sigma_m"]
    flag(np.flatnonzero(np.isfinite(rs) & (rs > MAX_RANGE_SIGMA_M)),
         "range_sigma_m", f"must be <= {MAX_RANGE_SIGMA_M:g}", rs)


def _radians_as_degrees(az: Array, el: Array, names: dict[str, str]) -> None:
    """Warn when every angle of a long degree table lies within radian bounds."""
    ok = np.isfinite(az) & np.isfinite(el)
    if ok.sum() >= RADIAN_LOOKALIKE_ROWS and np.all(np.abs(az[ok]) <= 2 * np.pi) \
            and np.all(np.abs(el[ok]) <= np.pi / 2):
        warnings.warn(
            f"detections: every {names['azimuth']} and {names['elevation']} lies within "
            f"+-2 pi and +-pi/2: radians given as degrees? (every target within 6 degrees of "
            "north and 1.6 degrees of the horizon is possible but rare)",
            ImplausibleInputWarning, stacklevel=4)


def _time_order(t: Array, name: str, flag: Flag) -> None:
    """Times never decrease, and no two consecutive scan times are more than a day apart."""
    if not len(t):
        return
    finite_t = np.where(np.isfinite(t), t, -np.inf)
    before = np.maximum.accumulate(np.concatenate([[-np.inf], finite_t[:-1]]))
    flag(np.flatnonzero(np.isfinite(t) & (t < before)), name,
         "goes backwards (earlier than a row before it)", t)
    gap = np.isfinite(t) & np.isfinite(before) & (t - before > MAX_SCAN_GAP_S)
    flag(np.flatnonzero(gap), name,
         f"is more than {MAX_SCAN_GAP_S:g} s after the row before it (times in micro- or "
         "nanoseconds read as seconds?)", t)


def _radars(frame: pd.DataFrame, cols: dict[str, Array], flag: Flag,
            bad: NDArray[np.bool_]) -> tuple[NDArray[np.int64], Array]:
    """Radar id of each row and its position; a radar id must keep one position."""
    pos = np.column_stack([cols[c] for c in RADAR_COLUMNS])
    if "radar" not in frame.columns:
        finite = np.all(np.isfinite(pos), axis=1)
        _, ids = np.unique(np.where(finite[:, None], pos, 0.0), axis=0, return_inverse=True)
        return ids.ravel().astype(np.int64), pos
    ids = _integers(frame, "radar", flag)
    ok = ~bad & np.all(np.isfinite(pos), axis=1)
    if ok.any():
        uniq, first = np.unique(ids[ok], return_index=True)
        ref = pos[ok][first][np.searchsorted(uniq, ids[ok])]
        moved = np.flatnonzero(ok)[np.any(np.abs(pos[ok] - ref) > 1e-6, axis=1)]
        flag(moved, "radar", "has another position in an earlier row (one position "
             "per radar id)", ids)
    return ids, pos


def _revisit_check(batch: DetectionBatch, ids: NDArray[np.int64], time_name: str,
                   max_coast_s: float) -> None:
    """A radar whose scans come further apart than a track can coast tracks nothing."""
    for s in range(len(ids)):
        t = np.unique(batch.time_s[batch.sensor_id == s])
        if len(t) < 3:
            continue
        median = float(np.median(np.diff(t)))
        if median > max_coast_s:
            raise InputDataError(
                f"detections: radar {ids[s]} scans every {median:g} s (median of its "
                f"{time_name} steps), longer than tracking.max_coast_s = {max_coast_s:g} s, so "
                "no track can be held (times in milliseconds? name the column time_ms)")
