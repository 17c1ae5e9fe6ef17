"""World stage: aircraft that evade when a missile is inbound (break turn and descent).

In: the rows of threat groups with an ``evasion`` spec, and each step the threats that an
interceptor in flight is aimed at. Out: for evading rows, the plane position (tangent-plane
metres, east/north) and height that replace the planned path from the break on.

The manoeuvre, within ``max_load_factor_g`` (n): a turn through ``turn_deg`` at constant
horizontal speed, then straight on; at the same time a descent to ``floor_altitude_m`` that
starts (push-over) and ends (pull-out) with the vertical acceleration ``a_v`` and holds
``descent_rate_mps`` in between. The load factor is ``|a + g up| / g`` (a: the kinematic
acceleration); it is largest in the pull-out, where the vertical part is ``g + a_v``, so the
turn uses the horizontal acceleration ``a_h = sqrt((n g)^2 - (g + a_v)^2)`` throughout and the
true load factor never exceeds n (the scenario requires ``a_v < g (n - 1)``). The draw (evade
or not, and the turn's side) is made once per aircraft, at the first missile inbound, from the
world's own generator. The issue's other trigger, illumination by fire control, is not modelled
apart: the command fires every engagement order in the step it plans it
(``engagement.launch.launch_orders``), so a fire-control lock on the aircraft's track and the
missile inbound start in the same step and a separate lock trigger would change nothing. A
fire-control radar that tracks before it fires (a lock earlier than the launch) would need
that lock time from the sensors stage, which this module does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from iadsim.world.frames import GRAVITY_MPS2


@dataclass(frozen=True, slots=True)
class EvasionParams:
    """Per evading-capable row (k,): probability, load factor, turn, descent, floor, a_v."""

    rows: NDArray[np.intp]
    probability: NDArray[np.float64]
    max_load_factor_g: NDArray[np.float64]
    turn_rad: NDArray[np.float64]
    descent_rate_mps: NDArray[np.float64]
    floor_altitude_m: NDArray[np.float64]
    vertical_accel_mps2: NDArray[np.float64]


class Evasion:
    """Which rows are evading since when, from which plane state (mutable world state)."""

    def __init__(self, params: EvasionParams) -> None:
        k = params.rows.shape[0]
        self.params = params
        self.decided = np.zeros(k, bool)
        self.start_s = np.full(k, np.nan)
        self.sense = np.ones(k)
        self.plane0_m = np.zeros((k, 2))
        self.direction0 = np.zeros((k, 2))
        self.height0_m = np.zeros(k)
        self.speed_mps = np.ones(k)

    @property
    def rows(self) -> NDArray[np.intp]:
        return self.params.rows

    def draw(self, engaged: NDArray[np.int64], time_s: float, *, rng: np.random.Generator
             ) -> NDArray[np.intp]:
        """Decide, once each, for capable rows among ``engaged`` ids; indices (into ``rows``)
        of those that break now. One uniform and one side draw per new decision, in row order."""
        new = np.flatnonzero(np.isin(self.rows, engaged) & ~self.decided)
        if new.size == 0:
            return new
        u = rng.random((new.size, 2))
        self.decided[new] = True
        yes = u[:, 0] < self.params.probability[new]
        go = new[yes]
        self.sense[go] = np.where(u[yes, 1] < 0.5, 1.0, -1.0)
        self.start_s[go] = time_s
        return go

    def begin(self, idx: NDArray[np.intp], plane_m: NDArray[np.float64],
              direction: NDArray[np.float64], height_m: NDArray[np.float64],
              speed_mps: NDArray[np.float64]) -> None:
        """Store the planned state (at the break) of rows ``idx`` (into ``rows``)."""
        self.plane0_m[idx], self.direction0[idx] = plane_m, direction
        self.height0_m[idx], self.speed_mps[idx] = height_m, np.maximum(speed_mps, 1e-6)

    def plane_state(self, time_s: NDArray[np.float64]
                    ) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64]]:
        """Evading rows at ``time_s`` (k,) (per capable row): the ``rows`` indices that have
        broken by then, their plane positions (m, 2) and heights (m,)."""
        on = np.flatnonzero(np.isfinite(self.start_s) & (time_s >= self.start_s))
        p = self.params
        tau = np.asarray(time_s, float)[on] - self.start_s[on]
        v, s = self.speed_mps[on], self.sense[on]
        a_v = p.vertical_accel_mps2[on]
        a_h = horizontal_accel_mps2(p.max_load_factor_g[on], a_v)
        w = a_h / v
        t_turn = p.turn_rad[on] / w
        d0 = self.direction0[on]
        n0 = s[:, None] * np.stack([-d0[:, 1], d0[:, 0]], axis=1)
        ta = np.minimum(tau, t_turn)
        r = (v / w)[:, None]
        arc = self.plane0_m[on] + r * (np.sin(w * ta)[:, None] * d0
                                       + (1.0 - np.cos(w * ta))[:, None] * n0)
        d_end = np.cos(w * t_turn)[:, None] * d0 + np.sin(w * t_turn)[:, None] * n0
        plane = arc + (v * np.maximum(tau - t_turn, 0.0))[:, None] * d_end
        drop = descent_m(tau, np.maximum(self.height0_m[on] - p.floor_altitude_m[on], 0.0),
                         p.descent_rate_mps[on], a_v)
        return on, plane, self.height0_m[on] - drop


def horizontal_accel_mps2(load_factor_g: NDArray[np.float64], vertical_accel_mps2: NDArray[np.float64]
                          ) -> NDArray[np.float64]:
    """Turn acceleration that keeps ``|a + g up| <= n g`` in the pull-out (vertical g + a_v)."""
    n_g = GRAVITY_MPS2 * load_factor_g
    return np.sqrt(np.maximum(n_g**2 - (GRAVITY_MPS2 + vertical_accel_mps2) ** 2, 1e-9))


def descent_m(tau_s: NDArray[np.float64], total_m: NDArray[np.float64],
              rate_mps: NDArray[np.float64], accel_mps2: NDArray[np.float64]
              ) -> NDArray[np.float64]:
    """Height lost after ``tau_s`` of a descent of ``total_m``: accelerate down at ``accel``
    to ``rate`` (or less if the drop is short), hold it, decelerate to level at the floor."""
    a = np.maximum(accel_mps2, 1e-9)
    peak = np.minimum(rate_mps, np.sqrt(total_m * a))  # triangular profile if the drop is short
    t1 = peak / a
    cruise = np.where(peak > 0, (total_m - peak * t1) / np.maximum(peak, 1e-9), 0.0)
    t2 = t1 + cruise
    t = np.clip(tau_s, 0.0, t2 + t1)
    first = 0.5 * a * np.minimum(t, t1) ** 2
    middle = peak * np.clip(t - t1, 0.0, cruise)
    last_t = np.clip(t - t2, 0.0, t1)
    last = peak * last_t - 0.5 * a * last_t**2
    return np.minimum(first + middle + last, total_m)
