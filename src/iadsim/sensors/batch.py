"""The radar stage's output: one row per detection (struct of arrays)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class DetectionBatch:
    """Detections from any number of radars, one row per detection.

    Angles are in the detecting radar's own local ENU frame (see ``iadsim.world.frames``).
    The sigmas are the measurement's own standard deviations (they grow as SNR falls).
    """

    time_s: NDArray[np.float64]  # (n,)
    sensor_id: NDArray[np.int32]  # (n,)
    range_m: NDArray[np.float64]  # (n,)
    azimuth_rad: NDArray[np.float64]  # (n,)
    elevation_rad: NDArray[np.float64]  # (n,)
    range_sigma_m: NDArray[np.float64]  # (n,)
    azimuth_sigma_rad: NDArray[np.float64]  # (n,)
    elevation_sigma_rad: NDArray[np.float64]  # (n,)
    snr_db: NDArray[np.float64]  # (n,), NaN for a false alarm's unknown SNR
    truth_id: NDArray[np.int64]  # (n,), -1 for a false alarm

    def __len__(self) -> int:
        return int(self.time_s.shape[0])

    @classmethod
    def empty(cls) -> DetectionBatch:
        """A batch with no rows."""
        return cls(**{f.name: np.empty(0, dtype=_DTYPES[f.name]) for f in fields(cls)})

    @classmethod
    def concatenate(cls, batches: list[DetectionBatch]) -> DetectionBatch:
        """Rows of all batches, in order."""
        full = [b for b in batches if len(b)]  # most radars' sweeps of a step see nothing
        if len(full) == 1 and all(getattr(full[0], n).dtype == t for n, t in _DTYPES.items()):
            return full[0]  # batches are immutable: the one with rows is the concatenation
        if not full:
            return cls.empty()
        return cls(**{n: np.concatenate([getattr(b, n) for b in full]).astype(t, copy=False)
                      for n, t in _DTYPES.items()})

    def take(self, index: NDArray[np.intp] | NDArray[np.bool_]) -> DetectionBatch:
        """Rows selected by an integer index or boolean mask."""
        return DetectionBatch(**{n: getattr(self, n)[index] for n in _DTYPES})

    def seen_before(self, gone_s: NDArray[np.float64]) -> DetectionBatch:
        """The rows whose threat still existed at their time: a return of threat ``i`` after
        ``gone_s[i]`` (the time it was destroyed or ended, NaN while it flies) is dropped, as
        are none of the false alarms (``truth_id`` -1)."""
        tid = self.truth_id
        if len(tid) == 0 or not np.isfinite(gone_s).any():
            return self
        real = tid >= 0
        late = np.zeros(len(tid), bool)
        late[real] = self.time_s[real] > gone_s[tid[real]]  # NaN: never gone, never late
        return self if not late.any() else self.take(~late)


_DTYPES = {
    "time_s": np.float64,
    "sensor_id": np.int32,
    "range_m": np.float64,
    "azimuth_rad": np.float64,
    "elevation_rad": np.float64,
    "range_sigma_m": np.float64,
    "azimuth_sigma_rad": np.float64,
    "elevation_sigma_rad": np.float64,
    "snr_db": np.float64,
    "truth_id": np.int64,
}


@dataclass(frozen=True, slots=True)
class SensorGeometry:
    """Where the radars stand: what a tracker needs to turn a detection into ENU.

    Row ``i`` describes the radar with ``sensor_id == i``.
    """

    position_enu_m: NDArray[np.float64]  # (m, 3) antenna phase centre in scenario ENU
    rotation_to_local: NDArray[np.float64]  # (m, 3, 3) scenario ENU -> radar local ENU
    # (m,) the revisit of a rotating radar (its scan period), which its tracker knows rather
    # than learns; NaN (or None: every radar) where it varies per track (multifunction)
    revisit_s: NDArray[np.float64] | None = None

    def detections_to_enu(self, detections: DetectionBatch) -> NDArray[np.float64]:
        """Measured positions of the detections in scenario ENU, ``(n, 3)``."""
        from iadsim.world.frames import aer_to_enu

        local = aer_to_enu(detections.range_m, detections.azimuth_rad, detections.elevation_rad)
        sid = detections.sensor_id
        rotated = np.einsum("nji,nj->ni", self.rotation_to_local[sid], local)
        return self.position_enu_m[sid] + rotated
