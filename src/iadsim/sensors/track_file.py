"""Sensors stage: the multifunction radar's own track file (no truth).

In: the radar's detections, converted to its local ENU (metres, east-north-up at the antenna),
and its held tracks' last states. Out: predicted pointing positions for its dwells, which
search detections belong to which held track, and the tracks' updated states. The radar runs
this on its own detections only: a dwell points where the track predicts the target, so a
bad prediction points the beam off the target and the dwell misses.

The estimator is a fixed-gain alpha-beta filter per axis (Bar-Shalom, Li and Kirubarajan,
*Estimation with Applications to Tracking and Navigation*, sec. 6.5), enough to steer a
pencil beam; the fusion tracker (``iadsim.tracking``) keeps the full covariances. A track
with one detection has no velocity; its second detection sets it by the difference.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

ALPHA, BETA = 0.5, 0.2
"""Position and velocity gains of the pointing filter: stable but underdamped (poles of
``z^2 + (alpha + beta - 2) z + 1 - alpha`` at |z| = 0.71, complex); critically damped for
alpha 0.5 would be beta 0.086, Benedict-Bordner 0.167 (Brookner, *Tracking and Kalman
Filtering Made Easy*, ch. 1)."""
DUPLICATE_M = 300.0
"""Two held tracks closer than this follow one target: the younger is dropped (else both
dwell on it, and the fusion tracker gets two detections of one target in one scan)."""
MIN_BASELINE_S = 0.5
"""Shortest time between two detections that updates the velocity."""
GATE_SIGMAS = 4.0
"""Search detection to held track: within this many of the detection's position sigmas of
the prediction ..."""
GATE_SPEED_MPS = 400.0
"""... plus this speed times the time since the track's last update."""


def local_from_polar(range_m: Array, azimuth_rad: Array, elevation_rad: Array) -> Array:
    """Radar-local ENU (n, 3) of measured range, azimuth (from north, clockwise), elevation."""
    ground = range_m * np.cos(elevation_rad)
    return np.column_stack(
        [ground * np.sin(azimuth_rad), ground * np.cos(azimuth_rad),
         range_m * np.sin(elevation_rad)]
    )


def predict(position_m: Array, velocity_mps: Array, state_s: Array, time_s: Array) -> Array:
    """Positions (k, 3) of tracks moved from their state times to ``time_s`` (k,)."""
    dt = (np.asarray(time_s, float) - state_s)[:, None]
    out: Array = position_m + velocity_mps * dt
    return out


def update(
    position_m: Array, velocity_mps: Array, state_s: Array, updates: NDArray[np.int64],
    measured_m: Array, time_s: Array,
) -> tuple[Array, Array, Array, NDArray[np.int64]]:
    """Alpha-beta update of tracks (rows given) with one measurement each, all (k, ...)."""
    dt = np.maximum(time_s - state_s, 0.0)[:, None]
    pred = position_m + velocity_mps * dt
    resid = measured_m - pred
    # Two detections closer in time than MIN_BASELINE_S say nothing of the velocity: average
    # the positions and keep the velocity (and the count, for a track without one yet).
    short = dt < MIN_BASELINE_S
    second = (updates == 1)[:, None] & ~short  # velocity from the first two detections
    safe_dt = np.maximum(dt, MIN_BASELINE_S)
    new_pos = np.where(second, measured_m, pred + ALPHA * resid)
    new_vel = np.where(second, (measured_m - position_m) / safe_dt,
                       np.where(short, velocity_mps, velocity_mps + BETA / safe_dt * resid))
    counted = np.where((updates == 1) & short[:, 0], updates, updates + 1)
    return new_pos, new_vel, np.asarray(time_s, float).copy(), counted


def position_sigma_m(range_m: Array, range_sigma_m: Array, azimuth_sigma_rad: Array,
                     elevation_sigma_rad: Array) -> Array:
    """RMS 3-D position sigma (n,) of detections from their polar sigmas."""
    out: Array = np.sqrt(range_sigma_m**2 + (range_m * azimuth_sigma_rad) ** 2
                         + (range_m * elevation_sigma_rad) ** 2)
    return out


def associate(
    predicted_m: Array, age_s: Array, measured_m: Array, sigma_m: Array
) -> NDArray[np.intp]:
    """For each measurement (m,) the held track (of k) it falls in the gate of, nearest first;
    -1 for none. ``predicted_m`` (m, k, 3) are the tracks predicted to each measurement's
    time, ``age_s`` (m, k) the times since their last update, ``sigma_m`` (m,) the
    measurements' position sigmas."""
    if predicted_m.shape[1] == 0 or measured_m.shape[0] == 0:
        return np.full(measured_m.shape[0], -1, np.intp)
    d = np.linalg.norm(predicted_m - measured_m[:, None, :], axis=2)
    gate = GATE_SIGMAS * sigma_m[:, None] + GATE_SPEED_MPS * np.abs(age_s)
    d = np.where(d <= gate, d, np.inf)
    best = np.argmin(d, axis=1)
    ok = np.isfinite(d[np.arange(d.shape[0]), best])
    return np.where(ok, best, -1).astype(np.intp)


def distinct(measured_m: Array, sigma_m: Array) -> NDArray[np.intp]:
    """Rows of measurements (m, 3) that open new tracks: a later one within ``GATE_SIGMAS``
    of its sigmas (m,) of an earlier kept one is the same target (a loop over the step's few
    new detections)."""
    kept: list[int] = []
    for i in range(measured_m.shape[0]):
        if not kept or np.min(np.linalg.norm(measured_m[kept] - measured_m[i], axis=1)) > (
                GATE_SIGMAS * sigma_m[i]):
            kept.append(i)
    return np.asarray(kept, np.intp)


def duplicates(position_m: Array) -> NDArray[np.bool_]:
    """Tracks (k,) (in the order they were opened) within ``DUPLICATE_M`` of an older one."""
    k = position_m.shape[0]
    if k < 2:
        return np.zeros(k, bool)
    d = np.linalg.norm(position_m[:, None, :] - position_m[None, :, :], axis=2)
    older = np.tril(np.ones((k, k), bool), -1)  # [i, j]: j opened before i
    out: NDArray[np.bool_] = (older & (d < DUPLICATE_M)).any(axis=1)
    return out
