"""Sensors stage: targets a radar cannot resolve become one detection.

In: the (range, azimuth, elevation) and echo power of every target a look illuminates, and the
radar's resolution (range gate, azimuth and elevation beam widths). Out: one merged echo per
occupied resolution cell: the power sum, the power-weighted centroid and the strongest member
(whose truth id the detection carries).

Cells are the radar's own fixed range gates and beam positions: gate ``floor(range /
range_resolution)``, beam ``floor(azimuth / azimuth_resolution)`` and likewise in elevation
(``inf`` resolution for a fan beam that does not measure elevation finely). Targets in one
cell give one echo, so a raid in close formation shows fewer detections than aircraft; targets
in different cells are resolved, as a radar without a plot extractor would report them.
Vectorised: one ``lexsort`` and a few ``bincount`` calls, no loop over targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True, slots=True)
class MergedEchoes:
    """One row per occupied resolution cell, ordered by ``representative_row``.

    ``cell_of_row[i]`` is the row of this batch that input row ``i`` merged into.
    """

    cell_of_row: NDArray[np.intp]  # (n,) input row -> merged row
    representative_row: NDArray[np.intp]  # (m,) strongest input row of each cell
    member_count: NDArray[np.int64]  # (m,)
    range_m: NDArray[np.float64]  # (m,) power-weighted centroid
    azimuth_rad: NDArray[np.float64]  # (m,)
    elevation_rad: NDArray[np.float64]  # (m,)
    power: NDArray[np.float64]  # (m,) sum of member powers (any linear unit, e.g. SNR)

    def __len__(self) -> int:
        return int(self.representative_row.shape[0])


def resolution_cells(
    range_m: ArrayLike,
    azimuth_rad: ArrayLike,
    elevation_rad: ArrayLike,
    *,
    range_resolution_m: float,
    azimuth_resolution_rad: float,
    elevation_resolution_rad: float = np.inf,
) -> NDArray[np.int64]:
    """Integer (gate, azimuth beam, elevation beam) indices, shape ``(n, 3)``."""
    r = np.asarray(range_m, dtype=float)
    az = np.mod(np.asarray(azimuth_rad, dtype=float), 2.0 * np.pi)
    el = np.asarray(elevation_rad, dtype=float)
    cells = np.empty((r.shape[0], 3), dtype=np.int64)
    cells[:, 0] = np.floor(r / range_resolution_m)
    cells[:, 1] = np.floor(az / azimuth_resolution_rad)
    if np.isinf(elevation_resolution_rad):
        cells[:, 2] = 0
    else:
        cells[:, 2] = np.floor((el + 0.5 * np.pi) / elevation_resolution_rad)
    return cells


def _cell_key(
    range_m: NDArray[np.float64],
    azimuth_rad: NDArray[np.float64],
    elevation_rad: NDArray[np.float64],
    group: NDArray[np.int64] | None,
    range_resolution_m: float,
    azimuth_resolution_rad: float,
    elevation_resolution_rad: float,
) -> NDArray[np.int64]:
    """One integer per occupied (group, gate, azimuth beam, elevation beam), ``(n,)``.

    The indices are packed into one int64 when they fit (the usual case, one multiply-add per
    index); with finer cells than that (any resolution is allowed) the cells are numbered
    densely by a lexicographic sort instead. Nothing is allocated per cell either way.
    """
    if range_m.size == 0:
        return np.empty(0, dtype=np.int64)
    gate = np.floor(range_m / range_resolution_m)
    beam = np.floor(np.mod(azimuth_rad, 2.0 * np.pi) / azimuth_resolution_rad)
    n_az = float(np.ceil(2.0 * np.pi / azimuth_resolution_rad)) + 1.0
    n_gates = float(gate.max()) + 1.0
    level = np.zeros(range_m.shape)
    n_el = 1.0
    if np.isfinite(elevation_resolution_rad):
        level = np.floor((elevation_rad + 0.5 * np.pi) / elevation_resolution_rad)
        n_el = float(np.ceil(np.pi / elevation_resolution_rad)) + 1.0
    g = np.zeros(range_m.shape, np.int64) if group is None else group - group.min()
    if float(g.max() + 1) * n_gates * n_az * n_el < 2.0**62:
        key = gate.astype(np.int64) * int(n_az) + beam.astype(np.int64)
        key = key * int(n_el) + level.astype(np.int64)
        return g * (int(n_gates) * int(n_az) * int(n_el)) + key
    # Too fine to pack: number the distinct (group, gate, beam, level) rows in sorted order.
    order = np.lexsort((level, beam, gate, g))
    cols = np.stack([g.astype(float), gate, beam, level])[:, order]
    new_cell = np.ones(order.shape[0], dtype=bool)
    new_cell[1:] = np.any(cols[:, 1:] != cols[:, :-1], axis=0)
    dense = np.empty(order.shape[0], dtype=np.int64)
    dense[order] = np.cumsum(new_cell) - 1
    return dense


def merge_unresolved(
    range_m: ArrayLike,
    azimuth_rad: ArrayLike,
    elevation_rad: ArrayLike,
    power: ArrayLike,
    *,
    range_resolution_m: float,
    azimuth_resolution_rad: float,
    elevation_resolution_rad: float = np.inf,
    group: ArrayLike | None = None,
) -> MergedEchoes:
    """Merge echoes that share a resolution cell (and a ``group``, e.g. a look or a radar).

    Parameters
    ----------
    range_m, azimuth_rad, elevation_rad : array_like, shape (n,)
        True position of each illuminated target in the radar's frame.
    power : array_like, shape (n,)
        Echo power of each target in any linear unit (SNR per pulse is usual); > 0.
    range_resolution_m, azimuth_resolution_rad, elevation_resolution_rad : float
        Cell sizes; ``inf`` elevation resolution puts all elevations in one cell.
    group : array_like of int, shape (n,), optional
        Echoes merge only within one group (radar id or look index).

    Returns
    -------
    MergedEchoes
        Cells ordered by their strongest member's row, so an input without unresolved targets
        comes back in its own order.
    """
    r = np.asarray(range_m, dtype=float)
    az = np.asarray(azimuth_rad, dtype=float)
    el = np.asarray(elevation_rad, dtype=float)
    p = np.asarray(power, dtype=float)
    n = r.shape[0]
    g = None if group is None else np.asarray(group, dtype=np.int64)
    rows = np.arange(n, dtype=np.intp)
    key = _cell_key(
        r, az, el, g, range_resolution_m, azimuth_resolution_rad, elevation_resolution_rad
    )
    order = np.argsort(key)
    sorted_key = key[order]
    same_next = sorted_key[1:] == sorted_key[:-1]
    if not same_next.any():
        # Every target resolved (the usual case): one sort decides it, nothing to merge.
        return MergedEchoes(
            cell_of_row=rows,
            representative_row=rows.copy(),
            member_count=np.ones(n, dtype=np.int64),
            range_m=r.copy(),
            azimuth_rad=np.mod(az, 2.0 * np.pi),
            elevation_rad=el.copy(),
            power=p.copy(),
        )
    # Only rows sharing a cell need the strongest-first sort.
    shared = np.zeros(n, dtype=bool)
    shared[1:] |= same_next
    shared[:-1] |= same_next
    single_rows = order[~shared]
    crowd = order[shared]
    crowd = crowd[np.lexsort((-p[crowd], key[crowd]))]
    new_run = np.ones(crowd.shape[0], dtype=bool)
    new_run[1:] = key[crowd[1:]] != key[crowd[:-1]]
    crowd_rep = crowd[new_run]  # strongest row of each shared cell
    is_rep = np.zeros(n, dtype=bool)
    is_rep[single_rows] = True
    is_rep[crowd_rep] = True
    representative = np.flatnonzero(is_rep)
    m = representative.shape[0]
    rank = np.empty(n, dtype=np.intp)
    rank[representative] = np.arange(m)
    cell_of_row = np.empty(n, dtype=np.intp)
    cell_of_row[single_rows] = rank[single_rows]
    cell_of_row[crowd] = rank[crowd_rep][np.cumsum(new_run) - 1]
    # Resolved rows keep their own values; only shared cells get sums and centroids.
    crowd_cell = cell_of_row[crowd]
    total = p[representative].copy()
    total[crowd_cell] = 0.0
    np.add.at(total, crowd_cell, p[crowd])
    count = np.ones(m, dtype=np.int64)
    count[crowd_cell] = 0
    np.add.at(count, crowd_cell, 1)
    w = p[crowd]
    w_sum = np.bincount(crowd_cell, weights=w, minlength=m)[crowd_cell]
    w = np.where(w_sum > 0, w / np.where(w_sum > 0, w_sum, 1.0), 1.0 / count[crowd_cell])

    def centroid(x: NDArray[np.float64], x_crowd: NDArray[np.float64]) -> NDArray[np.float64]:
        out = x[representative].copy()
        out[crowd_cell] = 0.0
        np.add.at(out, crowd_cell, w * x_crowd)
        return out

    # Azimuth: average offsets from the representative so a cell at north does not wrap.
    az_ref = np.mod(az[representative], 2.0 * np.pi)
    d_az = np.mod(az[crowd] - az_ref[crowd_cell] + np.pi, 2.0 * np.pi) - np.pi
    return MergedEchoes(
        cell_of_row=cell_of_row,
        representative_row=representative,
        member_count=count,
        range_m=centroid(r, r[crowd]),
        azimuth_rad=np.mod(az_ref + centroid(np.zeros(n), d_az), 2.0 * np.pi),
        elevation_rad=centroid(el, el[crowd]),
        power=total,
    )
