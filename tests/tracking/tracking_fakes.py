"""Fakes of the neighbouring stages for the tracking tests: a radar that sees given truths."""

from __future__ import annotations

import numpy as np

from iadsim.sensors.batch import DetectionBatch, SensorGeometry
from iadsim.world.frames import enu_to_aer


def single_radar(position_enu_m: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> SensorGeometry:
    """One radar, its local frame aligned with the scenario frame."""
    return SensorGeometry(np.array([position_enu_m], dtype=float), np.eye(3)[None].copy())


def scan(
    truth_enu_m: np.ndarray,
    time_s: float,
    geometry: SensorGeometry,
    *,
    rng: np.random.Generator,
    sensor_id: int = 0,
    pd: float = 1.0,
    false_alarms: int = 0,
    range_sigma_m: float = 20.0,
    angle_sigma_rad: float = 1e-3,
    max_range_m: float = 100_000.0,
    truth_ids: np.ndarray | None = None,
) -> DetectionBatch:
    """One scan of a fake radar: noisy (range, az, el) of each truth with Pd, plus clutter."""
    n = len(truth_enu_m)
    ids = np.arange(n) if truth_ids is None else np.asarray(truth_ids)
    rot = geometry.rotation_to_local[sensor_id]
    local = (np.asarray(truth_enu_m, float) - geometry.position_enu_m[sensor_id]) @ rot.T
    r, a, e = enu_to_aer(local)
    seen = rng.random(n) < pd
    k = int(seen.sum())
    rr = np.concatenate([r[seen] + rng.normal(0, range_sigma_m, k),
                         rng.uniform(1_000.0, max_range_m, false_alarms)])
    aa = np.concatenate([a[seen] + rng.normal(0, angle_sigma_rad, k),
                         rng.uniform(0.0, 2 * np.pi, false_alarms)])
    ee = np.concatenate([e[seen] + rng.normal(0, angle_sigma_rad, k),
                         rng.uniform(0.0, 0.3, false_alarms)])
    m = len(rr)
    return DetectionBatch(
        time_s=np.full(m, float(time_s)),
        sensor_id=np.full(m, sensor_id, dtype=np.int32),
        range_m=rr,
        azimuth_rad=aa,
        elevation_rad=ee,
        range_sigma_m=np.full(m, range_sigma_m),
        azimuth_sigma_rad=np.full(m, angle_sigma_rad),
        elevation_sigma_rad=np.full(m, angle_sigma_rad),
        snr_db=np.full(m, np.nan),
        truth_id=np.concatenate([ids[seen], np.full(false_alarms, -1)]).astype(np.int64),
    )
