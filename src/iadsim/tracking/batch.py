"""The tracking stage's output: one row per live track (struct of arrays)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class TrackBatch:
    """The track picture at one time, one row per track.

    State order is (east, north, up, v_east, v_north, v_up) in scenario ENU, metres and m/s.
    ``truth_id`` is the threat the track follows best (most associated true detections); it is
    for scoring only and must never drive a decision. -1 when a track follows clutter.
    """

    time_s: NDArray[np.float64]  # (n,) time the state refers to
    track_id: NDArray[np.int64]  # (n,) integer ids, in order of creation
    position_enu_m: NDArray[np.float64]  # (n, 3)
    velocity_enu_mps: NDArray[np.float64]  # (n, 3)
    covariance: NDArray[np.float64]  # (n, 6, 6)
    confirmed: NDArray[np.bool_]  # (n,)
    quality: NDArray[np.float64]  # (n,) track quality score in [0, 1]
    truth_id: NDArray[np.int64]  # (n,)
    last_hit_s: NDArray[np.float64] | None = None
    """(n, S): last time radar ``s`` updated each track (-inf: never); None when not known."""
    recent_truth_id: NDArray[np.int64] | None = None
    """(n,): the threat behind the track's latest true detection (-1: none yet), which may differ
    from ``truth_id`` once the track has been carried onto another threat; for booking a round
    at launch only (``engagement.launch``), never for a decision. None when not known."""
    kappa_m2_per_t: NDArray[np.float64] | None = None
    """(n,): the drag filter's estimate of ``1000 / beta`` (m2 per tonne, ``beta`` the ballistic
    coefficient) of a re-entering track (``tracking.ballistic_filter``); NaN where it does not
    run. None when not known."""
    kappa_sigma_m2_per_t: NDArray[np.float64] | None = None
    """(n,): the standard deviation of ``kappa_m2_per_t`` (NaN where it does not run)."""

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    @classmethod
    def empty(cls) -> TrackBatch:
        """A picture with no tracks."""
        return cls(
            time_s=np.empty(0),
            track_id=np.empty(0, dtype=np.int64),
            position_enu_m=np.empty((0, 3)),
            velocity_enu_mps=np.empty((0, 3)),
            covariance=np.empty((0, 6, 6)),
            confirmed=np.empty(0, dtype=bool),
            quality=np.empty(0),
            truth_id=np.empty(0, dtype=np.int64),
        )

    def take(self, index: NDArray[np.intp] | NDArray[np.bool_]) -> TrackBatch:
        """Rows selected by an integer index or boolean mask."""
        return TrackBatch(**{f.name: None if getattr(self, f.name) is None
                             else getattr(self, f.name)[index] for f in fields(self)})

    def position_sigma_m(self) -> NDArray[np.float64]:
        """RMS position standard deviation per track, sqrt(trace(P_pos) / 3), ``(n,)``."""
        return np.sqrt(np.trace(self.covariance[:, :3, :3], axis1=1, axis2=2) / 3.0)
