"""Firing doctrine and the command cycle: which tracks may be engaged now, and with what.

Shoot-look-shoot: one interceptor per track at a time; after its intercept the track waits
``kill_assessment_s`` for the outcome to be seen, then may be engaged again while time allows.
A track becomes engageable ``reaction_time_s`` after it is first confirmed.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.command.assignment import assign_greedy
from iadsim.command.threat_evaluation import evaluate_threats
from iadsim.engagement.interceptors import EngagementOrder, InterceptorFlights
from iadsim.engagement.launchers import InterceptorClasses, Launchers
from iadsim.scenario.command_spec import CommandSpec
from iadsim.tracking.batch import TrackBatch
from iadsim.world.frames import Origin


class CommandCentre:
    """Threat evaluation and weapon assignment every ``cycle_s``, under the doctrine."""

    def __init__(
        self, spec: CommandSpec, classes: InterceptorClasses, origin: Origin,
        asset_position_enu_m: NDArray[np.float64], asset_value: NDArray[np.float64],
        asset_radius_m: NDArray[np.float64],
    ) -> None:
        self.spec = spec
        self.classes = classes
        self.origin = origin
        self.asset_position_enu_m = asset_position_enu_m
        self.asset_value = asset_value
        self.asset_radius_m = asset_radius_m
        self._confirmed_at: dict[int, float] = {}
        self._next_cycle_s = 0.0

    def note_confirmed(self, track_ids: NDArray[np.int64], time_s: float) -> None:
        """Start the reaction clock of newly confirmed tracks."""
        for tid in track_ids.tolist():
            self._confirmed_at.setdefault(int(tid), time_s)

    def busy_tracks(self, flights: InterceptorFlights, time_s: float) -> NDArray[np.int64]:
        """Tracks with an interceptor in flight or an outcome not yet assessed."""
        busy = (~flights.resolved) | (
            flights.intercept_time_s + self.spec.kill_assessment_s > time_s
        )
        return np.unique(flights.track_id[busy])

    def cycle(
        self, time_s: float, tracks: TrackBatch, launchers: Launchers,
        flights: InterceptorFlights,
    ) -> list[EngagementOrder]:
        """Orders for this time, or none between command cycles."""
        if time_s + 1e-9 < self._next_cycle_s or len(tracks) == 0:
            return []
        self._next_cycle_s = time_s + self.spec.cycle_s
        confirmed_at = np.array(
            [self._confirmed_at.get(int(t), np.inf) for t in tracks.track_id.tolist()]
        )
        eligible = (
            tracks.confirmed
            & (time_s - confirmed_at >= self.spec.reaction_time_s)
            & ~np.isin(tracks.track_id, self.busy_tracks(flights, time_s))
        )
        if not eligible.any():
            return []
        assessment = evaluate_threats(
            tracks, self.asset_position_enu_m, self.asset_value, self.asset_radius_m
        )
        return assign_greedy(
            tracks, assessment, eligible, launchers.available(time_s),
            launchers.position_enu_m, launchers.class_index, self.classes, time_s, self.origin,
        )
