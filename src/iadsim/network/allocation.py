"""Cross-unit allocation at the higher command: which fire unit engages which system track.

In: the fused picture (positions and velocities), each track's value and threatened asset, and
per unit: whether it may take the track (it holds it, or engage-on-remote lets it fire on
another unit's track; it is operational and under central control), its zone of
responsibility (defended assets), its launchers (position, reach of the class, rounds left)
and its free fire-control channels. Out: the unit(s) allocated to each track (-1: none).

A unit can engage a track when one of its launchers with rounds left is within the class's
maximum range of the track's ground-plane closest point of approach ahead of it (the
envelope in the horizontal plane: the unit's command plans the real intercept); the cost of
the pair is that range over the class's reach (the unit the threat passes closest to, relative
to its reach, engages). An allocation stands while the unit can still engage the track (no
hand-over in mid-engagement: that is what keeps two units from engaging one threat), and
while the unit has a round in flight or an assessment pending even where it could not shoot
again (``hold``: out of rounds, out of its zone, tearing down). The new
pairs are one linear assignment over (track, channel slot): each unit offers as many slots as
free channels, and the tracks of highest value are served first when slots are short.
``per_threat`` > 1 allocates that many different units to each track (the doctrine asks for
it); the default 1 means no double engagement.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

_INFEASIBLE = 1e9


def cpa_range_m(track_pos: NDArray[np.float64], track_vel: NDArray[np.float64],
                site_pos: NDArray[np.float64]) -> NDArray[np.float64]:
    """Ground-plane range (n, L) from each site to each track's closest point ahead."""
    p = track_pos[:, None, :2] - site_pos[None, :, :2]
    v = track_vel[:, None, :2]
    vv = np.maximum(np.sum(v * v, axis=2), 1e-9)
    t = np.maximum(-np.sum(p * v, axis=2) / vv, 0.0)
    return np.linalg.norm(p + v * t[..., None], axis=2)


def unit_costs(track_pos: NDArray[np.float64], track_vel: NDArray[np.float64],
               launcher_unit: NDArray[np.intp], launcher_pos: NDArray[np.float64],
               launcher_reach_m: NDArray[np.float64], n_units: int) -> NDArray[np.float64]:
    """Best (range / reach) over each unit's launchers with rounds, (n, u); inf: cannot."""
    n = len(track_pos)
    out = np.full((n, n_units), np.inf)
    if n == 0 or len(launcher_pos) == 0:
        return out
    ratio = cpa_range_m(track_pos, track_vel, launcher_pos) / np.maximum(launcher_reach_m, 1e-9)
    ratio = np.where((launcher_reach_m > 0.0)[None, :] & (ratio <= 1.0), ratio, np.inf)
    for u in range(n_units):
        mine = launcher_unit == u
        if mine.any():
            out[:, u] = ratio[:, mine].min(axis=1)
    return out


def allocate(cost: NDArray[np.float64], may_take: NDArray[np.bool_],
             capacity: NDArray[np.int64], value: NDArray[np.float64],
             previous: NDArray[np.int64], per_threat: int = 1,
             hold: NDArray[np.bool_] | None = None) -> NDArray[np.int64]:
    """Units allocated to each track, (n, per_threat), -1 where none.

    ``cost`` (n, u) from :func:`unit_costs`; ``may_take`` (n, u) the zone, control and
    picture rules; ``capacity`` (u,) free channels (before the standing allocations);
    ``value`` (n,) track values; ``previous`` (n, per_threat) the standing allocation;
    ``hold`` (n, per_threat) the standing allocations kept even where no longer feasible (the
    unit has a round in flight or an assessment pending: it keeps the threat until then).
    """
    n, n_units = cost.shape
    out = np.full((n, per_threat), -1, np.int64)
    if n == 0 or n_units == 0:
        return out
    feasible = np.isfinite(cost) & may_take
    cap = np.asarray(capacity, np.int64).copy()
    prev = np.asarray(previous, np.int64).reshape(n, per_threat)
    for k in range(per_threat):  # standing allocations first
        u = prev[:, k]
        keep = (u >= 0) & feasible[np.arange(n), np.maximum(u, 0)]
        if hold is not None:
            keep |= (u >= 0) & np.asarray(hold, bool).reshape(n, per_threat)[:, k]
        out[keep, k] = u[keep]
    for u in range(n_units):
        cap[u] -= int(np.sum(out == u))
    top = max(float(np.max(value, initial=0.0)), 1e-12)
    for k in range(per_threat):
        rows = np.flatnonzero(out[:, k] < 0)
        if rows.size == 0:
            continue
        taken = np.zeros((rows.size, n_units), bool)
        for j in range(per_threat):
            got = out[rows, j]
            taken[np.flatnonzero(got >= 0), got[got >= 0]] = True
        ok = feasible[rows] & ~taken
        slots = np.repeat(np.arange(n_units), np.clip(cap, 0, rows.size))
        if slots.size == 0 or not ok.any():
            continue
        c = cost[rows][:, slots] - 2.0 * (value[rows] / top)[:, None]
        c = np.where(ok[:, slots], c, _INFEASIBLE)
        r, s = linear_sum_assignment(c)
        good = c[r, s] < _INFEASIBLE / 2
        out[rows[r[good]], k] = slots[s[good]]
        for u in slots[s[good]].tolist():
            cap[u] -= 1
    return out
