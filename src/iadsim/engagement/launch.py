"""Engagement stage: the command's orders become rounds in the air.

In: this cycle's ``EngagementOrder`` list, the launchers, the interceptors in flight and the
track picture the orders were made on. Out: ``Launches`` (one row per round: its order, new
interceptor id and the true threat behind its track, which the end game guides on); the
launchers spend their rounds and the flights gain the new interceptors. Outcomes record it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.engagement.interceptors import EngagementOrder, InterceptorFlights
from iadsim.engagement.launchers import Launchers
from iadsim.tracking.batch import TrackBatch


@dataclass(frozen=True, slots=True)
class Launches:
    """Rounds launched in one step, one row per order (in the orders' order)."""

    orders: tuple[EngagementOrder, ...]
    interceptor_id: NDArray[np.int64]  # (k,)
    target_threat_id: NDArray[np.int64]  # (k,) truth behind each order's track, -1 for none

    def __len__(self) -> int:
        return len(self.orders)


def launch_orders(orders: list[EngagementOrder], launchers: Launchers,
                  flights: InterceptorFlights, tracks: TrackBatch, time_s: float) -> Launches:
    """Fire every order's launcher at ``time_s`` and put its interceptor in flight.

    Each round's true target is the threat behind its track in ``tracks`` (-1 for a false
    track, or a track not in the picture).
    """
    for o in orders:
        launchers.fire(o.launcher, time_s)
    truth_of = dict(zip(tracks.track_id.tolist(), tracks.truth_id.tolist(), strict=True))
    targets = np.array([truth_of.get(o.track_id, -1) for o in orders], np.int64)
    ids = flights.launch(orders, launchers.position_enu_m, launchers.class_index, time_s,
                         target_threat_id=targets)
    return Launches(tuple(orders), ids.astype(np.int64), targets)
