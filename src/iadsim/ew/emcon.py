"""EW: emission control. Per-radar policy and state -> which radars emit in a step.

In: each radar's policy (``always``, ``blink`` on/off schedule from t = 0, ``shutdown_on_arm``
silence for ``shutdown_s`` once an ARM aimed at it comes within ``arm_warning_range_m``, ``cued``
only while a confirmed track is within its cue range), the
ARMs' distances to their target radars, and which radars are destroyed. Out: the emitting mask
of the step, the time each radar emitted and when it last emitted (an ARM's miss grows with
the silence since then).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from iadsim.scenario.ew_spec import RadarEwSpec

POLICIES = ("always", "blink", "shutdown_on_arm", "cued")


class EmissionState:
    """Emission policy and state of every radar, arrays (m,) indexed by sensor id."""

    def __init__(self, names: list[str], specs: list[RadarEwSpec]) -> None:
        by_name = {s.name: s for s in specs}
        ew = [by_name.get(n, RadarEwSpec(name=n)) for n in names]
        self.names = list(names)
        self.policy = np.array([POLICIES.index(s.emission) for s in ew], np.int8)
        self.blink_on_s = np.array([s.blink_on_s for s in ew])
        self.blink_off_s = np.array([s.blink_off_s for s in ew])
        self.warning_range_m = np.array([s.arm_warning_range_m for s in ew])
        self.shutdown_s = np.array([s.shutdown_s for s in ew])
        m = len(names)
        self.silent_until_s = np.full(m, -np.inf)
        self.destroyed_s = np.full(m, np.nan)
        self.emit_time_s = np.zeros(m)
        self.last_emit_s = np.zeros(m)  # an ARM is fired at a radar seen emitting
        self.emitting = np.ones(m, bool)

    def step(self, start_s: float, end_s: float, arm_distance_m: NDArray[np.float64],
             cued: NDArray[np.bool_] | None = None) -> NDArray[np.bool_]:
        """Decide who emits in ``(start_s, end_s]``; ``arm_distance_m`` (m,): nearest live ARM
        aimed at each radar (inf: none); ``cued`` (m,): a confirmed track within each radar's
        cue range (None: none). Returns the emitting mask (m,)."""
        warned = (self.policy == POLICIES.index("shutdown_on_arm")) & (
            arm_distance_m <= self.warning_range_m)
        self.silent_until_s[warned] = start_s + self.shutdown_s[warned]
        period = self.blink_on_s + self.blink_off_s
        blink_on = np.mod(start_s, period) < self.blink_on_s
        on = np.where(self.policy == POLICIES.index("blink"), blink_on, True)
        cue = np.zeros(on.shape, bool) if cued is None else np.asarray(cued, bool)
        on &= (self.policy != POLICIES.index("cued")) | cue
        on &= start_s >= self.silent_until_s
        on &= np.isnan(self.destroyed_s)
        self.emitting = on
        self.emit_time_s[on] += end_s - start_s
        self.last_emit_s[on] = end_s
        return on

    def destroy(self, sensor_id: int, time_s: float) -> None:
        """A radar hit: silent (and blind) for the rest of the run."""
        if np.isnan(self.destroyed_s[sensor_id]):
            self.destroyed_s[sensor_id] = time_s
